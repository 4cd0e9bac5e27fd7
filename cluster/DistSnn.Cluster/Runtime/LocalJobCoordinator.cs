using System.Diagnostics;
using Akka.Actor;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// Runs one job on partitions hosted in this actor system: creates one <see cref="PartitionActor"/> per
/// partition, ships each the model and its slice (partitions build their synapses in parallel), turns the
/// partitions' "receives from" sets into routing tables so a source sends only to partitions with synapses from
/// it, starts them, relays progress and gathers results. It does nothing per step or per epoch.
/// </summary>
public sealed class LocalJobCoordinator : ReceiveActor
{
    private RunJob? _job;
    private IActorRef[] _partitions = [];
    private PartitionBuilt?[] _built = [];
    private PartitionResult?[] _results = [];
    private long[] _progress = [];
    private long _reportedStep = -1;
    private readonly Stopwatch _buildClock = new();
    private readonly Stopwatch _runClock = new();

    /// <summary>Creates an idle coordinator.</summary>
    public LocalJobCoordinator()
    {
        Receive<RunJob>(Start);
        Receive<PartitionBuilt>(OnBuilt);
        Receive<PartitionFailed>(f => Fail(new InvalidOperationException($"partition {f.Partition}: {f.Reason}")));
        Receive<PartitionProgress>(OnProgress);
        Receive<PartitionFinished>(OnFinished);
        Receive<CancelJob>(c =>
        {
            if (_job is null || c.Job != _job.Job) return;
            _job.Completion.TrySetCanceled();
            StopPartitions();
        });
    }

    /// <summary>Partition failures stop the job rather than restarting a partition with lost state.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(0, TimeSpan.Zero, e =>
    {
        Fail(e);
        return Directive.Stop;
    });

    private void Start(RunJob job)
    {
        if (_job is not null)
        {
            job.Completion.TrySetException(new InvalidOperationException("this coordinator is already running a job"));
            return;
        }
        _job = job;
        int n = job.Plan.Parts;
        _partitions = new IActorRef[n];
        _built = new PartitionBuilt?[n];
        _results = new PartitionResult?[n];
        _progress = new long[n];
        _buildClock.Start();
        for (int q = 0; q < n; q++)
        {
            _partitions[q] = Context.ActorOf(Props.Create(() => new PartitionActor()), $"partition-{q}");
            _partitions[q].Tell(new BuildPartition(job.Job, job.Spec, q, job.Plan.Owned(q)));
        }
    }

    private void OnBuilt(PartitionBuilt b)
    {
        if (_job is null || b.Job != _job.Job) return;
        _built[b.Partition] = b;
        if (_built.Any(x => x is null)) return;
        _buildClock.Stop();
        _runClock.Start();
        int n = _partitions.Length;
        var inDegree = new int[n];
        var routes = new List<OutRoute>[n];
        for (int q = 0; q < n; q++) routes[q] = new List<OutRoute>();
        var owned = Enumerable.Range(0, n).Select(q => OwnedBits(q)).ToArray();
        for (int p = 0; p < n; p++)
        {
            var wants = _built[p]!.ReceivesFrom;
            for (int q = 0; q < n; q++)
            {
                // q sends to p only when p has synapses from one of q's neurons.
                if (!Intersects(wants, owned[q])) continue;
                routes[q].Add(new OutRoute(p, _partitions[p], wants));
                inDegree[p]++;
            }
        }
        for (int q = 0; q < n; q++)
            _partitions[q].Tell(new StartRun(_job.Job, routes[q], inDegree[q], Self));
    }

    private ulong[] OwnedBits(int q)
    {
        var spec = _job!.Spec;
        var first = spec.FirstGids();
        var bits = new ulong[(spec.TotalNeurons + 63) / 64];
        var owned = _job.Plan.Owned(q);
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

    private void OnProgress(PartitionProgress p)
    {
        if (_job is null || p.Job != _job.Job) return;
        _progress[p.Partition] = p.Step;
        long min = _progress.Min();
        if (min > _reportedStep)
        {
            _reportedStep = min;
            _job.OnProgress?.Invoke(min);
        }
    }

    private void OnFinished(PartitionFinished f)
    {
        if (_job is null || f.Job != _job.Job) return;
        _results[f.Partition] = f.Result;
        if (_results.Any(r => r is null)) return;
        _runClock.Stop();
        _job.Completion.TrySetResult(new JobResult(_job.Job, _job.Spec, _results.Select(r => r!).ToArray(),
            _buildClock.Elapsed.TotalSeconds, _runClock.Elapsed.TotalSeconds));
        StopPartitions();
    }

    private void Fail(Exception e)
    {
        _job?.Completion.TrySetException(e);
        StopPartitions();
    }

    private void StopPartitions()
    {
        foreach (var p in _partitions) Context.Stop(p);
        _partitions = [];
    }
}
