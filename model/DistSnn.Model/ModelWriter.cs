using System.Globalization;

namespace DistSnn.Model;

/// <summary>
/// Writes a <see cref="NetworkSpec"/> as a model file that <see cref="ModelLoader"/> reads back into an equal spec
/// (field by field). Every quantity is written in its canonical unit (<c>20 ms</c>, <c>-50 mV</c>, <c>6 nS</c>)
/// with the shortest decimal that parses back to the same double, so nothing is lost; every parameter of every
/// model is written, so the file does not depend on the defaults of the version that reads it. Used to save
/// specs built in C# and to ship a model to other nodes (the model, not its synapses).
/// </summary>
/// <remarks>
/// Throws <see cref="ArgumentException"/>, naming the field, for values a model file cannot express: NaN, or an
/// infinity other than the defaults <c>v_min: -inf</c> of lif_delta, <c>stop: +inf</c> of poisson_generator and
/// dc currents (those are written by leaving the key out).
/// </remarks>
public static partial class ModelWriter
{
    /// <summary>The spec as YAML in the layout of the files in <c>examples/</c>.</summary>
    public static string ToYaml(NetworkSpec spec) => RenderYaml(Build(spec));

    /// <summary>The spec as JSON (indented), which <see cref="ModelLoader"/> reads like YAML.</summary>
    public static string ToJson(NetworkSpec spec) => RenderJson(Build(spec));

    /// <summary>Writes the spec to <paramref name="path"/>: JSON when it ends in <c>.json</c>, YAML otherwise (UTF-8).</summary>
    public static void WriteFile(NetworkSpec spec, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        bool json = path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
        File.WriteAllText(path, json ? ToJson(spec) : ToYaml(spec), new System.Text.UTF8Encoding(false));
    }

    private static MapNode Build(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var root = new MapNode();
        root.Add("name", Str(spec.Name ?? throw new ArgumentException("name: is null", nameof(spec))));
        var run = spec.Run ?? new RunSettings();
        var runNode = new MapNode(flow: true)
            .Add("dt", Quantity(run.Dt, Dimension.Time, "run.dt"))
            .Add("duration", Quantity(run.Duration, Dimension.Time, "run.duration"))
            .Add("seed", Num(run.Seed));
        if (run.ExchangeLag is int lag) runNode.Add("exchange_lag", Num(lag));
        root.Add("run", runNode);

        var populations = new SeqNode();
        var list = spec.Populations ?? [];
        for (int i = 0; i < list.Count; i++) populations.Items.Add(PopulationNode(list[i], $"populations[{i}]"));
        root.Add("populations", populations);

        AddList(root, "projections", spec.Projections, ProjectionNode);
        AddList(root, "poisson_inputs", spec.PoissonInputs, PoissonNode);
        AddList(root, "currents", spec.Currents, CurrentNode);
        if (RecordingNode(spec.Recording) is { } record) root.Add("record", record);
        if (spec.Reward is { } reward) root.Add("reward", RewardNode(reward));
        if (spec.Dataset is { } data) root.Add("dataset", DatasetNode(data));
        if (spec.BackendOptions is { Count: > 0 } backends)
        {
            var map = new MapNode();
            foreach (var (backend, options) in backends.OrderBy(b => b.Key, StringComparer.Ordinal))
            {
                var entry = new MapNode(flow: true);
                foreach (var (option, value) in options.OrderBy(o => o.Key, StringComparer.Ordinal)) entry.Add(option, Str(value));
                map.Add(backend, entry);
            }
            root.Add("backends", map);
        }
        return root;
    }

    /// <summary>Adds a top-level list, leaving the key out when the list is empty (it then reads back as empty).</summary>
    private static void AddList<T>(MapNode root, string key, IReadOnlyList<T>? items, Func<T, string, Node> write)
    {
        if (items is null || items.Count == 0) return;
        var seq = new SeqNode();
        for (int i = 0; i < items.Count; i++) seq.Items.Add(write(items[i], $"{key}[{i}]"));
        root.Add(key, seq);
    }

