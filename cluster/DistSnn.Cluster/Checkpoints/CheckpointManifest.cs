using System.Text.Json;
using System.Text.Json.Serialization;

namespace DistSnn.Cluster.Checkpoints;

/// <summary>
/// <c>manifest.json</c> of one checkpoint (<c>CKPT_DIR/&lt;job&gt;/step-&lt;N&gt;/</c>): what was checkpointed and the
/// SHA-256 of every file. It is written last, so a step folder without a manifest is incomplete and ignored.
/// </summary>
public sealed record CheckpointManifest
{
    /// <summary>
    /// Version of the checkpoint layout (manifest and partition files) this program writes. Version 2 records each
    /// partition's backend; version 1 checkpoints (every partition on the CPU) are read too.
    /// </summary>
    public const int CurrentFormatVersion = 2;

    /// <summary>The versions this program reads, for messages.</summary>
    public const string ReadableVersions = "1 and 2";

    /// <summary>Whether this program reads checkpoints of layout version <paramref name="version"/>.</summary>
    public static bool Readable(int version) => version is 1 or 2;

    /// <summary>Layout version; a reader refuses other versions.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;
    /// <summary>Job id (the folder name under the checkpoint directory).</summary>
    public required string Job { get; init; }
    /// <summary>SHA-256 (hex) of the model file <c>model.yaml</c> in the checkpoint: the model as run, after overrides and scaling.</summary>
    public required string ModelHash { get; init; }
    /// <summary>Number of partitions; a resumed run uses the same.</summary>
    public required int Partitions { get; init; }
    /// <summary>Placement strategy (<c>contiguous</c>, <c>round_robin</c>, <c>graph</c>); a resumed run uses the same.</summary>
    public required string Strategy { get; init; }
    /// <summary>The backend of each partition (absent in version 1: every partition is <c>cpu</c>); a resumed run places them the same.</summary>
    public IReadOnlyList<string>? Backends { get; init; }
    /// <summary>Master seed of the run.</summary>
    public required ulong Seed { get; init; }
    /// <summary>The step every partition had reached (an epoch boundary, all spikes before it delivered).</summary>
    public required long Step { get; init; }
    /// <summary>Biological time of <see cref="Step"/> (ms).</summary>
    public required double TimeMs { get; init; }
    /// <summary>Steps of the whole run.</summary>
    public required long TotalSteps { get; init; }
    /// <summary>Steps between checkpoints; a resumed run keeps checkpointing at this interval unless told otherwise.</summary>
    public required long CheckpointEverySteps { get; init; }
    /// <summary>The longest time a partition took to write its file (s): how long the checkpoint held up the run.</summary>
    public double WriteSeconds { get; init; }
    /// <summary>When the manifest was written (UTC, ISO 8601).</summary>
    public required string CreatedUtc { get; init; }
    /// <summary>Every file of the checkpoint with its size and SHA-256.</summary>
    public required IReadOnlyList<CheckpointFileEntry> Files { get; init; }

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Generated at build time rather than found by reflection, so that the native ahead-of-time build reads and
        // writes checkpoints too; names and layout are the same either way.
        TypeInfoResolver = CheckpointJsonContext.Default,
    };

    /// <summary>The backend of partition <paramref name="partition"/>.</summary>
    public string BackendOf(int partition) => Backends is { } b && partition < b.Count ? b[partition] : Model.PopulationSpec.DefaultBackend;

    /// <summary>The manifest as UTF-8 JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}

/// <summary>One file of a checkpoint: name within the step folder, size and SHA-256 (lower-case hex).</summary>
public sealed record CheckpointFileEntry(string Name, long Bytes, string Sha256);

/// <summary>A checkpoint that cannot be used: the message names the file and what is wrong with it.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The serialization code of checkpoint manifests and job files, generated at build time.</summary>
[JsonSerializable(typeof(CheckpointManifest))]
[JsonSerializable(typeof(JobStateFile))]
internal sealed partial class CheckpointJsonContext : JsonSerializerContext;
