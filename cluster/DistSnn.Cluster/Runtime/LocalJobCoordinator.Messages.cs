using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// Caller → coordinator: run <see cref="Spec"/> cut by <see cref="Plan"/>. The coordinator completes
/// <see cref="Completion"/> with the results, or fails it; <see cref="OnProgress"/> (may be null) is called from
/// the coordinator's thread with the slowest partition's step.
/// </summary>
public sealed record RunJob(string Job, NetworkSpec Spec, PartitionPlan Plan, TaskCompletionSource<JobResult> Completion,
    Action<long>? OnProgress);

/// <summary>Caller → coordinator: stop the job; its completion is cancelled.</summary>
public sealed record CancelJob(string Job);

/// <summary>Everything a finished job produced, one result per partition, in partition order.</summary>
public sealed record JobResult(string Job, NetworkSpec Spec, IReadOnlyList<PartitionResult> Partitions, double BuildSeconds,
    double SimulateSeconds);
