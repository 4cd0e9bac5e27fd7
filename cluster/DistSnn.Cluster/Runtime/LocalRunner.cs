using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Output;
using DistSnn.Cluster.Resources;
using DistSnn.Cluster.Serialization;
using DistSnn.Model;
using DistSnn.Monitoring;
using DistSnn.Nodes.Backends;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Runtime;

/// <summary>How the partitions of a local run exchange their spike packets.</summary>
public enum RunTransport
{
    /// <summary>In memory, no actor system (<see cref="Nodes.Exchange.InProcessRunner"/>): the default.</summary>
    InProcess,
    /// <summary>Partition actors in a local actor system, as on a cluster.</summary>
    Akka,
}

/// <summary>Options of a local (embedded) run.</summary>
public sealed record RunOptions
{
    /// <summary>How partitions exchange packets; results do not depend on it.</summary>
    public RunTransport Transport { get; init; } = RunTransport.InProcess;
    /// <summary>The backends partitions may be hosted by (null: <see cref="BackendRegistry.Default"/>, the CPU alone).</summary>
    public BackendRegistry? Backends { get; init; }
    /// <summary>Number of partitions (actors); results do not depend on it.</summary>
    public int Partitions { get; init; } = 1;
    /// <summary>How neurons are spread over partitions.</summary>
    public PartitionStrategy Strategy { get; init; } = PartitionStrategy.Contiguous;
    /// <summary>Results folder; null writes nothing.</summary>
    public string? OutDir { get; init; }
    /// <summary>Also write spikes.csv.</summary>
    public bool Csv { get; init; }
    /// <summary>When the whole run started (for wall_seconds); defaults to the call of RunAsync.</summary>
    public DateTime? WallStartUtc { get; init; }
    /// <summary>Seconds from the process's start to its first own code, for the summary's phases (null: not measured).</summary>
    public double? RuntimeStartSeconds { get; init; }
    /// <summary>Seconds spent reading and checking the model, for the summary's phases (null: not measured).</summary>
    public double? LoadSeconds { get; init; }
    /// <summary>Write checkpoints (null: none).</summary>
    public CheckpointRequest? Checkpoints { get; init; }
    /// <summary>Continue from this checkpoint; the spec must be the checkpoint's model, and partitions and strategy its own.</summary>
    public ResumeFrom? Resume { get; init; }
    /// <summary>Called with the manifest of each completed checkpoint (on an actor thread).</summary>
    public Action<CheckpointManifest>? OnCheckpoint { get; init; }
    /// <summary>Refuses runs that would not fit in memory; null: <see cref="ResourceGuard.FromEnvironment"/>.</summary>
    public ResourceGuard? MemoryGuard { get; init; }
    /// <summary>
    /// Awaited after the actor system has started and before the job is submitted: lets work that must be done
    /// before the first measurement (telemetry exporters starting in the background) overlap the actors' start.
    /// </summary>
    public Func<Task>? BeforeSubmit { get; init; }
    /// <summary>
    /// Called once the simulation has ended, before the results are merged and written: lets work that follows the run
    /// (warming up the figures' drawing) start alongside the writing.
    /// </summary>
    public Action? AfterSimulate { get; init; }
    /// <summary>
    /// Passes every message between the actors through the cluster serializer, as if it crossed the network: a
    /// node's warm-up uses it to compile the codec along with the engine (Akka transport only).
    /// </summary>
    public bool SerializeMessages { get; init; }
}

/// <summary>A finished run: its summary, the merged spikes and state traces.</summary>
public sealed record RunReport(RunSummary Summary, IReadOnlyList<PopulationSpikes> Spikes, IReadOnlyList<StateTrace> State,
    JobResult Job);

/// <summary>
/// The embedded default: runs a job inside this process — on the in-process transport (default), or on partition
/// actors with the same spike packets a cluster uses — then merges the partitions' recordings and writes the results
/// folder.
/// </summary>
public static class LocalRunner
{
    private static readonly Config AkkaConfig = ConfigurationFactory.ParseString("""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-config-on-start = off
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
        }
        """);

    /// <summary>
    /// Where the whole process's time went, in seconds: runtime start and model load (when the caller measured them),
    /// build, simulate, writing the outputs (spikes, state, statistics, summary), and the rest (starting the runner,
    /// partitioning, collecting the results).
    /// </summary>
    private static Dictionary<string, double> Phases(RunOptions options, JobResult job, double write, double wall)
    {
        var phases = new Dictionary<string, double>();
        if (options.RuntimeStartSeconds is { } start) phases["runtime_start"] = Math.Round(start, 4);
        if (options.LoadSeconds is { } load) phases["load"] = Math.Round(load, 4);
        phases["build"] = Math.Round(job.BuildSeconds, 4);
        phases["simulate"] = Math.Round(job.SimulateSeconds, 4);
        phases["write"] = Math.Round(write, 4);
        phases["other"] = Math.Round(Math.Max(0, wall - phases.Values.Sum()), 4);
        return phases;
    }

