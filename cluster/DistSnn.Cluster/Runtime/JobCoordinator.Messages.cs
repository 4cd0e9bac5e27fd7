using Akka.Actor;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Model;
using DistSnn.Nodes.Backends;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Runtime;

/// <summary>Life cycle of a job.</summary>
public enum JobState
{
    /// <summary>Partitions are building their neurons and synapses.</summary>
    Building,
    /// <summary>Partitions are simulating.</summary>
    Running,
    /// <summary>All partitions finished; results can be fetched.</summary>
    Finished,
    /// <summary>A partition failed; see the error.</summary>
    Failed,
    /// <summary>Cancelled on request.</summary>
    Cancelled,
    /// <summary>Waiting for a running job to end (the coordinator runs a limited number at once, first in, first out).</summary>
    Queued,
    /// <summary>
    /// A partition was lost (its node crashed or was downed): the job is paused and its partitions are being rebuilt
    /// from the last complete checkpoint (or from the start when there is none yet); it runs again when all are back.
    /// </summary>
    Recovering,
}

/// <summary>
/// Client → coordinator: run <see cref="Spec"/> on <see cref="Partitions"/> partitions placed with
/// <see cref="Strategy"/>. Answered by <see cref="JobAccepted"/> or <see cref="JobRejected"/>.
/// </summary>
public sealed record SubmitJob(string Job, NetworkSpec Spec, int Partitions, PartitionStrategy Strategy)
{
    /// <summary>When set, the job writes checkpoints.</summary>
    public CheckpointRequest? Checkpoints { get; init; }

    /// <summary>When set, the job continues from this checkpoint (same model, partitions and strategy).</summary>
    public ResumeFrom? Resume { get; init; }
}

/// <summary>Coordinator → client: the job was accepted and is building.</summary>
public sealed record JobAccepted(string Job);

/// <summary>Coordinator → client: the job was not accepted (duplicate id, bad settings), with the reason.</summary>
public sealed record JobRejected(string Job, string Reason);

/// <summary>Client → coordinator: where is this job? Answered by <see cref="JobStatus"/>.</summary>
public sealed record GetJobStatus(string Job);

/// <summary>
/// Coordinator → client: a job's state and progress. <see cref="Step"/> is the slowest partition's step;
/// <see cref="WallSeconds"/> counts from submission.
/// </summary>
public sealed record JobStatus(string Job, JobState State, int Partitions, long Step, long TotalSteps, double Dt,
    double WallSeconds, string? Error)
{
    /// <summary>Biological time simulated so far (ms).</summary>
    public double BiologicalMs => Step * Dt;
    /// <summary>Wall seconds per biological second so far (NaN before the first step).</summary>
    public double RealTimeFactor => Step > 0 ? WallSeconds / (BiologicalMs / 1000.0) : double.NaN;
}

/// <summary>Client → coordinator: list all jobs. Answered by <see cref="JobList"/>.</summary>
public sealed class ListJobs
{
    /// <summary>The only instance.</summary>
    public static readonly ListJobs Instance = new();
    private ListJobs() { }
}

/// <summary>Coordinator → client: every job the coordinator knows, oldest first.</summary>
public sealed record JobList(IReadOnlyList<JobStatus> Jobs);

/// <summary>
/// Client → coordinator: the results of a finished job. Answered by <see cref="JobResult"/>, or by
/// <see cref="JobStatus"/> when the job has not finished (or does not exist: state Failed, error "unknown job").
/// </summary>
public sealed record GetJobResult(string Job);

/// <summary>Client → coordinator: where do a job's partitions live? Answered by <see cref="JobPartitions"/>.</summary>
public sealed record GetJobPartitions(string Job);

/// <summary>One partition of a job: its index, the actor path (which names the node) and its size.</summary>
public sealed record PartitionLocation(int Partition, string Path, long Neurons, long Synapses)
{
    /// <summary>The backend that hosts the partition.</summary>
    public string Backend { get; init; } = Model.PopulationSpec.DefaultBackend;
}

/// <summary>Coordinator → client: the partitions that have been built so far.</summary>
public sealed record JobPartitions(string Job, IReadOnlyList<PartitionLocation> Partitions);

/// <summary>Client → coordinator: stop a job. Answered by its <see cref="JobStatus"/>.</summary>
public sealed record CancelJob(string Job);

/// <summary>Everything a finished job produced, one result per partition, in partition order.</summary>
public sealed record JobResult(string Job, NetworkSpec Spec, IReadOnlyList<PartitionResult> Partitions, double BuildSeconds,
    double SimulateSeconds)
{
    /// <summary>
    /// The job's span, parent of the result-gathering span. In the coordinator's process only: it is not encoded,
    /// so results fetched through another node gather under a trace of their own.
    /// </summary>
    public System.Diagnostics.ActivityContext Trace { get; init; }

    /// <summary>Memory by phase, for jobs run in this process; null for jobs on actors or nodes (not encoded).</summary>
    public MemoryPhases? Memory { get; init; }
}

/// <summary>
/// In-process only: submit a job and be told about it through <see cref="Completion"/> (completed, failed or
/// cancelled) and <see cref="OnProgress"/> (the slowest partition's step, called on the coordinator's thread).
/// Never crosses the network: it holds a task source and a delegate.
/// </summary>
public sealed record RunJob(SubmitJob Submit, TaskCompletionSource<JobResult> Completion, Action<long>? OnProgress)
    : Akka.Actor.INoSerializationVerificationNeeded
{
    /// <summary>Called (on the coordinator's thread) with the manifest of each completed checkpoint.</summary>
    public Action<CheckpointManifest>? OnCheckpoint { get; init; }
}

/// <summary>Coordinator → partition: the job is over (finished, failed or cancelled); release everything.</summary>
public sealed record EndJob(string Job);

/// <summary>Where a coordinator puts the partitions of a job.</summary>
public interface IPartitionHost
{
    /// <summary>Sends <paramref name="build"/> to a (new) partition actor; it answers the coordinator.</summary>
    void Build(IActorContext coordinator, BuildPartition build);

    /// <summary>Releases a job's partitions (the refs that answered its builds).</summary>
    void Release(IActorContext coordinator, string job, IEnumerable<IActorRef> partitions);

    /// <summary>Why the partitions of <paramref name="backends"/> (one name per partition) cannot be placed now, or null.</summary>
    string? CannotHost(IActorContext coordinator, IReadOnlyList<string> backends) => null;
}

/// <summary>Partitions as children of the coordinator: one process (<paramref name="backends"/>: default <see cref="BackendRegistry.Default"/>).</summary>
public sealed class ChildPartitionHost(BackendRegistry? backends = null) : IPartitionHost
{
    private readonly BackendRegistry _backends = backends ?? BackendRegistry.Default;
    private long _sequence;

    /// <inheritdoc />
    public void Build(IActorContext coordinator, BuildPartition build)
    {
        var backends = _backends;
        var child = coordinator.ActorOf(Props.Create(() => new PartitionActor(false, backends)), $"partition-{_sequence++}");
        child.Tell(build, coordinator.Self);
    }

    /// <inheritdoc />
    public void Release(IActorContext coordinator, string job, IEnumerable<IActorRef> partitions)
    {
        foreach (var p in partitions) coordinator.Stop(p);
    }
}
