using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ScottPlot;
using Spectre.Console;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn bench</c>: the standard suite — CUBA, COBA, Brunel, Brunel with STDP, the scaled-down microcircuit and
/// gradient-training throughput — each run several times in fresh <c>distsnn</c> processes; medians of whole-process
/// wall, simulate time, synaptic events per second and peak memory, as a table, <c>bench.json</c> and
/// <c>bench.png</c>; <c>--compare</c> puts an earlier <c>bench.json</c> beside them.
/// </summary>
public static class SuiteBenchCommand
{
    /// <summary>One entry of the suite: the distsnn arguments of a full run and of a quick one.</summary>
    private sealed record Entry(string Name, string What, string[] Full, string[] Quick, bool Training = false);

    private static readonly Entry[] Suite =
    [
        new("cuba", "CUBA (Brette et al. 2007), 4,000 neurons, 1 s", ["run", "examples/cuba.yaml", "--no-plots"],
            ["run", "examples/cuba.yaml", "--no-plots", "--duration", "100 ms"]),
        new("coba", "COBA (Brette et al. 2007), 4,000 neurons, 1 s", ["run", "examples/coba.yaml", "--no-plots"],
            ["run", "examples/coba.yaml", "--no-plots", "--duration", "100 ms"]),
        new("brunel", "Brunel (2000) AI, 12,500 neurons, 15.6 M synapses, 1 s, 2 partitions", ["run", "examples/brunel.yaml", "--no-plots", "--partitions", "2"],
            ["run", "examples/brunel.yaml", "--no-plots", "--partitions", "2", "--scale", "0.1", "--duration", "100 ms"]),
        new("brunel_stdp", "Brunel with pair STDP on the exc->exc synapses, 200 ms, 2 partitions",
            ["run", "examples/brunel_stdp.yaml", "--no-plots", "--partitions", "2", "--duration", "200 ms"],
            ["run", "examples/brunel_stdp.yaml", "--no-plots", "--partitions", "2", "--scale", "0.1", "--duration", "50 ms"]),
        new("microcircuit_small", "Potjans-Diesmann microcircuit at 10%, 1 s, 2 partitions",
            ["run", "examples/microcircuit_small.yaml", "--no-plots", "--partitions", "2"],
            ["run", "examples/microcircuit_small.yaml", "--no-plots", "--partitions", "2", "--duration", "100 ms"]),
        new("train", "surrogate-gradient training, 784-128-10, one epoch of 6,000 Fashion-MNIST images",
            ["train", "surrogate", "--arch", "784-128-10", "--epochs", "1", "--train-samples", "6000", "--validation", "0", "--test-samples", "0"],
            ["train", "surrogate", "--arch", "784-32-10", "--epochs", "1", "--train-samples", "240", "--validation", "0", "--test-samples", "0"], Training: true),
    ];

    private static readonly string[] Metrics = ["wall_s", "simulate_s", "events_per_s", "peak_mib", "samples_per_s"];

    /// <summary>The <c>bench</c> command.</summary>
    public static Command Create()
    {
        var runs = new Option<int>("--runs") { Description = "Runs of each entry (default 5; 1 with --quick)" };
        var quick = new Option<bool>("--quick") { Description = "Small, short versions of every entry, run once: a smoke test of the suite" };
        var only = new Option<string?>("--only") { Description = $"Comma-separated entries to run ({string.Join(", ", Suite.Select(e => e.Name))})" };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Folder for bench.json and bench.png (default results/bench-<time>)" };
        var compare = new Option<FileInfo?>("--compare") { Description = "An earlier bench.json: show each median's ratio to it" };
        var json = new Option<bool>("--json") { Description = "Print bench.json instead of the table" };
        var cmd = new Command("bench", "Run the benchmark suite in fresh processes (from the repository root, which holds examples/): " +
            "medians of wall, simulate time, events/s, peak memory and training samples/s; writes bench.json and bench.png.\n" + ExitCodes.Help)
        {
            runs, quick, only, outDir, compare, json,
        };
        cmd.SetAction((parse, cancel) => Task.FromResult(Execute(parse.GetValue(quick), parse.GetValue(runs), parse.GetValue(only),
            parse.GetValue(outDir), parse.GetValue(compare), parse.GetValue(json), cancel)));
        return cmd;
    }

