using DistSnn.Model.Datasets;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DistSnn.Hardware.Memristive;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.DiehlCook;
using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Exchange;
using DistSnn.Partitioner;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn hw sweep --target memristive --vary KEY=V1,V2,…</c>: what each device setting costs. Without a model it
/// trains and tests the Diehl &amp; Cook Fashion-MNIST classifier with its input synapses on crossbars, per setting and
/// seed; with <c>--model</c> it runs that network on the chips per setting and reports its rates. The settings are, in
/// order: the identity path (<c>ideal</c>), the base preset alone, the base with each value of each <c>--vary</c>, and
/// each <c>--preset</c>. Writes <c>sweep.json</c> and <c>sweep.png</c>/<c>.svg</c>.
/// </summary>
public static class SweepCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>A setting of the sweep: its label, backend and option overrides.</summary>
    private sealed record Setting(string Label, string Backend, IReadOnlyDictionary<string, string> Options);

    /// <summary>The <c>hw sweep</c> command.</summary>
    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "The hardware whose settings are swept", DefaultValueFactory = _ => "memristive" };
        target.AcceptOnlyFromAmong("memristive");
        var vary = new Option<string[]>("--vary") { Description = "A device figure and its values, KEY=V1,V2,… (repeatable), e.g. levels=2,4,8,16,32,64,256 or c2c=0,0.003,0.01 or stuck_at=0,0.01,0.05", AllowMultipleArgumentsPerToken = false };
        var combined = new Option<string[]>("--setting") { Description = "One more setting of several figures on the base, KEY=VALUE;KEY=VALUE… (repeatable), e.g. 'levels=32;nl_ltp=1.75;nl_ltd=1.46;c2c=0.003'", AllowMultipleArgumentsPerToken = false };
        var presets = new Option<string[]>("--preset") { Description = "Presets measured after the varied settings (repeatable; default rram_neurosim)", AllowMultipleArgumentsPerToken = false };
        var baseline = new Option<string>("--base") { Description = "The preset each varied figure is set on", DefaultValueFactory = _ => DeviceParameters.IdealPhysical };
        var memristive = Backends.MemristiveOption();
        var model = new Option<FileInfo?>("--model") { Description = "Sweep this network's rates instead of training the Fashion-MNIST classifier (every population on the chips)" };
        var duration = new Option<string?>("--duration") { Description = "With --model: simulated time, e.g. '500 ms' (default: the model's)" };
        var neurons = new Option<int>("--neurons") { Description = "Excitatory neurons of the classifier", DefaultValueFactory = _ => 100 };
        var trainN = new Option<int>("--train-samples") { Description = "Training images per setting and seed", DefaultValueFactory = _ => 10_000 };
        var testN = new Option<int>("--test-samples") { Description = "Test images per setting and seed", DefaultValueFactory = _ => 10_000 };
        var labelN = new Option<int?>("--label-samples") { Description = "Images the frozen network is labelled with (default: as many as the training images, at most 10,000)" };
        var seeds = new Option<string>("--seeds") { Description = "Seeds, comma-separated; the interval comes from their spread (one seed: from the test count)", DefaultValueFactory = _ => "1" };
        var jobs = new Option<int>("--jobs") { Description = "Settings run at the same time", DefaultValueFactory = _ => 1 };
        var data = new Option<DirectoryInfo?>("--data") { Description = "Fashion-MNIST IDX folder (default: the installed dataset)" };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Where sweep.json and the plots go (default: results/sweep-memristive)" };
        var json = new Option<bool>("--json") { Description = "Print sweep.json instead of a table" };
        var noIdeal = new Option<bool>("--no-ideal") { Description = "Leave out the ideal setting (another sweep of the same sizes and seeds measured it)" };
        var from = new Option<FileInfo?>("--from") { Description = "Draw the plots of an existing sweep.json again (next to it), running nothing" };
        var cmd = new Command("sweep", "Measure accuracy (the Fashion-MNIST classifier) or rates (--model) for each setting of the modelled devices.\n" + ExitCodes.Help)
        {
            target, vary, combined, presets, baseline, memristive, model, duration, neurons, trainN, testN, labelN, seeds, jobs, data, outDir, json, noIdeal, from,
        };
        cmd.SetAction((parse, cancel) => Task.FromResult(parse.GetValue(from) is { } existing ? Replot(existing) : Execute(parse.GetValue(vary) ?? [], parse.GetValue(combined) ?? [], parse.GetValue(presets) ?? [], parse.GetValue(baseline)!,
            parse.GetValue(memristive) ?? [], parse.GetValue(model), parse.GetValue(duration), parse.GetValue(neurons), parse.GetValue(trainN),
            parse.GetValue(testN), parse.GetValue(labelN), parse.GetValue(seeds)!, parse.GetValue(jobs), parse.GetValue(data), parse.GetValue(outDir),
            parse.GetValue(json), parse.GetValue(noIdeal), cancel)));
        return cmd;
    }

    private static int Refuse(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.BadInput;
    }

    private static int Execute(string[] vary, string[] combined, string[] presets, string baseline, string[] overrides, FileInfo? modelFile, string? duration,
        int neurons, int trainN, int testN, int? labelN, string seedText, int jobs, DirectoryInfo? data, DirectoryInfo? outOption, bool json,
        bool noIdeal, CancellationToken cancel)
    {
        if (!DeviceParameters.Presets.ContainsKey(baseline)) return Refuse($"--base: unknown preset '{baseline}' (known: {string.Join(", ", DeviceParameters.PresetNames)})");
        if (jobs < 1) return Refuse($"--jobs: must be at least 1, got {jobs}");
        var seeds = new List<ulong>();
        foreach (var s in seedText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (ulong.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong v)) seeds.Add(v);
            else return Refuse($"--seeds: '{s}' is not a whole number");
        if (seeds.Count == 0) return Refuse("--seeds: give at least one seed");
        var common = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var o in overrides)
        {
            int eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) return Refuse($"--memristive: '{o}' is not KEY=VALUE");
            common[o[..eq].Trim()] = o[(eq + 1)..].Trim();
        }
        var settings = new List<Setting> { new("ideal", "memristive:ideal", new Dictionary<string, string>()), new(baseline, "memristive:" + baseline, common) };
        if (noIdeal) settings.RemoveAt(0);
        foreach (var v in vary)
        {
            int eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == v.Length - 1) return Refuse($"--vary: '{v}' is not KEY=V1,V2,… (keys: {string.Join(", ", MemristiveSettings.Options)})");
            string key = v[..eq].Trim();
            foreach (var value in v[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                settings.Add(new($"{key}={value}", "memristive:" + baseline, new Dictionary<string, string>(common) { [key] = value }));
        }
        foreach (var c in combined)
        {
            var options = new Dictionary<string, string>(common);
            foreach (var part in c.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == part.Length - 1) return Refuse($"--setting: '{part}' of '{c}' is not KEY=VALUE");
                options[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
            settings.Add(new(c.Replace(';', ' '), "memristive:" + baseline, options));
        }
        foreach (var p in presets.Length > 0 ? presets : [DeviceParameters.RramNeuroSim])
        {
            if (!DeviceParameters.Presets.ContainsKey(p)) return Refuse($"--preset: unknown preset '{p}' (known: {string.Join(", ", DeviceParameters.PresetNames)})");
            settings.Add(new(p, "memristive:" + p, new Dictionary<string, string>(common)));
        }
        string dir = outOption?.FullName ?? Path.Combine("results", "sweep-memristive");
        return modelFile is null
            ? Classifier(settings, seeds, neurons, trainN, testN, labelN ?? Math.Min(trainN, 10_000), jobs, data, dir, json, cancel)
            : Network(settings, seeds, modelFile, duration, jobs, dir, json);
    }

    /// <summary>Checks a setting on <paramref name="spec"/>; the first error, or null.</summary>
    private static string? Problem(NetworkSpec spec, Setting s)
    {
        var errors = Backends.Registry.Check(spec);
        return errors.Count > 0 ? $"setting {s.Label}: {string.Join("; ", errors)}" : null;
    }

    private static NetworkSpec Placed(NetworkSpec spec, Setting s, IEnumerable<string> populations, string? crossbars)
    {
        var names = populations.ToHashSet(StringComparer.Ordinal);
        // The setting's figures over the model's own memristive options; the other backends' sections stay.
        var all = spec.BackendOptions.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var options = all.TryGetValue(MemristiveSettings.Section, out var own) ? own.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in s.Options) options[k] = v;
        if (crossbars is not null) options["crossbars"] = crossbars;
        // The identity path takes no device figure.
        if (s.Backend == "memristive:" + DeviceParameters.Ideal)
            foreach (var k in options.Keys.Where(k => !MemristiveSettings.MappingOptions.Contains(k)).ToList()) options.Remove(k);
        all[MemristiveSettings.Section] = options;
        return spec with
        {
            Populations = spec.Populations.Select(p => names.Contains(p.Name) ? p with { Backend = s.Backend } : p).ToArray(),
            BackendOptions = all,
        };
    }

    /// <summary>An engine factory that keeps the chip partitions it builds in <paramref name="chips"/> (for their reports).</summary>
    private static EngineFactory Engines(System.Collections.Concurrent.ConcurrentBag<MemristivePartition> chips) => (spec, q, owned, backend) =>
    {
        if (backend == PopulationSpec.DefaultBackend) return new PartitionEngine(spec, q, owned);
        var chip = new MemristivePartition(spec, q, owned, backend);
        chips.Add(chip);
        return chip.Engine;
    };

    /// <summary>The summary totals of the chip partitions of one run (none: empty).</summary>
    private static IReadOnlyDictionary<string, double> ChipTotals(NetworkSpec spec, IReadOnlyCollection<MemristivePartition> chips)
    {
        if (chips.Count == 0) return new Dictionary<string, double>();
        var name = chips.First().BackendName;
        return MemristiveSummary.Summarize(spec, BackendReport.Merge(name, chips.Select(c => c.Report)), null).Totals;
    }

    private static int Classifier(List<Setting> settings, List<ulong> seeds, int neurons, int trainN, int testN, int labelN, int jobs,
        DirectoryInfo? data, string dir, bool json, CancellationToken cancel)
    {
        if (neurons < 1) return Refuse($"--neurons: must be at least 1, got {neurons}");
        if (trainN < 1) return Refuse($"--train-samples: must be at least 1, got {trainN}");
        if (testN < 1) return Refuse($"--test-samples: must be at least 1, got {testN}");
        if (labelN < 0) return Refuse($"--label-samples: must be 0 or more, got {labelN}");
        FashionMnist set;
        try
        {
            set = FashionMnist.Load(data?.FullName);
        }
        catch (Exception e) when (e is DatasetMissingException or IdxFormatException or IOException or UnauthorizedAccessException)
        {
            return Refuse(e.Message);
        }
        var probe = DiehlCookNetwork.Build(neurons, 1, set.Train.Rows * set.Train.Columns);
        foreach (var s in settings)
            if (Problem(Placed(probe, s, [DiehlCookNetwork.Excitatory], "input_exc"), s) is { } why) return Refuse(why);
        Directory.CreateDirectory(dir);
        var runs = settings.SelectMany((s, i) => seeds.Select(seed => (Index: i, Setting: s, Seed: seed))).ToArray();
        var accuracy = new double[runs.Length];
        var seconds = new double[runs.Length];
        var totals = new IReadOnlyDictionary<string, double>[runs.Length];
        Parallel.For(0, runs.Length, new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancel }, r =>
        {
            var (_, s, seed) = runs[r];
            var chips = new System.Collections.Concurrent.ConcurrentBag<MemristivePartition>();
            NetworkSpec? placed = null;
            var options = new StdpTrainingOptions
            {
                Neurons = neurons, TrainSamples = trainN, TestSamples = testN, LabelSamples = labelN, Seed = seed, ReportEvery = Math.Min(trainN, 10_000),
                Place = spec => placed = Placed(spec, s, [DiehlCookNetwork.Excitatory], "input_exc"), Engines = Engines(chips), Job = $"sweep-{s.Label}",
            };
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = new StdpTrainer(options, set.Train.Rows * set.Train.Columns).Run(set.Train, set.Test, cancel: cancel);
            accuracy[r] = result.TestAccuracy;
            seconds[r] = clock.Elapsed.TotalSeconds;
            totals[r] = ChipTotals(placed!, chips);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Label} seed {seed}: accuracy {result.TestAccuracy:P2} ({seconds[r]:F0} s)"));
        });
        var points = settings.Select((s, i) =>
        {
            var idx = runs.Select((x, r) => (x, r)).Where(t => t.x.Index == i).Select(t => t.r).ToArray();
            var values = idx.Select(r => accuracy[r]).ToArray();
            var (mean, half) = Interval(values, testN);
            // Chip totals of the whole run (training, labelling and testing), averaged over the seeds.
            var chip = totals[idx[0]].Keys.ToDictionary(k => k, k => idx.Average(r => totals[r].TryGetValue(k, out var v) ? v : 0));
            return new { setting = s.Label, backend = s.Backend, options = s.Options, accuracies = values, mean, ci95_half_width = half, chip };
        }).ToList();
        var report = new
        {
            task = "Diehl & Cook Fashion-MNIST, input synapses on crossbars",
            neurons, train_samples = trainN, test_samples = testN, label_samples = labelN, seeds,
            points,
            seconds = seconds.Sum(),
        };
        return Write(dir, report, points.Select(p => new SweepPoint(p.setting, p.mean * 100, p.ci95_half_width * 100)).ToList(),
            $"Fashion-MNIST, N = {neurons}, {trainN:N0} training / {testN:N0} test images, {seeds.Count} seed(s)", "test accuracy (%)", json);
    }

    private static int Network(List<Setting> settings, List<ulong> seeds, FileInfo modelFile, string? duration, int jobs, string dir, bool json)
    {
        NetworkSpec spec;
        try
        {
            spec = ModelLoader.LoadFile(modelFile.FullName);
            if (duration is not null)
            {
                double ms = Units.Parse(duration, Dimension.Time);
                spec = spec with { Run = spec.Run with { Duration = ms } };
            }
        }
        catch (ModelException e)
        {
            ModelFiles.PrintErrors(e);
            return ExitCodes.BadInput;
        }
        catch (FormatException e)
        {
            return Refuse($"--duration: {e.Message}");
        }
        var all = spec.Populations.Where(p => !p.Model.IsSource).Select(p => p.Name).ToArray();
        foreach (var s in settings)
            if (Problem(Placed(spec, s, all, null), s) is { } why) return Refuse($"{modelFile.FullName}: {why}");
        Directory.CreateDirectory(dir);
        var runs = settings.SelectMany((s, i) => seeds.Select(seed => (Index: i, Setting: s, Seed: seed))).ToArray();
        var rates = new double[runs.Length];
        var energy = new double[runs.Length];
        Parallel.For(0, runs.Length, new ParallelOptions { MaxDegreeOfParallelism = jobs }, r =>
        {
            var (_, s, seed) = runs[r];
            var placed = Placed(spec, s, all, null);
            placed = placed with { Run = placed.Run with { Seed = seed } };
            var plan = PartitionPlan.Create(placed, 1, PartitionStrategy.Contiguous);
            var parts = Enumerable.Range(0, plan.Parts).Select(q => Backends.Registry.Create(plan.Backend(q), placed, q, plan.Owned(q))).ToArray();
            new InProcessRunner(parts, RoutingTable.Of(placed, Enumerable.Range(0, plan.Parts).Select(plan.Owned).ToArray(), parts)).RunUntil(long.MaxValue);
            // Spikes of the neurons on the chips only (sources excluded), from every partition's records.
            var onChips = all.Select(placed.PopulationIndex).ToHashSet();
            long spikes = parts.SelectMany(p => p.SpikeRecords).OfType<SpikeRecord>().Where(x => onChips.Contains(x.Population)).Sum(x => (long)x.ToArrays().Stamps.Length);
            long neurons = placed.Recording.Spikes.Select(placed.PopulationIndex).Where(onChips.Contains).Sum(p => (long)placed.Populations[p].Size);
            rates[r] = neurons > 0 ? spikes / (double)neurons / (placed.Run.Duration / 1000) : 0;
            var merged = BackendReport.Merge(s.Backend, parts.Select(p => p.Report).OfType<BackendReport>());
            energy[r] = MemristiveSummary.Summarize(placed, merged, null).Totals["energy_j"];
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Label} seed {seed}: {rates[r]:F3} Hz, {energy[r]:G3} J"));
        });
        var points = settings.Select((s, i) =>
        {
            var idx = runs.Select((x, r) => (x, r)).Where(t => t.x.Index == i).Select(t => t.r).ToArray();
            var values = idx.Select(r => rates[r]).ToArray();
            var (mean, half) = Interval(values, 0);
            return new { setting = s.Label, backend = s.Backend, options = s.Options, rates_hz = values, mean, ci95_half_width = half, energy_j = idx.Select(r => energy[r]).Average() };
        }).ToList();
        var report = new { task = $"{spec.Name}: mean rate of every neuron on the chips", duration_ms = spec.Run.Duration, seeds, points };
        return Write(dir, report, points.Select(p => new SweepPoint(p.setting, p.mean, p.ci95_half_width)).ToList(),
            $"{spec.Name}, {spec.Run.Duration:G} ms, {seeds.Count} seed(s)", "mean rate (Hz)", json);
    }

    /// <summary>Draws the plots of <paramref name="file"/> (a sweep.json) again, beside it.</summary>
    private static int Replot(FileInfo file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file.FullName));
            var root = doc.RootElement;
            bool accuracy = root.TryGetProperty("neurons", out _);
            double unit = accuracy ? 100 : 1;
            var points = root.GetProperty("points").EnumerateArray().Select(p => new SweepPoint(p.GetProperty("setting").GetString()!,
                p.GetProperty("mean").GetDouble() * unit, p.GetProperty("ci95_half_width").GetDouble() * unit)).ToList();
            int seeds = root.GetProperty("seeds").GetArrayLength();
            string title = accuracy
                ? string.Create(CultureInfo.InvariantCulture, $"Fashion-MNIST, N = {root.GetProperty("neurons").GetInt32()}, {root.GetProperty("train_samples").GetInt32():N0} training / {root.GetProperty("test_samples").GetInt32():N0} test images, {seeds} seed(s)")
                : string.Create(CultureInfo.InvariantCulture, $"{root.GetProperty("task").GetString()}, {root.GetProperty("duration_ms").GetDouble():G} ms, {seeds} seed(s)");
            SweepPlot.Save(Path.Combine(file.DirectoryName!, "sweep"), title, accuracy ? "test accuracy (%)" : "mean rate (Hz)", points);
            Console.WriteLine($"plots: {Path.Combine(file.DirectoryName!, "sweep.png")}, .svg");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or UnauthorizedAccessException)
        {
            return Refuse($"--from: {file.FullName}: not a readable sweep.json ({e.Message})");
        }
    }

    /// <summary>Mean and 95% half-width: Student's t over the seeds, or the binomial interval of one seed's <paramref name="trials"/>.</summary>
    private static (double Mean, double Half) Interval(double[] values, int trials)
    {
        double mean = values.Average();
        if (values.Length > 1)
        {
            double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
            // Student's t at 97.5% for 1 to 30 degrees of freedom; 1.96 beyond.
            double[] t = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042];
            return (mean, (values.Length - 1 <= t.Length ? t[values.Length - 2] : 1.96) * sd / Math.Sqrt(values.Length));
        }
        return (mean, trials > 0 ? 1.96 * Math.Sqrt(mean * (1 - mean) / trials) : 0);
    }

    private static int Write(string dir, object report, IReadOnlyList<SweepPoint> points, string title, string yLabel, bool json)
    {
        var text = JsonSerializer.Serialize(report, Json);
        File.WriteAllText(Path.Combine(dir, "sweep.json"), text);
        SweepPlot.Save(Path.Combine(dir, "sweep"), title, yLabel, points);
        if (json) Console.WriteLine(text);
        else
            foreach (var p in points)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Label,-28} {p.Mean,10:F3} ± {p.HalfWidth:F3}"));
        Console.WriteLine($"sweep: {Path.Combine(dir, "sweep.json")}");
        return ExitCodes.Ok;
    }
}
