using System.Numerics;
using System.Numerics.Tensors;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// The split of every global minibatch into M fixed micro-batches, and the fixed tree that adds their gradients up.
/// Each micro-batch's gradient is the sum of its samples' gradients in sample order, whoever computes it; the tree
/// adds the M sums pairwise in an order fixed by M alone. So the batch gradient, and with it every weight, is
/// bit-identical whether one replica computes all micro-batches or R replicas compute r, r + R, r + 2R, … each — a
/// sum grouped by replica would round differently for every R.
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

    /// <summary>The micro-batches replica <paramref name="replica"/> of <paramref name="replicas"/> computes: r, r + R, ….</summary>
    public static IEnumerable<int> OfReplica(int count, int replicas, int replica)
    {
        for (int m = replica; m < count; m += replicas) yield return m;
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