    private static int Execute(bool quick, int runs, string? only, DirectoryInfo? outDir, FileInfo? compare, bool json, CancellationToken cancel)
    {
        runs = runs == 0 ? (quick ? 1 : 5) : runs;
        if (runs < 1)
        {
            Console.Error.WriteLine($"error: --runs: must be at least 1, got {runs}");
            return ExitCodes.BadInput;
        }
        var entries = Suite;
        if (only is not null)
        {
            var names = only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.FirstOrDefault(n => Suite.All(e => e.Name != n)) is { } unknown)
            {
                Console.Error.WriteLine($"error: --only: unknown entry '{unknown}' (entries: {string.Join(", ", Suite.Select(e => e.Name))})");
                return ExitCodes.BadInput;
            }
            entries = Suite.Where(e => names.Contains(e.Name)).ToArray();
        }
        if (entries.Where(e => !e.Training).Select(e => e.Full[1]).FirstOrDefault(f => !File.Exists(f)) is { } missing)
        {
            Console.Error.WriteLine($"error: {Path.GetFullPath(missing)}: not found; run distsnn bench from the repository root");
            return ExitCodes.BadInput;
        }
        JsonObject? before = null;
        if (compare is not null)
        {
            try
            {
                before = JsonNode.Parse(File.ReadAllText(compare.FullName)) as JsonObject
                         ?? throw new FormatException("not a JSON object");
                if (before["entries"] is not JsonObject) throw new FormatException("no 'entries' object");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or FormatException)
            {
                Console.Error.WriteLine($"error: --compare {compare.FullName}: {e.Message}");
                return ExitCodes.BadInput;
            }
        }
        string dir = (outDir ?? new DirectoryInfo(Path.Combine("results", $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}"))).FullName;
        Directory.CreateDirectory(dir);

        var results = new JsonObject();
        foreach (var entry in entries)
        {
            var samples = new List<Dictionary<string, double>>();
            for (int r = 0; r < runs; r++)
            {
                cancel.ThrowIfCancellationRequested();
                var sample = RunOnce(quick ? entry.Quick : entry.Full, entry.Training, Path.Combine(dir, "runs", $"{entry.Name}-{r}"), cancel, out string? why);
                if (sample is null)
                {
                    if (entry.Training && why is not null && why.Contains("Fashion-MNIST", StringComparison.Ordinal))
                    {
                        Console.Error.WriteLine($"{entry.Name}: skipped ({why})");
                        break;
                    }
                    Console.Error.WriteLine($"error: {entry.Name}: {why}");
                    return ExitCodes.Failed;
                }
                samples.Add(sample);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{entry.Name} {r + 1}/{runs}: {string.Join(", ", sample.Select(kv => $"{kv.Key} {kv.Value:G4}"))}"));
            }
            if (samples.Count == 0) continue;
            var medians = new JsonObject();
            foreach (var metric in Metrics.Where(m => samples.All(s => s.ContainsKey(m))))
                medians[metric] = Median(samples.Select(s => s[metric]));
            results[entry.Name] = new JsonObject
            {
                ["what"] = entry.What,
                ["runs"] = samples.Count,
                ["command"] = "distsnn " + string.Join(' ', (quick ? entry.Quick : entry.Full).Select(a => a.Contains(' ') ? $"\"{a}\"" : a)),
                ["median"] = medians,
            };
        }
        var doc = new JsonObject
        {
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "Z",
            ["quick"] = quick,
            ["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}",
            ["entries"] = results,
        };
        string text = doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(dir, "bench.json"), text);
        SavePlot(Path.Combine(dir, "bench.png"), results, before);
        if (json) Console.WriteLine(text);
        else Table(results, before?["entries"] as JsonObject);
        Console.Error.WriteLine($"results: {dir}");
        return ExitCodes.Ok;
    }

    /// <summary>One fresh process; its figures from its summary, or null with the reason.</summary>
    private static Dictionary<string, double>? RunOnce(string[] args, bool training, string outDir, CancellationToken cancel, out string? why)
    {
        var psi = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        string self = typeof(SuiteBenchCommand).Assembly.Location;
        if (Environment.ProcessPath is { } exe && Path.GetFileNameWithoutExtension(exe) == "distsnn") psi.FileName = exe;
        else
        {
            psi.FileName = "dotnet";
            psi.ArgumentList.Add(self);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--out");
        psi.ArgumentList.Add(outDir);
        psi.ArgumentList.Add("--json");
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        // Ctrl+C on the suite ends the run in progress too.
        using var kill = cancel.Register(() =>
        {
            try { p.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
        });
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        cancel.ThrowIfCancellationRequested();
        double wall = clock.Elapsed.TotalSeconds;
        if (p.ExitCode != 0)
        {
            why = $"distsnn {string.Join(' ', args)} exited with {p.ExitCode}: {stderr.Result.Trim().Split('\n').LastOrDefault()}";
            return null;
        }
        why = null;
        var sample = new Dictionary<string, double> { ["wall_s"] = wall };
        string summaryFile = Path.Combine(outDir, training ? "train_summary.json" : "summary.json");
        JsonDocument summary;
        try
        {
            summary = JsonDocument.Parse(File.ReadAllText(summaryFile));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            why = $"{summaryFile}: {e.Message}";
            return null;
        }
        using var _ = summary;
        var root = summary.RootElement;
        if (training)
        {
            sample["samples_per_s"] = root.GetProperty("history")[0].GetProperty("samples_per_s").GetDouble();
            return sample;
        }
        double simulate = root.GetProperty("simulate_seconds").GetDouble();
        sample["simulate_s"] = simulate;
        sample["events_per_s"] = root.GetProperty("synaptic_events").GetInt64() / Math.Max(1e-9, simulate);
        sample["peak_mib"] = root.GetProperty("peak_working_set_bytes").GetInt64() / (1024.0 * 1024);
        return sample;
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var v = values.Order().ToArray();
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }

    private static void Table(JsonObject results, JsonObject? before)
    {
        var ci = CultureInfo.InvariantCulture;
        var t = new Table().Border(TableBorder.Rounded);
        t.AddColumns("entry", "runs", "wall (s)", "simulate (s)", "events/s", "peak MiB", "samples/s");
        string Cell(string name, JsonNode median, string metric, string format)
        {
            if (median[metric] is not JsonValue v) return "-";
            double now = v.GetValue<double>();
            string text = now.ToString(format, ci);
            if (before?[name]?["median"]?[metric] is JsonValue b && b.GetValue<double>() is var was && was != 0)
                text += $" ({(now / was).ToString("F2", ci)}x)";
            return text;
        }
        foreach (var (name, node) in results)
        {
            var median = node!["median"]!;
            t.AddRow(name, node["runs"]!.ToJsonString(), Cell(name, median, "wall_s", "F2"), Cell(name, median, "simulate_s", "F2"),
                Cell(name, median, "events_per_s", "0.00e0"), Cell(name, median, "peak_mib", "F0"), Cell(name, median, "samples_per_s", "F0"));
        }
        AnsiConsole.Write(t);
        if (before is not null) Console.WriteLine("(ratio) = this run's median over the compared file's");
    }

    private static void SavePlot(string path, JsonObject results, JsonObject? before)
    {
        var plot = new Plot();
        var names = results.Select(kv => kv.Key).ToArray();
        var bars = new List<Bar>();
        for (int i = 0; i < names.Length; i++)
        {
            if (results[names[i]]!["median"]!["wall_s"] is not JsonValue now) continue;
            bars.Add(new Bar { Position = before is null ? i : i - 0.2, Value = now.GetValue<double>(), FillColor = Colors.SteelBlue, Size = before is null ? 0.6 : 0.4 });
            if (before?["entries"]?[names[i]]?["median"]?["wall_s"] is JsonValue was)
                bars.Add(new Bar { Position = i + 0.2, Value = was.GetValue<double>(), FillColor = Colors.Gray, Size = 0.4 });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, names.Length).Select(i => (double)i).ToArray(), names);
        plot.Axes.Left.Label.Text = "whole-process wall, median (s)";
        plot.Title(before is null ? "distsnn bench" : "distsnn bench (blue) against the compared run (gray)");
        plot.Axes.SetLimitsY(0, 1.15 * Math.Max(1e-3, bars.Count == 0 ? 1 : bars.Max(b => b.Value)));
        plot.SavePng(path, 1000, 500);
    }
}
