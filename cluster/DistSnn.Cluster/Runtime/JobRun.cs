using System.Diagnostics;
using Akka.Actor;
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
    private readonly Stopwatch _build = Stopwatch.StartNew();
    private readonly Stopwatch _run = new();

    /// <summary>Starts the bookkeeping for a submitted job.</summary>
    public JobRun(SubmitJob submit, PartitionPlan plan)
    {
        Submit = submit;
        Plan = plan;
        _built = new PartitionBuilt?[plan.Parts];
        _refs = new IActorRef?[plan.Parts];
        _results = new PartitionResult?[plan.Parts];
        _progress = new long[plan.Parts];
    }

    /// <summary>The submission.</summary>
    public SubmitJob Submit { get; }
    /// <summary>The partition plan.</summary>
    public PartitionPlan Plan { get; }
    /// <summary>Current state.</summary>
    public JobState State { get; private set; } = JobState.Building;
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
        .Select(q => new PartitionLocation(q, pathOf(_refs[q]!), _built[q]!.Neurons, _built[q]!.Synapses)).ToArray());

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
        int n = _built.Length;
        var owned = Enumerable.Range(0, n).Select(OwnedBits).ToArray();
        var inDegree = new int[n];
        var routes = new List<OutRoute>[n];
        for (int q = 0; q < n; q++) routes[q] = new List<OutRoute>();
        for (int p = 0; p < n; p++)
        {
            var wants = _built[p]!.ReceivesFrom;
            for (int q = 0; q < n; q++)
            {
                if (!Intersects(wants, owned[q])) continue;
                routes[q].Add(new OutRoute(p, _refs[p]!, wants));
                inDegree[p]++;
            }
        }
        return Enumerable.Range(0, n)
            .Select(q => (_refs[q]!, new StartRun(PartitionJob, routes[q], inDegree[q], coordinator))).ToArray();
    }

    /// <summary>Records progress; returns true when the slowest partition moved.</summary>
    public bool OnProgress(PartitionProgress p)
    {
        if (p.Partition < 0 || p.Partition >= _progress.Length) return false;
        long before = Step;
        _progress[p.Partition] = Math.Max(_progress[p.Partition], p.Step);
        return Step > before;
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
            _run.Elapsed.TotalSeconds);
        return Result;
    }

    /// <summary>Marks the job failed (first reason wins).</summary>
    public void Fail(string reason)
    {
        if (State is JobState.Finished or JobState.Failed or JobState.Cancelled) return;
        State = JobState.Failed;
        Error = reason;
        _wall.Stop();
    }

    /// <summary>Marks the job cancelled.</summary>
    public void Cancel()
    {
        if (State is JobState.Finished or JobState.Failed or JobState.Cancelled) return;
        State = JobState.Cancelled;
        _wall.Stop();
    }

    private ulong[] OwnedBits(int q)
    {
        var spec = Submit.Spec;
        var first = spec.FirstGids();
        var bits = new ulong[(spec.TotalNeurons + 63) / 64];
        var owned = Plan.Owned(q);
        for (int p = 0; p < owned.Count; p++)
            foreach (var i in owned[p])
            {
                long g = first[p] + i;
                bits[g >> 6] |= 1UL << (int)(g & 63);
            }
        return bits;
    }

    private static bool Intersects(ulong[] a, ulong[] b)
    {
        for (int i = 0; i < a.Length; i++)
            if ((a[i] & b[i]) != 0) return true;
        return false;
    }
}
