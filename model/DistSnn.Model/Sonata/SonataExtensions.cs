using System.Text.Json;

namespace DistSnn.Model.Sonata;

/// <summary>
/// The <c>distsnn:</c> extensions of a simulation config that SONATA cannot say: Poisson inputs (the fields of a model
/// file's <c>poisson_inputs:</c>, quantities as text with units) and a reward schedule.
/// </summary>
internal static class SonataExtensions
{
    public static List<PoissonInputSpec> PoissonInputs(SonataConfig config, JsonElement list, IReadOnlyList<PopulationSpec> pops)
    {
        string where = $"{config.Path}: distsnn:poisson_inputs";
        if (list.ValueKind != JsonValueKind.Array) throw new SonataFormatException($"{where}: expected a list");
        var result = new List<PoissonInputSpec>();
        int i = 0;
        foreach (var item in list.EnumerateArray())
        {
            string at = $"{where}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw new SonataFormatException($"{at}: expected an object");
            string target = Text(item, "target", at);
            var pop = pops.FirstOrDefault(p => p.Name == target) ?? throw new SonataFormatException($"{at}.target: {target} is not a population");
            int sources = item.TryGetProperty("sources", out var s) && s.TryGetInt32(out var n) && n >= 0 ? n : throw new SonataFormatException($"{at}.sources: expected a count");
            double rate = Parse(() => Units.Parse(Text(item, "rate", at), Dimension.Rate), $"{at}.rate");
            var weight = Parse(() => ValueSpec.Parse(Text(item, "weight", at), [.. pop.Model.WeightDimensions]), $"{at}.weight");
            var receptor = item.TryGetProperty("receptor", out var r) ? r.GetString() switch
            {
                "exc" => Receptor.Exc,
                "inh" => Receptor.Inh,
                _ => throw new SonataFormatException($"{at}.receptor: {r}; expected exc or inh"),
            } : Receptor.Exc;
            foreach (var key in item.EnumerateObject().Select(p => p.Name))
                if (key is not ("target" or "sources" or "rate" or "weight" or "receptor"))
                    throw new SonataFormatException($"{at}.{key}: not a field of a Poisson input (target, sources, rate, weight, receptor)");
            result.Add(new PoissonInputSpec(target, sources, rate, weight) { Receptor = receptor });
        }
        return result;
    }

    public static RewardSchedule Reward(SonataConfig config, JsonElement reward)
    {
        string where = $"{config.Path}: distsnn:reward";
        if (!reward.TryGetProperty("times", out var t) || t.ValueKind != JsonValueKind.Array || !reward.TryGetProperty("values", out var v) || v.ValueKind != JsonValueKind.Array)
            throw new SonataFormatException($"{where}: expected {{\"times\": [...], \"values\": [...]}}");
        var times = t.EnumerateArray().Select((x, k) => Parse(() => Units.Parse(x.GetString() ?? "", Dimension.Time), $"{where}.times[{k}]")).ToList();
        var values = v.EnumerateArray().Select((x, k) => x.ValueKind == JsonValueKind.Number ? x.GetDouble() : throw new SonataFormatException($"{where}.values[{k}]: expected a number")).ToList();
        return new RewardSchedule(times, values);
    }

    private static string Text(JsonElement obj, string key, string where) =>
        SonataJson.Text(obj, key, where) ?? throw new SonataFormatException($"{where}.{key}: missing (text such as \"20 Hz\")");

    private static T Parse<T>(Func<T> parse, string where)
    {
        try
        {
            return parse();
        }
        catch (FormatException e)
        {
            throw new SonataFormatException($"{where}: {e.Message}");
        }
    }
}
