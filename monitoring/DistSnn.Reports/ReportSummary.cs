using System.Text.Json;

namespace DistSnn.Reports;

/// <summary>One population's line of <c>summary.json</c>.</summary>
/// <param name="Name">Population name (the key in <c>populations</c>).</param>
/// <param name="Size">Number of neurons.</param>
/// <param name="Spikes">Recorded spikes.</param>
/// <param name="RateHz">Mean rate per neuron, Hz.</param>
/// <param name="CvIsi">Mean coefficient of variation of the inter-spike intervals; NaN when undefined.</param>
public sealed record ReportPopulation(string Name, int Size, long Spikes, double RateHz, double CvIsi);

/// <summary>
/// What the report needs from a run's <c>summary.json</c>, read on its own terms (the file is the contract, so this
/// layer does not depend on the code that writes it). Optional figures are NaN or empty when the file lacks them.
/// </summary>
public sealed record ReportSummary
{
    /// <summary>Model name.</summary>
    public required string Model { get; init; }
    /// <summary>Number of partitions of the run.</summary>
    public required int Partitions { get; init; }
    /// <summary>Master seed.</summary>
    public required ulong Seed { get; init; }
    /// <summary>Time step, ms.</summary>
    public required double DtMs { get; init; }
    /// <summary>Biological time simulated, ms.</summary>
    public required double DurationMs { get; init; }
    /// <summary>Total neurons.</summary>
    public required long Neurons { get; init; }
    /// <summary>Total synapses.</summary>
    public required long Synapses { get; init; }
    /// <summary>Total recorded spikes.</summary>
    public required long Spikes { get; init; }
    /// <summary>Time to build the partitions, s.</summary>
    public required double BuildSeconds { get; init; }
    /// <summary>Time to simulate, s.</summary>
    public required double SimulateSeconds { get; init; }
    /// <summary>Whole-process wall time, s.</summary>
    public required double WallSeconds { get; init; }
    /// <summary>SHA-256 of the recorded spikes.</summary>
    public required string SpikesSha256 { get; init; }
    /// <summary>Populations in file order.</summary>
    public required IReadOnlyList<ReportPopulation> Populations { get; init; }
    /// <summary>Per partition, seconds spent waiting for packets (may be empty).</summary>
    public IReadOnlyList<double> PartitionWaitSeconds { get; init; } = [];
    /// <summary>Per partition, neurons (empty for summaries written before the field existed).</summary>
    public IReadOnlyList<long> PartitionNeurons { get; init; } = [];
    /// <summary>Per partition, synapses (empty for summaries written before the field existed).</summary>
    public IReadOnlyList<long> PartitionSynapses { get; init; } = [];
    /// <summary>Synaptic events delivered; -1 when absent.</summary>
    public long SynapticEvents { get; init; } = -1;
    /// <summary>Peak working set of the process, bytes; -1 when absent.</summary>
    public long PeakWorkingSetBytes { get; init; } = -1;
    /// <summary>Checksum of the final plastic weights, or null.</summary>
    public string? WeightsChecksum { get; init; }

    /// <summary>Wall seconds of simulation per second of biological time (below 1: faster than real time); NaN for a zero-length run.</summary>
    public double RealTimeFactor => DurationMs > 0 ? SimulateSeconds / (DurationMs / 1000.0) : double.NaN;

    /// <summary>Reads and checks <paramref name="path"/>; every problem is reported with the file and field.</summary>
    /// <exception cref="ReportInputException">The file is missing, not JSON, or a required field is absent or of the wrong kind.</exception>
    public static ReportSummary Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new ReportInputException($"{path}: file not found (is this a results folder of 'distsnn run'?)");
        JsonDocument doc;
        try
        {
            using var stream = File.OpenRead(path);
            doc = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new ReportInputException($"{path}: not valid JSON: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new ReportInputException($"{path}: cannot be read: {e.Message}", e);
        }
        using (doc)
        {
            var fields = new Fields(path, doc.RootElement);
            return new ReportSummary
            {
                Model = fields.String("model"),
                Partitions = (int)fields.Long("partitions", min: 1, max: int.MaxValue),
                Seed = fields.ULong("seed"),
                DtMs = fields.Double("dt_ms", positive: true),
                DurationMs = fields.Double("duration_ms"),
                Neurons = fields.Long("neurons"),
                Synapses = fields.Long("synapses"),
                Spikes = fields.Long("spikes"),
                BuildSeconds = fields.Double("build_seconds"),
                SimulateSeconds = fields.Double("simulate_seconds"),
                WallSeconds = fields.Double("wall_seconds"),
                SpikesSha256 = fields.String("spikes_sha256"),
                Populations = fields.Populations(),
                PartitionWaitSeconds = fields.OptionalArray("partition_wait_seconds", e => e.GetDouble()),
                PartitionNeurons = fields.OptionalArray("partition_neurons", e => e.GetInt64()),
                PartitionSynapses = fields.OptionalArray("partition_synapses", e => e.GetInt64()),
                SynapticEvents = fields.OptionalLong("synaptic_events"),
                PeakWorkingSetBytes = fields.OptionalLong("peak_working_set_bytes"),
                WeightsChecksum = fields.OptionalString("weights_checksum"),
            };
        }
    }

