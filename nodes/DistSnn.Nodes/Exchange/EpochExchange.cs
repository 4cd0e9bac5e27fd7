namespace DistSnn.Nodes.Exchange;

/// <summary>What a partition does next, as <see cref="EpochExchange{TPacket}.Decide"/> says.</summary>
public enum ExchangeAction
{
    /// <summary>Deliver <see cref="ExchangeDecision.Epoch"/>: every in-neighbour's packet of it is here, and the next epoch needs it.</summary>
    Deliver,
    /// <summary>Run epoch <see cref="ExchangeDecision.Epoch"/>: what it needs is delivered.</summary>
    Run,
    /// <summary>Wait for packets of <see cref="ExchangeDecision.Epoch"/>: the next epoch needs it and some in-neighbour has not sent it yet.</summary>
    Wait,
    /// <summary>Every epoch has run.</summary>
    Finished,
}

/// <summary>An action and the epoch it concerns.</summary>
public readonly record struct ExchangeDecision(ExchangeAction Action, long Epoch);

/// <summary>Why a packet was or was not taken.</summary>
public enum PacketVerdict
{
    /// <summary>Kept until its epoch is delivered.</summary>
    Accepted,
    /// <summary>A second packet of the same epoch from the same source: dropped.</summary>
    Duplicate,
    /// <summary>For an epoch already delivered: dropped (a late or replayed packet).</summary>
    PastEpoch,
    /// <summary>For an epoch after the last one whose packets are exchanged: dropped.</summary>
    FutureEpoch,
    /// <summary>From a partition that is not an in-neighbour: dropped.</summary>
    UnknownSource,
}

/// <summary>The lag rule, for those who check it without holding packets (<see cref="Backends.EpochClock"/>).</summary>
public static class EpochExchange
{
    /// <summary>Whether epoch <paramref name="next"/> may run after <paramref name="delivered"/> epochs are delivered: epoch e needs epoch e − lag.</summary>
    public static bool MayRun(long next, long delivered, int lag) => next - delivered < lag;
}

/// <summary>
/// The epoch protocol of one partition, and the one place its rule is written. A partition runs epoch e once the
/// spikes of epoch e − k (k = the exchange lag) are delivered; epoch e's packets come from its in-neighbours (itself
/// included when it has synapses from its own neurons), one per in-neighbour per epoch, empty ones included, in any
/// order and possibly early, late or twice. The exchange keeps them by epoch until every in-neighbour's packet of the
/// epoch the next run needs is in, then hands them over together, and never earlier: delivery happens just before
/// epoch e + k runs. The spikes of the last k epochs would arrive after the end of the run; they are not exchanged.
/// </summary>
/// <remarks>
/// Pure: no threads, no actors, no clock of its own. The counters it decides on (epochs run and delivered) are the
/// backend's (<see cref="Backends.EpochClock"/>), passed in. <see cref="PartitionLoop"/> drives it for every runtime.
/// </remarks>
public sealed class EpochExchange<TPacket>
{
    private readonly HashSet<int> _sources;
    // Packets by epoch, each list sorted by source; emptied lists are reused so that a steady run allocates nothing here.
    private readonly Dictionary<long, List<(int Source, TPacket Packet)>> _pending = new();
    private readonly Stack<List<(int Source, TPacket Packet)>> _spare = new();

    /// <summary>
    /// An exchange for a partition whose in-neighbours are <paramref name="sources"/> (partition indices), with exchange
    /// lag <paramref name="lag"/>, in a run of <paramref name="epochs"/> epochs.
    /// </summary>
    public EpochExchange(IEnumerable<int> sources, int lag, long epochs)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfLessThan(lag, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(epochs);
        _sources = [.. sources];
        Lag = lag;
        Epochs = epochs;
    }

    /// <summary>How many in-neighbours send a packet each epoch.</summary>
    public int InDegree => _sources.Count;
    /// <summary>The exchange lag.</summary>
    public int Lag { get; }
    /// <summary>Epochs in the run.</summary>
    public long Epochs { get; }
    /// <summary>The last epoch whose packets are exchanged (−1 when none is: a run of at most <see cref="Lag"/> epochs).</summary>
    public long LastExchangedEpoch => Epochs - Lag - 1;
    /// <summary>Packets held for epochs not yet delivered.</summary>
    public int PendingPackets => _pending.Values.Sum(p => p.Count);

