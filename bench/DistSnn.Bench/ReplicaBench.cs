using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DistSnn.Bench;

/// <summary>
/// <c>distsnn-bench replicas [--arch A] [--batch B,...] [--samples N] [--runs R] [--json]</c>: data-parallel training
/// throughput of <c>distsnn train surrogate</c> on Fashion-MNIST, side by side in each run: two <c>distsnn node</c>
/// processes on loopback with one replica each (<c>--endpoint</c>, <c>--replicas 2</c>), one process with two
/// replica threads, and one process with one. Samples per second of the epoch, their ratios per run (medians), the
/// bytes that crossed the network per optimizer step (the nodes' <c>/wire</c> counters of weights and gradient
/// messages), and whether every run ended with the same weights. <c>--loh-threshold BYTES</c> sets the large-object
/// threshold of every process it starts (<c>DOTNET_GCLOHThreshold</c>; 0: the runtime's default).
/// </summary>
internal static class ReplicaBench
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static int Run(string[] args)
    {
        string arch = "784-256-10";
        int[] batches = [120, 480];
        int samples = 12_000, runs = 3;
        long loh = 8 << 20;
        bool json = false;
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--arch": arch = Next(); break;
                case "--batch": batches = Next().Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--samples": samples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--loh-threshold": loh = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--json": json = true; break;
                default:
                    Console.Error.WriteLine($"error: unknown option {args[i]}");
                    return 2;
            }
        }
        if (samples < 1 || runs < 1 || batches.Any(b => b < 1))
        {
            Console.Error.WriteLine("error: --samples, --runs and --batch must be >= 1");
            return 2;
        }
        string distsnn = Path.Combine(AppContext.BaseDirectory, "distsnn.dll");
        var nodes = new List<Process>();
        var rows = new List<Dictionary<string, object>>();
        var checksums = new HashSet<string>();
        try
        {
            var remoting = new[] { ClusterBench.FreePort(), ClusterBench.FreePort() };
            var admin = new[] { ClusterBench.FreePort(), ClusterBench.FreePort() };
            for (int n = 0; n < 2; n++)
                nodes.Add(ClusterBench.Start(distsnn, psi =>
                    {
                        psi.Environment["DistSnn__Node__WarmUp"] = "false";
                        Gc(psi, loh);
                    }, "node", "--port",
                    remoting[n].ToString(CultureInfo.InvariantCulture), "--seed", $"127.0.0.1:{remoting[0]}", "--admin-url", $"http://127.0.0.1:{admin[n]}"));
            string endpoint = $"http://127.0.0.1:{admin[0]}";
            ClusterBench.WaitForMembers(endpoint, 2, nodes);
            foreach (int port in admin) ClusterBench.WaitForReady($"http://127.0.0.1:{port}");
            foreach (int batch in batches)
            {
                string[] common = ["train", "surrogate", "--arch", arch, "--epochs", "1", "--batch", batch.ToString(CultureInfo.InvariantCulture),
                    "--train-samples", samples.ToString(CultureInfo.InvariantCulture), "--validation", "0", "--test-samples", "0"];
                // The nodes compile the training code on their first job: one run that is not counted.
                if (Train(distsnn, loh, [.. common, "--replicas", "2", "--endpoint", endpoint]) is null) return 1;
                var (cluster, two, one, toTwo, toOne, bytes) = (new List<double>(), new List<double>(), new List<double>(), new List<double>(), new List<double>(), new List<double>());
                for (int r = 0; r < runs; r++)
                {
                    long before = WireBytes(admin);
                    var c = Train(distsnn, loh, [.. common, "--replicas", "2", "--endpoint", endpoint]);
                    long after = WireBytes(admin);
                    var l2 = Train(distsnn, loh, [.. common, "--replicas", "2"]);
                    var l1 = Train(distsnn, loh, [.. common, "--replicas", "1"]);
                    if (c is null || l2 is null || l1 is null) return 1;
                    checksums.UnionWith([c.Value.Checksum, l2.Value.Checksum, l1.Value.Checksum]);
                    cluster.Add(c.Value.Rate);
                    two.Add(l2.Value.Rate);
                    one.Add(l1.Value.Rate);
                    toTwo.Add(c.Value.Rate / l2.Value.Rate);
                    toOne.Add(c.Value.Rate / l1.Value.Rate);
                    bytes.Add((after - before) / (double)c.Value.Steps);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"batch {batch}, run {r + 1}/{runs}: 2 nodes {c.Value.Rate:F0}, 1 process 2 threads {l2.Value.Rate:F0}, 1 thread {l1.Value.Rate:F0} samples/s; {bytes[^1] / 1e6:F2} MB per step"));
                }
                rows.Add(new Dictionary<string, object>
                {
                    ["batch"] = batch,
                    ["median_samples_per_s_2_nodes"] = BenchCommand.Median(cluster),
                    ["median_samples_per_s_1_process_2_threads"] = BenchCommand.Median(two),
                    ["median_samples_per_s_1_process_1_thread"] = BenchCommand.Median(one),
                    ["median_ratio_to_2_threads"] = BenchCommand.Median(toTwo),
                    ["median_ratio_to_1_thread"] = BenchCommand.Median(toOne),
                    ["median_bytes_per_step"] = BenchCommand.Median(bytes),
                    ["runs"] = runs,
                });
            }
        }
        finally
        {
            foreach (var p in nodes)
            {
                try
                {
                    if (!p.HasExited) p.Kill(entireProcessTree: true);
                    p.WaitForExit(10_000);
                }
                catch (InvalidOperationException)
                {
                    // already gone
                }
                p.Dispose();
            }
        }
        var summary = new Dictionary<string, object>
        {
            ["arch"] = arch, ["train_samples"] = samples, ["loh_threshold_bytes"] = loh, ["results"] = rows, ["weights_identical"] = checksums.Count == rows.Count,
        };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        Console.WriteLine($"data-parallel training, {arch}, {samples} samples, medians of {runs} runs (ratios per run)");
        foreach (var row in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  batch {row["batch"]}: 2 nodes {(double)row["median_samples_per_s_2_nodes"]:F0} samples/s = {(double)row["median_ratio_to_2_threads"]:F2}x one process with 2 threads " +
                $"({(double)row["median_samples_per_s_1_process_2_threads"]:F0}), {(double)row["median_ratio_to_1_thread"]:F2}x one thread ({(double)row["median_samples_per_s_1_process_1_thread"]:F0}); " +
                $"{(double)row["median_bytes_per_step"] / 1e6:F2} MB on the network per step"));
        // One batch size, one set of weights: every configuration of a batch size must agree.
        Console.WriteLine($"  weights identical for 2 nodes, 2 threads and 1 thread: {checksums.Count == rows.Count}");
        return 0;
    }

    /// <summary>Arrays up to <paramref name="loh"/> bytes are collected young: weights and gradients then stay off the large-object heap.</summary>
    private static void Gc(System.Diagnostics.ProcessStartInfo psi, long loh)
    {
        if (loh > 0) psi.Environment["DOTNET_GCLOHThreshold"] = loh.ToString("x", CultureInfo.InvariantCulture);
    }

    private static (double Rate, string Checksum, long Steps)? Train(string distsnn, long loh, string[] args)
    {
        string outDir = BenchCommand.NewOutDir("replicas");
        using var p = ClusterBench.Start(distsnn, psi => Gc(psi, loh), [.. args, "--out", outDir, "--json"]);
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        try
        {
            if (p.ExitCode != 0)
            {
                Console.Error.WriteLine($"distsnn {string.Join(' ', args)} failed with exit code {p.ExitCode}:\n{stderr.Result}");
                return null;
            }
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "train_summary.json")));
            var root = doc.RootElement;
            int batch = root.GetProperty("batch").GetInt32(), trained = root.GetProperty("train_samples").GetInt32();
            return (root.GetProperty("history")[0].GetProperty("samples_per_s").GetDouble(), root.GetProperty("parameters_checksum").GetString()!,
                (trained + batch - 1) / batch);
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        }
    }

    /// <summary>Bytes of weights and gradients the nodes have put on the network so far.</summary>
    private static long WireBytes(int[] admin)
    {
        long bytes = 0;
        foreach (int port in admin)
        {
            using var doc = JsonDocument.Parse(Http.GetStringAsync($"http://127.0.0.1:{port}/wire").Result);
            foreach (var row in doc.RootElement.EnumerateArray())
                if (row.GetProperty("type").GetString() is "ComputeMicroBatches" or "MicroBatchGradient") bytes += row.GetProperty("bytes").GetInt64();
        }
        return bytes;
    }
}
