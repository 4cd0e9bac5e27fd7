using System.Globalization;
using DistSnn.Model;

namespace DistSnn.Hardware.Memristive;

/// <summary>
/// The chip a run uses: the preset named by the backend (<c>memristive:PRESET</c>; plain <c>memristive</c> is
/// <c>rram_neurosim</c>) with any figure overridden in the model's <c>backends: {memristive: {...}}</c> section.
/// </summary>
public static class MemristiveSettings
{
    /// <summary>The section of <c>backends:</c> every memristive backend reads.</summary>
    public const string Section = "memristive";

    /// <summary>The preset of the plain <c>memristive</c> backend.</summary>
    public const string DefaultPreset = DeviceParameters.RramNeuroSim;

    private static readonly Dictionary<string, Func<DeviceParameters, double, DeviceParameters>> Numbers = new(StringComparer.Ordinal)
    {
        ["g_min_us"] = (p, v) => p with { GMinUs = v },
        ["g_max_us"] = (p, v) => p with { GMaxUs = v },
        ["read_voltage"] = (p, v) => p with { ReadVoltage = v },
        ["read_ns"] = (p, v) => p with { ReadNs = v },
        ["write_voltage"] = (p, v) => p with { WriteVoltage = v },
        ["write_ns"] = (p, v) => p with { WriteNs = v },
        ["adc_full_scale_rows"] = (p, v) => p with { AdcFullScaleRows = v },
        ["adc_ns_per_bit"] = (p, v) => p with { AdcNsPerBit = v },
        ["read_noise"] = (p, v) => p with { ReadNoise = v },
        ["d2d"] = (p, v) => p with { D2D = v },
        ["c2c"] = (p, v) => p with { C2C = v },
        ["stuck_on"] = (p, v) => p with { StuckOn = v },
        ["stuck_off"] = (p, v) => p with { StuckOff = v },
        // Both kinds of fault, half each.
        ["stuck_at"] = (p, v) => p with { StuckOn = v / 2, StuckOff = v / 2 },
        ["drift_nu"] = (p, v) => p with { DriftNu = v },
        ["drift_nu_sigma"] = (p, v) => p with { DriftNuSigma = v },
        ["drift_t0_s"] = (p, v) => p with { DriftT0S = v },
        ["t_inference_s"] = (p, v) => p with { TInferenceS = v },
        ["nl_ltp"] = (p, v) => p with { NlLtp = v },
        ["nl_ltd"] = (p, v) => p with { NlLtd = v },
    };

    private static readonly Dictionary<string, Func<DeviceParameters, long, DeviceParameters>> Counts = new(StringComparer.Ordinal)
    {
        ["tile_rows"] = (p, v) => p with { TileRows = (int)v },
        ["tile_columns"] = (p, v) => p with { TileColumns = (int)v },
        ["levels"] = (p, v) => p with { Levels = (int)v },
        ["adc_bits"] = (p, v) => p with { AdcBits = (int)v },
        ["columns_per_adc"] = (p, v) => p with { ColumnsPerAdc = (int)v },
        ["pulses"] = (p, v) => p with { Pulses = (int)v },
        ["endurance"] = (p, v) => p with { Endurance = v },
        ["chips"] = (p, v) => p with { Chips = (int)v },
        ["tiles_per_chip"] = (p, v) => p with { TilesPerChip = (int)v },
    };

    private static readonly Dictionary<string, Func<DeviceParameters, bool, DeviceParameters>> Switches = new(StringComparer.Ordinal)
    {
        ["pcm_read_noise"] = (p, v) => p with { PcmReadNoise = v },
        ["pcm_programming_noise"] = (p, v) => p with { PcmProgrammingNoise = v },
        ["drift_compensation"] = (p, v) => p with { DriftCompensation = v },
        ["normalize"] = (p, v) => p with { NormalizeOnDevice = v },
    };

    // What the identity path reads: the mapping, never a device figure.
    /// <summary>The options of the mapping rather than the devices: the only ones the identity path (<c>ideal</c>) takes.</summary>
    public static IReadOnlySet<string> MappingOptions { get; } = new HashSet<string>(StringComparer.Ordinal) { "crossbars", "chips", "tiles_per_chip", "tile_rows", "tile_columns" };

    /// <summary>Every option the section takes.</summary>
    public static IReadOnlyList<string> Options { get; } =
        Numbers.Keys.Concat(Counts.Keys).Concat(Switches.Keys).Append("update").Append("crossbars").Order(StringComparer.Ordinal).ToArray();

    /// <summary>The preset a backend name stands for (<c>memristive</c> → the default), or null when it names none.</summary>
    public static string? PresetOf(string backend) =>
        backend == Section ? DefaultPreset
        : backend.StartsWith(Section + ":", StringComparison.Ordinal) && DeviceParameters.Presets.ContainsKey(backend[(Section.Length + 1)..]) ? backend[(Section.Length + 1)..]
        : null;

