using System.Text.Json.Serialization;
using DistSnn.Cluster.Runtime;

namespace DistSnn.Cluster.Admin;

/// <summary>A job's status as the admin endpoint reports it (JSON, snake_case).</summary>
public sealed record JobStatusDto(
    [property: JsonPropertyName("job")] string Job,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("partitions")] int Partitions,
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("total_steps")] long TotalSteps,
    [property: JsonPropertyName("biological_ms")] double BiologicalMs,
    [property: JsonPropertyName("total_ms")] double TotalMs,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("realtime_factor")] double? RealTimeFactor,
    [property: JsonPropertyName("error")] string? Error)
{
    /// <summary>Converts a coordinator status.</summary>
    public static JobStatusDto From(JobStatus s) => new(s.Job, s.State.ToString().ToLowerInvariant(), s.Partitions, s.Step,
        s.TotalSteps, s.BiologicalMs, s.TotalSteps * s.Dt, s.WallSeconds, double.IsNaN(s.RealTimeFactor) ? null : s.RealTimeFactor, s.Error);
}

/// <summary>A cluster member.</summary>
public sealed record MemberDto(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("app_version")] string AppVersion,
    [property: JsonPropertyName("is_leader")] bool IsLeader,
    [property: JsonPropertyName("is_self")] bool IsSelf);

/// <summary>Where a partition of a job lives.</summary>
public sealed record PartitionDto(
    [property: JsonPropertyName("partition")] int Partition,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("neurons")] long Neurons,
    [property: JsonPropertyName("synapses")] long Synapses,
    [property: JsonPropertyName("backend")] string Backend);

/// <summary>Answer to a job submission.</summary>
public sealed record SubmitResultDto(
    [property: JsonPropertyName("job")] string Job,
    [property: JsonPropertyName("accepted")] bool Accepted,
    [property: JsonPropertyName("errors")] IReadOnlyList<string> Errors);
