namespace DistSnn.Nodes.Backends;

/// <summary>
/// One kind of partition: a set of neurons (given by population-local indices) and every synapse onto them, advanced
/// one exchange epoch at a time. The runtimes (the in-process runner, the partition actor, the trainer) drive this
/// contract and never a concrete backend; <c>cpu</c> is <see cref="PartitionEngine"/>, hardware models live in
/// <c>hardware/</c>. A backend is made by its <see cref="BackendType"/> in a <see cref="BackendRegistry"/>.
/// </summary>
/// <remarks>
/// Invariants every backend keeps (the conformance suite in <c>tests/DistSnn.Backends.Conformance</c> checks them):
/// <list type="number">
/// <item>It advances on the model's <c>dt</c> grid in the network's epochs (<see cref="EpochClock"/>, made from the
/// model alone): <see cref="RunEpoch"/> runs epoch <see cref="EpochClock.NextEpoch"/> and returns the spikes stamped in
/// it, sorted by (stamp, global id).</item>
/// <item><see cref="Deliver"/> takes every spike of one epoch that reaches this partition, from all in-neighbours and
/// itself, epochs in order; epoch e is delivered after it ran here and before epoch e + lag runs. Batches come in any
/// order: the backend applies their spikes in the canonical order (emission step, source global id, synapse order),
/// or in an order-independent way, so that results do not depend on placement, transport or arrival order. Spikes
/// from neurons with no synapse here are ignored.</item>
/// <item>Every random number is keyed by (seed, purpose, global id, step), never by partition, so the same model and
/// seed give the same spikes for any partitioning.</item>
/// <item><see cref="SaveState"/> at an epoch boundary followed by <see cref="RestoreState"/> into a fresh backend of
/// the same model and slice continues exactly as the uninterrupted run.</item>
/// </list>
/// </remarks>
public interface IPartitionBackend
{
    /// <summary>The registry name of this backend (<c>cpu</c>, …); recorded in checkpoints.</summary>
    string BackendName { get; }

    /// <summary>This partition's index.</summary>
    int Partition { get; }

    /// <summary>Where the partition stands in the run: steps, epochs run and delivered.</summary>
    EpochClock Clock { get; }

    /// <summary>Whether any synapse here has <paramref name="gid"/> as its source (what the routing table is made of).</summary>
    bool ReceivesFrom(long gid);

    /// <summary>
    /// Runs the next epoch and returns its spikes sorted by (stamp, gid); the batch is reused by the next call.
    /// Throws <see cref="InvalidOperationException"/> when the epoch lag before it is not yet delivered.
    /// </summary>
    SpikeBatch RunEpoch();

    /// <summary>
    /// Delivers the spikes of epoch <see cref="EpochClock.DeliveredEpochs"/> from every in-neighbour (batches in any
    /// order). Throws <see cref="InvalidOperationException"/> when that epoch has not run here yet.
    /// </summary>
    void Deliver(IReadOnlyList<SpikeBatch> batches);

    /// <summary>Recorded spikes per population (null where not recorded or none held here).</summary>
    IReadOnlyList<SpikeRecord?> SpikeRecords { get; }

    /// <summary>State recorders with at least one neuron here.</summary>
    IReadOnlyList<StateRecord> StateRecords { get; }

    /// <summary>The counters telemetry and results report (cumulative since the start of the run); cheap, read every epoch.</summary>
    PartitionCounters Counters { get; }

    /// <summary>
    /// Order-independent checksum of every plastic synapse's (projection, source, target, weight) held here; adding
    /// (mod 2^64) the values of all partitions gives the network's, whatever the partitioning. 0 without plastic
    /// synapses. Computed when asked (it reads every plastic weight): for the end of a run, not every epoch.
    /// </summary>
    ulong WeightsChecksum { get; }

    /// <summary>
    /// What the backend observed beyond the common counters (a modelled machine's provenance), for the end of a run;
    /// null when it has nothing to add.
    /// </summary>
    BackendReport? Report => null;

    /// <summary>Writes everything needed to continue from the current epoch boundary (see <see cref="RestoreState"/>).</summary>
    void SaveState(Stream stream);

    /// <summary>
    /// Restores state written by <see cref="SaveState"/> of a backend built from the same model and slice; throws
    /// <see cref="Checkpoints.CheckpointFormatException"/> naming the component and field when it does not fit.
    /// </summary>
    void RestoreState(Stream stream);
}

/// <summary>What a partition reports about itself: sizes (fixed after build) and running totals.</summary>
/// <param name="Neurons">Neurons and sources owned.</param>
/// <param name="Synapses">Synapses held (onto owned neurons).</param>
/// <param name="SynapseBytes">Bytes of synapse storage.</param>
/// <param name="SynapticEvents">Synaptic events processed so far.</param>
/// <param name="SpikesEmitted">Spikes emitted so far by the owned neurons and sources.</param>
/// <param name="BuildSeconds">Seconds spent building.</param>
/// <param name="PlasticSynapses">Synapses with plastic weights.</param>
public readonly record struct PartitionCounters(long Neurons, long Synapses, long SynapseBytes, long SynapticEvents,
    long SpikesEmitted, double BuildSeconds, long PlasticSynapses);
