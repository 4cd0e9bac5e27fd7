using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DistSnn.Model;

namespace DistSnn.Cluster.Sonata;

/// <summary>The JSON and CSV files of an export, and quantities written as a model file writes them.</summary>
internal static class SonataText
{
    /// <summary>The prefix of every key, template or value that only DistSnn understands.</summary>
    public const string Ext = "distsnn:";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>Writes <paramref name="node"/> as indented JSON; numbers in their shortest round-trip form.</summary>
    public static void WriteJson(string path, JsonNode node) => File.WriteAllText(path, node.ToJsonString(Indented) + "\n", Utf8);

    /// <summary>Writes a space-separated CSV file (the SONATA node and edge type tables).</summary>
    public static void WriteTable(string path, string header, IEnumerable<string> rows)
    {
        var sb = new StringBuilder(header).Append('\n');
        foreach (var row in rows) sb.Append(row).Append('\n');
        File.WriteAllText(path, sb.ToString(), Utf8);
    }

    /// <summary>An integer in invariant form.</summary>
    public static string Int(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A quantity as a model file writes it (<c>20 ms</c>, <c>0.1 mV</c>), the number in its shortest round-trip form.</summary>
    public static JsonNode Quantity(double value, Dimension dim)
    {
        string number = value.ToString("R", CultureInfo.InvariantCulture);
        string unit = Units.Canonical(dim);
        return unit.Length == 0 ? JsonValue.Create(value) : JsonValue.Create($"{number} {unit}");
    }

    /// <summary>A constant or a distribution as a model file writes it (<c>0.1 mV</c>, <c>uniform(0 mV, 1 mV)</c>).</summary>
    public static JsonNode Value(ValueSpec v) => v switch
    {
        ConstantValue c => Quantity(c.Value, c.Dim),
        UniformValue u => JsonValue.Create($"uniform({Text(u.Low, u.Dim)}, {Text(u.High, u.Dim)})"),
        NormalValue n => JsonValue.Create($"normal({Text(n.Mu, n.Dim)}, {Text(n.Sigma, n.Dim)})"),
        _ => throw new ArgumentException($"{v} cannot be written as a single value", nameof(v)),
    };

    private static string Text(double value, Dimension dim)
    {
        string unit = Units.Canonical(dim);
        string number = value.ToString("R", CultureInfo.InvariantCulture);
        return unit.Length == 0 ? number : $"{number} {unit}";
    }

    /// <summary>A list of quantities as a model file writes it.</summary>
    public static JsonArray Quantities(IEnumerable<double> values, Dimension dim) => new(values.Select(v => Quantity(v, dim)).ToArray());

    /// <summary>The receptor's name in model files.</summary>
    public static string ReceptorName(Receptor r) => r == Receptor.Inh ? "inh" : "exc";
}
