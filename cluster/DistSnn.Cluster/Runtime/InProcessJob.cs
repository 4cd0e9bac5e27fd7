using System.Diagnostics;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Resources;
using DistSnn.Model;
using DistSnn.Monitoring;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Exchange;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// A whole job on the in-process transport (<see cref="InProcessRunner"/>): no actor system, no serialization, the
/// partitions stepping on the thread pool. It admits, plans, builds, checkpoints, resumes and reports exactly as the
/// coordinator and the partition actors do, with the same telemetry, and its results are the same bit for bit.
/// </summary>
internal sealed class InProcessJob : IRunObserver
{
    private const string Node = "local";
    private readonly SubmitJob _submit;
    private readonly PartitionPlan _plan;
    private readonly RunOptions _options;
    private readonly JobTrace _trace;
    private readonly IPartitionBackend[] _backends;
    private readonly PartitionMeter?[] _meters;
    private readonly PartitionCheckpointer?[] _checkpointers;
    private readonly CheckpointTracker? _tracker;
    private readonly Lock _checkpointLock = new();
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private string? _failure;
    private bool _closed;

    private InProcessJob(SubmitJob submit, PartitionPlan plan, RunOptions options)
    {
        _submit = submit;
        _plan = plan;
        _options = options;
        _trace = new JobTrace(submit.Job, Node, plan.Parts, submit.Spec.TotalNeurons, submit.Spec.Run.Steps);
        _backends = new IPartitionBackend[plan.Parts];
        _meters = new PartitionMeter?[plan.Parts];
        _checkpointers = new PartitionCheckpointer?[plan.Parts];
        if (submit.Checkpoints is not null) _tracker = new CheckpointTracker(submit, plan.Backends);
    }

    /// <summary>
    /// Runs <paramref name="submit"/> to the end with the backends of <paramref name="options"/>; <paramref name="progress"/>
    /// gets the slowest partition's step. Throws <see cref="InvalidOperationException"/> with the reason when the job is
    /// refused or fails, <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public static JobResult Run(SubmitJob submit, RunOptions options, Action<long>? progress, CancellationToken cancel)
    {
        var backends = options.Backends ?? BackendRegistry.Default;
        if (JobAdmission.CheckId(submit.Job) is { } badId) throw new InvalidOperationException(badId);
        var (plan, refused) = JobAdmission.Plan(submit, backends);
        if (plan is null) throw new InvalidOperationException(refused);
        if ((options.MemoryGuard ?? ResourceGuard.FromEnvironment()).Check(submit.Spec, plan, oneProcess: true) is { } tooLarge)
            throw new InvalidOperationException(tooLarge);
        if (CheckpointTracker.Refusal(submit, plan) is { } noResume) throw new InvalidOperationException(noResume);
        var job = new InProcessJob(submit, plan, options);
        try
        {
            JobResult result;
            try
            {
                result = job.Execute(backends, progress, cancel);
            }
            catch (AggregateException e) when (e.Flatten().InnerExceptions.FirstOrDefault() is { } first)
            {
                // Partitions build and step in parallel: the first failure is the job's.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
                throw;
            }
            job._trace.Finished();
            return result;
        }
        catch (OperationCanceledException)
        {
            job._trace.Cancelled();
            throw;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or CheckpointException or OutOfMemoryException)
        {
            job._trace.Failed(e.Message);
            throw e is InvalidOperationException ? e : new InvalidOperationException(e.Message, e);
        }
        finally
        {
            foreach (var m in job._meters) m?.Release();
        }
    }

    /// <summary>A heap above this after the build is collected and compacted before the run.</summary>
    private const long LargeHeapBytes = 64L << 20;

