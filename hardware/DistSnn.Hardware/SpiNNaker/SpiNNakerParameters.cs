namespace DistSnn.Hardware.SpiNNaker;

/// <summary>The two SpiNNaker board types.</summary>
public enum BoardType
{
    /// <summary>SpiNN-3: 4 chips in a 2 × 2 torus.</summary>
    Spin3,
    /// <summary>SpiNN-5: 48 chips; three boards tile a 12 × 12 torus (a triad).</summary>
    Spin5,
}

/// <summary>
/// The figures of a SpiNNaker (SpiNNaker 1) machine and of the sPyNNaker mapping, each with the default the public
/// toolchain uses (sources in docs/hardware/spinnaker.md). Every figure is a parameter so that a study can vary it.
/// </summary>
public sealed record SpiNNakerParameters
{
    /// <summary>Cores per chip (ARM968), the monitor included.</summary>
    public int CoresPerChip { get; init; } = 18;
    /// <summary>Cores per chip that run the monitor process, not the application.</summary>
    public int MonitorCoresPerChip { get; init; } = 1;
    /// <summary>Data memory per core (bytes): neuron state, input ring buffers and the master population table live here.</summary>
    public long DtcmBytes { get; init; } = 64 * 1024;
    /// <summary>Shared memory per chip usable by the application (bytes): synaptic matrices live here.</summary>
    public long SdramBytes { get; init; } = 123_469_792;
    /// <summary>Router table entries per chip the toolchain may use (of 1024).</summary>
    public int RouterEntries { get; init; } = 1023;
    /// <summary>Core clock (Hz).</summary>
    public double ClockHz { get; init; } = 200e6;
    /// <summary>Neurons per core at most.</summary>
    public int MaxNeuronsPerCore { get; init; } = 256;
    /// <summary>Poisson or spike sources per core at most.</summary>
    public int MaxSourcesPerCore { get; init; } = 500;
    /// <summary>Delay (ticks) a neuron core handles alone; longer delays go through delay-extension cores.</summary>
    public int CoreDelayTicks { get; init; } = 16;
    /// <summary>Delay stages of a delay-extension core (each <see cref="CoreDelayTicks"/> ticks); 8 in older sPyNNaker releases (144 ticks in all), 16 in later ones.</summary>
    public int DelayExtensionStages { get; init; } = 8;
    /// <summary>DTCM bytes per neuron for its state and parameters (LIF models, s16.15 words).</summary>
    public int DtcmBytesPerNeuron { get; init; } = 64;
    /// <summary>DTCM bytes per neuron and synapse type for its input ring buffer (16 ticks of 16-bit words).</summary>
    public int DtcmRingBytesPerNeuron { get; init; } = 2 * 16 * 2;
    /// <summary>DTCM bytes a core keeps for its code's data, the master population table and the DMA buffers.</summary>
    public int DtcmReservedBytes { get; init; } = 16 * 1024;
    /// <summary>Words of header per synaptic row in SDRAM.</summary>
    public int RowHeaderWords { get; init; } = 3;
    /// <summary>Multiple of the expected row length a synaptic row is sized for (rows are padded to their maximum).</summary>
    public double RowLengthMargin { get; init; } = 1.5;

    /// <summary>The longest delay the machine takes (ticks): on the core and through every delay stage.</summary>
    public int MaxDelayTicks => CoreDelayTicks * (1 + DelayExtensionStages);

    /// <summary>Application cores per chip.</summary>
    public int AppCoresPerChip => CoresPerChip - MonitorCoresPerChip;

    /// <summary>Checks the figures; returns why they cannot be used, or null.</summary>
    public string? Problem()
    {
        if (CoresPerChip < 2 || MonitorCoresPerChip < 1 || MonitorCoresPerChip >= CoresPerChip) return "cores per chip must exceed the monitor cores (at least 1)";
        if (MaxNeuronsPerCore < 1 || MaxSourcesPerCore < 1) return "neurons and sources per core must be at least 1";
        if (RouterEntries < 1 || CoreDelayTicks < 1 || DelayExtensionStages < 0) return "router entries and core delay must be positive";
        if (DtcmBytes <= DtcmReservedBytes) return "DTCM must exceed its reserved bytes";
        return null;
    }
}
