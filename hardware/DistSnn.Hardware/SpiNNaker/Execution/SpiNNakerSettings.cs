using System.Globalization;
using System.Runtime.CompilerServices;
using DistSnn.Model;

namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// The modelled machine a run uses, read from the model's <c>backends: {spinnaker: {...}}</c> section: board type and
/// count (default: the smallest SpiNN-5 machine the model fits, up to <c>max_boards</c>), the time-scale factor and
/// any figure of <see cref="SpiNNakerParameters"/> by its snake-case name.
/// </summary>
public sealed record SpiNNakerSettings(BoardType BoardType, int? Boards, int MaxBoards, SpiNNakerParameters Parameters)
{
    /// <summary>The section of <c>backends:</c> both SpiNNaker backends read.</summary>
    public const string Section = "spinnaker";

    private static readonly ConditionalWeakTable<NetworkSpec, Lazy<SpiNNakerMapping>> Mappings = new();

    private static readonly Dictionary<string, Func<SpiNNakerParameters, double, SpiNNakerParameters>> Figures = new(StringComparer.Ordinal)
    {
        ["time_scale_factor"] = (p, v) => p with { TimeScaleFactor = v },
        ["cycles_per_tick"] = (p, v) => p with { CyclesPerTick = v },
        ["cycles_per_neuron"] = (p, v) => p with { CyclesPerNeuron = v },
        ["cycles_per_packet"] = (p, v) => p with { CyclesPerPacket = v },
        ["cycles_per_synapse"] = (p, v) => p with { CyclesPerSynapse = v },
        ["link_packets_per_second"] = (p, v) => p with { LinkPacketsPerSecond = v },
        ["ring_buffer_sigma"] = (p, v) => p with { RingBufferSigma = v },
        ["ring_buffer_rate"] = (p, v) => p with { RingBufferRateHz = v },
        ["clock_hz"] = (p, v) => p with { ClockHz = v },
    };

    private static readonly Dictionary<string, Func<SpiNNakerParameters, int, SpiNNakerParameters>> Counts = new(StringComparer.Ordinal)
    {
        ["input_buffer_packets"] = (p, v) => p with { InputBufferPackets = v },
        ["max_neurons_per_core"] = (p, v) => p with { MaxNeuronsPerCore = v },
        ["delay_extension_stages"] = (p, v) => p with { DelayExtensionStages = v },
        ["router_entries"] = (p, v) => p with { RouterEntries = v },
    };

    /// <summary>Every option the section takes.</summary>
    public static IReadOnlyList<string> Options { get; } =
        new[] { "board_type", "boards", "max_boards" }.Concat(Figures.Keys).Concat(Counts.Keys).ToArray();

    /// <summary>Reads the settings of <paramref name="spec"/>; problems are returned as errors naming the option (and nothing else is read).</summary>
    public static (SpiNNakerSettings? Settings, IReadOnlyList<ModelError> Errors) Read(NetworkSpec spec)
    {
        var errors = new List<ModelError>();
        var p = new SpiNNakerParameters();
        var type = BoardType.Spin5;
        int? boards = null;
        int maxBoards = 1200;
        if (spec.BackendOptions.TryGetValue(Section, out var options))
            foreach (var (name, text) in options)
            {
                string path = $"backends.{Section}.{name}";
                if (name == "board_type")
                {
                    if (text == "spin5") type = BoardType.Spin5;
                    else if (text == "spin3") type = BoardType.Spin3;
                    else errors.Add(new ModelError(path, $"'{text}' is not a board type (spin5 or spin3)"));
                }
                else if (name is "boards" or "max_boards")
                {
                    if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1)
                        errors.Add(new ModelError(path, $"'{text}' is not a whole number of boards of at least 1"));
                    else if (name == "boards") boards = n;
                    else maxBoards = n;
                }
                else if (Figures.TryGetValue(name, out var set))
                {
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                        errors.Add(new ModelError(path, $"'{text}' is not a number"));
                    else p = set(p, v);
                }
                else if (Counts.TryGetValue(name, out var setCount))
                {
                    if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                        errors.Add(new ModelError(path, $"'{text}' is not a whole number"));
                    else p = setCount(p, v);
                }
                else errors.Add(new ModelError(path, $"unknown option (expected one of: {string.Join(", ", Options)})"));
            }
        if (errors.Count == 0 && p.Problem() is { } problem) errors.Add(new ModelError($"backends.{Section}", problem));
        return errors.Count > 0 ? (null, errors) : (new SpiNNakerSettings(type, boards, maxBoards, p), errors);
    }

    /// <summary>The settings of <paramref name="spec"/>; throws <see cref="ArgumentException"/> listing the problems.</summary>
    public static SpiNNakerSettings Of(NetworkSpec spec)
    {
        var (settings, errors) = Read(spec);
        return settings ?? throw new ArgumentException(string.Join("; ", errors.Select(e => e.ToString())));
    }

    /// <summary>Maps <paramref name="spec"/> with these settings onto their machine (the smallest that fits when no board count is given).</summary>
    public SpiNNakerMapping Map(NetworkSpec spec) => Boards is { } n
        ? SpiNNakerMapper.Map(spec, SpiNNakerMachine.Create(BoardType, n), Parameters)
        : SpiNNakerMapper.MapSmallest(spec, BoardType, Parameters, MaxBoards);

    /// <summary>
    /// The mapping a run of <paramref name="spec"/> uses, made once per model instance and shared by its partitions: a
    /// pure function of the model, so every partition and node makes the same.
    /// </summary>
    public static SpiNNakerMapping MappingOf(NetworkSpec spec) =>
        Mappings.GetValue(spec, s => new Lazy<SpiNNakerMapping>(() => Of(s).Map(s), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
}
