using System.Text.Json;

namespace DistSnn.Model.Sonata;

/// <summary>
/// DistSnn's plastic synapses in a SONATA network: an edge type with <c>model_template: distsnn:&lt;rule&gt;</c> whose
/// dynamics_params file holds the rule with the field names of a model file's <c>synapse:</c> block (times in ms,
/// weight bounds in the unit of the edges' <c>syn_weight</c>), the <c>receptor</c> it feeds, and <c>weight_unit</c>.
/// </summary>
internal static class SonataSynapses
{
    public static (SynapseModel Model, Receptor? Receptor) Rule(string kind, string path)
    {
        if (SynapseModel.Create(kind) is not { IsPlastic: true } model)
            throw new SonataFormatException($"{path}: {NestModels.Extension}{kind} is not a plastic synapse model (known: {string.Join(", ", SynapseModel.Kinds.Where(k => k != StaticSynapse.Instance.Kind))})");
        var root = SonataJson.Read(path, path);
        Receptor? receptor = null;
        foreach (var p in root.EnumerateObject())
        {
            string where = $"{path}: {p.Name}";
            switch (p.Name)
            {
                case "type":
                    if (p.Value.GetString() != kind) throw new SonataFormatException($"{where}: {p.Value} but the edge type says {kind}");
                    continue;
                case "weight_unit":
                    continue;
                case "receptor":
                    receptor = p.Value.GetString() switch
                    {
                        "exc" => Receptor.Exc,
                        "inh" => Receptor.Inh,
                        _ => throw new SonataFormatException($"{where}: {p.Value}; expected exc or inh"),
                    };
                    continue;
                case "pairing":
                    var pairing = p.Value.GetString() switch
                    {
                        "all_to_all" => SpikePairing.AllToAll,
                        "nearest" => SpikePairing.Nearest,
                        _ => throw new SonataFormatException($"{where}: {p.Value}; expected all_to_all or nearest"),
                    };
                    model = model switch
                    {
                        StdpSynapse s => s with { Pairing = pairing },
                        TripletStdpSynapse t => t with { Pairing = pairing },
                        _ => throw new SonataFormatException($"{where}: {kind} has no pairing"),
                    };
                    continue;
                case "weight_dependence" when model is StdpSynapse stdp:
                    model = stdp with
                    {
                        Dependence = p.Value.GetString() switch
                        {
                            "additive" => WeightDependence.Additive,
                            "multiplicative" => WeightDependence.Multiplicative,
                            _ => throw new SonataFormatException($"{where}: {p.Value}; expected additive or multiplicative"),
                        },
                    };
                    continue;
            }
            var field = model.Parameters.FirstOrDefault(f => f.Name == p.Name)
                        ?? throw new SonataFormatException($"{where}: not a parameter of {kind} (known: {string.Join(", ", model.Parameters.Select(f => f.Name))})");
            if (p.Value.ValueKind != JsonValueKind.Number) throw new SonataFormatException($"{where}: expected a number");
            model = field.Set(model, p.Value.GetDouble());
        }
        return (model, receptor);
    }
}
