using System.Diagnostics;
using System.Globalization;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Output;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using DistSnn.Nodes.Backends;
using DistSnn.Partitioner;
using DistSnn.Reports;
using Spectre.Console;

namespace DistSnn.Cli;

/// <summary>Everything <c>distsnn run</c> was asked to do.</summary>
public sealed record RunCommandSettings(FileInfo Model, int Partitions, string? Duration, ulong? Seed, DirectoryInfo? Out,
    bool Csv, PartitionStrategy Strategy, bool Json, double Scale = 1.0, string? CheckpointEvery = null, DirectoryInfo? CheckpointDir = null,
    bool Plots = true, string? Telemetry = null, RunTransport Transport = RunTransport.InProcess)
{
    /// <summary>The backend every population is put on (null: as the model says).</summary>
    public string? Backend { get; init; }
    /// <summary>The modelled SpiNNaker machine's time-scale factor (null: as the model says).</summary>
    public double? TimeScaleFactor { get; init; }
    /// <summary>Figures of the modelled SpiNNaker machine, as KEY=VALUE.</summary>
    public IReadOnlyList<string>? SpiNNaker { get; init; }
    /// <summary>Figures of the modelled memristive chips, as KEY=VALUE.</summary>
    public IReadOnlyList<string>? Memristive { get; init; }
    /// <summary>Backends of single populations, as POPULATION=BACKEND.</summary>
    public IReadOnlyList<string>? Place { get; init; }
}

