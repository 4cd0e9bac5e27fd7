using YamlDotNet.RepresentationModel;

namespace DistSnn.Model;

/// <summary>
/// Turns the YAML tree of a model file into a <see cref="NetworkSpec"/>. Syntax, types, units and unknown keys are
/// checked here; range and cross-reference rules are left to <see cref="NetworkValidator"/>, which runs on the
/// result. Values that cannot be read are replaced by placeholders chosen not to trigger further errors, and
/// their paths are marked failed, so that reading can go on and report every problem.
/// </summary>
internal sealed partial class SpecReader(LoadContext ctx, string defaultName)
{
    private static readonly string[] TopKeys = ["name", "run", "populations", "projections", "poisson_inputs", "currents", "record", "reward", "backends", "placement", "dataset"];
    private static readonly string[] RunKeys = ["dt", "duration", "seed", "exchange_lag"];
    private static readonly string[] PopulationKeys = ["name", "size", "model", "parameters", "initial", "backend"];
    private static readonly Dimension[] AnyDimension = Enum.GetValues<Dimension>();

    /// <summary>Models by population name, null where the model could not be read (weights then skip dimension checks).</summary>
    private readonly Dictionary<string, NeuronModel?> _models = new(StringComparer.Ordinal);
    private readonly List<string> _populationNames = [];
    private double _dt = new RunSettings().Dt;