    private JobResult Execute(BackendRegistry registry, Action<long>? progress, CancellationToken cancel)
    {
        var spec = _submit.Spec;
        _trace.Building();
        var build = Stopwatch.StartNew();
        var receives = new ulong[_plan.Parts][];
        var resend = new IReadOnlyList<SpikePacket>[_plan.Parts];
        Parallel.For(0, _plan.Parts, new ParallelOptions { CancellationToken = cancel }, q => BuildPartition(registry, q, receives, resend));
        var table = RoutingTable.Build(Enumerable.Range(0, _plan.Parts).Select(q => RoutingTable.OwnedBits(spec, _plan.Owned(q))).ToArray(), receives);
        var runner = new InProcessRunner(_backends, table) { Observer = this };
        foreach (var loop in runner.Loops)
        {
            int q = loop.Backend.Partition;
            if (_checkpointers[q] is not { } checkpointer) continue;
            loop.AfterRun = checkpointer.KeepOwn;
            loop.AfterDelivery = () => checkpointer.CaptureIfDue(w => OnCheckpointWritten(q, w));
        }
        for (int q = 0; q < _plan.Parts; q++)
        {
            foreach (var p in resend[q]) runner.Resend(q, p.Epoch, new SpikeBatch(p.Stamps, p.Gids, p.Stamps.Length));
            _checkpointers[q]?.KeepRestored(resend[q]);
        }
        build.Stop();
        // The build's temporaries (connectivity drawn, rows sorted) are garbage now; giving their memory back to the
        // system before the run keeps it out of the run's resident size. Small heaps are left alone: a full compacting
        // collection costs more of a short run than it returns.
        if (GC.GetGCMemoryInfo().HeapSizeBytes > LargeHeapBytes)
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        // The build's peak is the kernel's high-water mark so far; the run's own peak is sampled with the progress
        // (the kernel's mark is left alone: tools that read it for the whole process must still see the build).
        long? buildPeak = ProcessMemory.Peak();
        long runPeak = ProcessMemory.Read().Resident ?? 0;
        _trace.Running();
        var run = Stopwatch.StartNew();
        var sinceProgress = Stopwatch.StartNew();
        runner.Heartbeat = () =>
        {
            if (Volatile.Read(ref _failure) is { } failure) throw new InvalidOperationException(failure);
            if (sinceProgress.ElapsedMilliseconds < 100) return;
            sinceProgress.Restart();
            // The heartbeat runs on the thread that waits for the partitions, the one that reads runPeak afterwards.
            if (ProcessMemory.Read().Resident is long now) runPeak = Math.Max(runPeak, now);
            Progress(progress);
        };
        bool ended = false;
        try
        {
            runner.Run(cancel);
            ended = true;
        }
        finally
        {
            // A run that stops early completes no further checkpoint (as a coordinator ignores a cancelled job's
            // reports); either way every file started is on disk before this returns, so nothing changes afterwards.
            if (!ended)
                lock (_checkpointLock) _closed = true;
            Task.WaitAll(_checkpointers.Where(c => c is not null).Select(c => c!.Flushed).ToArray(), CancellationToken.None);
        }
        if (Volatile.Read(ref _failure) is { } failed) throw new InvalidOperationException(failed);
        run.Stop();
        var runResident = ProcessMemory.Read().Resident;
        // The kernel's split RSS counters can put the resident size a few pages above the mark read with it.
        var memory = new MemoryPhases(buildPeak, runResident is long end ? Math.Max(runPeak, end) : null, runResident);
        Progress(progress);
        var results = Enumerable.Range(0, _plan.Parts).Select(q => Result(q, runner)).ToArray();
        return new JobResult(_submit.Job, spec, results, build.Elapsed.TotalSeconds, run.Elapsed.TotalSeconds) { Trace = _trace.Context, Memory = memory };
    }

    /// <summary>
    /// Builds partition <paramref name="q"/> (and restores it when resuming), on a pool thread; a failure names the
    /// partition, as a partition actor's does.
    /// </summary>
    private void BuildPartition(BackendRegistry registry, int q, ulong[][] receives, IReadOnlyList<SpikePacket>[] resend)
    {
        try
        {
            BuildPartitionOrThrow(registry, q, receives, resend);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or CheckpointException)
        {
            throw new InvalidOperationException($"partition {q}: {e.Message}", e);
        }
    }

