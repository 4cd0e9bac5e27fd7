using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Akka.Actor;
using Akka.Event;
using DistSnn.Cluster.Checkpoints;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// The coordinator's side of node loss. A partition actor that stops before its job ends (its node crashed, was downed
/// or left) took its state with it. A job that writes checkpoints then rolls back: the coordinator releases the
/// surviving partitions, rebuilds every partition under a new incarnation name (see <see cref="JobIncarnation"/>) —
/// the shard region places the lost ones on surviving nodes — restores each from the newest complete checkpoint (or
/// starts over when none is complete yet), sends fresh routing tables and lets the job run to its end. Because every
/// partition, survivors included, goes back to the same checkpoint, which holds the recordings up to it, the results
/// are those of an uninterrupted run: no spike is lost or recorded twice. A job without checkpoints fails instead.
/// </summary>
public sealed partial class JobCoordinator : IWithTimers
{
    /// <summary>Timers of the coordinator (set by Akka): rebuilds of recovering jobs.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Wait before rebuilding, so that the shard coordinator has taken the lost node's region out of its allocation
    /// (it learns of the removal at about the same time as this coordinator).
    /// </summary>
    internal static readonly TimeSpan RebuildDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A partition that has not answered its build after this long is asked again (the build may have gone to a region
    /// that was going away); repeated builds are ignored by a partition that has one.
    /// </summary>
    internal static readonly TimeSpan RebuildRetry = TimeSpan.FromSeconds(10);

    /// <summary>How many times a build is sent before the job fails (30 × 10 s: five minutes for a partition to build).</summary>
    internal const int MaxRebuildAttempts = 30;

    private readonly Dictionary<string, Stopwatch> _recoveryClocks = new(StringComparer.Ordinal);
    private readonly string? _takeOverFrom;

    /// <inheritdoc />
    protected override void PreStart()
    {
        base.PreStart();
        if (_takeOverFrom is not null) TakeOverJobs(_takeOverFrom);
    }

    /// <summary>Resumes every job that an earlier coordinator left running in <paramref name="root"/>.</summary>
    private void TakeOverJobs(string root)
    {
        foreach (var path in JobStateFile.Find(root))
        {
            JobStateFile state;
            SubmitJob submit;
            try
            {
                state = JobStateFile.Read(path);
                if (state.State != "running" || _jobs.ContainsKey(state.Job)) continue;
                submit = state.ToSubmit(root, path);
            }
            catch (CheckpointException e)
            {
                _log.Error("not taking over the job of {0}: {1}", path, e.Message);
                continue;
            }
            _log.Warning("job {0}: taking it over from an earlier coordinator (incarnation {1} in {2})", state.Job, state.Generation, path);
            if (Start(submit, state) is JobRejected rejected) _log.Error("job {0}: cannot be taken over: {1}", state.Job, rejected.Reason);
        }
    }

    /// <summary>Rolls a job taken over from an earlier coordinator back to its newest checkpoint, past every incarnation that one started.</summary>
    private void TakeOver(JobRun run, JobStateFile state)
    {
        _recoveryClocks[run.Submit.Job] = Stopwatch.StartNew();
        RollBackTo(run.Submit.Job, run, "the coordinator moved", state.Generation + 1);
    }

    /// <summary>The run whose current incarnation is <paramref name="partitionJob"/>; false for unknown jobs and earlier incarnations.</summary>
    private bool Current(string partitionJob, [NotNullWhen(true)] out JobRun? run)
    {
        var (job, generation) = JobIncarnation.Parse(partitionJob);
        if (_jobs.TryGetValue(job, out run) && run.Generation == generation) return true;
        run = null;
        return false;
    }

    private void OnPartitionStopped(Terminated t)
    {
        foreach (var (job, run) in _jobs.ToList())
        {
            if (run.State is not (JobState.Building or JobState.Running or JobState.Recovering)) continue;
            int q = run.IndexOf(t.ActorRef);
            if (q < 0) continue;
            string why = $"partition {q} on {t.ActorRef.Path.Address} stopped before the job ended (its node left the cluster, was downed or crashed)";
            if (run.Submit.Checkpoints is null)
                FailJob(job, why + "; submit the job with checkpoints (--checkpoint-every) to let it survive the loss of a node");
            else
                Recover(job, run, why);
        }
    }

    /// <summary>Pauses <paramref name="run"/> and rolls it back to its newest complete checkpoint (or to the start).</summary>
    private void Recover(string job, JobRun run, string why)
    {
        // The survivors stop (they would wait forever for the lost partition's packets); a packet or report they still
        // send carries the old incarnation's name and is dropped.
        foreach (var p in run.Partitions) Context.Unwatch(p);
        Release(run);
        if (!_recoveryClocks.ContainsKey(job)) _recoveryClocks[job] = Stopwatch.StartNew();
        RollBackTo(job, run, why, 0);
    }

    private void RollBackTo(string job, JobRun run, string why, int atLeastGeneration)
    {
        ResumeFrom? checkpoint;
        try
        {
            checkpoint = NewestCheckpoint(run);
        }
        catch (CheckpointException e)
        {
            FailJob(job, $"{why}, and its newest checkpoint cannot be used: {e.Message}");
            return;
        }
        string incarnation = run.RollBack(checkpoint, atLeastGeneration);
        if (PrepareCheckpoints(run.Submit with { Resume = checkpoint }, run.Plan) is { } refused)
        {
            FailJob(job, $"{why}, and its newest checkpoint cannot be used: {refused}");
            return;
        }
        PersistJobState(run);
        _log.Warning("job {0}: {1}; rolling back to {2} as {3}", job, why,
            checkpoint is null ? "the start (no complete checkpoint yet)" : $"the checkpoint at step {checkpoint.Manifest.Step}", incarnation);
        Timers.StartSingleTimer("rebuild/" + job, new RebuildPartitions(job, run.Generation, 1), RebuildDelay);
    }

    /// <summary>The newest complete checkpoint of the job, verified; null when none is complete yet.</summary>
    private static ResumeFrom? NewestCheckpoint(JobRun run)
    {
        string dir = CheckpointStore.JobDirectory(run.Submit.Checkpoints!.Directory, run.Submit.Job);
        if (!CheckpointStore.StepFolders(dir).Any(s => File.Exists(Path.Combine(s.Path, CheckpointStore.ManifestName)))) return null;
        var (checkpoint, _) = CheckpointStore.Load(dir);
        return checkpoint;
    }

    private void OnRebuild(RebuildPartitions r)
    {
        if (!_jobs.TryGetValue(r.Job, out var run) || run.Generation != r.Generation || run.State != JobState.Recovering) return;
        var missing = run.Unbuilt().ToList();
        if (missing.Count == 0) return;
        if (r.Attempt > MaxRebuildAttempts)
        {
            FailJob(r.Job, $"partitions {string.Join(", ", missing)} were not rebuilt within {(MaxRebuildAttempts * RebuildRetry).TotalSeconds:F0} s after a node loss");
            return;
        }
        var submit = run.Submit with { Resume = run.RestoredFrom };
        foreach (int q in missing)
            _host.Build(Context, WithCheckpoints(submit, new BuildPartition(run.PartitionJob, run.Submit.Spec, q, run.Plan.Owned(q)) { Backend = run.Plan.Backend(q) }));
        // Children of this coordinator cannot be lost to a region in transit; sharded partitions are asked again.
        if (_host is not ChildPartitionHost)
            Timers.StartSingleTimer("rebuild/" + r.Job, r with { Attempt = r.Attempt + 1 }, RebuildRetry);
    }

    /// <summary>Every partition of the new incarnation is built and has its routes: the job runs again.</summary>
    private void Recovered(JobRun run)
    {
        string job = run.Submit.Job;
        double seconds = _recoveryClocks.Remove(job, out var clock) ? clock.Elapsed.TotalSeconds : double.NaN;
        _log.Warning("job {0}: running again as {1} from step {2}, {3:F1} s after the loss was noticed", job, run.PartitionJob,
            run.RestoredFrom?.Manifest.Step ?? 0, seconds);
    }

    /// <summary>
    /// Writes the job's state file next to its checkpoints, so that a coordinator on another node can take the job over.
    /// A file that cannot be written costs only that: the job runs on, and the error is logged.
    /// </summary>
    private void PersistJobState(JobRun run)
    {
        if (run.Submit.Checkpoints is not { } request) return;
        try
        {
            JobStateFile.Of(run).Write(request.Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error("job {0}: its state file could not be written into {1} ({2}); it will not survive the loss of the coordinator's node",
                run.Submit.Job, request.Directory, e.Message);
        }
    }

    /// <summary>Forgets the recovery state of a job that ended.</summary>
    private void JobEnded(JobRun run)
    {
        PersistJobState(run);
        _recoveryClocks.Remove(run.Submit.Job);
        Timers.Cancel("rebuild/" + run.Submit.Job);
    }
}

/// <summary>
/// Coordinator → itself: (re)send the builds of a recovering job's partitions that have not answered. Attempt counts
/// from 1. Never leaves the coordinator's process.
/// </summary>
internal sealed record RebuildPartitions(string Job, int Generation, int Attempt);