    /// <summary>
    /// The figures of preset <paramref name="preset"/> with the overrides of <paramref name="spec"/>'s
    /// <c>backends.memristive</c> section; problems come back as errors naming the option (and no parameters).
    /// </summary>
    public static (DeviceParameters? Parameters, IReadOnlyList<ModelError> Errors) Read(NetworkSpec spec, string preset)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<ModelError>();
        if (!DeviceParameters.Presets.TryGetValue(preset, out var p))
        {
            errors.Add(new ModelError("backend", $"unknown memristive preset '{preset}' (known: {string.Join(", ", DeviceParameters.PresetNames)})"));
            return (null, errors);
        }
        if (spec.BackendOptions.TryGetValue(Section, out var options))
            foreach (var (name, text) in options)
            {
                string path = $"backends.{Section}.{name}";
                if (preset == DeviceParameters.Ideal && !MappingOptions.Contains(name) && (Numbers.ContainsKey(name) || Counts.ContainsKey(name) || Switches.ContainsKey(name) || name == "update"))
                {
                    errors.Add(new ModelError(path, $"preset '{preset}' is the identity path and has no device figures (only {string.Join(", ", MappingOptions.Order(StringComparer.Ordinal))}); use '{DeviceParameters.IdealPhysical}' to vary the device"));
                    continue;
                }
                if (Numbers.TryGetValue(name, out var setNumber))
                {
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                        errors.Add(new ModelError(path, $"'{text}' is not a number"));
                    else p = setNumber(p, v);
                }
                else if (Counts.TryGetValue(name, out var setCount))
                {
                    if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v is < int.MinValue or > int.MaxValue && name != "endurance")
                        errors.Add(new ModelError(path, $"'{text}' is not a whole number"));
                    else p = setCount(p, v);
                }
                else if (Switches.TryGetValue(name, out var setSwitch))
                {
                    if (text is "true" or "on" or "yes") p = setSwitch(p, true);
                    else if (text is "false" or "off" or "no") p = setSwitch(p, false);
                    else errors.Add(new ModelError(path, $"'{text}' is not on or off"));
                }
                else if (name == "update")
                {
                    if (text == "analog") p = p with { Update = UpdateMode.Analog };
                    else if (text == "greedy") p = p with { Update = UpdateMode.Greedy };
                    else errors.Add(new ModelError(path, $"'{text}' is not an update mode (analog or greedy)"));
                }
                else if (name == "crossbars") p = p with { Crossbars = text };
                else errors.Add(new ModelError(path, $"unknown option (expected one of: {string.Join(", ", Options)})"));
            }
        if (errors.Count == 0 && p.Problem() is { } problem)
        {
            int colon = problem.IndexOf(':', StringComparison.Ordinal);
            string first = problem[..colon].Split(',')[0].Trim();
            errors.Add(new ModelError($"backends.{Section}.{first}", problem[(colon + 1)..].Trim()));
        }
        return errors.Count > 0 ? (null, errors) : (p, errors);
    }

    /// <summary>The figures of <paramref name="preset"/> for <paramref name="spec"/>; throws <see cref="ArgumentException"/> listing the problems.</summary>
    public static DeviceParameters Of(NetworkSpec spec, string preset)
    {
        var (p, errors) = Read(spec, preset);
        return p ?? throw new ArgumentException(string.Join("; ", errors.Select(e => e.ToString())));
    }

    /// <summary>
    /// Which projections onto the populations <paramref name="hosted"/> go on crossbars, by the <c>crossbars</c> option
    /// (<c>all</c>, or a comma-separated list of projection labels, indices or <c>source->target</c>); errors name
    /// entries that match no projection onto a hosted population.
    /// </summary>
    public static (bool[] OnCrossbar, IReadOnlyList<ModelError> Errors) Chosen(NetworkSpec spec, DeviceParameters p, IReadOnlyCollection<int> hosted)
    {
        var hostedNames = hosted.Select(h => spec.Populations[h].Name).ToHashSet(StringComparer.Ordinal);
        var onto = spec.Projections.Select(j => hostedNames.Contains(j.Target) && !spec.Populations[spec.PopulationIndex(j.Target)].Model.IsSource).ToArray();
        var errors = new List<ModelError>();
        if (p.Crossbars.Trim() == "all") return (onto, errors);
        var chosen = new bool[spec.Projections.Count];
        foreach (var raw in p.Crossbars.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int found = -1;
            for (int j = 0; j < spec.Projections.Count && found < 0; j++)
            {
                var proj = spec.Projections[j];
                if (raw == j.ToString(CultureInfo.InvariantCulture) || raw == proj.Label || raw.Replace(" ", "", StringComparison.Ordinal) == $"{proj.Source}->{proj.Target}") found = j;
            }
            if (found < 0) errors.Add(new ModelError($"backends.{Section}.crossbars", $"'{raw}' names no projection (give a label, an index or source->target)"));
            else if (!onto[found]) errors.Add(new ModelError($"backends.{Section}.crossbars", $"'{raw}' (projections[{found}]) does not end on a population hosted on a memristive backend"));
            else chosen[found] = true;
        }
        return (chosen, errors);
    }
}
