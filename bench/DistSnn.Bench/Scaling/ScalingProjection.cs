using System.Globalization;
using System.Text;

namespace DistSnn.Bench.Scaling;

/// <summary>
/// <c>distsnn-bench scaling project --constants FILE [--out DIR] [--per-node 16] [--latency-us 10] [--bandwidth-gbps 25]
/// [--packet-us X] [--software-us X]</c>:
/// the model's real-time factor for Brunel and the microcircuit from 1 to 10,000 nodes, strong scaling (the network
/// fixed) and weak scaling (neurons per node fixed), for each exchange scheme; prints the tables as markdown and writes
/// one plot per network and kind of scaling (PNG) and the tables (CSV) into DIR. <c>--packet-us</c> and
/// <c>--software-us</c> replace the measured CPU per remote packet and software latency (what-ifs).
/// </summary>
internal static class ScalingProjection
{
    /// <summary>Node counts of the projections.</summary>
    internal static readonly int[] NodeCounts = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

    /// <summary>One line of a plot: a workload per node count on a cluster shape per node count.</summary>
    internal sealed record Line(string Label, Func<int, Workload> Work, Func<int, ClusterShape> Shape, ScottPlot.Color Color, bool ComputeOnly = false);

    /// <summary>One figure: its file, title and lines.</summary>
    internal sealed record Scenario(string File, string Title, string Network, string Scaling, IReadOnlyList<Line> Lines);

    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    /// <summary>Brunel's measured rate (37.8 Hz, docs/results/brunel-states.md) and in-degree 1,250; Poisson drive; delay 1.5 ms.</summary>
    internal static Workload Brunel(double neurons, int lag = 2) =>
        new($"brunel {neurons:N0}", neurons, "lif_delta", true, 1250, 37.8, false, 15, lag);

    /// <summary>
    /// The microcircuit's figures at full scale (docs/results/microcircuit.md): 298,880,968 synapses on 77,169 neurons
    /// (in-degree 3,873), 2,616,873 spikes in 10.5 s (3.23 Hz), Poisson drive, delays drawn per synapse (minimum one step).
    /// </summary>
    internal static Workload Microcircuit(double neurons) =>
        new($"microcircuit {neurons:N0}", neurons, "lif_exp_current", true, 298_880_968.0 / 77_169, 2_616_873.0 / (77_169 * 10.5), true, 1, 1);

    internal static IReadOnlyList<Scenario> Scenarios(int perNode, double latencyUs, double gbps)
    {
        ClusterShape Shape(int n, ExchangeScheme scheme) => new(n, perNode, latencyUs, gbps, scheme);
        Line Today(Func<int, Workload> w, string label = "today: packet per partition pair") =>
            new(label, w, n => Shape(n, ExchangeScheme.PartitionPairs), ScottPlot.Colors.Black);
        Line Nodes(Func<int, Workload> w) => new("packets aggregated per node pair", w, n => Shape(n, ExchangeScheme.NodePairs), ScottPlot.Colors.SteelBlue);
        Line Hier(Func<int, Workload> w) => new("hierarchical (two hops)", w, n => Shape(n, ExchangeScheme.Hierarchical), ScottPlot.Colors.SeaGreen);
        Line Ideal(Func<int, Workload> w) => new("compute only (no communication)", w, n => Shape(n, ExchangeScheme.PartitionPairs),
            ScottPlot.Colors.Gray, ComputeOnly: true);
        const double brunelStrong = 12_500_000, brunelPerNode = 100_000, microcircuit = 77_169;
        return
        [
            new("scaling-brunel-strong", $"Brunel, {brunelStrong:N0} neurons (strong scaling)", "brunel", "strong",
            [
                Today(_ => Brunel(brunelStrong)), Today(_ => Brunel(brunelStrong, 1), "today, exchange lag 1") with { Color = ScottPlot.Colors.OrangeRed },
                Nodes(_ => Brunel(brunelStrong)), Hier(_ => Brunel(brunelStrong)), Ideal(_ => Brunel(brunelStrong)),
            ]),
            new("scaling-brunel-weak", $"Brunel, {brunelPerNode:N0} neurons per node (weak scaling)", "brunel", "weak",
            [
                Today(n => Brunel(brunelPerNode * n)), Today(n => Brunel(brunelPerNode * n, 1), "today, exchange lag 1") with { Color = ScottPlot.Colors.OrangeRed },
                Nodes(n => Brunel(brunelPerNode * n)), Hier(n => Brunel(brunelPerNode * n)), Ideal(n => Brunel(brunelPerNode * n)),
            ]),
            new("scaling-microcircuit-strong", $"Microcircuit, {microcircuit:N0} neurons (strong scaling)", "microcircuit", "strong",
            [
                Today(_ => Microcircuit(microcircuit)), Nodes(_ => Microcircuit(microcircuit)), Hier(_ => Microcircuit(microcircuit)), Ideal(_ => Microcircuit(microcircuit)),
                // What-ifs: delays drawn at 0.2 ms and more (a minimum delay of two steps) allow lag 2.
                Nodes(_ => Microcircuit(microcircuit) with { MinDelaySteps = 2, Lag = 1 }) with { Label = "per node pair, min delay 0.2 ms, lag 1", Color = ScottPlot.Colors.MediumPurple },
                Nodes(_ => Microcircuit(microcircuit) with { MinDelaySteps = 2, Lag = 2 }) with { Label = "per node pair, min delay 0.2 ms, lag 2", Color = ScottPlot.Colors.OrangeRed },
            ]),
            new("scaling-microcircuit-weak", $"Microcircuit connectivity, {microcircuit:N0} neurons per node (weak scaling)", "microcircuit", "weak",
            [
                Today(n => Microcircuit(microcircuit * n)), Nodes(n => Microcircuit(microcircuit * n)), Hier(n => Microcircuit(microcircuit * n)),
                Ideal(n => Microcircuit(microcircuit * n)),
            ]),
        ];
    }

