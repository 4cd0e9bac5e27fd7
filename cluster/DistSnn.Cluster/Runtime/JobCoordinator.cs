using System.Globalization;
using Akka.Actor;
using Akka.Event;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Resources;
using DistSnn.Model;
using DistSnn.Nodes.Backends;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// Accepts jobs, runs the partitioner, ships each partition the model and its slice (partitions build their own
/// synapses in parallel), turns the partitions' "receives from" sets into routing tables, starts them, relays
/// progress and gathers results. It does nothing per step or per epoch. Partitions are placed by an
/// <see cref="IPartitionHost"/>: children in the embedded default, a cluster shard region on a cluster.
/// </summary>
public sealed partial class JobCoordinator : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IPartitionHost _host;
    private readonly ResourceGuard _guard;
    private readonly BackendRegistry _backends;
    private readonly Dictionary<string, JobRun> _jobs = new(StringComparer.Ordinal);
    private readonly List<string> _order = new();
    private readonly Dictionary<string, (TaskCompletionSource<JobResult> Done, Action<long>? Progress)> _watchers = new(StringComparer.Ordinal);

    /// <summary>
    /// Creates a coordinator placing partitions with <paramref name="host"/>; jobs that would not fit in memory are
    /// refused by <paramref name="guard"/> (default: <see cref="ResourceGuard.FromEnvironment"/>). At most
    /// <paramref name="maxConcurrentJobs"/> jobs build or run at once (0 = no limit); the others wait, first in, first out.
    /// </summary>
    /// <remarks>
    /// With <paramref name="takeOverFrom"/> (a checkpoint directory every node shares) the coordinator, when it starts,
    /// takes over every job still running there (see <see cref="JobStateFile"/>): this is how a job survives the loss
    /// of the coordinator's own node. A job whose model needs a backend <paramref name="backends"/> lacks, or something
    /// a backend does not support, is refused when it is submitted (default: <see cref="BackendRegistry.Default"/>).
    /// </remarks>
    public JobCoordinator(IPartitionHost host, ResourceGuard? guard = null, int maxConcurrentJobs = 0, string? takeOverFrom = null,
        BackendRegistry? backends = null)
    {
        _host = host;
        _backends = backends ?? BackendRegistry.Default;
        _takeOverFrom = takeOverFrom;
        _guard = guard ?? ResourceGuard.FromEnvironment();
        _maxConcurrentJobs = maxConcurrentJobs >= 0 ? maxConcurrentJobs
            : throw new ArgumentOutOfRangeException(nameof(maxConcurrentJobs), maxConcurrentJobs, "must be >= 0 (0 = no limit)");
        Receive<SubmitJob>(s => Sender.Tell(Start(s)));
        Receive<RunJob>(r =>
        {
            if (_jobs.ContainsKey(r.Submit.Job))
            {
                r.Completion.TrySetException(new InvalidOperationException($"job '{r.Submit.Job}' already exists"));
                return;
            }
            _watchers[r.Submit.Job] = (r.Completion, r.OnProgress);
            if (r.OnCheckpoint is { } onCheckpoint) _checkpointWatchers[r.Submit.Job] = onCheckpoint;
            if (Start(r.Submit) is JobRejected rejected)
                Finish(r.Submit.Job, rejected.Reason);
        });
        Receive<PartitionBuilt>(OnBuilt);
        Receive<Terminated>(OnPartitionStopped);
        Receive<PartitionFailed>(f =>
        {
            if (Current(f.Job, out var run)) FailJob(run.Submit.Job, $"partition {f.Partition}: {f.Reason}");
        });
        Receive<RebuildPartitions>(OnRebuild);
        Receive<PartitionProgress>(OnProgress);
        Receive<PartitionFinished>(OnFinished);
        Receive<PartitionCheckpointed>(OnCheckpointed);
        Receive<GetJobStatus>(g => Sender.Tell(_jobs.TryGetValue(g.Job, out var run) ? run.Status() : Unknown(g.Job)));
        Receive<ListJobs>(_ => Sender.Tell(new JobList(_order.Select(j => _jobs[j].Status()).ToArray())));
        Receive<GetJobResult>(g =>
        {
            if (!_jobs.TryGetValue(g.Job, out var run)) Sender.Tell(Unknown(g.Job));
            else if (run.Result is { } result) Sender.Tell(result);
            else Sender.Tell(run.Status());
        });
        Receive<GetJobPartitions>(g =>
        {
            // Full paths with the node's address, also for partitions on the coordinator's own node.
            var self = ((ExtendedActorSystem)Context.System).Provider.DefaultAddress;
            Sender.Tell(_jobs.TryGetValue(g.Job, out var run)
                ? run.Locations(r => r.Path.ToStringWithAddress(self))
                : new JobPartitions(g.Job, []));
        });
        Receive<CancelJob>(c =>
        {
            if (!_jobs.TryGetValue(c.Job, out var run))
            {
                Sender.Tell(Unknown(c.Job));
                return;
            }
            run.Cancel();
            Release(run);
            JobEnded(run);
            if (_watchers.Remove(c.Job, out var w)) w.Done.TrySetCanceled();
            Sender.Tell(run.Status());
            StartQueued();
        });
    }

    /// <summary>A partition that throws stops; its job fails rather than continuing with lost state.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(0, TimeSpan.Zero, e =>
    {
        // Listed first: failing a job starts queued ones, which must not be failed with it.
        foreach (var job in _jobs.Where(j => j.Value.State is JobState.Building or JobState.Running or JobState.Recovering).Select(j => j.Key).ToList())
            FailJob(job, $"a partition crashed: {e.Message}");
        return Directive.Stop;
    });

    /// <summary>
    /// Admits a job and builds its partitions; a job taken over from an earlier coordinator (<paramref name="takenOver"/>:
    /// its state file) is rolled back to its newest checkpoint instead.
    /// </summary>
    private object Start(SubmitJob s, JobStateFile? takenOver = null)
    {
        if (JobAdmission.CheckId(s.Job) is { } badId) return new JobRejected(s.Job, badId);
        if (_jobs.ContainsKey(s.Job)) return new JobRejected(s.Job, $"job '{s.Job}' already exists");
        var (admitted, refused) = JobAdmission.Plan(s, _backends);
        if (admitted is not { } plan) return new JobRejected(s.Job, refused!);
        if (_host.CannotHost(Context, plan.Backends) is { } noNode) return new JobRejected(s.Job, noNode);
        if (PrepareCheckpoints(s, plan) is { } noCheckpoints) return new JobRejected(s.Job, noCheckpoints);
        if (takenOver is not null)
        {
            // A job an earlier coordinator was running goes on at once, ahead of the queue.
            var run = Add(new JobRun(s, plan, TelemetryNode.Of(Context.System)));
            run.Launch();
            TakeOver(run, takenOver);
            return new JobAccepted(s.Job);
        }
        if (HasRoom)
        {
            // Children of this coordinator share its process; sharded partitions each go to a node of their own kind.
            if (TooLarge(s, plan) is { } tooLarge) return new JobRejected(s.Job, tooLarge);
            Launch(Add(new JobRun(s, plan, TelemetryNode.Of(Context.System))));
        }
        else
        {
            var queued = Add(new JobRun(s, plan, TelemetryNode.Of(Context.System), queued: true));
            _queue.Enqueue(queued);
            _log.Info("job {0} queued behind {1} running jobs ({2} waiting)", s.Job, _maxConcurrentJobs, _queue.Count);
        }
        return new JobAccepted(s.Job);
    }

    private JobRun Add(JobRun run)
    {
        _jobs[run.Submit.Job] = run;
        _order.Add(run.Submit.Job);
        return run;
    }

    private string? TooLarge(SubmitJob s, PartitionPlan plan)
    {
        if (_guard.Check(s.Spec, plan, oneProcess: _host is ChildPartitionHost) is not { } tooLarge) return null;
        _log.Warning("job {0} refused: {1}", s.Job, tooLarge);
        return tooLarge;
    }

    private void Launch(JobRun run)
    {
        var s = run.Submit;
        run.Launch();
        _log.Info("job {0}: {1} neurons on {2} partitions", s.Job, s.Spec.TotalNeurons, run.Plan.Parts);
        PersistJobState(run);
        for (int q = 0; q < run.Plan.Parts; q++)
            _host.Build(Context, WithCheckpoints(s, new BuildPartition(s.Job, s.Spec, q, run.Plan.Owned(q)) { Backend = run.Plan.Backend(q) }));
    }

    private void OnBuilt(PartitionBuilt b)
    {
        if (!Current(b.Job, out var run) || run.State is not (JobState.Building or JobState.Recovering))
        {
            // Its job was cancelled or failed (or is unknown here, or this is an earlier incarnation) while this
            // partition built: nobody would ever send it EndJob, and it would keep its engine for the life of the node.
            _host.Release(Context, b.Job, [Sender]);
            return;
        }
        Context.Watch(Sender);
        bool recovering = run.State == JobState.Recovering;
        var starts = run.OnBuilt(b, Sender, Self);
        if (starts is null) return;
        foreach (var (partition, start) in starts) partition.Tell(start);
        if (recovering) Recovered(run);
    }

    private void OnProgress(PartitionProgress p)
    {
        if (!Current(p.Job, out var run) || !run.OnProgress(p)) return;
        if (_watchers.TryGetValue(run.Submit.Job, out var w)) w.Progress?.Invoke(run.Step);
    }

    private void OnFinished(PartitionFinished f)
    {
        if (!Current(f.Job, out var run)) return;
        if (run.OnFinished(f) is not { } result) return;
        _log.Info("job {0} finished: build {1:F2} s, simulate {2:F2} s; per partition computing/waiting {3}", result.Job,
            result.BuildSeconds, result.SimulateSeconds, string.Join(", ", result.Partitions.Select(r =>
                string.Create(CultureInfo.InvariantCulture, $"{r.Partition}: {r.SimulateSeconds:F2}/{r.WaitSeconds:F2} s"))));
        Release(run);
        JobEnded(run);
        StartQueued();
        if (_watchers.Remove(result.Job, out var w))
        {
            w.Progress?.Invoke(run.Step);
            w.Done.TrySetResult(result);
        }
    }

    private void FailJob(string job, string reason)
    {
        if (!_jobs.TryGetValue(job, out var run)) return;
        _log.Error("job {0} failed: {1}", job, reason);
        run.Fail(reason);
        Release(run);
        JobEnded(run);
        Finish(job, reason);
        StartQueued();
    }

    private void Finish(string job, string reason)
    {
        if (_watchers.Remove(job, out var w)) w.Done.TrySetException(new InvalidOperationException(reason));
    }

    private void Release(JobRun run) => _host.Release(Context, run.PartitionJob, run.Partitions);

    private static JobStatus Unknown(string job) => new(job, JobState.Failed, 0, 0, 0, 0, 0, "unknown job");
}