    /// <summary>Runs <paramref name="spec"/>; <paramref name="progress"/> receives the slowest partition's step.</summary>
    public static async Task<RunReport> RunAsync(NetworkSpec spec, RunOptions options, Action<long>? progress = null,
        CancellationToken cancel = default)
    {
        var wallStart = options.WallStartUtc ?? DateTime.UtcNow;
        var job = options.Transport == RunTransport.InProcess
            ? await RunInProcessAsync(spec, options, progress, cancel).ConfigureAwait(false)
            : await RunOnActorsAsync(spec, options, progress, cancel).ConfigureAwait(false);
        return Report(job, options, wallStart);
    }

    private static async Task<JobResult> RunInProcessAsync(NetworkSpec spec, RunOptions options, Action<long>? progress, CancellationToken cancel)
    {
        if (options.BeforeSubmit is { } before) await before().ConfigureAwait(false);
        // A thread of its own: the job waits for its partitions' threads for the whole run, which would take a pool
        // thread from the checkpoint writes and the progress display.
        return await Task.Factory.StartNew(() => InProcessJob.Run(Submission(spec, options), options, progress, cancel),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
    }

    private static SubmitJob Submission(NetworkSpec spec, RunOptions options)
    {
        string jobId = options.Resume?.Manifest.Job ?? (string.IsNullOrWhiteSpace(spec.Name) ? "job" : spec.Name);
        return new SubmitJob(jobId, spec, options.Partitions, options.Strategy) { Checkpoints = options.Checkpoints, Resume = options.Resume };
    }

    private static async Task<JobResult> RunOnActorsAsync(NetworkSpec spec, RunOptions options, Action<long>? progress, CancellationToken cancel)
    {
        var system = ActorSystem.Create("distsnn", options.SerializeMessages
            ? ConfigurationFactory.ParseString($"akka.actor.serialize-messages = on\n{DistSnnSerializer.UncountedSetting} = on")
                .WithFallback(DistSnnSerializer.Config).WithFallback(AkkaConfig)
            : AkkaConfig);
        JobResult job;
        try
        {
            var backends = options.Backends;
            var coordinator = system.ActorOf(Props.Create(() =>
                new JobCoordinator(new ChildPartitionHost(backends), options.MemoryGuard, 0, null, backends)), "coordinator");
            var done = new TaskCompletionSource<JobResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            var submit = Submission(spec, options);
            if (options.BeforeSubmit is { } before) await before().ConfigureAwait(false);
            await using var reg = cancel.Register(() => coordinator.Tell(new CancelJob(submit.Job)));
            coordinator.Tell(new RunJob(submit, done, progress) { OnCheckpoint = options.OnCheckpoint });
            job = await done.Task.ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
        return job;
    }

    /// <summary>
    /// Merges the partitions' recordings of a finished job, computes the summary and, when
    /// <see cref="RunOptions.OutDir"/> is set, writes the results folder. Used for local and cluster jobs alike.
    /// </summary>
    public static RunReport Report(JobResult job, RunOptions options, DateTime wallStart)
    {
        options.AfterSimulate?.Invoke();
        var gather = Telemetry.StartSpan(Telemetry.Spans.Gather, job.Trace, job.Job);
        try
        {
            return Gather(job, options, wallStart);
        }
        finally
        {
            Telemetry.StopDetached(gather);
        }
    }

    private static RunReport Gather(JobResult job, RunOptions options, DateTime wallStart)
    {
        var spec = job.Spec;
        var first = spec.FirstGids();
        var spikes = new List<PopulationSpikes>();
        foreach (var name in spec.Recording.Spikes)
        {
            int p = spec.PopulationIndex(name);
            var parts = job.Partitions.SelectMany(r => r.RecordedSpikes).Where(s => s.Population == p).ToArray();
            var stamps = parts.SelectMany(s => s.Stamps).ToArray();
            var ids = parts.SelectMany(s => s.Ids).ToArray();
            spikes.Add(PopulationSpikes.FromUnsorted(name, first[p], spec.Populations[p].Size, stamps, ids));
        }
        var state = MergeState(spec, job);
        double dt = spec.Run.Dt, duration = spec.Run.Steps * dt;
        var stats = spikes.Select(s => SpikeStatistics.Compute(s, Math.Max(duration, dt), dt)).ToArray();
        long synapses = job.Partitions.Sum(r => r.Synapses);
        long bytes = job.Partitions.Sum(r => r.SynapseBytes);

        var writing = Stopwatch.StartNew();
        if (options.OutDir is { } dir)
        {
            Directory.CreateDirectory(dir);
            // Spike files name the populations a model was imported from, with their node ids.
            var written = OriginSpikes.Merge(spec, spikes);
            SonataSpikeWriter.Write(Path.Combine(dir, "spikes.h5"), written, dt);
            if (options.Csv) SpikeCsvWriter.Write(Path.Combine(dir, "spikes.csv"), written, dt);
            if (state.Count > 0) SonataReportWriter.Write(Path.Combine(dir, "state.h5"), state, dt);
        }
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var summary = new RunSummary
        {
            Model = spec.Name,
            Partitions = job.Partitions.Count,
            Seed = spec.Run.Seed,
            DtMs = dt,
            DurationMs = duration,
            Neurons = spec.TotalNeurons,
            Synapses = synapses,
            Spikes = job.Partitions.Sum(r => r.Spikes),
            SynapticEvents = job.Partitions.Sum(r => r.SynapticEvents),
            BuildSeconds = job.BuildSeconds,
            SimulateSeconds = job.SimulateSeconds,
            WallSeconds = (DateTime.UtcNow - wallStart).TotalSeconds,
            PartitionWaitSeconds = job.Partitions.OrderBy(r => r.Partition).Select(r => Math.Round(r.WaitSeconds, 4)).ToArray(),
            PartitionNeurons = job.Partitions.OrderBy(r => r.Partition).Select(r => r.Neurons).ToArray(),
            PartitionSynapses = job.Partitions.OrderBy(r => r.Partition).Select(r => r.Synapses).ToArray(),
            PeakWorkingSetBytes = self.PeakWorkingSet64,
            Memory = MemoryByPhase(job.Memory),
            BytesPerSynapse = synapses == 0 ? 0 : (double)bytes / synapses,
            SpikesSha256 = SpikeHash.Sha256Hex(spikes),
            PlasticSynapses = job.Partitions.Sum(r => r.PlasticSynapses),
            WeightsChecksum = job.Partitions.Any(r => r.PlasticSynapses > 0)
                ? job.Partitions.Aggregate(0UL, (sum, r) => unchecked(sum + r.WeightsChecksum)).ToString("x16", System.Globalization.CultureInfo.InvariantCulture)
                : null,
            Populations = stats,
        };
        summary = summary with { Backends = SummarizeBackends(spec, job, options) };
        if (spec.Dataset is { } data && spikes.FirstOrDefault(s => s.Name == data.Readout) is { } readout)
            summary = summary with { Dataset = DatasetReadout.Score(spec, readout, options.OutDir) };
        summary = summary with { Phases = Phases(options, job, writing.Elapsed.TotalSeconds, summary.WallSeconds) };
        if (options.OutDir is { } outDir) SummaryWriter.Write(Path.Combine(outDir, "summary.json"), summary);
        return new RunReport(summary, spikes, state, job);
    }

    private static SortedDictionary<string, long>? MemoryByPhase(MemoryPhases? m)
    {
        if (m is null) return null;
        var d = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (m.BuildPeakBytes is long b) d["build_peak"] = b;
        if (m.RunPeakBytes is long r) d["run_peak"] = r;
        if (m.RunResidentBytes is long s) d["run_resident"] = s;
        return d.Count == 0 ? null : d;
    }

    /// <summary>
    /// Merges each backend's partition reports and has the backend summarize them (it may write files of its own to the
    /// results folder); null when no partition reported anything.
    /// </summary>
    private static SortedDictionary<string, BackendTotals>? SummarizeBackends(NetworkSpec spec, JobResult job, RunOptions options)
    {
        var registry = options.Backends ?? BackendRegistry.Default;
        var result = new SortedDictionary<string, BackendTotals>(StringComparer.Ordinal);
        foreach (var group in job.Partitions.Where(r => r.Report is not null).GroupBy(r => r.Report!.Backend))
        {
            var merged = BackendReport.Merge(group.Key, group.Select(r => r.Report!));
            if (!registry.Contains(group.Key) || registry[group.Key].Summarize is not { } summarize) continue;
            var s = summarize(spec, merged, options.OutDir);
            result[group.Key] = new BackendTotals { Totals = s.Totals, Notes = s.Notes };
        }
        return result.Count == 0 ? null : result;
    }

    private static List<StateTrace> MergeState(NetworkSpec spec, JobResult job)
    {
        var traces = new List<StateTrace>();
        var groups = job.Partitions.SelectMany(r => r.RecordedState).GroupBy(s => (s.Recorder, s.Variable))
            .OrderBy(g => g.Key.Recorder);
        foreach (var g in groups)
        {
            var parts = g.ToArray();
            var any = parts[0];
            var neurons = parts.SelectMany(p => p.Neurons).Order().ToArray();
            int samples = parts.Min(p => p.Neurons.Length == 0 ? 0 : p.Values.Length / p.Neurons.Length);
            var values = new float[samples * neurons.Length];
            foreach (var part in parts)
                for (int j = 0; j < part.Neurons.Length; j++)
                {
                    int col = Array.BinarySearch(neurons, part.Neurons[j]);
                    for (int k = 0; k < samples; k++) values[k * neurons.Length + col] = part.Values[k * part.Neurons.Length + j];
                }
            var pop = spec.Populations[any.Population];
            var dim = pop.Model.StateVariables.FirstOrDefault(v => v.Name == any.Variable).Dim;
            traces.Add(new StateTrace(pop.Name, any.Variable, Units.Canonical(dim), neurons, any.IntervalSteps, any.IntervalSteps, values));
        }
        return traces;
    }
}