    public NetworkSpec Read(YamlNode root)
    {
        ctx.Note("", root);
        var top = ctx.Map(root, "", TopKeys)!;
        var name = top.Text("name", required: false) ?? defaultName;
        var run = ReadRun(top.Get("run"));
        if (run.Dt > 0 && double.IsFinite(run.Dt)) _dt = run.Dt;
        var populations = ReadList(top, "populations", ReadPopulation);
        var dataset = ReadDataset(top.Get("dataset"));
        if (dataset is not null)
        {
            // The presentations fix the length of the run.
            long steps = dataset.Samples * (run.Grid.Steps(dataset.Present) + run.Grid.Steps(dataset.Rest));
            var runMap = top.Get("run") as YamlMappingNode;
            if (runMap is not null && runMap.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == "duration") && run.Steps != steps)
                ctx.Error(runMap, "run.duration", $"a model with a dataset runs for its presentations, samples × (present + rest) = {Units.Format(steps * run.Dt, Dimension.Time)}; leave duration out");
            run = run with { Duration = steps * run.Dt };
        }
        return new NetworkSpec
        {
            Dataset = dataset,
            Name = name,
            Run = run,
            Populations = ReadPlacement(top, populations),
            Projections = ReadList(top, "projections", ReadProjection),
            PoissonInputs = ReadList(top, "poisson_inputs", ReadPoissonInput),
            Currents = ReadList(top, "currents", ReadCurrent),
            Recording = ReadRecording(top.Get("record")),
            Reward = ReadReward(top.Get("reward")),
            BackendOptions = ReadBackendOptions(top.Get("backends")),
        };
    }

    /// <summary>
    /// <c>placement: {population: backend, ...}</c>: another way to name each population's backend. A population may
    /// name it here or in its own <c>backend:</c>, not in both with different names.
    /// </summary>
    private List<PopulationSpec> ReadPlacement(Fields top, List<PopulationSpec> populations)
    {
        if (top.Get("placement") is not { } node || ctx.Map(node, "placement", allowed: null, keyLabel: "population") is not { } f) return populations;
        foreach (var (name, _) in f.Entries)
        {
            string path = f.Sub(name);
            int index = populations.FindIndex(p => p.Name == name);
            if (index < 0)
            {
                ctx.Error(f.Get(name), path, $"no population is named '{name}' (populations: {string.Join(", ", populations.Select(p => p.Name))})");
                continue;
            }
            if (f.Text(name, required: true, expected: "a backend name")?.Trim() is not { } backend) continue;
            if (populations[index].Backend is { } own && own != backend)
            {
                ctx.Error(f.Get(name), path, $"places population '{name}' on backend '{backend}', but populations[{index}].backend names '{own}'");
                continue;
            }
            populations[index] = populations[index] with { Backend = backend };
        }
        return populations;
    }

    /// <summary><c>backends: {name: {option: value, ...}, ...}</c>: settings read by each backend; values are kept as text.</summary>
    private Dictionary<string, IReadOnlyDictionary<string, string>> ReadBackendOptions(YamlNode? node)
    {
        var result = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        if (node is null || ctx.Map(node, "backends", allowed: null, keyLabel: "backend") is not { } f) return result;
        foreach (var (backend, _) in f.Entries)
        {
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            if (f.Get(backend) is { } entry && ctx.Map(entry, f.Sub(backend), allowed: null, keyLabel: "option") is { } o)
                foreach (var (option, _) in o.Entries)
                    if (o.Get(option) is YamlScalarNode { Value: { } text }) options[option] = text.Trim();
                    else ctx.Error(o.Get(option), o.Sub(option), "must be a single value (a number or a word)");
            result[backend] = options;
        }
        return result;
    }

    private List<T> ReadList<T>(Fields parent, string key, Func<YamlNode, string, T?> readItem) where T : class
    {
        var result = new List<T>();
        if (parent.Get(key) is not { } node || ctx.Sequence(node, parent.Sub(key)) is not { } items) return result;
        foreach (var (item, path) in items)
            if (readItem(item, path) is { } value)
                result.Add(value);
        // Items were there but none could be read: the list is not really empty, so say nothing about its length.
        if (result.Count == 0 && items.Count > 0) ctx.MarkFailed(parent.Sub(key));
        return result;
    }

    private RunSettings ReadRun(YamlNode? node)
    {
        var run = new RunSettings();
        if (node is null || ctx.Map(node, "run", RunKeys) is not { } f) return run;
        if (f.Quantity("dt", Dimension.Time, required: false) is double dt) run = run with { Dt = dt };
        if (f.Quantity("duration", Dimension.Time, required: false) is double duration) run = run with { Duration = duration };
        if (f.Get("seed") is { } seedNode && ctx.Seed(seedNode, f.Sub("seed")) is ulong seed) run = run with { Seed = seed };
        if (f.Integer("exchange_lag", 1, 1024, required: false) is long lag) run = run with { ExchangeLag = (int)lag };
        return run;
    }

    private PopulationSpec? ReadPopulation(YamlNode node, string path)
    {
        if (ctx.Map(node, path, PopulationKeys) is not { } f) return null;
        var name = f.Text("name", required: true) ?? "";
        // An unreadable size becomes the largest one, so that neuron indices elsewhere are not reported as out of range.
        var size = (int)(f.Integer("size", int.MinValue, int.MaxValue, required: true) ?? int.MaxValue);
        NeuronModel? model = null;
        if (f.Text("model", required: true, expected: "a model name") is { } kind)
        {
            model = NeuronModel.Create(kind.Trim());
            if (model is null)
                ctx.Error(f.Get("model"), f.Sub("model"), $"unknown model '{kind}' (known: {string.Join(", ", NeuronModel.Kinds)})");
        }
        if (name.Length > 0 && !_models.ContainsKey(name))
        {
            _models[name] = model;
            _populationNames.Add(name);
        }
        if (model is null)
        {
            ctx.MarkFailed(f.Sub("model"));
            ctx.MarkFailed(f.Sub("parameters"));
            ctx.MarkFailed(f.Sub("initial"));
            return new PopulationSpec(name, size, null!);
        }
        var perNeuron = new Dictionary<string, ValueSpec>(StringComparer.Ordinal);
        if (f.Get("parameters") is { } parameters)
            model = model is SpikeGenerator sg ? ReadSpikeGenerator(sg, parameters, f.Sub("parameters")) : ReadParameters(model, parameters, f.Sub("parameters"), perNeuron);
        var initial = new Dictionary<string, ValueSpec>(StringComparer.Ordinal);
        if (f.Get("initial") is { } initNode && ctx.Map(initNode, f.Sub("initial"), null) is { } init)
        {
            foreach (var (variable, entry) in init.Entries)
            {
                if (LoadContext.IsNull(entry.Value))
                {
                    ctx.Error(entry.Key, init.Sub(variable), "has no value");
                    continue;
                }
                // Unknown variables are still parsed (in any dimension) so the validator can name them.
                var dims = model.StateVariables.Where(s => s.Name == variable).Select(s => s.Dim).ToArray();
                if (ctx.Spec(entry.Value, init.Sub(variable), dims.Length > 0 ? dims : AnyDimension, perNeuron: true) is { } value)
                    initial[variable] = value;
            }
        }
        return new PopulationSpec(name, size, model) { Initial = initial, PerNeuron = perNeuron, Backend = f.Text("backend", required: false, expected: "a backend name")?.Trim() };
    }

    private NeuronModel ReadParameters(NeuronModel model, YamlNode node, string path, Dictionary<string, ValueSpec> perNeuron)
    {
        var names = model.Parameters.Select(p => p.Name).ToArray();
        if (ctx.Map(node, path, names, $"parameter for {model.Kind}") is not { } f) return model;
        foreach (var p in model.Parameters)
        {
            if (f.Get(p.Name) is { } valueNode && VariesPerNeuron(valueNode))
            {
                if (!model.PerNeuronParameters.Contains(p.Name))
                {
                    var which = model.PerNeuronParameters.Count == 0 ? "none of its parameters may" : $"only {string.Join(", ", model.PerNeuronParameters)} may";
                    ctx.Error(valueNode, f.Sub(p.Name), $"{model.Kind} takes one value of {p.Name} per population ({which} differ per neuron); give a single value such as '{Units.Format(p.Get(model), p.Dim)}', or split the population");
                }
                else if (ctx.Spec(valueNode, f.Sub(p.Name), [p.Dim], perNeuron: true) is { } spec)
                    perNeuron[p.Name] = spec;
                continue;
            }
            if (f.Quantity(p.Name, p.Dim, required: false) is double value)
                model = p.Set(model, value);
        }
        return model;
    }

    /// <summary>A list, an HDF5 dataset or a distribution: a parameter value that differs between neurons.</summary>
    private static bool VariesPerNeuron(YamlNode node) =>
        node is YamlSequenceNode or YamlMappingNode || node is YamlScalarNode { Value: { } text } && text.Contains('(');

    private SpikeGenerator ReadSpikeGenerator(SpikeGenerator model, YamlNode node, string path)
    {
        if (ctx.Map(node, path, ["spike_times"], $"parameter for {model.Kind}") is not { } f ||
            f.Get("spike_times") is not { } timesNode ||
            ctx.Sequence(timesNode, f.Sub("spike_times"), "a list of spike times, or one such list per source") is not { } items)
            return model;
        var timesPath = f.Sub("spike_times");
        bool perSource = items.Count > 0 && items[0].Node is YamlSequenceNode;
        if (!perSource) return model with { SpikeTimes = [ReadQuantities(items, Dimension.Time, sharedSpikeTimes: true)] };
        var lists = new List<IReadOnlyList<double>>(items.Count);
        foreach (var (item, itemPath) in items)
        {
            if (ctx.Sequence(item, itemPath, "a list of spike times (all items must be lists once the first is)") is not { } times)
            {
                lists.Add([]);
                continue;
            }
            lists.Add(ReadQuantities(times, Dimension.Time, sharedSpikeTimes: false));
            // The validator addresses a single list by the short path, so give those paths lines too.
            if (items.Count == 1)
                for (int j = 0; j < times.Count; j++) ctx.Note($"{timesPath}[{j}]", times[j].Node);
        }
        return model with { SpikeTimes = lists };
    }

    /// <summary>Quantities of one dimension; unreadable items become NaN so that positions and counts stay intact.</summary>
    private List<double> ReadQuantities(List<(YamlNode Node, string Path)> items, Dimension dim, bool sharedSpikeTimes)
    {
        var values = new List<double>(items.Count);
        foreach (var (item, itemPath) in items)
        {
            if (sharedSpikeTimes && item is YamlSequenceNode)
            {
                ctx.Error(item, itemPath, "is a list, but the first item is a single time; give either one list of times or one list per source");
                values.Add(double.NaN);
                continue;
            }
            values.Add(ctx.Quantity(item, itemPath, [dim])?.Value ?? double.NaN);
        }
        return values;
    }

    private List<int>? ReadIndices(YamlNode? node, string path)
    {
        if (node is null || ctx.Sequence(node, path, "a list of neuron indices") is not { } items) return null;
        // Unreadable indices become -1; the validator's out-of-range report for them is suppressed as failed.
        return items.Select(i => (int)(ctx.Integer(i.Node, i.Path, int.MinValue, int.MaxValue) ?? -1)).ToList();
    }

    private List<string> ReadNames(YamlNode node, string path, string expected)
    {
        if (ctx.Sequence(node, path, expected) is not { } items) return [];
        return items.Select(i => ctx.Text(i.Node, i.Path, "a name") ?? "").ToList();
    }

    private Receptor ReadReceptor(Fields f)
    {
        if (f.Text("receptor", required: false, expected: "exc or inh") is not { } text) return Receptor.Exc;
        switch (text.Trim())
        {
            case "exc": return Receptor.Exc;
            case "inh": return Receptor.Inh;
            default:
                ctx.Error(f.Get("receptor"), f.Sub("receptor"), $"'{text}' is not a receptor; expected exc or inh");
                return Receptor.Exc;
        }
    }

    /// <summary>Dimensions a weight onto <paramref name="target"/> may have; any weight dimension when that is not known.</summary>
    private static readonly Dimension[] AnyWeight = [Dimension.Voltage, Dimension.Current, Dimension.Conductance];

    private IReadOnlyList<Dimension> WeightDims(string? target) =>
        target is not null && _models.TryGetValue(target, out var m) && m is { WeightDimensions.Count: > 0 }
            ? m.WeightDimensions
            : AnyWeight;

    private RecordingSpec ReadRecording(YamlNode? node)
    {
        var rec = new RecordingSpec();
        if (node is null || ctx.Map(node, "record", ["spikes", "state"]) is not { } f) return rec;
        if (f.Get("spikes") is { } spikes)
        {
            if (spikes is YamlScalarNode { Value: { } word } && word.Trim() == "all")
                rec = rec with { Spikes = [.. _populationNames] };
            else
                rec = rec with { Spikes = ReadNames(spikes, f.Sub("spikes"), "a list of population names or 'all'") };
        }
        if (f.Get("state") is { } state && ctx.Sequence(state, f.Sub("state")) is { } items)
            rec = rec with { State = items.Select(i => ReadStateRecorder(i.Node, i.Path)).OfType<StateRecorderSpec>().ToList() };
        return rec;
    }

    private StateRecorderSpec? ReadStateRecorder(YamlNode node, string path)
    {
        if (ctx.Map(node, path, ["population", "variables", "neurons", "interval"]) is not { } f) return null;
        var population = f.Text("population", required: true) ?? "";
        var variables = f.Required("variables") is { } v ? ReadNames(v, f.Sub("variables"), "a list of state variable names") : [];
        var neurons = ReadIndices(f.Required("neurons"), f.Sub("neurons")) ?? [0];
        var interval = f.Quantity("interval", Dimension.Time, required: false) ?? _dt;
        return new StateRecorderSpec(population, variables, neurons) { Interval = interval };
    }
}
