using YamlDotNet.RepresentationModel;

namespace DistSnn.Model;

/// <summary>Reading of a projection's <c>synapse:</c> block and of the top-level <c>reward:</c> schedule.</summary>
internal sealed partial class SpecReader
{
    private static readonly string[] PairingNames = ["all_to_all", "nearest"];
    private static readonly string[] DependenceNames = ["additive", "multiplicative"];
    private static readonly string[] TripletPresets = ["visual_cortex_all_to_all", "visual_cortex_nearest"];

    private SynapseModel ReadSynapse(YamlNode node, string path, Dimension weightDim)
    {
        if (ctx.Map(node, path, null) is not { } f) return StaticSynapse.Instance;
        var type = f.Text("type", required: true, expected: "a synapse type")?.Trim();
        if (type is null) return StaticSynapse.Instance;
        if (SynapseModel.Create(type) is not { } model)
        {
            ctx.Error(f.Get("type"), f.Sub("type"), $"unknown synapse type '{type}' (known: {string.Join(", ", SynapseModel.Kinds)})");
            return StaticSynapse.Instance;
        }
        var keys = new List<string> { "type" };
        keys.AddRange(model.Parameters.Select(p => p.Name));
        if (model is StdpSynapse) keys.AddRange(["weight_dependence", "pairing"]);
        if (model is TripletStdpSynapse) keys.AddRange(["pairing", "preset"]);
        f.RejectUnknown(keys, $"key for a {type} synapse");

        if (model is TripletStdpSynapse && f.Text("preset", required: false, expected: "a preset name") is { } preset)
        {
            switch (preset)
            {
                case "visual_cortex_all_to_all": model = TripletStdpSynapse.VisualCortexAllToAll; break;
                case "visual_cortex_nearest": model = TripletStdpSynapse.VisualCortexNearest; break;
                default:
                    ctx.Error(f.Get("preset"), f.Sub("preset"), $"unknown preset '{preset}' (known: {string.Join(", ", TripletPresets)})");
                    break;
            }
        }
        foreach (var p in model.Parameters)
        {
            var dim = p.Kind switch
            {
                SynapseFieldKind.Time => Dimension.Time,
                SynapseFieldKind.Weight => weightDim,
                _ => Dimension.Dimensionless,
            };
            if (f.Quantity(p.Name, dim, required: false) is double value) model = p.Set(model, value);
        }
        if (Choice(f, "pairing", PairingNames) is { } pairing)
        {
            var value = pairing == "nearest" ? SpikePairing.Nearest : SpikePairing.AllToAll;
            model = model switch
            {
                StdpSynapse s => s with { Pairing = value },
                TripletStdpSynapse t => t with { Pairing = value },
                _ => model,
            };
        }
        if (model is StdpSynapse stdp && Choice(f, "weight_dependence", DependenceNames) is { } dependence)
            model = stdp with { Dependence = dependence == "multiplicative" ? WeightDependence.Multiplicative : WeightDependence.Additive };
        return model;
    }

    private string? Choice(Fields f, string key, string[] allowed)
    {
        if (f.Text(key, required: false, expected: string.Join(" or ", allowed)) is not { } text) return null;
        if (allowed.Contains(text)) return text;
        ctx.Error(f.Get(key), f.Sub(key), $"'{text}' is not allowed; expected {string.Join(" or ", allowed)}");
        return null;
    }

    private RewardSchedule? ReadReward(YamlNode? node)
    {
        if (node is null || ctx.Map(node, "reward", ["times", "values"]) is not { } f) return null;
        var times = f.Required("times") is { } t && ctx.Sequence(t, f.Sub("times"), "a list of times") is { } ti
            ? ReadQuantities(ti, Dimension.Time, sharedSpikeTimes: false) : null;
        var values = f.Required("values") is { } v && ctx.Sequence(v, f.Sub("values"), "a list of numbers") is { } vi
            ? ReadQuantities(vi, Dimension.Dimensionless, sharedSpikeTimes: false) : null;
        times ??= values?.Select(_ => double.NaN).ToList() ?? [];
        values ??= times.Select(_ => 0.0).ToList();
        return new RewardSchedule(times, values);
    }
}
