using System.Numerics;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// Which replica computes which micro-batch of one optimizer step, and which gradients have come back — the state a
/// training coordinator keeps, without any messaging. Micro-batch m goes to replica m mod R (replicas in the order
/// given); when a replica is lost, the micro-batches it had not delivered go to the survivors, again in turn. A
/// micro-batch's gradient is a pure function of the weights, the step and its samples, so whoever computes it delivers
/// the same numbers, and the reduced gradient — the fixed tree of <see cref="MicroBatches.TreeReduce{T}"/> — is the
/// one of a run that lost nobody.
/// </summary>
public sealed class MicroBatchLedger<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[]?[] _gradients;
    private readonly List<string> _replicas;
    private readonly Dictionary<int, string> _owner = [];

    /// <summary>A ledger for step <paramref name="step"/> of <paramref name="microBatches"/> micro-batches over <paramref name="replicas"/>.</summary>
    public MicroBatchLedger(long step, int microBatches, IReadOnlyList<string> replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(microBatches, 1);
        if (replicas.Count == 0) throw new ArgumentException("a step needs at least one replica", nameof(replicas));
        if (replicas.Distinct(StringComparer.Ordinal).Count() != replicas.Count) throw new ArgumentException("replica names must differ", nameof(replicas));
        Step = step;
        _gradients = new T[]?[microBatches];
        _replicas = [.. replicas];
        for (int r = 0; r < _replicas.Count; r++)
            foreach (int m in MicroBatches.OfReplica(microBatches, _replicas.Count, r)) _owner[m] = _replicas[r];
    }

    /// <summary>The optimizer step the gradients are for.</summary>
    public long Step { get; }

    /// <summary>The replicas still computing.</summary>
    public IReadOnlyList<string> Replicas => _replicas;

    /// <summary>True when every micro-batch's gradient is in.</summary>
    public bool Complete => _gradients.All(g => g is not null);

    /// <summary>The micro-batches <paramref name="replica"/> is to compute and has not delivered, ascending.</summary>
    public IReadOnlyList<int> Assigned(string replica) =>
        _owner.Where(o => o.Value == replica && _gradients[o.Key] is null).Select(o => o.Key).Order().ToList();

    /// <summary>
    /// Takes the gradient of micro-batch <paramref name="microBatch"/> for <paramref name="step"/>; false (and ignored)
    /// when it is for another step or already in — a late answer of a replica thought lost, or a repeat.
    /// </summary>
    public bool Deliver(long step, int microBatch, T[] gradient)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (step != Step || microBatch < 0 || microBatch >= _gradients.Length || _gradients[microBatch] is not null) return false;
        _gradients[microBatch] = gradient;
        return true;
    }

    /// <summary>
    /// Removes <paramref name="replica"/> and hands its undelivered micro-batches to the survivors in turn; returns
    /// them as (micro-batch, new replica). Throws when no replica is left.
    /// </summary>
    public IReadOnlyList<(int MicroBatch, string Replica)> Lost(string replica)
    {
        if (!_replicas.Remove(replica)) return [];
        if (_replicas.Count == 0) throw new InvalidOperationException($"step {Step}: the last replica ({replica}) is lost");
        var moved = new List<(int, string)>();
        int next = 0;
        foreach (int m in _owner.Where(o => o.Value == replica && _gradients[o.Key] is null).Select(o => o.Key).Order().ToList())
        {
            string to = _replicas[next++ % _replicas.Count];
            _owner[m] = to;
            moved.Add((m, to));
        }
        return moved;
    }

    /// <summary>The summed gradient by the fixed tree; the micro-batch buffers are used in place.</summary>
    public T[] Reduce()
    {
        if (!Complete) throw new InvalidOperationException($"step {Step}: micro-batches {string.Join(", ", Enumerable.Range(0, _gradients.Length).Where(m => _gradients[m] is null))} are missing");
        var all = _gradients.Select(g => g!).ToArray();
        MicroBatches.TreeReduce(all);
        return all[0];
    }
}
