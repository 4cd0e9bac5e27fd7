using DistSnn.Nodes.Backends;

namespace DistSnn.Nodes.Exchange;

/// <summary>Moves one partition's epoch spikes to the partitions that have synapses from them.</summary>
/// <remarks>
/// Two implementations: in-process (<see cref="InProcessRunner"/>: packets handed over in memory, no actor system) and
/// Akka (the partition actors of <c>cluster/</c>: MessagePack packets over remoting). Results never depend on which:
/// the receiving <see cref="EpochExchange{TPacket}"/> delivers the same packets at the same boundaries either way.
/// </remarks>
public interface ISpikeTransport
{
    /// <summary>
    /// Sends the spikes partition <paramref name="source"/> emitted in <paramref name="epoch"/> (sorted by stamp and
    /// gid; valid only during the call) to each of its out-neighbours, each getting the spikes it has synapses from
    /// (an empty packet when none: it tells the receiver that the source has finished the epoch).
    /// </summary>
    void Send(int source, long epoch, SpikeBatch spikes);
}

/// <summary>What one <see cref="PartitionLoop.Step"/> did.</summary>
public enum LoopStep
{
    /// <summary>Nothing: the next epoch needs packets that have not all arrived.</summary>
    Waiting,
    /// <summary>Ran an epoch (after delivering the one it needed, if any) and sent its spikes.</summary>
    Ran,
    /// <summary>The run is over (possibly with this step's epoch, the last).</summary>
    Finished,
}

/// <summary>
/// One partition as every runtime drives it: a backend, its <see cref="EpochExchange{TPacket}"/> and a transport.
/// <see cref="Offer"/> takes a packet from an in-neighbour; <see cref="Step"/> delivers and runs as the exchange
/// decides, one epoch at a time. The partition actor calls it once per mailbox message, the in-process runner in a
/// loop; neither keeps packets of its own.
/// </summary>
public sealed class PartitionLoop
{
    private readonly ISpikeTransport _transport;
    private readonly List<SpikeBatch> _batches = new();

    /// <summary>Drives <paramref name="backend"/>, whose in-neighbours are <paramref name="sources"/>, sending with <paramref name="transport"/>.</summary>
    public PartitionLoop(IPartitionBackend backend, IEnumerable<int> sources, ISpikeTransport transport)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(transport);
        Backend = backend;
        _transport = transport;
        Exchange = new EpochExchange<SpikeBatch>(sources, backend.Clock.Lag, backend.Clock.Epochs);
    }

    /// <summary>The partition.</summary>
    public IPartitionBackend Backend { get; }

    /// <summary>The packets held and the protocol rule.</summary>
    public EpochExchange<SpikeBatch> Exchange { get; }

    /// <summary>Packets dropped as duplicates so far.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Packets dropped as late (for an epoch already delivered) so far.</summary>
    public long Late { get; private set; }

    /// <summary>Called right after each delivery, before the next epoch runs: an epoch boundary with every spike before it delivered (checkpoints).</summary>
    public Action? AfterDelivery { get; set; }

    /// <summary>Called with each epoch's own spikes right after it ran, before they are sent (valid only during the call).</summary>
    public Action<long, SpikeBatch>? AfterRun { get; set; }

    /// <summary>What the exchange says this partition does next.</summary>
    public ExchangeDecision Next => Exchange.Decide(Backend.Clock.NextEpoch, Backend.Clock.DeliveredEpochs);

    /// <summary>Takes a packet of <paramref name="epoch"/> from in-neighbour <paramref name="source"/>; says whether it is kept.</summary>
    public PacketVerdict Offer(long epoch, int source, SpikeBatch spikes)
    {
        var verdict = Exchange.Offer(epoch, source, spikes, Backend.Clock.DeliveredEpochs);
        if (verdict == PacketVerdict.Duplicate) Duplicates++;
        else if (verdict == PacketVerdict.PastEpoch) Late++;
        return verdict;
    }

    /// <summary>
    /// Delivers the epoch the next one needs (when all its packets are here), then runs the next epoch and sends its
    /// spikes, unless they are of the last lag epochs; does nothing while packets are missing.
    /// </summary>
    public LoopStep Step()
    {
        var clock = Backend.Clock;
        var decision = Next;
        if (decision.Action == ExchangeAction.Wait) return LoopStep.Waiting;
        if (decision.Action == ExchangeAction.Finished) return LoopStep.Finished;
        if (decision.Action == ExchangeAction.Deliver) Deliver(decision.Epoch);
        long epoch = clock.NextEpoch;
        var spikes = Backend.RunEpoch();
        AfterRun?.Invoke(epoch, spikes);
        if (Exchange.Sends(epoch)) _transport.Send(Backend.Partition, epoch, spikes);
        return clock.Finished ? LoopStep.Finished : LoopStep.Ran;
    }

    /// <summary>
    /// Delivers the oldest epoch that has run but is not delivered, if all its packets are here, ahead of need (see
    /// <see cref="EpochExchange{TPacket}.CanDeliverEarly"/>); returns whether it did.
    /// </summary>
    public bool DeliverEarly()
    {
        var clock = Backend.Clock;
        if (!Exchange.CanDeliverEarly(clock.NextEpoch, clock.DeliveredEpochs)) return false;
        Deliver(clock.DeliveredEpochs);
        return true;
    }

    /// <summary>Called with the batches of each delivery right after the backend took them (the in-process transport recycles their arrays).</summary>
    public Action<IReadOnlyList<SpikeBatch>>? Delivered { get; set; }

    private void Deliver(long epoch)
    {
        Exchange.TakeDelivery(epoch, _batches);
        Backend.Deliver(_batches);
        Delivered?.Invoke(_batches);
        _batches.Clear();
        AfterDelivery?.Invoke();
    }
}
