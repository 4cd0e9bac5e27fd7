using Akka.Actor;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Model;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// Coordinator → partition: build partition <see cref="Partition"/> of job <see cref="Job"/> from the model on backend
/// <see cref="Backend"/> (each partition generates only the synapses onto its own neurons). Answered by
/// <see cref="PartitionBuilt"/> or, if building fails, by <see cref="PartitionFailed"/>.
/// </summary>
public sealed record BuildPartition(string Job, NetworkSpec Spec, int Partition, IReadOnlyList<int[]> Owned)
{
    /// <summary>The backend that hosts the partition (a name in the node's backend registry; default <c>cpu</c>).</summary>
    public string Backend { get; init; } = PopulationSpec.DefaultBackend;

    /// <summary>When set, the partition writes checkpoints (see <see cref="PartitionCheckpointing"/>).</summary>
    public PartitionCheckpointing? Checkpointing { get; init; }

    /// <summary>When set, the freshly built engine is restored from this checkpoint file before it answers.</summary>
    public PartitionRestore? Restore { get; init; }
}

/// <summary>
/// Partition → coordinator: the engine is built. <see cref="ReceivesFrom"/> is a bit set over global neuron ids
/// (bit g set when some synapse here has source g); the coordinator turns these into routing tables.
/// </summary>
public sealed record PartitionBuilt(string Job, int Partition, long Neurons, long Synapses, long SynapseBytes,
    double BuildSeconds, ulong[] ReceivesFrom);

/// <summary>Partition → coordinator: building or running failed; the job cannot continue.</summary>
public sealed record PartitionFailed(string Job, int Partition, string Reason);

/// <summary>
/// One out-neighbour of a partition: send epoch packets to <see cref="Target"/>, with only the spikes whose
/// source bit is set in <see cref="Filter"/> (a bit set over global ids).
/// </summary>
public sealed record OutRoute(int Partition, IActorRef Target, ulong[] Filter);

/// <summary>
/// Coordinator → partition: the routing table; the partition starts simulating at once. It expects one packet
/// per epoch from each of its in-neighbours, the partitions <see cref="Sources"/>. Not answered; the partition later
/// sends <see cref="PartitionProgress"/> and finally <see cref="PartitionFinished"/> to <see cref="Coordinator"/>.
/// </summary>
public sealed record StartRun(string Job, IReadOnlyList<OutRoute> Routes, IReadOnlyList<int> Sources, IActorRef Coordinator)
{
    /// <summary>How many in-neighbours send a packet each epoch.</summary>
    public int InDegree => Sources.Count;
}

/// <summary>
/// Partition → partition: all spikes that <see cref="Source"/> emitted in <see cref="Epoch"/> and that have
/// synapses on the receiver, sorted by (stamp, gid). Sent once per (source, target, epoch), empty ones included:
/// an empty packet is what tells the receiver that the source has finished the epoch.
/// </summary>
public sealed record SpikePacket(string Job, long Epoch, int Source, long[] Stamps, long[] Gids);

/// <summary>Partition → coordinator: simulated up to (not including) <see cref="Step"/>.</summary>
public sealed record PartitionProgress(string Job, int Partition, long Step);

/// <summary>Partition → coordinator: the run is complete; <see cref="Result"/> holds the recordings.</summary>
public sealed record PartitionFinished(string Job, int Partition, PartitionResult Result);

/// <summary>Recorded spikes of one population on one partition, sorted by (stamp, population-local id).</summary>
public sealed record RecordedSpikes(int Population, long[] Stamps, int[] Ids);

/// <summary>Samples of one state recorder's variable on one partition (time-major, see StateRecord).</summary>
public sealed record RecordedState(int Recorder, int Population, string Variable, int[] Neurons, long IntervalSteps, float[] Values);

/// <summary>What one partition hands back at the end of a run.</summary>
public sealed record PartitionResult(int Partition, long Neurons, long Synapses, long SynapseBytes, long SynapticEvents,
    long Spikes, double BuildSeconds, double SimulateSeconds, double WaitSeconds, IReadOnlyList<RecordedSpikes> RecordedSpikes,
    IReadOnlyList<RecordedState> RecordedState, long LatePackets, long DuplicatePackets)
{
    /// <summary>Plastic synapses on the partition.</summary>
    public long PlasticSynapses { get; init; }

    /// <summary>The partition's share of the order-independent weight checksum (summed mod 2^64 over partitions).</summary>
    public ulong WeightsChecksum { get; init; }

    /// <summary>What the partition's backend observed beyond the counters (a modelled machine's provenance), or null.</summary>
    public Nodes.Backends.BackendReport? Report { get; init; }
}

/// <summary>Internal: a partition whose next epoch is already complete resumes through its mailbox.</summary>
internal sealed class ContinueRun : Akka.Actor.INoSerializationVerificationNeeded
{
    public static readonly ContinueRun Instance = new();
    private ContinueRun() { }
}

/// <summary>
/// Shard → partition: the stop message for hand-off and passivation (instead of PoisonPill, which would drop
/// queued packets). A partition that is running ignores it until its job ends.
/// </summary>
public sealed class PartitionHandOff
{
    /// <summary>The only instance.</summary>
    public static readonly PartitionHandOff Instance = new();
    private PartitionHandOff() { }
}