    private static Node PopulationNode(PopulationSpec p, string path)
    {
        var map = new MapNode()
            .Add("name", Str(p.Name))
            .Add("size", Num(p.Size))
            .Add("model", Str(p.Model.Kind));
        if (Parameters(p.Model, $"{path}.parameters") is { } parameters)
        {
            if (parameters is MapNode perNeuron)
                foreach (var (name, value) in p.PerNeuron)
                    perNeuron.Set(name, Value(value, $"{path}.parameters.{name}"));
            map.Add("parameters", parameters);
        }
        if (p.Initial is { Count: > 0 } initial)
        {
            var init = new MapNode();
            // Sorted so that equal specs give equal text whatever order their dictionaries keep.
            foreach (var (variable, value) in initial.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                init.Add(variable, Value(value, $"{path}.initial.{variable}"));
            map.Add("initial", init);
        }
        if (p.Backend is { } backend) map.Add("backend", Str(backend));
        return map;
    }

    private static Node? Parameters(NeuronModel model, string path)
    {
        if (model is SpikeGenerator sg) return SpikeTimes(sg, path);
        var defaults = NeuronModel.Create(model.Kind);
        var map = new MapNode();
        foreach (var p in model.Parameters)
        {
            double value = p.Get(model);
            if (double.IsInfinity(value) && defaults is not null && p.Get(defaults).Equals(value))
                continue; // A file cannot spell infinity; leaving the key out gives the (infinite) default.
            map.Add(p.Name, Quantity(value, p.Dim, $"{path}.{p.Name}"));
        }
        return map.Entries.Count == 0 ? null : map;
    }

    /// <summary>
    /// One list shared by all sources is written flat (<c>[1 ms, 2 ms]</c>), one list per source as a list of
    /// lists; the loader tells them apart by the first item. No list at all leaves the parameters out.
    /// </summary>
    private static Node? SpikeTimes(SpikeGenerator sg, string path)
    {
        var lists = sg.SpikeTimes;
        if (lists is null || lists.Count == 0) return null;
        Node times;
        if (lists.Count == 1)
            times = Times(lists[0], $"{path}.spike_times");
        else
        {
            var seq = new SeqNode();
            for (int k = 0; k < lists.Count; k++) seq.Items.Add(Times(lists[k], $"{path}.spike_times[{k}]"));
            times = seq;
        }
        return new MapNode().Add("spike_times", times);
    }

    private static SeqNode Times(IReadOnlyList<double> times, string path) => Quantities(times, Dimension.Time, path);

    private static SeqNode Quantities(IReadOnlyList<double> values, Dimension dim, string path)
    {
        var seq = new SeqNode(flow: true);
        for (int j = 0; j < values.Count; j++) seq.Items.Add(Quantity(values[j], dim, $"{path}[{j}]"));
        return seq;
    }

    private static Node ProjectionNode(ProjectionSpec p, string path)
    {
        var map = new MapNode()
            .Add("source", Str(p.Source))
            .Add("target", Str(p.Target))
            .Add("connector", ConnectorNode(p.Connector, p.Weight.Dim, $"{path}.connector"))
            // Written even for from_list connectors whose synapses all carry their own: the projection's values
            // are part of the spec (and fix the dimension the listed weights are read in).
            .Add("weight", Value(p.Weight, $"{path}.weight"))
            .Add("delay", Value(p.Delay, $"{path}.delay"))
            .Add("receptor", ReceptorName(p.Receptor, $"{path}.receptor"));
        if (p.Label is { } label) map.Add("label", Str(label));
        if (p.Synapse is { IsPlastic: true } synapse) map.Add("synapse", SynapseNode(synapse, p.Weight.Dim, $"{path}.synapse"));
        return map;
    }

    private static Node ConnectorNode(Connector c, Dimension weightDim, string path)
    {
        var map = new MapNode(flow: c is not FromList).Add("type", Str(c.Type));
        switch (c)
        {
            case AllToAll or OneToOne:
                break;
            case FixedProbability fp:
                map.Add("p", Number(fp.P, $"{path}.p"));
                break;
            case FixedNumberPre f:
                map.Add("n", Num(f.N)).Add("with_replacement", Bool(f.WithReplacement));
                if (f.Sources is { } sources)
                {
                    var perTarget = new SeqNode(flow: true);
                    for (int t = 0; t * f.N < sources.Count && f.N > 0; t++)
                    {
                        var row = new SeqNode(flow: true);
                        for (int k = 0; k < f.N; k++) row.Items.Add(Num(sources[t * f.N + k]));
                        perTarget.Items.Add(row);
                    }
                    map.Add("sources", perTarget);
                }
                break;
            case FixedNumberPost f:
                map.Add("n", Num(f.N)).Add("with_replacement", Bool(f.WithReplacement));
                break;
            case FixedTotalNumber t:
                map.Add("n", Num(t.N));
                break;
            case FromList list:
                map.Add("synapses", Synapses(list.Synapses, weightDim, $"{path}.synapses"));
                break;
            case Conv cv:
                var shape = new SeqNode(flow: true);
                foreach (int d in new[] { cv.Channels, cv.Height, cv.Width }) shape.Items.Add(Num(d));
                map.Add("input", shape).Add("kernel", Num(cv.Kernel)).Add("stride", Num(cv.Stride)).Add("padding", Num(cv.Padding))
                    .Add("channels", Num(cv.OutChannels));
                break;
            default:
                throw new ArgumentException($"{path}: connector type {c.GetType().Name} cannot be written", nameof(c));
        }
        map.Add("allow_self_connections", Bool(c.AllowSelfConnections));
        return map;
    }

    /// <summary>
    /// <c>[pre, post]</c> or <c>[pre, post, weight, delay]</c>; a synapse with only one of weight and delay is
    /// written as a mapping, the one form that can leave the other out.
    /// </summary>
    private static SeqNode Synapses(IReadOnlyList<ListedSynapse> synapses, Dimension weightDim, string path)
    {
        var seq = new SeqNode();
        for (int j = 0; j < synapses.Count; j++)
        {
            var s = synapses[j];
            var sp = $"{path}[{j}]";
            if (s.Weight.HasValue != s.Delay.HasValue)
            {
                var m = new MapNode(flow: true).Add("pre", Num(s.Pre)).Add("post", Num(s.Post));
                if (s.Weight is double w) m.Add("weight", Quantity(w, weightDim, $"{sp}.weight"));
                if (s.Delay is double d) m.Add("delay", Quantity(d, Dimension.Time, $"{sp}.delay"));
                seq.Items.Add(m);
                continue;
            }
            var item = new SeqNode(flow: true);
            item.Items.Add(Num(s.Pre));
            item.Items.Add(Num(s.Post));
            if (s.Weight is double weight && s.Delay is double delay)
            {
                item.Items.Add(Quantity(weight, weightDim, $"{sp}.weight"));
                item.Items.Add(Quantity(delay, Dimension.Time, $"{sp}.delay"));
            }
            seq.Items.Add(item);
        }
        return seq;
    }

    private static Node PoissonNode(PoissonInputSpec p, string path) => new MapNode(flow: true)
        .Add("target", Str(p.Target))
        .Add("sources", Num(p.Sources))
        .Add("rate", Quantity(p.Rate, Dimension.Rate, $"{path}.rate"))
        .Add("weight", Value(p.Weight, $"{path}.weight"))
        .Add("receptor", ReceptorName(p.Receptor, $"{path}.receptor"));

    private static Node CurrentNode(CurrentSourceSpec c, string path)
    {
        var map = new MapNode(flow: true);
        switch (c)
        {
            case DcCurrentSpec dc:
                map.Add("type", Str("dc"))
                    .Add("target", Str(dc.Target))
                    .Add("amplitude", dc.Amplitudes is { } per ? Value(per, $"{path}.amplitude") : Quantity(dc.Amplitude, Dimension.Current, $"{path}.amplitude"))
                    .Add("start", Quantity(dc.Start, Dimension.Time, $"{path}.start"));
                // A current that never stops is written without a stop, which reads back as +infinity.
                if (!double.IsPositiveInfinity(dc.Stop)) map.Add("stop", Quantity(dc.Stop, Dimension.Time, $"{path}.stop"));
                break;
            case StepCurrentSpec step:
                map.Add("type", Str("step"))
                    .Add("target", Str(step.Target))
                    .Add("times", Quantities(step.Times, Dimension.Time, $"{path}.times"))
                    .Add("amplitudes", Quantities(step.Amplitudes, Dimension.Current, $"{path}.amplitudes"));
                break;
            default:
                throw new ArgumentException($"{path}: current type {c.GetType().Name} cannot be written", nameof(c));
        }
        if (c.Neurons is { } neurons) map.Add("neurons", Indices(neurons));
        return map;
    }

    private static MapNode? RecordingNode(RecordingSpec? rec)
    {
        if (rec is null) return null;
        var map = new MapNode();
        if (rec.Spikes is { Count: > 0 } spikes)
        {
            var seq = new SeqNode(flow: true);
            foreach (var name in spikes) seq.Items.Add(Str(name));
            map.Add("spikes", seq);
        }
        if (rec.State is { Count: > 0 } state)
        {
            var seq = new SeqNode();
            for (int k = 0; k < state.Count; k++)
            {
                var s = state[k];
                var vars = new SeqNode(flow: true);
                foreach (var v in s.Variables) vars.Items.Add(Str(v));
                seq.Items.Add(new MapNode(flow: true)
                    .Add("population", Str(s.Population))
                    .Add("variables", vars)
                    .Add("neurons", Indices(s.Neurons))
                    .Add("interval", Quantity(s.Interval, Dimension.Time, $"record.state[{k}].interval")));
            }
            map.Add("state", seq);
        }
        return map.Entries.Count == 0 ? null : map;
    }

    private static SeqNode Indices(IReadOnlyList<int> indices)
    {
        var seq = new SeqNode(flow: true);
        foreach (var i in indices) seq.Items.Add(Num(i));
        return seq;
    }

    private static Scalar ReceptorName(Receptor r, string path) => r switch
    {
        Receptor.Exc => Str("exc"),
        Receptor.Inh => Str("inh"),
        _ => throw new ArgumentException($"{path}: {(int)r} is not a receptor", nameof(r)),
    };

    /// <summary>The <c>dataset:</c> block, with the files as resolved when the model was read.</summary>
    private static MapNode DatasetNode(DatasetSpec d)
    {
        var node = new MapNode()
            .Add("images", Str(d.ImagesFile))
            .Add("labels", Str(d.LabelsFile))
            .Add("samples", Num(d.Samples))
            .Add("input", Str(d.Input))
            .Add("readout", Str(d.Readout))
            .Add("encoding", Str(d.EncodingName))
            .Add("present", Quantity(d.Present, Dimension.Time, "dataset.present"))
            .Add("rest", Quantity(d.Rest, Dimension.Time, "dataset.rest"))
            .Add("reset", new Scalar(d.Reset ? "true" : "false", bare: true));
        if (d.Encoding == SampleEncoding.Poisson) node.Add("max_rate", Quantity(d.MaxRateHz, Dimension.Rate, "dataset.max_rate"));
        if (d.Encoding == SampleEncoding.Latency) node.Add("latency_threshold", Number(d.LatencyThreshold, "dataset.latency_threshold"));
        return node;
    }

    /// <summary>A constant or distribution, e.g. <c>-65 mV</c> or <c>uniform(0 mV, 20 mV)</c>.</summary>
    private static Node Value(ValueSpec v, string path) => v switch
    {
        ArrayValue { IsList: true } a => FloatQuantities(a.Values, a.Dim),
        ArrayValue a => new MapNode(flow: true).Add("file", Str(a.File)).Add("dataset", Str(a.Dataset)).Add("unit", Str(a.Unit)),
        ConstantValue c => Quantity(c.Value, c.Dim, path),
        UniformValue u => Str($"uniform({QuantityText(u.Low, u.Dim, path)}, {QuantityText(u.High, u.Dim, path)})"),
        NormalValue n => Str($"normal({QuantityText(n.Mu, n.Dim, path)}, {QuantityText(n.Sigma, n.Dim, path)})"),
        null => throw new ArgumentException($"{path}: is null", nameof(v)),
        _ => throw new ArgumentException($"{path}: value kind {v.GetType().Name} cannot be written", nameof(v)),
    };

    /// <summary>Float values in their shortest round-trip text, which reads back to the same float.</summary>
    private static SeqNode FloatQuantities(float[] values, Dimension dim)
    {
        var seq = new SeqNode(flow: true);
        var unit = Units.Canonical(dim);
        foreach (var v in values)
        {
            var number = v.ToString("R", CultureInfo.InvariantCulture);
            seq.Items.Add(unit.Length == 0 ? new Scalar(number, bare: true) : Str($"{number} {unit}"));
        }
        return seq;
    }

    private static Scalar Quantity(double value, Dimension dim, string path) =>
        dim == Dimension.Dimensionless ? Number(value, path) : Str(QuantityText(value, dim, path));

    private static Scalar Number(double value, string path) => new(NumberText(value, path), bare: true);

    private static string QuantityText(double value, Dimension dim, string path)
    {
        var number = NumberText(value, path);
        var unit = Units.Canonical(dim);
        return unit.Length == 0 ? number : $"{number} {unit}";
    }

    /// <summary>
    /// The shortest text that parses back to exactly <paramref name="value"/> ("R" is the shortest round-trip form
    /// in .NET; <c>1E-05</c> and <c>-0</c> read back bit for bit).
    /// </summary>
    private static string NumberText(double value, string path)
    {
        if (!double.IsFinite(value))
            throw new ArgumentException($"{path}: {value.ToString(CultureInfo.InvariantCulture)} cannot be written in a model file", nameof(value));
        return value.ToString("R", CultureInfo.InvariantCulture);
    }
}
