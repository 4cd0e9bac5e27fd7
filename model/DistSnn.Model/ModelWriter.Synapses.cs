namespace DistSnn.Model;

/// <summary>Writing of a projection's <c>synapse:</c> block and the <c>reward:</c> schedule.</summary>
public static partial class ModelWriter
{
    private static MapNode SynapseNode(SynapseModel synapse, Dimension weightDim, string path)
    {
        var map = new MapNode().Add("type", Str(synapse.Kind));
        foreach (var p in synapse.Parameters)
        {
            double value = p.Get(synapse);
            if (p.Name == "normalize_total" && double.IsNaN(value)) continue;
            // The sum rule is the default; files written before normalize_order existed read back the same.
            if (p.Name == "normalize_order" && value == 1) continue;
            var dim = p.Kind switch
            {
                SynapseFieldKind.Time => Dimension.Time,
                SynapseFieldKind.Weight => weightDim,
                _ => Dimension.Dimensionless,
            };
            map.Add(p.Name, Quantity(value, dim, $"{path}.{p.Name}"));
        }
        switch (synapse)
        {
            case StdpSynapse s:
                map.Add("weight_dependence", Str(s.Dependence == WeightDependence.Multiplicative ? "multiplicative" : "additive"));
                map.Add("pairing", Str(PairingName(s.Pairing)));
                break;
            case TripletStdpSynapse t:
                map.Add("pairing", Str(PairingName(t.Pairing)));
                break;
        }
        return map;
    }

    private static string PairingName(SpikePairing pairing) => pairing == SpikePairing.Nearest ? "nearest" : "all_to_all";

    private static MapNode RewardNode(RewardSchedule reward) => new MapNode()
        .Add("times", Quantities(reward.Times, Dimension.Time, "reward.times"))
        .Add("values", Quantities(reward.Values, Dimension.Dimensionless, "reward.values"));
}