/// <summary>Loads the model, runs it with a progress display, writes results and prints the summary.</summary>
public static class RunCommandHandler
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static async Task<int> ExecuteAsync(RunCommandSettings s, CancellationToken cancel)
    {
        var wallStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        double runtimeStart = (DateTime.UtcNow - wallStart).TotalSeconds;
        var loading = Stopwatch.StartNew();
        // Exporters start in the background while the model loads and the actors start; they live for the whole run
        // and flush when disposed, so the last export holds the final counts.
        using var telemetry = TelemetryFlag.Start(s.Telemetry, "local");
        if (telemetry is null) return ExitCodes.BadInput;
        if (s.Partitions < 1)
        {
            Console.Error.WriteLine($"error: --partitions: must be at least 1, got {s.Partitions}");
            return ExitCodes.BadInput;
        }
        NetworkSpec spec;
        try
        {
            spec = ModelLoader.LoadFile(s.Model.FullName);
            if (s.Duration is not null)
            {
                if (!CliApp.TryParseDuration(s.Duration, out var duration, out var why))
                {
                    Console.Error.WriteLine($"error: --duration: {why}");
                    return ExitCodes.BadInput;
                }
                if (!(duration >= 0) || double.IsInfinity(duration))
                {
                    Console.Error.WriteLine($"error: --duration: must be a finite time >= 0, got '{s.Duration}'");
                    return ExitCodes.BadInput;
                }
                spec = spec with { Run = spec.Run with { Duration = duration } };
            }
            if (s.Seed is { } seed) spec = spec with { Run = spec.Run with { Seed = seed } };
            if (s.Scale != 1.0)
            {
                if (!(s.Scale > 0) || double.IsInfinity(s.Scale))
                {
                    Console.Error.WriteLine($"error: --scale: must be a finite number > 0, got {s.Scale}");
                    return ExitCodes.BadInput;
                }
                try
                {
                    spec = NetworkScaling.Scale(spec, s.Scale);
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"error: --scale: {e.Message}");
                    return ExitCodes.BadInput;
                }
            }
        }
        catch (ModelException e)
        {
            ModelFiles.PrintErrors(e);
            return ExitCodes.BadInput;
        }
        if (s.Backend is { } all)
        {
            if (!Backends.Registry.Contains(all))
            {
                Console.Error.WriteLine($"error: --backend: unknown backend '{all}' (known: {string.Join(", ", Backends.Registry.Names)})");
                return ExitCodes.BadInput;
            }
            spec = spec with { Populations = spec.Populations.Select(p => p with { Backend = all }).ToArray() };
        }
        foreach (var placed in s.Place ?? [])
        {
            int eq = placed.IndexOf('=', StringComparison.Ordinal);
            string population = eq > 0 ? placed[..eq].Trim() : "", backend = eq > 0 ? placed[(eq + 1)..].Trim() : "";
            int index = spec.PopulationIndex(population);
            string? why = eq <= 0 ? "is not POPULATION=BACKEND"
                : index < 0 ? $"no population is named '{population}' (populations: {string.Join(", ", spec.Populations.Select(p => p.Name))})"
                : !Backends.Registry.Contains(backend) ? $"unknown backend '{backend}' (known: {string.Join(", ", Backends.Registry.Names)})"
                : null;
            if (why is not null)
            {
                Console.Error.WriteLine($"error: --place '{placed}': {why}");
                return ExitCodes.BadInput;
            }
            spec = spec with { Populations = spec.Populations.Select((p, i) => i == index ? p with { Backend = backend } : p).ToArray() };
        }
        if (Backends.WithSpiNNakerOptions(spec, s.SpiNNaker) is not { } withOptions) return ExitCodes.BadInput;
        if (Backends.WithMemristiveOptions(withOptions, s.Memristive) is not { } withChips) return ExitCodes.BadInput;
        spec = withChips;
        if (s.TimeScaleFactor is { } factor)
        {
            if (!(factor > 0) || double.IsInfinity(factor))
            {
                Console.Error.WriteLine($"error: --time-scale-factor: must be a finite number > 0, got {factor}");
                return ExitCodes.BadInput;
            }
            spec = Backends.WithOption(spec, "spinnaker", "time_scale_factor", factor.ToString("R", CultureInfo.InvariantCulture));
        }
        // A population on a backend this program lacks, or with something its backend cannot do, is bad input.
        var unsupported = Backends.Registry.Check(spec);
        foreach (var err in unsupported) Console.Error.WriteLine($"error: {s.Model.FullName}: {err}");
        if (unsupported.Count > 0) return ExitCodes.BadInput;

        string outDir = s.Out?.FullName ?? Path.Combine("results", spec.Name);
        var options = new RunOptions
        {
            Partitions = s.Partitions, Strategy = s.Strategy, OutDir = outDir, Csv = s.Csv, WallStartUtc = wallStart,
            RuntimeStartSeconds = runtimeStart, LoadSeconds = loading.Elapsed.TotalSeconds,
            BeforeSubmit = telemetry.ReadyAsync, Transport = s.Transport, Backends = Backends.Registry,
        };
        if (s.CheckpointEvery is not null)
        {
            if (ResumeCommand.CheckpointSteps(s.CheckpointEvery, spec.Run.Dt) is not { } every) return ExitCodes.BadInput;
            options = options with
            {
                Checkpoints = new CheckpointRequest(s.CheckpointDir?.FullName ?? "checkpoints", every),
                OnCheckpoint = s.Json ? null : ResumeCommand.Announce,
            };
        }
        return await RunAndReport(spec, options, s.Json, outDir, cancel, s.Plots);
    }

    /// <summary>Runs with a progress display, then prints the summary (table or JSON); returns the exit code.</summary>
    internal static async Task<int> RunAndReport(NetworkSpec spec, RunOptions options, bool json, string outDir, CancellationToken cancel,
        bool plots = true)
    {
        RunReport report;
        // The drawing library loads and warms up on a core of its own while the results are written.
        Task? warmUp = null;
        if (plots) options = options with { AfterSimulate = () => warmUp = Task.Run(RunPlots.WarmUp) };
        try
        {
            report = await RunWithProgress(spec, options, quiet: json, cancel);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failed;
        }

        if (json)
            Console.WriteLine(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        else
            PrintSummary(report.Summary, outDir);
        var plotting = Stopwatch.StartNew();
        // The engine's objects are garbage now: collected (without compaction, a few ms) before the figures are
        // drawn, their memory takes the figures' allocations instead of the process growing by them.
        if (plots) GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        if (warmUp is not null)
        {
            try
            {
                await warmUp;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"error: the figures cannot be drawn: {e.Message}");
                return ExitCodes.Failed;
            }
        }
        // The run's own output failing to plot is a failure of the run, not bad input from the user.
        if (plots && PlotCommand.Execute(outDir, new ReportOptions(), json, listFiles: false, digest => Digest(spec, report.Spikes, digest)) != ExitCodes.Ok)
            return ExitCodes.Failed;
        if (!json && report.Summary.Phases is { } phases)
            Console.Error.WriteLine("phases: " + string.Join(", ", phases.Select(p => $"{p.Key.Replace('_', ' ')} {p.Value.ToString("F2", CultureInfo.InvariantCulture)} s"))
                + (plots ? $", plots {plotting.Elapsed.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)} s" : ""));
        if (!json && report.Summary.Memory is { } memory)
            Console.Error.WriteLine("memory: " + string.Join(", ", memory.Select(m => $"{m.Key.Replace('_', ' ')} {(m.Value / 1048576.0).ToString("F0", CultureInfo.InvariantCulture)} MiB")));
        return ExitCodes.Ok;
    }

    /// <summary>Feeds the run's spikes to a report's digest as the spike file holds them (origin names and node ids, time = step × dt).</summary>
    private static void Digest(NetworkSpec spec, IReadOnlyList<PopulationSpikes> spikes, SpikeDigest digest)
    {
        double dt = spec.Run.Dt;
        foreach (var pop in OriginSpikes.Merge(spec, spikes))
        {
            var target = digest.Population(pop.Name, "the run's spikes");
            for (int i = 0; i < pop.Count; i++)
            {
                double ms = pop.Steps[i] * dt;
                if (!digest.TryAdd(target, pop.LocalIds[i], ms)) throw digest.Rejection(target, pop.LocalIds[i], ms, "the run's spikes");
            }
        }
    }

    private static async Task<RunReport> RunWithProgress(NetworkSpec spec, RunOptions options, bool quiet, CancellationToken cancel)
    {
        long total = Math.Max(1, spec.Run.Steps);
        var progress = new SimulationProgress(total, spec.Run.Dt);
        var clock = Stopwatch.StartNew();
        if (quiet || !ShowProgressBar)
        {
            int lastDecile = -1;
            return await LocalRunner.RunAsync(spec, options, step =>
            {
                int decile = (int)(10 * step / total);
                if (quiet || decile == lastDecile) return;
                lastDecile = decile;
                Console.Error.WriteLine(progress.Describe(step, clock.Elapsed.TotalSeconds));
            }, cancel);
        }
        RunReport? report = null;
        await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"{Markup.Escape(spec.Name)}: building", maxValue: total);
                report = await LocalRunner.RunAsync(spec, options, step =>
                {
                    task.Value = step;
                    task.Description = progress.Describe(step, clock.Elapsed.TotalSeconds, eta: false);
                }, cancel);
                task.Value = total;
            });
        return report!;
    }

    /// <summary>
    /// A live progress bar is drawn only when stdout is a terminal that takes cursor control; redirected output
    /// (pipes, files, CI, tests) gets plain lines on stderr instead, without control characters.
    /// </summary>
    public static bool ShowProgressBar =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    /// <summary>Prints a run summary as tables.</summary>
    public static void PrintSummary(RunSummary s, string outDir)
    {
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(s.Model)}[/]");
        t.AddColumn("quantity");
        t.AddColumn(new TableColumn("value").RightAligned());
        void Row(string k, string v) => t.AddRow(Markup.Escape(k), Markup.Escape(v));
        var ci = CultureInfo.InvariantCulture;
        Row("neurons", s.Neurons.ToString("N0", ci));
        Row("synapses", s.Synapses.ToString("N0", ci));
        Row("partitions", s.Partitions.ToString(ci));
        Row("biological time", $"{s.DurationMs.ToString("0.###", ci)} ms");
        Row("spikes", s.Spikes.ToString("N0", ci));
        Row("synaptic events", s.SynapticEvents.ToString("N0", ci));
        Row("build", $"{s.BuildSeconds.ToString("F2", ci)} s");
        Row("simulate", $"{s.SimulateSeconds.ToString("F2", ci)} s");
        Row("wall (whole process)", $"{s.WallSeconds.ToString("F2", ci)} s");
        Row("events / s", (s.SynapticEvents / Math.Max(s.SimulateSeconds, 1e-9)).ToString("E3", ci));
        Row("bytes / synapse", s.BytesPerSynapse.ToString("F2", ci));
        Row("peak memory", $"{(s.PeakWorkingSetBytes / 1048576.0).ToString("F0", ci)} MiB");
        Row("spikes_sha256", s.SpikesSha256);
        if (s.WeightsChecksum is { } weights)
        {
            Row("plastic synapses", s.PlasticSynapses.ToString("N0", ci));
            Row("weights_checksum", weights);
        }
        if (s.Dataset is { } d)
            Row("dataset accuracy", $"{(100 * d.Accuracy).ToString("F2", ci)}% ({d.Correct.ToString("N0", ci)} of {d.Samples.ToString("N0", ci)}, readout '{d.Readout}')");
        AnsiConsole.Write(t);
        var pops = new Table().Border(TableBorder.Rounded);
        pops.AddColumns("population", "size", "spikes", "rate (Hz)", "CV ISI");
        foreach (var p in s.Populations)
            pops.AddRow(Markup.Escape(p.Name), p.Size.ToString(ci), p.Spikes.ToString(ci), p.RateHz.ToString("F2", ci),
                double.IsNaN(p.CvIsi) ? "-" : p.CvIsi.ToString("F3", ci));
        AnsiConsole.Write(pops);
        foreach (var (name, backend) in s.Backends ?? new Dictionary<string, BackendTotals>())
        {
            var b = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(name)}[/]");
            b.AddColumn("total");
            b.AddColumn(new TableColumn("value").RightAligned());
            foreach (var (k, v) in backend.Totals) b.AddRow(Markup.Escape(k), Markup.Escape(v.ToString("G6", ci)));
            AnsiConsole.Write(b);
            foreach (var note in backend.Notes) AnsiConsole.MarkupLine($"{Markup.Escape(name)}: {Markup.Escape(note)}");
        }
        AnsiConsole.MarkupLine($"results: [link]{Markup.Escape(outDir)}[/]");
    }
}
