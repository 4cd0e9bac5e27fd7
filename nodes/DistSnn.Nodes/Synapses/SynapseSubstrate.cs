using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Synapses;

/// <summary>
/// Where the synapses of chosen projections live instead of the CPU's synapse blocks: a modelled substrate such as a
/// memristive crossbar. A <see cref="PartitionEngine"/> built with one offers it every projection onto its neurons, in
/// projection order; what the substrate declines stays on the CPU. Neurons, inputs, recorders and the plasticity
/// rules stay the engine's, so the substrate is the only difference from a CPU partition.
/// </summary>
public interface ISynapseSubstrate
{
    /// <summary>
    /// Takes over the static synapses <paramref name="data"/> onto <paramref name="target"/> (whose neurons are the
    /// target population's indices <paramref name="owned"/>) and returns what transmits them, or null to leave them on
    /// the CPU.
    /// </summary>
    IRowTransmitter? TakeStatic(SynapseData data, NeuronGroup target, int[] owned);

    /// <summary>
    /// The device that holds the weights of plastic block <paramref name="block"/> (target neurons
    /// <paramref name="owned"/>), or null to leave them on the CPU. The block writes every weight change through it.
    /// </summary>
    IWeightDevice? TakePlastic(PlasticBlock block, int[] owned);

    /// <summary>Saves or restores the substrate's state (device conductances, pulse counts) after the engine's.</summary>
    void VisitState(Checkpoints.StateVisitor visitor);
}

/// <summary>Transmits the static synapses of one projection held by a substrate.</summary>
public interface IRowTransmitter
{
    /// <summary>Index of the projection in the network spec.</summary>
    int Projection { get; }

    /// <summary>Synapses it holds (cells that stand for a synapse of the model).</summary>
    long Synapses { get; }

    /// <summary>Bytes of storage.</summary>
    long Bytes { get; }

    /// <summary>Whether source <paramref name="row"/> (index in its population) reaches any neuron here.</summary>
    bool HasRow(int row);

    /// <summary>Queues a spike of source <paramref name="row"/> stamped <paramref name="stamp"/>; calls come in (stamp, row) order within a delivery.</summary>
    void AddPre(int row, long stamp);

    /// <summary>Transmits every queued spike into the target's input rings and forgets them; returns the synaptic events.</summary>
    long Flush();
}

/// <summary>
/// The device behind a plastic block's weights: every weight change becomes a write the device carries out as it can
/// (programming pulses through its update curve), and the block keeps the weight the device then holds. It may also
/// transmit pre spikes itself (a crossbar read) instead of the block adding weights into the input rings.
/// </summary>
public interface IWeightDevice
{
    /// <summary>
    /// Moves synapse <paramref name="synapse"/> (the block's index) from weight <paramref name="current"/> towards
    /// <paramref name="requested"/> and returns the weight it now holds.
    /// </summary>
    float Write(int synapse, float current, float requested);

    /// <summary>Called with true before the writes of a weight normalisation and with false after them.</summary>
    void Normalizing(bool active);

    /// <summary>
    /// Whether a spike of every source row reaches the device, with or without synapses here (a crossbar row conducts
    /// through all its cells); only meaningful when it <see cref="Transmits"/>.
    /// </summary>
    bool ReadsEveryRow { get; }

    /// <summary>Whether the device transmits pre spikes (<see cref="Transmit"/>, <see cref="EndTime"/>) instead of the block.</summary>
    bool Transmits { get; }

    /// <summary>Queues the spike of source <paramref name="row"/> reaching the synapses at <paramref name="time"/>, after the row's own weight changes.</summary>
    void Transmit(int row, long time);

    /// <summary>Every spike reaching the synapses at <paramref name="time"/> is queued: transmit them with the weights held now.</summary>
    void EndTime(long time);
}
