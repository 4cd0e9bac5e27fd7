using YamlDotNet.RepresentationModel;

namespace DistSnn.Model;

internal sealed partial class SpecReader
{
    private static readonly string[] ProjectionKeys = ["source", "target", "connector", "weight", "delay", "receptor", "label", "synapse"];
    private static readonly string[] PoissonKeys = ["target", "sources", "rate", "weight", "receptor"];
    private static readonly string[] ListedSynapseKeys = ["pre", "post", "weight", "delay"];

    private static readonly Dictionary<string, string[]> ConnectorKeys = new(StringComparer.Ordinal)
    {
        ["all_to_all"] = ["type", "allow_self_connections"],
        ["one_to_one"] = ["type", "allow_self_connections"],
        ["fixed_probability"] = ["type", "p", "allow_self_connections"],
        ["fixed_number_pre"] = ["type", "n", "with_replacement", "allow_self_connections", "sources"],
        ["fixed_number_post"] = ["type", "n", "with_replacement", "allow_self_connections"],
        ["fixed_total_number"] = ["type", "n", "allow_self_connections"],
        ["from_list"] = ["type", "synapses", "allow_self_connections"],
        ["conv"] = ["type", "input", "kernel", "stride", "padding", "channels", "allow_self_connections"],
    };

    private static readonly Dictionary<string, string[]> CurrentKeys = new(StringComparer.Ordinal)
    {
        ["dc"] = ["type", "target", "amplitude", "start", "stop", "neurons"],
        ["step"] = ["type", "target", "times", "amplitudes", "neurons"],
    };

    /// <summary>What a from_list connector's own synapses say about the projection-wide weight and delay.</summary>
    private sealed record ListedDefaults(bool AllWeights, bool AllDelays, Dimension? WeightDim, double MinDelay);

    private ProjectionSpec? ReadProjection(YamlNode node, string path)
    {
        if (ctx.Map(node, path, ProjectionKeys) is not { } f) return null;
        var source = f.Text("source", required: true) ?? "";
        var target = f.Text("target", required: true) ?? "";
        var weightDims = WeightDims(target);
        var weight = f.Spec("weight", weightDims, required: false);
        var delay = f.Spec("delay", [Dimension.Time], required: false);
        var (connector, listed) = ReadConnector(f.Required("connector"), f.Sub("connector"), weight is null ? weightDims : [weight.Dim]);
        if (connector is null) ctx.MarkFailed(f.Sub("connector"));
        bool weightGiven = f.Get("weight") is not null, delayGiven = f.Get("delay") is not null;
        // A from_list connector may carry every weight and delay itself; then the projection needs neither.
        if (!weightGiven && listed is not { AllWeights: true }) f.Missing("weight");
        if (!delayGiven && listed is not { AllDelays: true }) f.Missing("delay");
        if (!weightGiven && listed is { AllWeights: true, WeightDim: { } listedDim })
            weight = ValueSpec.Of(0, listedDim);
        if (!delayGiven && listed is { AllDelays: true })
            delay = ValueSpec.Of(listed.MinDelay, Dimension.Time);
        return new ProjectionSpec(source, target, connector!,
            weight ?? ValueSpec.Of(0, weightDims[0]), delay ?? ValueSpec.Of(_dt, Dimension.Time))
        {
            Receptor = ReadReceptor(f),
            Label = f.Text("label", required: false, expected: "a label"),
            Synapse = f.Get("synapse") is { } synapse ? ReadSynapse(synapse, f.Sub("synapse"), weight?.Dim ?? weightDims[0]) : StaticSynapse.Instance,
        };
    }

    private (Connector? Connector, ListedDefaults? Listed) ReadConnector(YamlNode? node, string path, IReadOnlyList<Dimension> weightDims)
    {
        if (node is null || ctx.Map(node, path, null) is not { } f) return (null, null);
        var type = f.Text("type", required: true, expected: "a connector type")?.Trim();
        if (type is null) return (null, null);
        if (!ConnectorKeys.TryGetValue(type, out var keys))
        {
            ctx.Error(f.Get("type"), f.Sub("type"), $"unknown connector type '{type}' (known: {string.Join(", ", ConnectorKeys.Keys)})");
            return (null, null);
        }
        f.RejectUnknown(keys, $"key for a {type} connector");
        ListedDefaults? listed = null;
        Connector? connector = type switch
        {
            "all_to_all" => new AllToAll(),
            "one_to_one" => new OneToOne(),
            "fixed_probability" => f.Required("p") is { } p && ctx.Number(p, f.Sub("p")) is double prob ? new FixedProbability(prob) : null,
            "fixed_number_pre" => f.Integer("n", int.MinValue, int.MaxValue, required: true) is long n
                ? new FixedNumberPre((int)n, f.Bool("with_replacement") ?? false) { Sources = ReadSources(f, (int)n) } : null,
            "fixed_number_post" => f.Integer("n", int.MinValue, int.MaxValue, required: true) is long n
                ? new FixedNumberPost((int)n, f.Bool("with_replacement") ?? false) : null,
            "fixed_total_number" => f.Integer("n", long.MinValue, long.MaxValue, required: true) is long n ? new FixedTotalNumber(n) : null,
            "conv" => ReadConv(f),
            _ => ReadFromList(f, weightDims, out listed),
        };
        if (connector is null) return (null, listed);
        if (f.Bool("allow_self_connections") is bool allow) connector = connector with { AllowSelfConnections = allow };
        return (connector, listed);
    }

