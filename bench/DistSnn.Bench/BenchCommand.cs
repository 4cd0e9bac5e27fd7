using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DistSnn.Cluster.Output;

namespace DistSnn.Bench;

/// <summary>
/// <c>distsnn-bench NETWORK [--scale S] [--partitions P] [--runs R] [--duration T]</c>: runs a standard benchmark
/// network R times, each in a fresh <c>distsnn run</c> process (so wall time and peak memory are those of a whole
/// process, as a user sees them), and prints medians. NETWORK is a name from examples/ (brunel, cuba, coba) or a
/// path to a model file.
/// </summary>
public static class BenchCommand
{
    /// <summary>One run: whole-process wall time and its summary.</summary>
    internal sealed record Sample(double ProcessWall, RunSummary Summary);

    /// <summary>Entry point; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine("usage: distsnn-bench NETWORK [--scale S] [--partitions P] [--runs R] [--duration T] [--transport inproc|akka|compare]");
            Console.WriteLine("                     [--cluster N] [--telemetry [--node]] [--json]");
            Console.WriteLine("  NETWORK: brunel | cuba | coba | path to a model file");
            Console.WriteLine("       distsnn-bench train [--neurons N] [--samples K] [--partitions 1,2] [--runs R] [--json]");
            Console.WriteLine("  training throughput (images/s) of distsnn train stdp for each partition count");
            Console.WriteLine("       distsnn-bench replicas [--arch A] [--batch 120,480] [--samples N] [--runs R] [--loh-threshold BYTES] [--json]");
            Console.WriteLine("  data-parallel gradient training: 2 node processes vs 1 process with 2 threads vs 1 thread, bytes per step");
            Console.WriteLine("       distsnn-bench checkpoint [NETWORK] [--every T] [--partitions P] [--runs R] [--scale S] [--duration T] [--json]");
            Console.WriteLine("  checkpoint cost: runs with and without --checkpoint-every T (default 100 ms): size, time, overhead");
            Console.WriteLine("       distsnn-bench hwmap [NETWORK] [--runs R] [--rate HZ] [--spinnaker KEY=VALUE ...] [--json]");
            Console.WriteLine("  time of distsnn hw map onto the modelled SpiNNaker machine (default: microcircuit, the largest example)");
            Console.WriteLine("       distsnn-bench components [--runs R] [--out FILE] [--quick]");
            Console.WriteLine("  the scaling model's constants: neuron, Poisson, event, spike and epoch costs, serialisation, loopback packets");
            Console.WriteLine("       distsnn-bench scaling check|project --constants FILE ...");
            Console.WriteLine("  the model against 1- and 2-process runs, and projected to 10,000 nodes (docs/scaling.md)");
            Console.WriteLine("  --cluster N: also run the model on N fresh `distsnn node` processes on loopback (P partitions)");
            Console.WriteLine("               and compare with `distsnn run --partitions P`: wall ratio, bytes per spike on the wire,");
            Console.WriteLine("               remote packets per epoch");
            Console.WriteLine("  --telemetry: alternate runs without telemetry and with --telemetry otlp (metrics every second to a");
            Console.WriteLine("               local OTLP sink) and compare: the cost of exporting");
            Console.WriteLine("  --telemetry --node: the same on two running nodes (one exporting), jobs submitted to them in turn");
            Console.WriteLine("  --transport T: the transport of `distsnn run` (default inproc); compare alternates inproc and akka runs");
            Console.WriteLine("               and prints both medians and their ratio");
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "train") return TrainBench.Run(args);
        if (args[0] == "replicas") return ReplicaBench.Run(args);
        if (args[0] == "checkpoint") return CheckpointBench.Run(args);
        if (args[0] == "hwmap") return HardwareMapBench.Run(args);
        if (args[0] == "components") return Scaling.ComponentBench.Run(args);
        if (args[0] == "scaling") return Scaling.ScalingCommand.Run(args);
        string network = args[0];
        double scale = 1;
        int partitions = 2, runs = 5, cluster = 0;
        string? duration = null, transport = null;
        bool json = false, telemetry = false, node = false;
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--scale": scale = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--partitions": partitions = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--duration": duration = Next(); break;
                case "--json": json = true; break;
                case "--telemetry": telemetry = true; break;
                case "--node": node = true; break;
                case "--cluster": cluster = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--transport": transport = Next(); break;
                default:
                    Console.Error.WriteLine($"error: unknown option {args[i]}");
                    return 2;
            }
        }
        string model = File.Exists(network) ? network : Path.Combine(RepoRoot(), "examples", network + ".yaml");
        if (!File.Exists(model))
        {
            Console.Error.WriteLine($"error: no benchmark network '{network}' (looked for {model})");
            return 2;
        }
        if (runs < 1 || partitions < 1 || !(scale > 0))
        {
            Console.Error.WriteLine("error: --runs and --partitions must be >= 1 and --scale > 0");
            return 2;
        }

        if (node && !telemetry)
        {
            Console.Error.WriteLine("error: --node goes with --telemetry");
            return 2;
        }
        if (transport is not (null or "inproc" or "akka" or "compare"))
        {
            Console.Error.WriteLine($"error: --transport: inproc, akka or compare, not '{transport}'");
            return 2;
        }
        if (transport == "compare") return TransportBench.Run(model, scale, partitions, runs, duration, json);
        if (node) return NodeTelemetryBench.Run(model, scale, partitions, runs, duration, json);
        if (telemetry) return TelemetryBench.Run(model, scale, partitions, runs, duration, json);
        if (cluster > 0) return CompareWithCluster(model, scale, partitions, cluster, runs, duration, json);

        var samples = new List<Sample>();
        for (int r = 0; r < runs; r++)
        {
            var s = RunOnce(model, scale, partitions, duration, transport is null ? null : psi =>
            {
                psi.ArgumentList.Add("--transport");
                psi.ArgumentList.Add(transport);
            });
            if (s is null) return 1;
            samples.Add(s);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {r + 1}/{runs}: wall {s.ProcessWall:F2} s, build {s.Summary.BuildSeconds:F2} s, simulate {s.Summary.SimulateSeconds:F2} s"));
        }
        Print(network, scale, partitions, samples, json);
        return 0;
    }

    /// <summary>A folder of its own in the temporary directory (named after <paramref name="kind"/>), for one run; the caller deletes it.</summary>
    internal static string NewOutDir(string kind = "") =>
        Path.Combine(Path.GetTempPath(), $"distsnn-bench-{kind}{(kind.Length > 0 ? "-" : "")}{Guid.NewGuid():N}");

    /// <summary>One <c>distsnn run</c> process; <paramref name="configure"/> may add arguments or environment.</summary>
    internal static Sample? RunOnce(string model, double scale, int partitions, string? duration, Action<ProcessStartInfo>? configure = null)
    {
        string outDir = NewOutDir();
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "distsnn.dll"));
        foreach (var a in new[] { "run", model, "--partitions", partitions.ToString(CultureInfo.InvariantCulture),
                     "--scale", scale.ToString(CultureInfo.InvariantCulture), "--out", outDir, "--json", "--no-plots" })
            psi.ArgumentList.Add(a);
        if (duration is not null)
        {
            psi.ArgumentList.Add("--duration");
            psi.ArgumentList.Add(duration);
        }
        configure?.Invoke(psi);
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        double wall = clock.Elapsed.TotalSeconds;
        try
        {
            if (p.ExitCode != 0)
            {
                Console.Error.WriteLine($"distsnn run failed with exit code {p.ExitCode}:\n{stderr.Result}");
                return null;
            }
            return new Sample(wall, SummaryWriter.Read(Path.Combine(outDir, "summary.json")));
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        }
    }

    private static int CompareWithCluster(string model, double scale, int partitions, int nodes, int runs, string? duration, bool json)
    {
        var local = new List<Sample>();
        var remote = new List<ClusterBench.ClusterSample>();
        string distsnn = Path.Combine(AppContext.BaseDirectory, "distsnn.dll");
        for (int r = 0; r < runs; r++)
        {
            // Alternate so that drift of the machine affects both sides alike.
            var l = RunOnce(model, scale, partitions, duration);
            var c = ClusterBench.RunOnce(distsnn, model, scale, nodes, partitions, duration);
            if (l is null || c is null) return 1;
            local.Add(l);
            remote.Add(c);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {r + 1}/{runs}: local wall {l.ProcessWall:F2} s (run phase {l.Summary.SimulateSeconds:F2} s, waits {string.Join('/', l.Summary.PartitionWaitSeconds)}), " +
                $"cluster submit→results {c.SubmitWall:F2} s on {c.NodesUsed} node(s) (run phase {c.Summary.SimulateSeconds:F2} s, waits {string.Join('/', c.Summary.PartitionWaitSeconds)})"));
        }
        var spec = DistSnn.Model.NetworkScaling.Scale(DistSnn.Model.ModelLoader.LoadFile(model), scale);
        double durationMs = remote[0].Summary.DurationMs;
        double epochs = Math.Ceiling((double)spec.Run.Grid.Steps(durationMs) / spec.EpochSteps());
        double localWall = Median(local.Select(s => s.ProcessWall)), clusterWall = Median(remote.Select(s => s.SubmitWall));
        var w = remote[0].Wire;
        var result = new Dictionary<string, object>
        {
            ["network"] = model,
            ["scale"] = scale,
            ["partitions"] = partitions,
            ["nodes"] = nodes,
            ["runs"] = runs,
            ["median_local_process_wall_seconds"] = localWall,
            ["median_cluster_submit_wall_seconds"] = clusterWall,
            ["cluster_over_local_wall_ratio"] = clusterWall / localWall,
            ["median_local_simulate_seconds"] = Median(local.Select(s => s.Summary.SimulateSeconds)),
            ["median_cluster_simulate_seconds"] = Median(remote.Select(s => s.Summary.SimulateSeconds)),
            ["wire_spike_packets"] = w.Packets,
            ["wire_spikes"] = w.Spikes,
            ["wire_bytes"] = w.Bytes,
            ["wire_bytes_per_spike"] = w.Spikes > 0 ? (double)w.Bytes / w.Spikes : 0,
            ["remote_packets_per_epoch"] = w.Packets / epochs,
            ["min_nodes_used"] = remote.Min(s => s.NodesUsed),
            ["spikes_sha256_identical"] = remote.All(s => s.Summary.SpikesSha256 == local[0].Summary.SpikesSha256)
                                          && local.All(s => s.Summary.SpikesSha256 == local[0].Summary.SpikesSha256),
        };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine($"cluster overhead {Path.GetFileNameWithoutExtension(model)}, scale {scale.ToString(ci)}, {partitions} partitions, {nodes} nodes, {runs} runs (medians)");
        Console.WriteLine($"  local  distsnn run -p {partitions}     {localWall.ToString("F3", ci)} s (whole process)");
        Console.WriteLine($"  cluster submit --wait --out   {clusterWall.ToString("F3", ci)} s");
        Console.WriteLine($"  ratio cluster / local         {(clusterWall / localWall).ToString("F3", ci)}");
        Console.WriteLine($"  bytes on the wire per spike   {((double)result["wire_bytes_per_spike"]).ToString("F2", ci)} ({w.Bytes.ToString("N0", ci)} bytes, {w.Spikes.ToString("N0", ci)} spikes)");
        Console.WriteLine($"  remote packets per epoch      {((double)result["remote_packets_per_epoch"]).ToString("F2", ci)} ({w.Packets.ToString("N0", ci)} packets, {epochs.ToString(ci)} epochs)");
        Console.WriteLine($"  partitions on distinct nodes  {result["min_nodes_used"]}");
        Console.WriteLine($"  spikes identical to local: {result["spikes_sha256_identical"]}");
        return 0;
    }

    /// <summary>The median (mean of the middle two for an even count).</summary>
    internal static double Median(IEnumerable<double> values) => DistSnn.Cli.SuiteBenchCommand.Median(values);

    private static void Print(string network, double scale, int partitions, List<Sample> samples, bool json)
    {
        double Median(Func<Sample, double> f) => BenchCommand.Median(samples.Select(f));
        var s0 = samples[0].Summary;
        var result = new Dictionary<string, object>
        {
            ["network"] = network,
            ["scale"] = scale,
            ["partitions"] = partitions,
            ["runs"] = samples.Count,
            ["neurons"] = s0.Neurons,
            ["synapses"] = s0.Synapses,
            ["duration_ms"] = s0.DurationMs,
            ["median_process_wall_seconds"] = Median(s => s.ProcessWall),
            ["median_reported_wall_seconds"] = Median(s => s.Summary.WallSeconds),
            ["median_build_seconds"] = Median(s => s.Summary.BuildSeconds),
            ["median_simulate_seconds"] = Median(s => s.Summary.SimulateSeconds),
            ["median_synaptic_events_per_second"] = Median(s => s.Summary.SynapticEvents / s.Summary.SimulateSeconds),
            ["bytes_per_synapse"] = s0.BytesPerSynapse,
            ["median_peak_working_set_bytes"] = Median(s => s.Summary.PeakWorkingSetBytes),
            ["spikes_sha256_identical"] = samples.All(s => s.Summary.SpikesSha256 == s0.SpikesSha256),
        };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            return;
        }
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine($"benchmark {network}, scale {scale.ToString(ci)}, {partitions} partitions, {samples.Count} runs (medians)");
        Console.WriteLine($"  neurons                  {s0.Neurons.ToString("N0", ci)}");
        Console.WriteLine($"  synapses                 {s0.Synapses.ToString("N0", ci)}");
        Console.WriteLine($"  biological time          {s0.DurationMs.ToString("0.###", ci)} ms");
        Console.WriteLine($"  wall (whole process)     {((double)result["median_process_wall_seconds"]).ToString("F3", ci)} s");
        Console.WriteLine($"  build                    {((double)result["median_build_seconds"]).ToString("F3", ci)} s");
        Console.WriteLine($"  simulate                 {((double)result["median_simulate_seconds"]).ToString("F3", ci)} s");
        Console.WriteLine($"  synaptic events / s      {((double)result["median_synaptic_events_per_second"]).ToString("E3", ci)}");
        Console.WriteLine($"  bytes / synapse          {s0.BytesPerSynapse.ToString("F2", ci)}");
        Console.WriteLine($"  peak working set         {((double)result["median_peak_working_set_bytes"] / 1048576).ToString("F0", ci)} MiB");
        Console.WriteLine($"  spikes identical in all runs: {result["spikes_sha256_identical"]}");
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DistSnn.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
