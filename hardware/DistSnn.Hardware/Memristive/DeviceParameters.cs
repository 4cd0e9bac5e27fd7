namespace DistSnn.Hardware.Memristive;

/// <summary>How a plastic weight change becomes programming pulses.</summary>
public enum UpdateMode
{
    /// <summary>As many pulses as the change asks for (stochastically rounded), each through the device's update curve.</summary>
    Analog,
    /// <summary>One pulse in the direction of the change, whatever its size (the sign-only "greedy" rule of Guo et al. 2019).</summary>
    Greedy,
}

/// <summary>
/// Every figure of a modelled memristive crossbar chip: array geometry, cell conductances and levels, read and write
/// pulses, the column ADCs, and the non-idealities (variation, faults, drift, noise, nonlinear updates). Conductances
/// in µS, voltages in V, times in ns unless named otherwise. A figure of 0 switches its non-ideality off. The named
/// presets (<see cref="Presets"/>) give the defaults; a model's <c>backends: {memristive: {...}}</c> overrides any
/// figure by its snake-case name. IR drop along the wires is not modelled.
/// </summary>
public sealed record DeviceParameters
{
    /// <summary>Rows of one tile (presynaptic neurons).</summary>
    public int TileRows { get; init; } = 128;
    /// <summary>Columns of one tile (target neurons; each weight is a differential pair of devices in two such arrays).</summary>
    public int TileColumns { get; init; } = 128;
    /// <summary>Lowest conductance of a device (µS): every cell with no synapse, and every weight's unused side, sits here.</summary>
    public double GMinUs { get; init; } = 1;
    /// <summary>Highest conductance of a device (µS).</summary>
    public double GMaxUs { get; init; } = 10;
    /// <summary>Conductance levels a device is programmed to, evenly spaced from g_min to g_max; 0: continuous.</summary>
    public int Levels { get; init; }
    /// <summary>Read voltage on an active row (V).</summary>
    public double ReadVoltage { get; init; } = 0.5;
    /// <summary>Duration of a read pulse (ns).</summary>
    public double ReadNs { get; init; } = 10;
    /// <summary>Amplitude of a programming pulse (V).</summary>
    public double WriteVoltage { get; init; } = 4;
    /// <summary>Duration of a programming pulse (ns).</summary>
    public double WriteNs { get; init; } = 50;
    /// <summary>Bits of each column ADC (signed, 2^(bits−1) − 1 steps each side of 0); 0: exact conversion.</summary>
    public int AdcBits { get; init; }
    /// <summary>
    /// The ADC's input range rule: full scale (each sign) is this many rows fully on, i.e.
    /// <c>adc_full_scale_rows × read_voltage × (g_max − g_min)</c> of differential column current; beyond it the ADC clips.
    /// </summary>
    public double AdcFullScaleRows { get; init; } = 4;
    /// <summary>Columns that share one ADC through a multiplexer (conversions of one read are serialised over them).</summary>
    public int ColumnsPerAdc { get; init; } = 8;
    /// <summary>Duration of one ADC conversion cycle per bit (ns): a conversion takes (bits + 1) cycles.</summary>
    public double AdcNsPerBit { get; init; } = 1;
    /// <summary>Relative standard deviation of a device's conductance at every read (Gaussian, drawn per read).</summary>
    public double ReadNoise { get; init; }
    /// <summary>Read noise by aihwkit's PCM law (1/f: Q_s = min(0.0088 / g_r^0.65, 0.2) at t_inference) instead of <see cref="ReadNoise"/>.</summary>
    public bool PcmReadNoise { get; init; }
    /// <summary>Device-to-device variation: relative standard deviation of each device's response (its step and range), fixed per device.</summary>
    public double D2D { get; init; }
    /// <summary>Cycle-to-cycle variation: standard deviation of each programming pulse's effect, as a fraction of g_max − g_min.</summary>
    public double C2C { get; init; }
    /// <summary>Programming noise by aihwkit's PCM law (σ(µS) = 0.26348 + 1.9650 g_r − 1.1731 g_r², scaled to g_max) on every programmed device.</summary>
    public bool PcmProgrammingNoise { get; init; }
    /// <summary>Fraction of devices stuck at g_max (stuck-at-on, SA1).</summary>
    public double StuckOn { get; init; }
    /// <summary>Fraction of devices stuck at g_min (stuck-at-off, SA0).</summary>
    public double StuckOff { get; init; }
    /// <summary>Mean drift exponent ν of G(t) = G₀ (t / t₀)^−ν.</summary>
    public double DriftNu { get; init; }
    /// <summary>Standard deviation of ν between devices (fixed per device; ν is not allowed below 0).</summary>
    public double DriftNuSigma { get; init; }
    /// <summary>Time t₀ (s) after programming at which G₀ is read: a device has drifted by ((t_inference + t₀) / t₀)^−ν.</summary>
    public double DriftT0S { get; init; } = 20;
    /// <summary>Time since programming (s) at which the network runs: the conductances have drifted that long.</summary>
    public double TInferenceS { get; init; }
    /// <summary>Drift compensation per tile column (aihwkit's per-column variant): its outputs scaled by Σ G₀ / Σ G(t_inference) of its devices.</summary>
    public bool DriftCompensation { get; init; }
    /// <summary>Programming pulses from g_min to g_max (the update step dw_min is 1 / pulses of the range); 0: exact writes.</summary>
    public int Pulses { get; init; }
    /// <summary>Nonlinearity of potentiation: G(p) = g_min + B (1 − e^(−NL·p/P)); 0: linear.</summary>
    public double NlLtp { get; init; }
    /// <summary>Nonlinearity of depression (the mirror curve from g_max); 0: linear.</summary>
    public double NlLtd { get; init; }
    /// <summary>How plastic weight changes become pulses.</summary>
    public UpdateMode Update { get; init; } = UpdateMode.Analog;
    /// <summary>Pulses a device endures; the report counts devices past it (they keep working in the model). 0: not counted.</summary>
    public long Endurance { get; init; }
    /// <summary>Whether weight normalisation (normalize_total) reprograms the devices (counted as pulses); false: it is skipped on crossbars.</summary>
    public bool NormalizeOnDevice { get; init; } = true;
    /// <summary>Which projections onto hosted populations go on crossbars: <c>all</c>, or a comma-separated list of labels, indices or <c>source->target</c>.</summary>
    public string Crossbars { get; init; } = "all";
    /// <summary>Chips available (0: as many as the crossbar projections need).</summary>
    public int Chips { get; init; }
    /// <summary>Tiles on one chip.</summary>
    public int TilesPerChip { get; init; } = 256;