    /// <summary><c>sources: [[3, 7, 9], [0, 2, 5], …]</c>: each target's n sources, one list per target.</summary>
    private List<int>? ReadSources(Fields f, int n)
    {
        if (f.Get("sources") is not { } node || ctx.Sequence(node, f.Sub("sources"), "one list of n source indices per target") is not { } targets)
            return null;
        var sources = new List<int>(targets.Count * Math.Max(n, 0));
        foreach (var (item, path) in targets)
        {
            if (ctx.Sequence(item, path, $"a list of {n} source indices") is not { } list) continue;
            if (list.Count != n) ctx.Error(item, path, $"lists {list.Count} sources; the connector's n is {n}");
            sources.AddRange(list.Select(i => (int)(ctx.Integer(i.Node, i.Path, 0, int.MaxValue) ?? 0)));
        }
        return sources;
    }

    /// <summary><c>{type: conv, input: [C, H, W], kernel: K, stride: S, padding: P, channels: C_out}</c>.</summary>
    private Conv? ReadConv(Fields f)
    {
        int[]? shape = null;
        if (f.Required("input") is { } node && ctx.Sequence(node, f.Sub("input"), "[channels, height, width]") is { } items)
        {
            if (items.Count != 3) ctx.Error(node, f.Sub("input"), $"expected [channels, height, width], got {items.Count} numbers");
            else
            {
                var values = items.Select(i => ctx.Integer(i.Node, i.Path, 1, int.MaxValue)).ToArray();
                if (values.All(v => v is not null)) shape = values.Select(v => (int)v!.Value).ToArray();
            }
        }
        var kernel = f.Integer("kernel", 1, 4096, required: true);
        var stride = f.Integer("stride", 1, 4096, required: false) ?? 1;
        var padding = f.Integer("padding", 0, 4096, required: false) ?? 0;
        var channels = f.Integer("channels", 1, int.MaxValue, required: true);
        if (shape is null || kernel is null || channels is null) return null;
        return new Conv(shape[0], shape[1], shape[2], (int)kernel, (int)stride, (int)padding, (int)channels);
    }

    private FromList? ReadFromList(Fields f, IReadOnlyList<Dimension> weightDims, out ListedDefaults? listed)
    {
        listed = null;
        if (f.Required("synapses") is not { } node ||
            ctx.Sequence(node, f.Sub("synapses"), "a list of [pre, post] or [pre, post, weight, delay] items") is not { } items)
            return null;
        var synapses = new List<ListedSynapse>(items.Count);
        bool allWeights = items.Count > 0, allDelays = items.Count > 0;
        Dimension? weightDim = null;
        double minDelay = double.PositiveInfinity;
        foreach (var (item, path) in items)
        {
            var parts = ListedParts(item, path);
            if (parts is null)
            {
                allWeights = allDelays = false;
                continue;
            }
            var (pre, post, weightNode, delayNode) = parts.Value;
            int preIndex = pre is null ? -1 : (int)(ctx.Integer(pre, $"{path}.pre", int.MinValue, int.MaxValue) ?? -1);
            int postIndex = post is null ? -1 : (int)(ctx.Integer(post, $"{path}.post", int.MinValue, int.MaxValue) ?? -1);
            double? weight = null, delay = null;
            if (weightNode is not null && ctx.Quantity(weightNode, $"{path}.weight", weightDim is { } wd ? [wd] : weightDims) is { } w)
            {
                weight = w.Value;
                weightDim = w.Dim;
            }
            if (delayNode is not null && ctx.Quantity(delayNode, $"{path}.delay", [Dimension.Time]) is { } dl)
            {
                delay = dl.Value;
                minDelay = Math.Min(minDelay, dl.Value);
            }
            allWeights &= weightNode is not null;
            allDelays &= delayNode is not null;
            synapses.Add(new ListedSynapse(preIndex, postIndex, weight, delay));
        }
        listed = new ListedDefaults(allWeights, allDelays, weightDim, double.IsFinite(minDelay) ? minDelay : _dt);
        return new FromList(synapses);
    }

