using System.Text.Json.Serialization;

namespace DistSnn.Cluster.Output;

/// <summary>
/// The machine-readable outcome of one simulation run, serialized as <c>summary.json</c> by
/// <see cref="SummaryWriter"/>. Non-finite numbers (e.g. a CV with no qualifying neuron, or bytes
/// per synapse of a network without synapses) are written as <c>null</c> and read back as NaN.
/// </summary>
public sealed record RunSummary
{
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("partitions")] public required int Partitions { get; init; }
    [JsonPropertyName("seed")] public required ulong Seed { get; init; }
    [JsonPropertyName("dt_ms")] public required double DtMs { get; init; }
    [JsonPropertyName("duration_ms")] public required double DurationMs { get; init; }
    [JsonPropertyName("neurons")] public required long Neurons { get; init; }
    [JsonPropertyName("synapses")] public required long Synapses { get; init; }
    [JsonPropertyName("spikes")] public required long Spikes { get; init; }
    [JsonPropertyName("synaptic_events")] public required long SynapticEvents { get; init; }
    [JsonPropertyName("build_seconds")] public required double BuildSeconds { get; init; }
    [JsonPropertyName("simulate_seconds")] public required double SimulateSeconds { get; init; }
    [JsonPropertyName("wall_seconds")] public required double WallSeconds { get; init; }

    /// <summary>
    /// The whole process's wall time by phase (seconds): runtime_start, load (when measured), build, simulate, write and
    /// other; the plots, drawn after the summary is written, are not in it.
    /// </summary>
    [JsonPropertyName("phases")] public IReadOnlyDictionary<string, double>? Phases { get; init; }
    /// <summary>
    /// Memory by phase of a run in this process (bytes): <c>build_peak</c>, the high-water mark up to the end of the
    /// build; <c>run_peak</c>, the largest resident size sampled during the simulation; <c>run_resident</c>, the resident size at
    /// its end. Null for cluster jobs, whose memory is on the nodes.
    /// </summary>
    [JsonPropertyName("memory")] public IReadOnlyDictionary<string, long>? Memory { get; init; }

    /// <summary>Per partition, the time its epoch loop spent waiting for in-neighbours' packets (seconds).</summary>
    [JsonPropertyName("partition_wait_seconds")] public IReadOnlyList<double> PartitionWaitSeconds { get; init; } = [];

    /// <summary>Per partition, the neurons it owns (the partition plan's load, for the partition-load plot).</summary>
    [JsonPropertyName("partition_neurons")] public IReadOnlyList<long> PartitionNeurons { get; init; } = [];

    /// <summary>Per partition, the synapses onto its neurons.</summary>
    [JsonPropertyName("partition_synapses")] public IReadOnlyList<long> PartitionSynapses { get; init; } = [];
    [JsonPropertyName("peak_working_set_bytes")] public required long PeakWorkingSetBytes { get; init; }
    [JsonPropertyName("bytes_per_synapse")] public required double BytesPerSynapse { get; init; }
    [JsonPropertyName("spikes_sha256")] public required string SpikesSha256 { get; init; }

    /// <summary>Synapses with plastic weights.</summary>
    [JsonPropertyName("plastic_synapses")] public long PlasticSynapses { get; init; }

    /// <summary>
    /// Order-independent 64-bit checksum (hex) of every plastic synapse's final weight; identical for any
    /// partitioning. Null when the network has no plastic synapses.
    /// </summary>
    [JsonPropertyName("weights_checksum")] public string? WeightsChecksum { get; init; }
    /// <summary>Classification of the presented data set, when the model presents one.</summary>
    [JsonPropertyName("dataset")] public DatasetScore? Dataset { get; init; }

    /// <summary>
    /// Per backend whose partitions reported more than the common counters (a modelled machine): its totals (provenance,
    /// energy) and notes, by backend name. Null when none did.
    /// </summary>
    [JsonPropertyName("backends")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, BackendTotals>? Backends { get; init; }

    /// <summary>Written as a JSON object keyed by population name, in list order.</summary>
    [JsonPropertyName("populations")]
    [JsonConverter(typeof(PopulationMapConverter))]
    public required IReadOnlyList<PopulationStatistics> Populations { get; init; }
}

/// <summary>A backend's part of <c>summary.json</c>: named totals and notes (see <see cref="Nodes.Backends.BackendSummary"/>).</summary>
public sealed record BackendTotals
{
    /// <summary>Named totals.</summary>
    [JsonPropertyName("totals")] public required IReadOnlyDictionary<string, double> Totals { get; init; }
    /// <summary>What the totals mean for the run, in words.</summary>
    [JsonPropertyName("notes")] public required IReadOnlyList<string> Notes { get; init; }
}
