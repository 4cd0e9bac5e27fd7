using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DistSnn.Helm.Tests;

/// <summary>
/// Values documents as JSON, the way Helm hands them to values.schema.json: plain scalars become null, booleans
/// and numbers where YAML reads them so, quoted scalars stay strings; override files are merged over the defaults.
/// </summary>
public static partial class YamlJson
{
    /// <summary>Converts a YAML node to JSON.</summary>
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode s => Scalar(s),
        _ => throw new InvalidDataException($"unsupported YAML node {node.NodeType} at {node.Start}"),
    };

    /// <summary>
    /// Merges <paramref name="overrides"/> into a copy of <paramref name="defaults"/> as Helm merges values files:
    /// mappings key by key, everything else (lists included) replaced.
    /// </summary>
    public static JsonNode? Merge(JsonNode? defaults, JsonNode? overrides)
    {
        if (defaults is not JsonObject d || overrides is not JsonObject o) return overrides?.DeepClone();
        var merged = (JsonObject)d.DeepClone();
        foreach (var (key, value) in o)
            merged[key] = merged[key] is JsonObject && value is JsonObject ? Merge(merged[key], value) : value?.DeepClone();
        return merged;
    }

    private static JsonNode? Scalar(YamlScalarNode s)
    {
        string v = s.Value ?? "";
        if (s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
            return JsonValue.Create(v);
        if (v is "" or "~" or "null" or "Null" or "NULL") return null;
        if (v is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (v is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (IntegerRegex().IsMatch(v) && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
            return JsonValue.Create(l);
        if (FloatRegex().IsMatch(v)) return JsonValue.Create(double.Parse(v, CultureInfo.InvariantCulture));
        return JsonValue.Create(v);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerRegex();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatRegex();
}