    private void BuildPartitionOrThrow(BackendRegistry registry, int q, ulong[][] receives, IReadOnlyList<SpikePacket>[] resend)
    {
        var spec = _submit.Spec;
        var backend = registry.Create(_plan.Backend(q), spec, q, _plan.Owned(q));
        _backends[q] = backend;
        _meters[q] = new PartitionMeter(_submit.Job, q, Node, backend.Counters.Neurons);
        if (_tracker is not null) _checkpointers[q] = new PartitionCheckpointer(_submit.Job, q, _tracker.Settings, backend);
        resend[q] = _submit.Resume is { } r
            ? PartitionCheckpointFile.Restore(Restore(r, q), _submit.Job, q, backend).OrderBy(p => p.Epoch).ToArray()
            : [];
        receives[q] = RoutingTable.ReceivesFromBits(backend, spec.TotalNeurons);
    }

    /// <summary>Partition <paramref name="q"/>'s file in the checkpoint resumed from.</summary>
    private static PartitionRestore Restore(ResumeFrom r, int q)
    {
        string name = CheckpointStore.PartitionFileName(q);
        var entry = r.Manifest.Files.First(f => f.Name == name); // presence checked when the checkpoint was loaded
        return new PartitionRestore(Path.Combine(r.StepDirectory, name), entry.Sha256, r.Manifest.ModelHash);
    }

    private void Progress(Action<long>? progress)
    {
        long step = _backends.Min(b => b.Clock.CurrentStep);
        double seconds = _wall.Elapsed.TotalSeconds, bio = step * _submit.Spec.Run.Dt / 1000.0;
        if (step > 0) _trace.RealTimeFactor(seconds / bio);
        progress?.Invoke(step);
    }

    /// <summary>A partition's file is written (on a pool thread): the checkpoint completes with the last partition's file.</summary>
    private void OnCheckpointWritten(int partition, CheckpointWritten w)
    {
        lock (_checkpointLock)
        {
            if (_failure is not null || _closed) return;
            if (w.Entry is not { } entry)
            {
                Volatile.Write(ref _failure, $"checkpoint at step {w.Step} could not be written: {w.Error}");
                return;
            }
            var (manifest, error) = _tracker!.Complete(new PartitionCheckpointed(_submit.Job, partition, w.Step, entry, w.Seconds), _trace.Context);
            if (error is not null) Volatile.Write(ref _failure, error);
            else if (manifest is not null) _options.OnCheckpoint?.Invoke(manifest);
        }
    }

    private PartitionResult Result(int q, InProcessRunner runner)
    {
        var backend = _backends[q];
        var spikes = backend.SpikeRecords.Where(r => r is not null)
            .Select(r => { var (stamps, ids) = r!.ToArrays(); return new RecordedSpikes(r.Population, stamps, ids); }).ToList();
        var state = backend.StateRecords
            .Select(s => new RecordedState(s.Recorder, s.Population, s.Variable, s.Neurons, s.IntervalSteps, s.Values)).ToList();
        var c = backend.Counters;
        var loop = runner.Loops.First(l => l.Backend.Partition == q);
        return new PartitionResult(q, c.Neurons, c.Synapses, c.SynapseBytes, c.SynapticEvents, c.SpikesEmitted, c.BuildSeconds,
            runner.ComputeSeconds(q), runner.WaitSeconds(q), spikes, state, loop.Late, loop.Duplicates)
        {
            PlasticSynapses = c.PlasticSynapses,
            WeightsChecksum = backend.WeightsChecksum,
            Report = backend.Report,
        };
    }

    /// <inheritdoc />
    void IRunObserver.EpochRan(PartitionLoop loop, double seconds, double waitSeconds) =>
        _meters[loop.Backend.Partition]!.Epoch(loop.Backend, seconds, waitSeconds);

    /// <inheritdoc />
    void IRunObserver.PacketRouted(int source, int target, long epoch, SpikeBatch packet) =>
        _meters[source]!.PacketSent(_submit.Job, epoch, source, packet);
}
