using System.Text.Json;

namespace DistSnn.Model.Sonata;

/// <summary>Reading the JSON files of a SONATA network (configs, dynamics_params) and their fields, with errors that name them.</summary>
internal static class SonataJson
{
    /// <summary>Comments and trailing commas are accepted, as BMTK's and NEST's readers accept them.</summary>
    public static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The document in <paramref name="full"/>; <paramref name="shown"/> names it in errors.</summary>
    public static JsonElement Read(string full, string shown)
    {
        if (!File.Exists(full)) throw new SonataFormatException($"{shown}: file not found (looked for {full})");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(full), Options);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new SonataFormatException($"{shown}:{(e.LineNumber is long l ? l + 1 : 0)}: not valid JSON: {e.Message}");
        }
    }

    /// <summary>Field <paramref name="key"/> as text; null when absent.</summary>
    public static string? Text(JsonElement obj, string key, string where) =>
        !obj.TryGetProperty(key, out var v) ? null
        : v.ValueKind == JsonValueKind.String ? v.GetString()
        : throw new SonataFormatException($"{where}.{key}: expected text");

    /// <summary>Field <paramref name="key"/> as a number; null when absent.</summary>
    public static double? Number(JsonElement obj, string key, string where) =>
        !obj.TryGetProperty(key, out var v) ? null
        : v.ValueKind == JsonValueKind.Number ? v.GetDouble()
        : throw new SonataFormatException($"{where}.{key}: expected a number");
}
