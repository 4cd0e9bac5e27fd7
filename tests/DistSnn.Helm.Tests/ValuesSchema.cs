using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace DistSnn.Helm.Tests;

/// <summary>The chart's values.schema.json, checking values documents the way Helm does before rendering.</summary>
public static class ValuesSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(ChartFiles.ChartDir, "values.schema.json"))));

    /// <summary>The schema's own text as JSON.</summary>
    public static JsonElement Text() => JsonDocument.Parse(File.ReadAllText(Path.Combine(ChartFiles.ChartDir, "values.schema.json"))).RootElement;

    /// <summary>Every violation as "instance location: message"; empty when the values are valid.</summary>
    public static IReadOnlyList<string> Errors(JsonNode? values) => Evaluate(Schema.Value, JsonSerializer.SerializeToElement(values));

    /// <summary>Every violation of <paramref name="instance"/> against <paramref name="schema"/>, as "location: message".</summary>
    public static IReadOnlyList<string> Evaluate(JsonSchema schema, JsonElement instance)
    {
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return [];
        var errors = (results.Details ?? []).Prepend(results)
            .Where(r => r.Errors is { Count: > 0 })
            .SelectMany(r => r.Errors!.Select(e => $"{(r.InstanceLocation.ToString() is { Length: > 0 } l ? l : "/")}: {e.Value}"))
            .Distinct()
            .ToList();
        return errors.Count > 0 ? errors : ["/: invalid (no message)"];
    }

    /// <summary>The values files of the chart as Helm sees them: values.yaml, or an override file merged over it.</summary>
    public static JsonNode? Values(string? overrideFile = null)
    {
        var defaults = YamlJson.ToJson(ChartFiles.LoadMapping("values.yaml"));
        return overrideFile is null ? defaults : YamlJson.Merge(defaults, YamlJson.ToJson(ChartFiles.LoadMapping(overrideFile)));
    }
}
