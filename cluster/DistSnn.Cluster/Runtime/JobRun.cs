using System.Diagnostics;
using Akka.Actor;
using DistSnn.Monitoring;
using DistSnn.Nodes.Exchange;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// The coordinator's bookkeeping for one job, kept out of the actor so it can be tested alone: which partitions
/// have built (and where they live), routing, progress, results.
/// </summary>
public sealed partial class JobRun
{
    private readonly PartitionBuilt?[] _built;
    private readonly IActorRef?[] _refs;
    private readonly PartitionResult?[] _results;
    private readonly long[] _progress;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly Stopwatch _build = new();
    private readonly Stopwatch _run = new();
    private readonly JobTrace _trace;

    /// <summary>
    /// Starts the bookkeeping (and the job's span) for a job submitted to the coordinator on <paramref name="node"/>:
    /// building (the caller builds its partitions now and calls <see cref="Launch"/>) or, with
    /// <paramref name="queued"/>, waiting for its turn.
    /// </summary>
    public JobRun(SubmitJob submit, PartitionPlan plan, string node = "local", bool queued = false)
    {
        Submit = submit;
        Plan = plan;
        State = queued ? JobState.Queued : JobState.Building;
        _built = new PartitionBuilt?[plan.Parts];
        _refs = new IActorRef?[plan.Parts];
        _results = new PartitionResult?[plan.Parts];
        _progress = new long[plan.Parts];
        _trace = new JobTrace(submit.Job, node, plan.Parts, submit.Spec.TotalNeurons, submit.Spec.Run.Steps);
    }

    /// <summary>The job span's context (default when nobody traces): the parent of the job's later spans.</summary>
    public ActivityContext Trace => _trace.Context;

    /// <summary>The submission.</summary>
    public SubmitJob Submit { get; }
    /// <summary>The partition plan.</summary>
    public PartitionPlan Plan { get; }
    /// <summary>Current state.</summary>
    public JobState State { get; private set; }
    /// <summary>Why the job failed, if it did.</summary>
    public string? Error { get; private set; }
    /// <summary>The slowest partition's step.</summary>
    public long Step => _progress.Length == 0 ? 0 : _progress.Min();
    /// <summary>The result, once finished.</summary>
    public JobResult? Result { get; private set; }
    /// <summary>Partition actors that have answered so far.</summary>
    public IEnumerable<IActorRef> Partitions => _refs.Where(r => r is not null)!;

    /// <summary>Where the partitions built so far live.</summary>
    public JobPartitions Locations(Func<IActorRef, string> pathOf) => new(Submit.Job, Enumerable.Range(0, _built.Length)
        .Where(q => _built[q] is not null && _refs[q] is not null)
        .Select(q => new PartitionLocation(q, pathOf(_refs[q]!), _built[q]!.Neurons, _built[q]!.Synapses) { Backend = Plan.Backend(q) }).ToArray());

    /// <summary>The job's status for clients.</summary>
    public JobStatus Status() => new(Submit.Job, State, Plan.Parts, State == JobState.Finished ? Submit.Spec.Run.Steps : Step,
        Submit.Spec.Run.Steps, Submit.Spec.Run.Dt, _wall.Elapsed.TotalSeconds, Error);

    /// <summary>
    /// Records a built partition; when the last one is in, returns each partition's <see cref="StartRun"/>
    /// (routing: a source sends only to partitions that have synapses from one of its neurons).
    /// </summary>
    public IReadOnlyList<(IActorRef Partition, StartRun Start)>? OnBuilt(PartitionBuilt built, IActorRef partition, IActorRef coordinator)
    {
        if (State is not (JobState.Building or JobState.Recovering) || built.Partition < 0 || built.Partition >= _built.Length) return null;
        _built[built.Partition] = built;
        _refs[built.Partition] = partition;
        if (_built.Any(b => b is null)) return null;
        _build.Stop();
        _run.Start();
        State = JobState.Running;
        _trace.Running();
        int n = _built.Length;
        var table = RoutingTable.Build(Enumerable.Range(0, n).Select(q => RoutingTable.OwnedBits(Submit.Spec, Plan.Owned(q))).ToArray(),
            _built.Select(b => b!.ReceivesFrom).ToArray());
        return Enumerable.Range(0, n).Select(q => (_refs[q]!, new StartRun(PartitionJob,
            table.Routes(q).Select(r => new OutRoute(r.Target, _refs[r.Target]!, r.Filter)).ToArray(), table.Sources(q), coordinator))).ToArray();
    }

    /// <summary>The partitions are being built from now on (build time counts from here, wall time from submission).</summary>
    public void Launch()
    {
        if (State is not (JobState.Queued or JobState.Building))
            throw new InvalidOperationException($"job '{Submit.Job}' cannot start: it is {State}");
        State = JobState.Building;
        _build.Restart();
        _trace.Building();
    }

    /// <summary>Records progress; returns true when the slowest partition moved.</summary>
    public bool OnProgress(PartitionProgress p)
    {
        if (p.Partition < 0 || p.Partition >= _progress.Length) return false;
        long before = Step;
        _progress[p.Partition] = Math.Max(_progress[p.Partition], p.Step);
        if (Step <= before) return false;
        _trace.RealTimeFactor(Status().RealTimeFactor);
        return true;
    }

    /// <summary>Records a finished partition; returns the job result when it was the last.</summary>
    public JobResult? OnFinished(PartitionFinished f)
    {
        if (State != JobState.Running || f.Partition < 0 || f.Partition >= _results.Length) return null;
        _results[f.Partition] = f.Result;
        _progress[f.Partition] = Submit.Spec.Run.Steps;
        if (_results.Any(r => r is null)) return null;
        _run.Stop();
        _wall.Stop();
        State = JobState.Finished;
        Result = new JobResult(Submit.Job, Submit.Spec, _results.Select(r => r!).ToArray(), _build.Elapsed.TotalSeconds,
            _run.Elapsed.TotalSeconds) { Trace = Trace };
        _trace.RealTimeFactor(Status().RealTimeFactor);
        _trace.Finished();
        return Result;
    }

    /// <summary>Marks the job failed (first reason wins).</summary>
    public void Fail(string reason)
    {
        if (State is JobState.Finished or JobState.Failed or JobState.Cancelled) return;
        State = JobState.Failed;
        Error = reason;
        _wall.Stop();
        _trace.Failed(reason);
    }

    /// <summary>Marks the job cancelled.</summary>
    public void Cancel()
    {
        if (State is JobState.Finished or JobState.Failed or JobState.Cancelled) return;
        State = JobState.Cancelled;
        _wall.Stop();
        _trace.Cancelled();
    }
}