    /// <summary>The epochs for which packets are held, ascending.</summary>
    public IReadOnlyList<long> PendingEpochs => _pending.Keys.Order().ToArray();

    /// <summary>Whether the spikes of <paramref name="epoch"/> are sent to the in-neighbours (not those of the last lag epochs).</summary>
    public bool Sends(long epoch) => epoch <= LastExchangedEpoch;

    /// <summary>
    /// Takes a packet of <paramref name="epoch"/> from <paramref name="source"/>, given that the partition has
    /// delivered <paramref name="delivered"/> epochs; says whether it was kept.
    /// </summary>
    public PacketVerdict Offer(long epoch, int source, TPacket packet, long delivered)
    {
        if (epoch < delivered) return PacketVerdict.PastEpoch;
        if (epoch > LastExchangedEpoch) return PacketVerdict.FutureEpoch;
        if (!_sources.Contains(source)) return PacketVerdict.UnknownSource;
        if (!_pending.TryGetValue(epoch, out var byEpoch))
            _pending[epoch] = byEpoch = _spare.Count > 0 ? _spare.Pop() : new List<(int, TPacket)>(InDegree);
        int at = byEpoch.Count;
        while (at > 0 && byEpoch[at - 1].Source >= source)
        {
            if (byEpoch[at - 1].Source == source) return PacketVerdict.Duplicate;
            at--;
        }
        byEpoch.Insert(at, (source, packet));
        return PacketVerdict.Accepted;
    }

    /// <summary>
    /// What a partition that has run <paramref name="next"/> epochs (the next to run is <paramref name="next"/>) and
    /// delivered <paramref name="delivered"/> does now: deliver the epoch the next run needs once all of its packets are
    /// here, otherwise wait for them, otherwise run.
    /// </summary>
    public ExchangeDecision Decide(long next, long delivered)
    {
        if (next >= Epochs) return new(ExchangeAction.Finished, next);
        if (EpochExchange.MayRun(next, delivered, Lag)) return new(ExchangeAction.Run, next);
        int here = _pending.TryGetValue(delivered, out var packets) ? packets.Count : 0;
        return here < InDegree ? new(ExchangeAction.Wait, delivered) : new(ExchangeAction.Deliver, delivered);
    }

    /// <summary>
    /// Whether epoch <paramref name="delivered"/> could be delivered now, ahead of need: it has run here
    /// (<paramref name="next"/> is past it) and every in-neighbour's packet of it is in. A runtime that changes the
    /// network between runs (the trainer) delivers such epochs when it stops, so that every epoch it ran has had its
    /// plasticity processed; delivering early changes no result, since spikes are only read at their arrival step.
    /// </summary>
    public bool CanDeliverEarly(long next, long delivered)
    {
        if (delivered >= next || delivered > LastExchangedEpoch) return false;
        int here = _pending.TryGetValue(delivered, out var packets) ? packets.Count : 0;
        return here >= InDegree;
    }

    /// <summary>
    /// Moves the packets of <paramref name="epoch"/> (which <see cref="Decide"/> said to deliver) into
    /// <paramref name="into"/>, ordered by source, and forgets them; returns how many.
    /// </summary>
    public int TakeDelivery(long epoch, List<TPacket> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        into.Clear();
        if (!_pending.TryGetValue(epoch, out var packets))
        {
            if (InDegree > 0) throw new InvalidOperationException($"epoch {epoch} has no packets of its {InDegree} in-neighbours; it cannot be delivered");
            return 0;
        }
        if (packets.Count < InDegree) throw new InvalidOperationException($"epoch {epoch} has {packets.Count} of {InDegree} packets; it cannot be delivered");
        _pending.Remove(epoch);
        foreach (var (_, packet) in packets) into.Add(packet);
        Recycle(packets);
        return into.Count;
    }

    private void Recycle(List<(int Source, TPacket Packet)> packets)
    {
        packets.Clear();
        _spare.Push(packets);
    }
}