    /// <summary>g_max − g_min (µS).</summary>
    public double RangeUs => GMaxUs - GMinUs;

    /// <summary>Whether anything but the linear map from weight to conductance acts (false for <c>ideal_physical</c>).</summary>
    public bool AnyNonIdeality => Levels > 0 || AdcBits > 0 || ReadNoise > 0 || PcmReadNoise || D2D > 0 || C2C > 0 || PcmProgrammingNoise ||
                                  StuckOn > 0 || StuckOff > 0 || (DriftNu > 0 || DriftNuSigma > 0) && TInferenceS > 0 || Pulses > 0;

    /// <summary>The first figure that makes no sense, as "name: why" (snake-case names as in the model), or null.</summary>
    public string? Problem()
    {
        if (TileRows < 1) return $"tile_rows: must be at least 1, got {TileRows}";
        if (TileColumns < 1) return $"tile_columns: must be at least 1, got {TileColumns}";
        if (!(GMinUs >= 0) || !double.IsFinite(GMinUs)) return $"g_min_us: must be a finite conductance >= 0, got {GMinUs}";
        if (!(GMaxUs > GMinUs) || !double.IsFinite(GMaxUs)) return $"g_max_us: must be finite and above g_min_us ({GMinUs}), got {GMaxUs}";
        if (Levels is 1 or < 0) return $"levels: must be at least 2 (or 0 for continuous conductances), got {Levels}";
        if (AdcBits is 1 or < 0 or > 24) return $"adc_bits: must be 2 to 24 (or 0 for an exact conversion), got {AdcBits}";
        if (!(AdcFullScaleRows > 0) || !double.IsFinite(AdcFullScaleRows)) return $"adc_full_scale_rows: must be a finite number > 0, got {AdcFullScaleRows}";
        if (ColumnsPerAdc < 1) return $"columns_per_adc: must be at least 1, got {ColumnsPerAdc}";
        foreach (var (name, value) in new[] { ("read_voltage", ReadVoltage), ("read_ns", ReadNs), ("write_voltage", WriteVoltage), ("write_ns", WriteNs), ("adc_ns_per_bit", AdcNsPerBit) })
            if (!(value > 0) || !double.IsFinite(value)) return $"{name}: must be a finite number > 0, got {value}";
        foreach (var (name, value) in new[] { ("read_noise", ReadNoise), ("d2d", D2D), ("c2c", C2C), ("drift_nu", DriftNu), ("drift_nu_sigma", DriftNuSigma), ("t_inference_s", TInferenceS), ("nl_ltp", NlLtp), ("nl_ltd", NlLtd) })
            if (!(value >= 0) || !double.IsFinite(value)) return $"{name}: must be a finite number >= 0, got {value}";
        if (!(DriftT0S > 0) || !double.IsFinite(DriftT0S)) return $"drift_t0_s: must be a finite time > 0 s, got {DriftT0S}";
        foreach (var (name, value) in new[] { ("stuck_on", StuckOn), ("stuck_off", StuckOff) })
            if (!(value is >= 0 and <= 1)) return $"{name}: must be a fraction in [0, 1], got {value}";
        if (StuckOn + StuckOff > 1) return $"stuck_on, stuck_off: their sum must not exceed 1, got {StuckOn} + {StuckOff}";
        if (Pulses < 0) return $"pulses: must be at least 1 (or 0 for exact writes), got {Pulses}";
        if (Update == UpdateMode.Greedy && Pulses == 0 && Levels == 0) return "update: greedy updates are single pulses; give the device pulses or levels";
        if (Endurance < 0) return $"endurance: must be >= 0, got {Endurance}";
        if (Chips < 0) return $"chips: must be at least 1 (or 0 for as many as needed), got {Chips}";
        if (TilesPerChip < 1) return $"tiles_per_chip: must be at least 1, got {TilesPerChip}";
        return null;
    }

