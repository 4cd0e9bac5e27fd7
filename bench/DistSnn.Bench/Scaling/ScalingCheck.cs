using System.Globalization;
using System.Text.Json;
using DistSnn.Cluster.Output;
using DistSnn.Model;

namespace DistSnn.Bench.Scaling;

/// <summary>
/// <c>distsnn-bench scaling check --constants FILE [--models brunel,brunel@lag1,microcircuit_small,cuba] [--runs R]
/// [--out FILE]</c>: runs each model on one partition, on two partitions in one process and on two node processes over
/// loopback (one partition each), alternating the three R times, and sets the medians of the simulate phase beside
/// what the model predicts from the run's own counts (neurons, spikes, synaptic events) and the measured constants.
/// <c>NAME@lag1</c> is the model with <c>run.exchange_lag: 1</c>.
/// </summary>
internal static class ScalingCheck
{
    /// <summary>One model in one setting: medians measured, and the model's prediction and its parts (seconds).</summary>
    internal sealed record Row(string Model, string Setting, int Nodes, int Partitions, int Runs, long Epochs, double Spikes, double Events,
        double MeasuredSeconds, double MeasuredWaitSeconds, double PredictedSeconds, double ComputeSeconds, double PacketCpuSeconds,
        double ExposedTransitSeconds)
    {
        /// <summary>(predicted − measured) / measured.</summary>
        public double Error => (PredictedSeconds - MeasuredSeconds) / MeasuredSeconds;
    }

    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        string? constantsFile = null, outFile = null;
        string models = "brunel,brunel@lag1,microcircuit_small,cuba";
        int runs = 5;
        for (int i = 2; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--constants": constantsFile = Next(); break;
                case "--models": models = Next(); break;
                case "--runs": runs = int.Parse(Next(), Ci); break;
                case "--out": outFile = Next(); break;
                default:
                    Console.Error.WriteLine($"error: unknown option {args[i]}");
                    return 2;
            }
        }
        if (constantsFile is null || runs < 1)
        {
            Console.Error.WriteLine("error: scaling check needs --constants FILE (from distsnn-bench components --out FILE) and --runs >= 1");
            return 2;
        }
        var k = ScalingCommand.LoadConstants(constantsFile);
        string distsnn = Path.Combine(AppContext.BaseDirectory, "distsnn.dll");
        string dir = BenchCommand.NewOutDir("check");
        Directory.CreateDirectory(dir);
        var rows = new List<Row>();
        try
        {
            foreach (var name in models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var file = ModelFile(name, dir);
                if (file is null) return 2;
                var spec = ModelLoader.LoadFile(file);
                var one = new List<RunSummary>();
                var two = new List<RunSummary>();
                var cluster = new List<RunSummary>();
                for (int r = 0; r < runs; r++)
                {
                    var a = BenchCommand.RunOnce(file, 1, 1, null);
                    var b = BenchCommand.RunOnce(file, 1, 2, null);
                    var c = ClusterBench.RunOnce(distsnn, file, 1, 2, 2, null);
                    if (a is null || b is null || c is null) return 1;
                    one.Add(a.Summary);
                    two.Add(b.Summary);
                    cluster.Add(c.Summary);
                    Console.Error.WriteLine(string.Create(Ci,
                        $"{name} run {r + 1}/{runs}: simulate 1 partition {a.Summary.SimulateSeconds:F3} s, 2 partitions {b.Summary.SimulateSeconds:F3} s, 2 nodes {c.Summary.SimulateSeconds:F3} s"));
                }
                rows.Add(Predict(name, "1 partition", spec, one, 1, 1, k));
                rows.Add(Predict(name, "2 partitions, 1 process", spec, two, 1, 2, k));
                rows.Add(Predict(name, "2 processes (loopback)", spec, cluster, 2, 1, k));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        if (outFile is not null) File.WriteAllText(outFile, JsonSerializer.Serialize(rows, ComponentBench.Json));
        Print(rows);
        return 0;
    }

    /// <summary>The model file for a name (an example, optionally <c>@lag1</c>), written to <paramref name="dir"/> when changed.</summary>
    private static string? ModelFile(string name, string dir)
    {
        var parts = name.Split('@');
        string file = File.Exists(parts[0]) ? parts[0] : Path.Combine(BenchCommand.RepoRoot(), "examples", parts[0] + ".yaml");
        if (!File.Exists(file))
        {
            Console.Error.WriteLine($"error: no model '{parts[0]}' (looked for {file})");
            return null;
        }
        if (parts.Length == 1) return file;
        if (parts[1] != "lag1")
        {
            Console.Error.WriteLine($"error: '{name}': the only variant is @lag1");
            return null;
        }
        string text = File.ReadAllText(file);
        int at = text.IndexOf("\nrun:\n", StringComparison.Ordinal);
        if (at < 0)
        {
            Console.Error.WriteLine($"error: {file} has no 'run:' block to add exchange_lag to");
            return null;
        }
        string changed = Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + "-lag1.yaml");
        File.WriteAllText(changed, text.Insert(at + "\nrun:\n".Length, "  exchange_lag: 1\n"));
        return changed;
    }

    /// <summary>
    /// The workload of a measured run as the model takes it: its neurons, its mean rate (spikes ÷ neurons ÷ duration), its
    /// mean synaptic events per spike as in-degree, the neuron model of its largest population, whether it has Poisson
    /// input and delays drawn per synapse, and its epochs.
    /// </summary>
    internal static Workload FromRun(NetworkSpec spec, RunSummary s)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(s);
        double seconds = s.DurationMs / 1000;
        return new Workload(spec.Name, s.Neurons, spec.Populations.MaxBy(p => p.Size)!.Model.Kind, spec.PoissonInputs.Count > 0,
            s.Spikes > 0 ? (double)s.SynapticEvents / s.Spikes : 0, s.Spikes / (s.Neurons * seconds),
            spec.Projections.Any(p => p.Delay is not ConstantValue), (int)spec.MinDelaySteps(), spec.ExchangeLag(), spec.Run.Dt);
    }

    /// <summary>The model's prediction of the median run of <paramref name="runs"/> on <paramref name="nodes"/> × <paramref name="perNode"/> partitions (loopback: no added latency, no bandwidth limit).</summary>
    internal static Row Predict(string name, string setting, NetworkSpec spec, IReadOnlyList<RunSummary> runs, int nodes, int perNode, ComponentConstants k)
    {
        var s = runs.OrderBy(r => r.SimulateSeconds).ElementAt(runs.Count / 2);
        var w = FromRun(spec, s);
        long epochs = (long)Math.Ceiling((double)spec.Run.Grid.Steps(s.DurationMs) / w.EpochSteps);
        // One process runs its partitions on threads (distsnn run's default); nodes run them as actors.
        var cost = ScalingModel.Epoch(w, new ClusterShape(nodes, perNode, 0, double.PositiveInfinity, Actors: nodes > 1), k);
        return new Row(name, setting, nodes, nodes * perNode, runs.Count, epochs, s.Spikes, s.SynapticEvents,
            BenchCommand.Median(runs.Select(r => r.SimulateSeconds)),
            BenchCommand.Median(runs.Select(r => r.PartitionWaitSeconds.DefaultIfEmpty(0).Average())),
            epochs * cost.Total, epochs * cost.Compute, epochs * cost.PacketCpu, epochs * cost.ExposedTransit);
    }

    private static void Print(IReadOnlyList<Row> rows)
    {
        Console.WriteLine("| model | setting | runs | epochs | measured simulate (s) | mean wait (s) | predicted (s) | compute | packet CPU | exposed transit | error |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            Console.WriteLine(string.Create(Ci,
                $"| {r.Model} | {r.Setting} | {r.Runs} | {r.Epochs:N0} | {r.MeasuredSeconds:F3} | {r.MeasuredWaitSeconds:F3} | {r.PredictedSeconds:F3} | {r.ComputeSeconds:F3} | {r.PacketCpuSeconds:F3} | {r.ExposedTransitSeconds:F3} | {100 * r.Error:+0;-0}% |"));
    }
}
