using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistSnn.Cluster.Output;

public static class SummaryWriter
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new NonFiniteAsNullConverter() },
        // Generated at build time rather than found by reflection, so that the native ahead-of-time build writes
        // and reads it too; the names, converters and layout are the same either way.
        TypeInfoResolver = SummaryJsonContext.Default,
    };

    public static void Write(string path, RunSummary summary)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(summary);

        // Serialize fully before touching the file so a failure cannot leave a truncated summary
        // behind for the benchmark harness to misread.
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(summary, Options);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write(json);
        stream.WriteByte((byte)'\n');
    }

    public static RunSummary Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<RunSummary>(stream, Options)
            ?? throw new InvalidDataException($"'{path}' contains null instead of a run summary.");
    }
}

/// <summary>JSON has no NaN or infinity; null keeps the file valid for every JSON reader.</summary>
internal sealed class NonFiniteAsNullConverter : JsonConverter<double>
{
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

internal sealed class PopulationMapConverter : JsonConverter<IReadOnlyList<PopulationStatistics>>
{
    internal sealed record Entry(
        [property: JsonPropertyName("size")] int Size,
        [property: JsonPropertyName("spikes")] long Spikes,
        [property: JsonPropertyName("rate_hz")] double RateHz,
        [property: JsonPropertyName("cv_isi")] double CvIsi,
        [property: JsonPropertyName("neurons_with_isi")] int NeuronsWithIsi);

    public override IReadOnlyList<PopulationStatistics> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("'populations' must be an object keyed by population name.");
        }

        var result = new List<PopulationStatistics>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string name = reader.GetString() ?? throw new JsonException("Population name is null.");
            reader.Read();
            var entry = JsonSerializer.Deserialize<Entry>(ref reader, options)
                ?? throw new JsonException($"Population '{name}' is null.");
            result.Add(new PopulationStatistics(name, entry.Size, entry.Spikes, entry.RateHz, entry.CvIsi, entry.NeuronsWithIsi));
        }
        return result;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<PopulationStatistics> value, JsonSerializerOptions options)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        writer.WriteStartObject();
        foreach (var pop in value)
        {
            if (!seen.Add(pop.Name))
            {
                throw new ArgumentException($"Population '{pop.Name}' appears more than once in the summary.");
            }
            writer.WritePropertyName(pop.Name);
            JsonSerializer.Serialize(writer, new Entry(pop.Size, pop.Spikes, pop.RateHz, pop.CvIsi, pop.NeuronsWithIsi), options);
        }
        writer.WriteEndObject();
    }
}

/// <summary>The serialization code of summary.json, generated at build time.</summary>
[JsonSerializable(typeof(RunSummary))]
[JsonSerializable(typeof(PopulationMapConverter.Entry))]
internal sealed partial class SummaryJsonContext : JsonSerializerContext;