    /// <summary>The identity path: the CPU's synapses, float weights added row by row in the canonical order; only the mapping is modelled.</summary>
    public const string Ideal = "ideal";
    /// <summary>Conductances, currents, tiles and column sums, with no non-ideality.</summary>
    public const string IdealPhysical = "ideal_physical";
    /// <summary>RRAM as DNN+NeuroSim V2.1 models it.</summary>
    public const string RramNeuroSim = "rram_neurosim";
    /// <summary>PCM as IBM aihwkit's PCM inference noise model has it.</summary>
    public const string PcmAihwkit = "pcm_aihwkit";

    /// <summary>
    /// The presets by name. Sources: DNN+NeuroSim V2.1 <c>Param.cpp</c> (128 × 128 sub-arrays, R_on 100 kΩ / R_off 1 MΩ,
    /// 32 levels, 0.5 V 10 ns reads, 8 columns per 5-bit ADC), NeuroSim's <c>train.py</c> (NL_LTP 1.75, NL_LTD 1.46,
    /// σ_C2C 0.003), aihwkit <c>inference/noise/pcm.py</c> (g_max 25 µS, programming and read noise laws, t₀ 20 s, ν 0.05
    /// to 0.1) and aihwkit's default <c>IOParameters</c> (8-bit outputs bounded at 12). Figures no source gives are
    /// guesses, listed in docs/hardware/memristive.md.
    /// </summary>
    public static IReadOnlyDictionary<string, DeviceParameters> Presets { get; } = new Dictionary<string, DeviceParameters>(StringComparer.Ordinal)
    {
        [Ideal] = new(),
        [IdealPhysical] = new(),
        [RramNeuroSim] = new()
        {
            GMinUs = 1, GMaxUs = 10, Levels = 32, AdcBits = 5, AdcFullScaleRows = 4, ColumnsPerAdc = 8,
            Pulses = 31, NlLtp = 1.75, NlLtd = 1.46, C2C = 0.003, Endurance = 1_000_000,
        },
        [PcmAihwkit] = new()
        {
            GMinUs = 0, GMaxUs = 25, AdcBits = 8, AdcFullScaleRows = 12, ColumnsPerAdc = 8,
            PcmProgrammingNoise = true, PcmReadNoise = true, DriftNu = 0.06, DriftNuSigma = 0.02, DriftT0S = 20,
            TInferenceS = 3600, DriftCompensation = true, Pulses = 100, NlLtp = 1, NlLtd = 0, Endurance = 100_000_000,
        },
    };

    /// <summary>The preset names, in the order they are documented.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = [Ideal, IdealPhysical, RramNeuroSim, PcmAihwkit];
}
