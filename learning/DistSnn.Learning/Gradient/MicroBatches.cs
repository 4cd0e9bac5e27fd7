using System.Numerics;
using System.Numerics.Tensors;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// A node of the fixed reduction tree over M micro-batches: the sum of micro-batches <see cref="Start"/> …
/// <see cref="Start"/> + 2^<see cref="Level"/> − 1 (those that exist), <see cref="Start"/> a multiple of 2^<see cref="Level"/>.
/// </summary>
public readonly record struct Subtree(int Start, int Level)
{
    /// <summary>One past the last micro-batch the node covers, of <paramref name="count"/>.</summary>
    public int End(int count) => (int)Math.Min(count, Start + (1L << Level));
}

/// <summary>
/// The split of every global minibatch into M fixed micro-batches, and the fixed tree that adds their gradients up.
/// Each micro-batch's gradient is the sum of its samples' gradients in sample order, whoever computes it; the tree
/// adds the M sums pairwise in an order fixed by M alone. So the batch gradient, and with it every weight, is
/// bit-identical whether one replica computes all micro-batches or R replicas share them — a sum grouped by
/// replica would round differently for every R. A replica that holds every micro-batch under a node of the tree
/// may add them up itself (<see cref="Sum{T}"/>) and send one sum for the node: the additions are the tree's own.
/// </summary>
public static class MicroBatches
{
    /// <summary>
    /// Where micro-batch <paramref name="m"/> of <paramref name="count"/> lies in a batch of <paramref name="batch"/>
    /// samples: the first batch mod M micro-batches hold one sample more.
    /// </summary>
    public static (int Start, int Length) Range(int batch, int count, int m)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(m, count);
        int q = batch / count, r = batch % count;
        int start = m * q + Math.Min(m, r);
        return (start, q + (m < r ? 1 : 0));
    }

    /// <summary>
    /// The micro-batches replica <paramref name="replica"/> of <paramref name="replicas"/> computes: a contiguous block
    /// (the first M mod R replicas one more), so that whole nodes of the tree fall to one replica and travel as one sum.
    /// </summary>
    public static IEnumerable<int> OfReplica(int count, int replicas, int replica)
    {
        var (start, length) = Range(count, replicas, replica);
        return Enumerable.Range(start, length);
    }

    /// <summary>The level of the tree's root over <paramref name="count"/> micro-batches: the least K with 2^K ≥ M.</summary>
    public static int RootLevel(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        int level = 0;
        while ((1L << level) < count) level++;
        return level;
    }

    /// <summary>
    /// The largest nodes of the tree over <paramref name="count"/> micro-batches whose micro-batches all lie in
    /// <paramref name="microBatches"/>, in ascending order; together they cover exactly those micro-batches.
    /// </summary>
    public static IReadOnlyList<Subtree> Subtrees(int count, IEnumerable<int> microBatches)
    {
        var set = new HashSet<int>(microBatches);
        foreach (int m in set)
            if (m < 0 || m >= count) throw new ArgumentOutOfRangeException(nameof(microBatches), $"micro-batch {m} is not one of 0 … {count - 1}");
        var nodes = new List<Subtree>();
        void Cover(int start, int level)
        {
            if (start >= count) return;
            var node = new Subtree(start, level);
            bool all = true, any = false;
            for (int m = start; m < node.End(count); m++)
            {
                bool has = set.Contains(m);
                all &= has;
                any |= has;
            }
            if (!any) return;
            if (all)
            {
                nodes.Add(node);
                return;
            }
            Cover(start, level - 1);
            Cover(start + (1 << (level - 1)), level - 1);
        }
        Cover(0, RootLevel(count));
        return nodes;
    }

    /// <summary>
    /// The sum of the tree's node <paramref name="node"/> over <paramref name="count"/> micro-batches, by the tree's own
    /// additions: each child's sum, the left one taking the right one. <paramref name="known"/> gives a node's sum that is
    /// already at hand (a replica's, in <see cref="MicroBatchLedger{T}"/>) or null; <paramref name="leaf"/> gives a
    /// micro-batch's gradient. Their arrays may be overwritten.
    /// </summary>
    public static T[] Sum<T>(int count, Subtree node, Func<Subtree, T[]?> known, Func<int, T[]> leaf) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (known(node) is { } held) return held;
        if (node.Level == 0) return leaf(node.Start);
        var left = Sum(count, new Subtree(node.Start, node.Level - 1), known, leaf);
        int right = node.Start + (1 << (node.Level - 1));
        if (right < count) TensorPrimitives.Add(left, Sum(count, new Subtree(right, node.Level - 1), known, leaf), left);
        return left;
    }

    /// <summary>
    /// Adds <paramref name="grads"/>[1..M) into <paramref name="grads"/>[0] by the fixed pairwise tree: at stride
    /// 1, 2, 4, … every micro-batch m that is a multiple of twice the stride takes m + stride.
    /// </summary>
    public static void TreeReduce<T>(IReadOnlyList<T[]> grads) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int stride = 1; stride < grads.Count; stride *= 2)
            for (int m = 0; m + stride < grads.Count; m += 2 * stride)
                TensorPrimitives.Add(grads[m], grads[m + stride], grads[m]);
    }
}