    /// <summary>The epoch cost of a line at <paramref name="nodes"/> (its compute alone for a compute-only line).</summary>
    internal static EpochCost Cost(Line line, int nodes, ComponentConstants k)
    {
        var cost = ScalingModel.Epoch(line.Work(nodes), line.Shape(nodes), k);
        return !line.ComputeOnly ? cost : cost with { PacketCpu = 0, Transit = 0, ExposedTransit = 0, Imbalance = 0, RemotePacketsPerNode = 0, BytesPerNode = 0 };
    }

    /// <summary>Partitions with fewer neurons than this are not projected: the network is cut finer than makes sense.</summary>
    internal const double MinNeuronsPerPartition = 10;

    /// <summary>The node counts of <see cref="NodeCounts"/> at which a line is projected (at least <see cref="MinNeuronsPerPartition"/> neurons per partition).</summary>
    internal static IEnumerable<int> Counts(Line line) =>
        NodeCounts.Where(n => line.Work(n).Neurons / line.Shape(n).Partitions >= MinNeuronsPerPartition);

    /// <summary>The smallest projected node count at which communication takes at least half of the epoch, or null.</summary>
    internal static int? CommunicationDominates(Line line, ComponentConstants k) =>
        Counts(line).Cast<int?>().FirstOrDefault(n => Cost(line, n!.Value, k).CommunicationShare >= 0.5);