    /// <summary>Typed access to a JSON object that names the file and field in every error.</summary>
    private readonly struct Fields(string path, JsonElement root, string prefix = "")
    {
        private JsonElement Get(string name, JsonValueKind kind)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                string what = prefix.Length == 0 ? "the top level" : $"field '{prefix.TrimEnd('.')}'";
                throw new ReportInputException($"{path}: {what} must be a JSON object, got {Describe(root.ValueKind)}");
            }
            if (!root.TryGetProperty(name, out var value)) throw Bad(name, "is missing");
            if (value.ValueKind != kind) throw Bad(name, $"must be a {Describe(kind)}, got {Describe(value.ValueKind)}");
            return value;
        }

        public ReportInputException Bad(string name, string what) => new($"{path}: field '{prefix}{name}' {what}");

        public string String(string name) => Get(name, JsonValueKind.String).GetString()!;

        public string? OptionalString(string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        public long Long(string name, long min = 0, long max = long.MaxValue)
        {
            var e = Get(name, JsonValueKind.Number);
            if (!e.TryGetInt64(out long value) || value < min || value > max)
                throw Bad(name, $"must be a whole number from {min} to {max}, got {e.GetRawText()}");
            return value;
        }

        public long OptionalLong(string name) =>
            root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? Long(name) : -1;

        public ulong ULong(string name)
        {
            var e = Get(name, JsonValueKind.Number);
            if (!e.TryGetUInt64(out ulong value)) throw Bad(name, $"must be a whole number >= 0, got {e.GetRawText()}");
            return value;
        }

        /// <summary>A number, or NaN for null (how summary.json writes non-finite values).</summary>
        public double Double(string name, bool positive = false)
        {
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var n) && n.ValueKind == JsonValueKind.Null)
            {
                if (positive) throw Bad(name, "must be a number > 0, got null");
                return double.NaN;
            }
            double value = Get(name, JsonValueKind.Number).GetDouble();
            if (positive && !(value > 0)) throw Bad(name, $"must be a number > 0, got {value}");
            if (!positive && value < 0) throw Bad(name, $"must be >= 0, got {value}");
            return value;
        }

        public IReadOnlyList<T> OptionalArray<T>(string name, Func<JsonElement, T> read)
        {
            if (!root.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null) return [];
            if (array.ValueKind != JsonValueKind.Array) throw Bad(name, $"must be an array, got {Describe(array.ValueKind)}");
            var result = new List<T>();
            int i = 0;
            foreach (var item in array.EnumerateArray())
            {
                try
                {
                    result.Add(read(item));
                }
                catch (Exception e) when (e is InvalidOperationException or FormatException)
                {
                    throw Bad($"{name}[{i}]", $"must be a number, got {item.GetRawText()}");
                }
                i++;
            }
            return result;
        }

        public IReadOnlyList<ReportPopulation> Populations()
        {
            var pops = Get("populations", JsonValueKind.Object);
            var result = new List<ReportPopulation>();
            foreach (var p in pops.EnumerateObject())
            {
                var f = new Fields(path, p.Value, $"{prefix}populations.{p.Name}.");
                if (p.Value.ValueKind != JsonValueKind.Object) throw Bad($"populations.{p.Name}", "must be a JSON object");
                result.Add(new ReportPopulation(p.Name, (int)f.Long("size", max: int.MaxValue), f.Long("spikes"),
                    f.Double("rate_hz"), f.Double("cv_isi")));
            }
            return result;
        }

        private static string Describe(JsonValueKind kind) => kind switch
        {
            JsonValueKind.Object => "JSON object",
            JsonValueKind.Array => "array",
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Null => "null",
            _ => kind.ToString(),
        };
    }
}
