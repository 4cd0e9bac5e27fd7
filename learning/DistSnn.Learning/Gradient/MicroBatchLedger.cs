using System.Numerics;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// Which replica computes which micro-batch of one optimizer step, and which sums have come back — the state a
/// training coordinator keeps, without any messaging. Replica r of R is given the r-th contiguous block of the M
/// micro-batches (<see cref="MicroBatches.OfReplica"/>) and sends back sums of whole nodes of the fixed tree; when a
/// replica is lost, the micro-batches it had not delivered go to the survivors in contiguous shares, and anything it
/// still sends is ignored. A micro-batch's gradient is a pure function of the weights, the step and its samples,
/// and a node's sum is the tree's own additions, so the reduced gradient is the one of a run that lost nobody.
/// </summary>
public sealed class MicroBatchLedger<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _count;
    private readonly bool[] _covered;
    private readonly string[] _owner;
    private readonly List<string> _replicas;
    private readonly Dictionary<Subtree, T[]> _sums = [];

    /// <summary>A ledger for step <paramref name="step"/> of <paramref name="microBatches"/> micro-batches over <paramref name="replicas"/>.</summary>
    public MicroBatchLedger(long step, int microBatches, IReadOnlyList<string> replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatches, 1);
        if (replicas.Count == 0) throw new ArgumentException("a step needs at least one replica", nameof(replicas));
        if (replicas.Count > microBatches) throw new ArgumentException($"{replicas.Count} replicas for {microBatches} micro-batches", nameof(replicas));
        if (replicas.Distinct(StringComparer.Ordinal).Count() != replicas.Count) throw new ArgumentException("replica names must differ", nameof(replicas));
        Step = step;
        _count = microBatches;
        _covered = new bool[microBatches];
        _owner = new string[microBatches];
        _replicas = [.. replicas];
        for (int r = 0; r < _replicas.Count; r++)
            foreach (int m in MicroBatches.OfReplica(microBatches, _replicas.Count, r)) _owner[m] = _replicas[r];
    }

    /// <summary>The optimizer step the gradients are for.</summary>
    public long Step { get; }

    /// <summary>The replicas still computing.</summary>
    public IReadOnlyList<string> Replicas => _replicas;

    /// <summary>True when every micro-batch is in, alone or in a node's sum.</summary>
    public bool Complete => _covered.All(c => c);

    /// <summary>The micro-batches <paramref name="replica"/> is to compute and has not delivered, ascending.</summary>
    public IReadOnlyList<int> Assigned(string replica) =>
        Enumerable.Range(0, _count).Where(m => _owner[m] == replica && !_covered[m]).ToList();

    /// <summary>
    /// Takes <paramref name="replica"/>'s sum of the tree node <paramref name="node"/> for <paramref name="step"/>;
    /// false (and ignored) when it is for another step, from a replica no longer counted on, not a node of the tree,
    /// or covers a micro-batch that is already in or that is not this replica's — a late or repeated answer.
    /// </summary>
    public bool Deliver(long step, string replica, Subtree node, T[] sum)
    {
        ArgumentNullException.ThrowIfNull(sum);
        if (step != Step || !_replicas.Contains(replica) || node.Level < 0 || node.Level > MicroBatches.RootLevel(_count)
            || node.Start < 0 || node.Start >= _count || node.Start % (1 << node.Level) != 0) return false;
        for (int m = node.Start; m < node.End(_count); m++)
            if (_covered[m] || _owner[m] != replica) return false;
        for (int m = node.Start; m < node.End(_count); m++) _covered[m] = true;
        _sums[node] = sum;
        return true;
    }

    /// <summary>
    /// Removes <paramref name="replica"/> and hands its undelivered micro-batches to the survivors in contiguous shares,
    /// in order; returns them as (micro-batch, new replica). Throws when no replica is left.
    /// </summary>
    public IReadOnlyList<(int MicroBatch, string Replica)> Lost(string replica)
    {
        if (!_replicas.Remove(replica)) return [];
        if (_replicas.Count == 0) throw new InvalidOperationException($"step {Step}: the last replica ({replica}) is lost");
        var orphans = Enumerable.Range(0, _count).Where(m => _owner[m] == replica && !_covered[m]).ToList();
        var moved = new List<(int, string)>();
        int shares = Math.Min(_replicas.Count, orphans.Count);
        for (int s = 0; s < shares; s++)
        {
            var (start, length) = MicroBatches.Range(orphans.Count, shares, s);
            for (int k = start; k < start + length; k++)
            {
                _owner[orphans[k]] = _replicas[s];
                moved.Add((orphans[k], _replicas[s]));
            }
        }
        return moved;
    }

    /// <summary>The summed gradient by the fixed tree, from the node sums delivered; their buffers are used in place.</summary>
    public T[] Reduce()
    {
        if (!Complete) throw new InvalidOperationException($"step {Step}: micro-batches {string.Join(", ", Enumerable.Range(0, _count).Where(m => !_covered[m]))} are missing");
        return MicroBatches.Sum<T>(_count, new Subtree(0, MicroBatches.RootLevel(_count)), node => _sums.GetValueOrDefault(node),
            m => throw new InvalidOperationException($"step {Step}: micro-batch {m} is covered but its sum is missing"));
    }
}