    public static int Run(string[] args)
    {
        string? constantsFile = null, outDir = null;
        int perNode = 16;
        double latencyUs = 10, gbps = 25, packetUs = double.NaN, softwareUs = double.NaN;
        for (int i = 2; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--constants": constantsFile = Next(); break;
                case "--out": outDir = Next(); break;
                case "--per-node": perNode = int.Parse(Next(), Ci); break;
                case "--latency-us": latencyUs = double.Parse(Next(), Ci); break;
                case "--bandwidth-gbps": gbps = double.Parse(Next(), Ci); break;
                case "--packet-us": packetUs = double.Parse(Next(), Ci); break;
                case "--software-us": softwareUs = double.Parse(Next(), Ci); break;
                default:
                    Console.Error.WriteLine($"error: unknown option {args[i]}");
                    return 2;
            }
        }
        if (constantsFile is null || perNode < 1 || !(latencyUs >= 0) || !(gbps > 0))
        {
            Console.Error.WriteLine("error: scaling project needs --constants FILE; --per-node >= 1, --latency-us >= 0, --bandwidth-gbps > 0");
            return 2;
        }
        var k = ScalingCommand.LoadConstants(constantsFile);
        // What-ifs: another transport's CPU per remote packet, or software latency, in place of the measured ones.
        if (!double.IsNaN(packetUs)) k = k with { RemotePacketUs = packetUs };
        if (!double.IsNaN(softwareUs)) k = k with { LockstepUs = softwareUs };
        if (outDir is not null) Directory.CreateDirectory(outDir);
        Console.WriteLine(string.Create(Ci, $"Assumed: {perNode} partitions (cores) per node, {latencyUs} µs network latency on top of {k.LockstepUs:F1} µs in software, {k.RemotePacketUs:F1} µs of CPU per remote packet, {gbps} Gbit/s per node."));
        foreach (var scenario in Scenarios(perNode, latencyUs, gbps))
        {
            Console.WriteLine();
            Console.WriteLine($"### {scenario.Title}");
            Console.WriteLine();
            Console.WriteLine("| nodes | " + string.Join(" | ", scenario.Lines.Select(l => l.Label)) + " | today: compute / packet CPU / exposed transit / imbalance (ms per epoch) | today: packets per node per epoch | today: MB/s per node |");
            Console.WriteLine("|---|" + string.Concat(scenario.Lines.Select(_ => "---|")) + "---|---|---|");
            var csv = new StringBuilder("nodes," + string.Join(',', scenario.Lines.Select(l => $"\"{l.Label}\"")) + ",compute_s,packet_cpu_s,transit_s,exposed_transit_s,imbalance_s,packets_per_node,bytes_per_node\n");
            foreach (int n in Counts(scenario.Lines[0]))
            {
                var rtf = scenario.Lines.Select(l => Cost(l, n, k).Total * l.Work(n).EpochsPerSecond).ToList();
                var today = Cost(scenario.Lines[0], n, k);
                double eps = scenario.Lines[0].Work(n).EpochsPerSecond;
                Console.WriteLine(string.Create(Ci, $"| {n:N0} | ") + string.Join(" | ", rtf.Select(Format)) + string.Create(Ci,
                    $" | {1e3 * today.Compute:G3} / {1e3 * today.PacketCpu:G3} / {1e3 * today.ExposedTransit:G3} / {1e3 * today.Imbalance:G3} | {today.RemotePacketsPerNode:G3} | {today.BytesPerNode * eps / 1e6:G3} |"));
                csv.Append(n.ToString(Ci)).Append(',').Append(string.Join(',', rtf.Select(r => r.ToString("R", Ci))))
                   .Append(string.Create(Ci, $",{today.Compute:R},{today.PacketCpu:R},{today.Transit:R},{today.ExposedTransit:R},{today.Imbalance:R},{today.RemotePacketsPerNode:R},{today.BytesPerNode:R}\n"));
            }
            foreach (var line in scenario.Lines.Where(l => !l.ComputeOnly))
                Console.WriteLine($"\n{line.Label}: communication ≥ half the epoch from {CommunicationDominates(line, k)?.ToString("N0", Ci) ?? $"never (up to {Counts(line).Last():N0})"} nodes");
            if (outDir is null) continue;
            File.WriteAllText(Path.Combine(outDir, scenario.File + ".csv"), csv.ToString());
            Plot(scenario, k, perNode, Path.Combine(outDir, scenario.File + ".png"));
        }
        return 0;
    }

    private static string Format(double rtf) => rtf.ToString(rtf >= 100 ? "N0" : rtf >= 1 ? "F2" : "G3", Ci);

    /// <summary>Real-time factor against nodes, both on decade axes.</summary>
    private static void Plot(Scenario scenario, ComponentConstants k, int perNode, string file)
    {
        var plot = new ScottPlot.Plot();
        double lo = double.MaxValue, hi = double.MinValue;
        foreach (var line in scenario.Lines)
        {
            var counts = Counts(line).ToArray();
            var xs = counts.Select(n => Math.Log10(n)).ToArray();
            var ys = counts.Select(n => Math.Log10(Cost(line, n, k).Total * line.Work(n).EpochsPerSecond)).ToArray();
            lo = Math.Min(lo, ys.Min());
            hi = Math.Max(hi, ys.Max());
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = line.Label;
            scatter.Color = line.Color;
            scatter.LineWidth = 2;
            scatter.MarkerSize = 5;
            if (line.ComputeOnly) scatter.LinePattern = ScottPlot.LinePattern.Dashed;
        }
        var real = plot.Add.HorizontalLine(0);
        real.Color = ScottPlot.Colors.Gray;
        real.LinePattern = ScottPlot.LinePattern.Dotted;
        real.LegendText = "real time";
        int bottom = (int)Math.Floor(Math.Min(lo, 0)), top = (int)Math.Ceiling(Math.Max(hi, 0));
        var decades = Enumerable.Range(bottom, top - bottom + 1).Select(d => (double)d).ToArray();
        plot.Axes.Left.SetTicks(decades, decades.Select(d => Math.Pow(10, d).ToString("G4", Ci)).ToArray());
        var nodeTicks = new double[] { 0, 1, 2, 3, 4 };
        plot.Axes.Bottom.SetTicks(nodeTicks, nodeTicks.Select(d => Math.Pow(10, d).ToString("N0", Ci)).ToArray());
        plot.Axes.SetLimits(-0.1, 4.1, bottom - 0.05, top + 0.05);
        plot.Axes.Bottom.Label.Text = $"nodes ({perNode} partitions each)";
        plot.Axes.Left.Label.Text = "wall seconds per biological second (log)";
        plot.Title(scenario.Title);
        plot.ShowLegend(ScottPlot.Edge.Right);
        plot.SavePng(file, 1100, 550);
    }
}
