namespace DistSnn.Hardware.SpiNNaker;

/// <summary>What a core of the mapped machine runs.</summary>
public enum VertexKind
{
    /// <summary>A slice of a neuron population.</summary>
    Neurons,
    /// <summary>A slice of a source population (<c>poisson_generator</c>, <c>spike_generator</c>).</summary>
    Sources,
    /// <summary>A slice of the Poisson sources of a <c>poisson_inputs</c> entry: one source per target neuron.</summary>
    PoissonInput,
    /// <summary>Delays a slice's spikes by up to <see cref="SpiNNakerParameters.DelayExtensionStages"/> × 16 ticks more.</summary>
    DelayExtension,
    /// <summary>Sends into the machine the spikes of a slice of a population hosted elsewhere (sPyNNaker's spike injector).</summary>
    Injector,
    /// <summary>Receives the spikes bound for populations hosted elsewhere and sends them to the host (the live packet gatherer).</summary>
    HostOutput,
}

/// <summary>
/// One core's work: atoms [<see cref="Lo"/>, <see cref="Hi"/>) of a population (of the target population for a Poisson
/// input; of the source slice for a delay extension; none for the live output, whose population is -1), where it is
/// placed and the routing keys its spikes carry.
/// </summary>
public sealed record MachineVertex(int Id, VertexKind Kind, int Population, string Name, int Lo, int Hi)
{
    /// <summary>For a Poisson input: the index of its <c>poisson_inputs</c> entry; -1 otherwise.</summary>
    public int Input { get; init; } = -1;
    /// <summary>Atoms on the core.</summary>
    public int Atoms => Hi - Lo;
    /// <summary>The chip the vertex is placed on.</summary>
    public Chip Chip { get; set; } = null!;
    /// <summary>Its core on the chip (1 to <see cref="SpiNNakerParameters.CoresPerChip"/> − 1; core 0 is the monitor).</summary>
    public int Core { get; set; }
    /// <summary>
    /// The first key of its spikes: atom a sends key <c>Key + a − Lo</c>; a delay extension sends stage s (1 to
    /// <see cref="SpiNNakerParameters.DelayExtensionStages"/>) of atom a as <c>Key + (s − 1) × Atoms + a − Lo</c>.
    /// </summary>
    public uint Key { get; set; }
    /// <summary>The mask that matches all its keys (a power-of-two block).</summary>
    public uint Mask { get; set; }
    /// <summary>Keys it needs.</summary>
    public long KeySpace { get; set; }
    /// <summary>SDRAM its synaptic matrix takes (bytes).</summary>
    public long SdramBytes { get; set; }
    /// <summary>DTCM its neurons, buffers and tables take (bytes).</summary>
    public long DtcmBytes { get; set; }
}

/// <summary>Spikes of <see cref="Source"/> reach <see cref="Target"/> (expected <see cref="Synapses"/> synapses between them).</summary>
public sealed record MachineEdge(MachineVertex Source, MachineVertex Target, double Synapses);

/// <summary>A router table entry: packets whose key matches <see cref="Key"/> under <see cref="Mask"/> go to the links and cores of <see cref="Route"/>.</summary>
/// <param name="Key">The key bits that must match.</param>
/// <param name="Mask">Which bits are compared.</param>
/// <param name="Route">Bits 0–5: links 0–5; bit 6 + c: core c.</param>
public readonly record struct RouterEntry(uint Key, uint Mask, uint Route)
{
    /// <summary>Whether a packet with <paramref name="key"/> matches.</summary>
    public bool Matches(uint key) => (key & Mask) == Key;

    /// <summary>The route bit of link <paramref name="link"/>.</summary>
    public static uint Link(int link) => 1u << link;

    /// <summary>The route bit of core <paramref name="core"/>.</summary>
    public static uint CoreBit(int core) => 1u << (6 + core);
}
