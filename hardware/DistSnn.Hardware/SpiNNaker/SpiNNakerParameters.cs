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

    /// <summary>
    /// How much slower than real time the machine runs: a tick of dt ms lasts dt × this on the machine (sPyNNaker's
    /// <c>time_scale_factor</c>). 0.1 ms ticks need 10 or more on most networks.
    /// </summary>
    public double TimeScaleFactor { get; init; } = 1;

    /// <summary>Cycles per tick a core spends on its timer interrupt, DMA set-up and recording, whatever its load (calibrated, not measured).</summary>
    public double CyclesPerTick { get; init; } = 2_000;
    /// <summary>Cycles per neuron update (s16.15 LIF and its synaptic input; calibrated, not measured).</summary>
    public double CyclesPerNeuron { get; init; } = 250;
    /// <summary>Cycles per packet received: the interrupt, the master-population-table search and the row DMA (calibrated, not measured).</summary>
    public double CyclesPerPacket { get; init; } = 2_000;
    /// <summary>Cycles per synaptic word processed into the ring buffers (calibrated, not measured).</summary>
    public double CyclesPerSynapse { get; init; } = 40;
    /// <summary>Packets a core's input buffer holds before it drops what arrives (sPyNNaker's spike input buffer).</summary>
    public int InputBufferPackets { get; init; } = 256;
    /// <summary>Multicast packets per second a chip-to-chip link carries (about 250 Mbit/s of 40-bit packets; an estimate).</summary>
    public double LinkPacketsPerSecond { get; init; } = 6.25e6;
    /// <summary>Standard deviations above the mean summed input a ring buffer's range must cover (sPyNNaker's <c>ring_buffer_sigma</c>).</summary>
    public double RingBufferSigma { get; init; } = 5;
    /// <summary>Firing rate (Hz) of neuron sources that the ring-buffer ranges assume (sPyNNaker's <c>spikes_per_second</c>).</summary>
    public double RingBufferRateHz { get; init; } = 30;

    /// <summary>Power of a chip, idle (W); the toolchain's energy model.</summary>
    public double ChipIdleWatts { get; init; } = 0.360;
    /// <summary>Power of a chip with all 18 cores busy (W); a busy core adds (active − idle) / 18.</summary>
    public double ChipActiveWatts { get; init; } = 1.0;
    /// <summary>Energy per multicast packet per router it passes (J).</summary>
    public double JoulesPerPacket { get; init; } = 0.8e-9;
    /// <summary>Power of a board-to-board FPGA (W); three per SpiNN-5 board, on when boards talk to each other.</summary>
    public double FpgaWatts { get; init; } = 0.584635;
    /// <summary>Baseline power of a frame of boards (W): fans, switches; machines of more than one board.</summary>
    public double FrameWatts { get; init; } = 117;
    /// <summary>Boards per frame.</summary>
    public int BoardsPerFrame { get; init; } = 24;

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
        if (!(TimeScaleFactor > 0) || double.IsInfinity(TimeScaleFactor)) return $"time_scale_factor must be a finite number > 0, got {TimeScaleFactor}";
        if (new[] { CyclesPerTick, CyclesPerNeuron, CyclesPerPacket, CyclesPerSynapse }.Any(c => !(c >= 0) || double.IsInfinity(c)))
            return "cycle costs must be finite numbers >= 0";
        if (InputBufferPackets < 0) return "the input buffer holds at least 0 packets";
        if (!(LinkPacketsPerSecond > 0) || !(RingBufferSigma >= 0) || !(RingBufferRateHz >= 0)) return "link rate must be > 0, ring-buffer sigma and rate >= 0";
        return null;
    }
}