    /// <summary>The pre, post, weight and delay nodes of one listed synapse, written as a list or a mapping.</summary>
    private (YamlNode? Pre, YamlNode? Post, YamlNode? Weight, YamlNode? Delay)? ListedParts(YamlNode item, string path)
    {
        if (item is YamlSequenceNode seq)
        {
            var c = seq.Children;
            if (c.Count is not (2 or 4))
            {
                ctx.Error(item, path, $"has {c.Count} items; expected [pre, post] or [pre, post, weight, delay]");
                return null;
            }
            string[] names = ["pre", "post", "weight", "delay"];
            for (int i = 0; i < c.Count; i++) ctx.Note($"{path}.{names[i]}", c[i]);
            return (c[0], c[1], c.Count == 4 ? c[2] : null, c.Count == 4 ? c[3] : null);
        }
        if (item is YamlMappingNode && ctx.Map(item, path, ListedSynapseKeys) is { } f)
            return (f.Required("pre"), f.Required("post"), f.Get("weight"), f.Get("delay"));
        if (item is not YamlMappingNode)
            ctx.Error(item, path, $"expected [pre, post], [pre, post, weight, delay] or a mapping with pre and post, got {LoadContext.Describe(item)}");
        return null;
    }

    private PoissonInputSpec? ReadPoissonInput(YamlNode node, string path)
    {
        if (ctx.Map(node, path, PoissonKeys) is not { } f) return null;
        var target = f.Text("target", required: true) ?? "";
        var sources = (int)(f.Integer("sources", int.MinValue, int.MaxValue, required: true) ?? 1);
        var rate = f.Quantity("rate", Dimension.Rate, required: true) ?? 0;
        var dims = WeightDims(target);
        var weight = f.Spec("weight", dims, required: true) ?? ValueSpec.Of(0, dims[0]);
        return new PoissonInputSpec(target, sources, rate, weight) { Receptor = ReadReceptor(f) };
    }

    private CurrentSourceSpec? ReadCurrent(YamlNode node, string path)
    {
        if (ctx.Map(node, path, null) is not { } f) return null;
        var type = f.Text("type", required: true, expected: "dc or step")?.Trim();
        if (type is null) return null;
        if (!CurrentKeys.TryGetValue(type, out var keys))
        {
            ctx.Error(f.Get("type"), f.Sub("type"), $"unknown current type '{type}' (known: dc, step)");
            return null;
        }
        f.RejectUnknown(keys, $"key for a {type} current");
        var target = f.Text("target", required: true) ?? "";
        CurrentSourceSpec current;
        if (type == "dc")
        {
            // A mapping is one amplitude per neuron from an HDF5 dataset.
            var perNeuron = f.Get("amplitude") is YamlMappingNode m ? ctx.Spec(m, f.Sub("amplitude"), [Dimension.Current]) as ArrayValue : null;
            current = new DcCurrentSpec(target,
                perNeuron is not null || f.Get("amplitude") is YamlMappingNode ? 0 : f.Quantity("amplitude", Dimension.Current, required: true) ?? 0,
                f.Quantity("start", Dimension.Time, required: false) ?? 0,
                f.Quantity("stop", Dimension.Time, required: false) ?? double.PositiveInfinity) { Amplitudes = perNeuron };
        }
        else
        {
            var times = f.Required("times") is { } t && ctx.Sequence(t, f.Sub("times"), "a list of times") is { } ti
                ? ReadQuantities(ti, Dimension.Time, sharedSpikeTimes: false) : null;
            var amplitudes = f.Required("amplitudes") is { } a && ctx.Sequence(a, f.Sub("amplitudes"), "a list of currents") is { } ai
                ? ReadQuantities(ai, Dimension.Current, sharedSpikeTimes: false) : null;
            // An unreadable list takes the other's length, so that the counts are not also reported as different;
            // its placeholder items lie under a failed path and draw no further errors.
            times ??= amplitudes?.Select(_ => double.NaN).ToList() ?? [];
            amplitudes ??= times.Select(_ => 0.0).ToList();
            current = new StepCurrentSpec(target, times, amplitudes);
        }
        return current with { Neurons = ReadIndices(f.Get("neurons"), f.Sub("neurons")) };
    }
}
