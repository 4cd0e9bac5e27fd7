using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Output;

namespace DistSnn.Bench;

/// <summary>
/// <c>distsnn-bench checkpoint [NETWORK] [--every T] [--partitions P] [--runs R] [--scale S] [--duration T]</c>: the cost of
/// checkpoints. Alternates runs without and with <c>--checkpoint-every</c> (each a fresh <c>distsnn run</c> process) and
/// reports medians: wall and simulate time of both, the overhead ratio, checkpoint size per synapse (the last
/// checkpoint, the largest, since it holds the recordings so far) and seconds per checkpoint (the slowest partition's
/// write time, from the manifests kept, and the extra simulate time divided by the number of checkpoints).
/// </summary>
internal static class CheckpointBench
{
    private sealed record Sample(double Wall, RunSummary Summary, CheckpointManifest[] Manifests);

    public static int Run(string[] args)
    {
        string network = "brunel", every = "100 ms";
        string? duration = null;
        double scale = 1;
        int partitions = 2, runs = 5;
        bool json = false;
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--every": every = Next(); break;
                case "--partitions": partitions = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--scale": scale = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--duration": duration = Next(); break;
                case "--json": json = true; break;
                default:
                    if (args[i].StartsWith('-'))
                    {
                        Console.Error.WriteLine($"error: unknown option {args[i]}");
                        return 2;
                    }
                    network = args[i];
                    break;
            }
        }
        string model = File.Exists(network) ? network : Path.Combine(BenchCommand.RepoRoot(), "examples", network + ".yaml");
        if (!File.Exists(model))
        {
            Console.Error.WriteLine($"error: no benchmark network '{network}' (looked for {model})");
            return 2;
        }
        var plain = new List<Sample>();
        var ckpt = new List<Sample>();
        for (int r = 0; r < runs; r++)
        {
            // Alternating keeps slow drifts of the machine out of the ratio.
            foreach (bool with in new[] { false, true })
            {
                var s = RunOnce(model, scale, partitions, duration, with ? every : null);
                if (s is null) return 1;
                if (with && s.Manifests.Length == 0)
                {
                    Console.Error.WriteLine($"error: the run wrote no checkpoint: --every {every} is not shorter than the run ({s.Summary.DurationMs} ms)");
                    return 2;
                }
                (with ? ckpt : plain).Add(s);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {r + 1}/{runs} {(with ? "checkpoints" : "plain      ")}: wall {s.Wall:F2} s, simulate {s.Summary.SimulateSeconds:F2} s"));
            }
        }
        double M(IEnumerable<double> v) => BenchCommand.Median(v);
        var s0 = ckpt[0].Summary;
        var last = ckpt.Select(s => s.Manifests.MaxBy(m => m.Step)!).ToArray();
        long checkpoints = CountCheckpoints(last[0]);
        double plainWall = M(plain.Select(s => s.Wall)), ckptWall = M(ckpt.Select(s => s.Wall));
        double plainSim = M(plain.Select(s => s.Summary.SimulateSeconds)), ckptSim = M(ckpt.Select(s => s.Summary.SimulateSeconds));
        var result = new Dictionary<string, object>
        {
            ["network"] = network,
            ["scale"] = scale,
            ["partitions"] = partitions,
            ["runs"] = runs,
            ["checkpoint_every"] = every,
            ["synapses"] = s0.Synapses,
            ["duration_ms"] = s0.DurationMs,
            ["checkpoints_per_run"] = checkpoints,
            ["median_plain_wall_seconds"] = plainWall,
            ["median_checkpoint_wall_seconds"] = ckptWall,
            ["wall_overhead_ratio"] = ckptWall / plainWall - 1,
            ["median_plain_simulate_seconds"] = plainSim,
            ["median_checkpoint_simulate_seconds"] = ckptSim,
            ["simulate_overhead_ratio"] = ckptSim / plainSim - 1,
            ["last_checkpoint_bytes"] = M(last.Select(m => (double)m.Files.Sum(f => f.Bytes))),
            ["last_checkpoint_bytes_per_synapse"] = M(last.Select(m => (double)m.Files.Sum(f => f.Bytes))) / s0.Synapses,
            ["median_write_seconds_per_checkpoint"] = M(ckpt.SelectMany(s => s.Manifests).Select(m => m.WriteSeconds)),
            ["extra_simulate_seconds_per_checkpoint"] = (ckptSim - plainSim) / Math.Max(1, checkpoints),
            ["spikes_sha256_identical"] = plain.Concat(ckpt).All(s => s.Summary.SpikesSha256 == s0.SpikesSha256),
        };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        foreach (var (k, v) in result)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {k,-40} {(v is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : v)}"));
        return 0;
    }

    /// <summary>Checkpoints in a run: one at the first epoch boundary at or after each multiple of the interval, none at the end.</summary>
    private static long CountCheckpoints(CheckpointManifest m) => (m.TotalSteps - 1) / m.CheckpointEverySteps;

    /// <summary>One <c>distsnn run</c> (see <see cref="BenchCommand.RunOnce"/>), with checkpoints when <paramref name="every"/> is set.</summary>
    private static Sample? RunOnce(string model, double scale, int partitions, string? duration, string? every)
    {
        string ckpt = BenchCommand.NewOutDir("ckpt");
        try
        {
            var run = BenchCommand.RunOnce(model, scale, partitions, duration, psi =>
            {
                if (every is null) return;
                foreach (var a in new[] { "--checkpoint-every", every, "--checkpoint-dir", ckpt }) psi.ArgumentList.Add(a);
            });
            if (run is null) return null;
            var manifests = every is null
                ? []
                : Directory.GetFiles(ckpt, CheckpointStore.ManifestName, SearchOption.AllDirectories)
                    .Select(f => CheckpointStore.Load(Path.GetDirectoryName(f)!).Checkpoint.Manifest).ToArray();
            return new Sample(run.ProcessWall, run.Summary, manifests);
        }
        finally
        {
            if (Directory.Exists(ckpt)) Directory.Delete(ckpt, true);
        }
    }
}
