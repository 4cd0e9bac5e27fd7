using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DistSnn.Bench;

/// <summary>
/// <c>distsnn-bench train [--neurons N] [--samples K] [--partitions P,...] [--runs R] [--label-samples L]
/// [--eval-rate-scale E]</c>: training throughput of the Diehl &amp; Cook network — images per second while learning —
/// and, with L &gt; 0, labelling throughput on the frozen network at evaluation scale E; each run a fresh
/// <c>distsnn train stdp</c> process, medians per partition count, and whether the learned weights agree across
/// partition counts.
/// </summary>
internal static class TrainBench
{
    public static int Run(string[] args)
    {
        int neurons = 100, samples = 1000, runs = 3, labelSamples = 0;
        double evalScale = 1;
        int[] partitions = [1, 2];
        bool json = false;
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--neurons": neurons = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--samples": samples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--partitions": partitions = Next().Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--label-samples": labelSamples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--eval-rate-scale": evalScale = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--json": json = true; break;
                default:
                    Console.Error.WriteLine($"error: unknown option {args[i]}");
                    return 2;
            }
        }
        if (neurons < 1 || samples < 1 || runs < 1 || partitions.Any(p => p < 1))
        {
            Console.Error.WriteLine("error: --neurons, --samples, --runs and --partitions must be >= 1");
            return 2;
        }
        if (labelSamples < 0 || !(evalScale > 0))
        {
            Console.Error.WriteLine("error: --label-samples must be >= 0 and --eval-rate-scale > 0");
            return 2;
        }
        var rows = new List<Dictionary<string, object>>();
        var checksums = new HashSet<string>();
        foreach (int p in partitions)
        {
            var (rates, labelRates) = (new List<double>(), new List<double>());
            for (int r = 0; r < runs; r++)
            {
                if (RunOnce(neurons, samples, p, labelSamples, evalScale) is not { } result) return 1;
                rates.Add(result.Rate);
                labelRates.Add(result.LabelRate);
                checksums.Add(result.Checksum);
                string labelling = labelSamples > 0 ? string.Create(CultureInfo.InvariantCulture, $", labelling {result.LabelRate:F1} images/s") : "";
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"partitions {p}, run {r + 1}/{runs}: {result.Rate:F1} images/s{labelling}"));
            }
            var row = new Dictionary<string, object> { ["partitions"] = p, ["median_train_images_per_second"] = BenchCommand.Median(rates), ["runs"] = runs };
            if (labelSamples > 0) row["median_label_images_per_second"] = BenchCommand.Median(labelRates);
            rows.Add(row);
        }
        var summary = new Dictionary<string, object>
        {
            ["neurons"] = neurons,
            ["train_samples"] = samples,
            ["label_samples"] = labelSamples,
            ["eval_rate_scale"] = evalScale,
            ["results"] = rows,
            ["weights_identical_across_partitions"] = checksums.Count == 1,
        };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        Console.WriteLine($"training throughput, Diehl & Cook N = {neurons}, {samples} images, medians of {runs} runs");
        foreach (var row in rows)
        {
            string labelling = labelSamples > 0
                ? string.Create(CultureInfo.InvariantCulture, $", labelling {(double)row["median_label_images_per_second"]:F1} images/s at evaluation scale {evalScale}")
                : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {row["partitions"]} partition(s): {(double)row["median_train_images_per_second"]:F1} images/s{labelling}"));
        }
        Console.WriteLine($"  learned weights identical for every partition count: {checksums.Count == 1}");
        return 0;
    }

    private static (double Rate, double LabelRate, string Checksum)? RunOnce(int neurons, int samples, int partitions, int labelSamples, double evalScale)
    {
        string outDir = BenchCommand.NewOutDir("train");
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "distsnn.dll"));
        foreach (var a in new[] { "train", "stdp", "--neurons", neurons.ToString(CultureInfo.InvariantCulture), "--train-samples",
                     samples.ToString(CultureInfo.InvariantCulture), "--test-samples", "1", "--partitions",
                     partitions.ToString(CultureInfo.InvariantCulture), "--label-samples", labelSamples.ToString(CultureInfo.InvariantCulture),
                     "--eval-rate-scale", evalScale.ToString(CultureInfo.InvariantCulture), "--out", outDir, "--json" })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        try
        {
            if (p.ExitCode != 0)
            {
                Console.Error.WriteLine($"distsnn train failed with exit code {p.ExitCode}:\n{stderr.Result}");
                return null;
            }
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "train_summary.json")));
            var root = doc.RootElement;
            double labelRate = labelSamples > 0 ? root.GetProperty("label_samples").GetInt32() / root.GetProperty("label_seconds").GetDouble() : 0;
            return (root.GetProperty("train_samples_per_second").GetDouble(), labelRate, root.GetProperty("weights_checksum").GetString()!);
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        }
    }
}
