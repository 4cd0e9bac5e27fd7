using DistSnn.Model;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Partitioner.Tests;

/// <summary>Networks the tests partition, and helpers that inspect plans.</summary>
internal static class Models
{
    public static readonly string[] ExampleNames = ["brunel", "cuba", "coba"];

    public static readonly PartitionStrategy[] Strategies =
        [PartitionStrategy.Contiguous, PartitionStrategy.RoundRobin, PartitionStrategy.Graph];

    private static readonly LifDelta Lif = new() { TauM = 20, VTh = 20, VReset = 10, EL = 0, TRef = 2 };

    public static NetworkSpec Example(string name) =>
        ModelLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "examples", name + ".yaml"));

    /// <summary>
    /// Populations of <paramref name="size"/> neurons, each strongly connected within itself (p = 0.2) and weakly
    /// to the previous and next population of a chain (p = 0.01 each way).
    /// </summary>
    public static NetworkSpec Chain(int populations = 8, int size = 500, double pWithin = 0.2, double pNeighbour = 0.01,
        double durationMs = 100)
    {
        var b = new NetworkBuilder("chain").WithDuration(durationMs).WithSeed(7);
        var pops = Enumerable.Range(0, populations)
            .Select(i => b.Population($"p{i}", size, Lif).Initial("v", new UniformValue(0, 20, Dimension.Voltage)))
            .ToArray();
        for (int i = 0; i < populations; i++)
        {
            b.Connect(pops[i], pops[i], new FixedProbability(pWithin) { AllowSelfConnections = false }, weight: 0.1, delay: 1.5);
            if (i > 0) b.Connect(pops[i], pops[i - 1], new FixedProbability(pNeighbour), weight: 0.1, delay: 1.5);
            if (i + 1 < populations) b.Connect(pops[i], pops[i + 1], new FixedProbability(pNeighbour), weight: 0.1, delay: 1.5);
            b.PoissonInput(pops[i], sources: 1000, rateHz: 20, weight: 0.1);
        }
        b.RecordAllSpikes();
        return b.Build();
    }

    /// <summary>Odd population sizes (1 to 101) and every connector, including listed synapses and a spike source.</summary>
    public static NetworkSpec Odd()
    {
        var b = new NetworkBuilder("odd").WithDuration(20).WithSeed(3);
        var one = b.Population("one", 1, Lif);
        var seven = b.Population("seven", 7, Lif);
        var thirteen = b.Population("thirteen", 13, Lif);
        var big = b.Population("big", 101, Lif);
        var twin = b.Population("twin", 101, Lif);
        var gen = b.Population("gen", 5, new PoissonGenerator { Rate = 50 });
        b.Connect(big, big, new FixedProbability(0.3) { AllowSelfConnections = false }, weight: 0.1, delay: 1);
        b.Connect(big, twin, new OneToOne(), weight: 0.1, delay: 1);
        b.Connect(seven, thirteen, new AllToAll(), weight: 0.1, delay: 1);
        b.Connect(thirteen, big, new FixedNumberPre(4), weight: 0.1, delay: 1);
        b.Connect(gen, seven, new FixedNumberPost(3), weight: 0.1, delay: 1);
        b.Connect(twin, one, new FixedTotalNumber(20), weight: 0.1, delay: 1);
        b.Connect(one, big, new FromList([new(0, 3), new(0, 4), new(0, 100)]), weight: 0.1, delay: 1);
        return b.Build();
    }

    /// <summary>
    /// Every connector with self-connection rules and distributed weights and delays, large enough for counts to be
    /// statistically meaningful.
    /// </summary>
    public static NetworkSpec Mixed()
    {
        var b = new NetworkBuilder("mixed").WithDuration(20).WithSeed(11);
        var a = b.Population("a", 600, Lif);
        var bb = b.Population("b", 400, Lif);
        var c = b.Population("c", 400, Lif);
        var s = b.Population("s", 80, new PoissonGenerator { Rate = 40 });
        var weight = new UniformValue(0.05, 0.15, Dimension.Voltage);
        var delay = new UniformValue(1, 3, Dimension.Time);
        b.Connect(a, a, new FixedProbability(0.05) { AllowSelfConnections = false }, weight, delay);
        b.Connect(a, bb, new FixedNumberPre(20), weight: 0.1, delay: 1);
        b.Connect(bb, a, new FixedNumberPost(15), weight: 0.1, delay: 1);
        b.Connect(bb, c, new OneToOne(), weight: 0.1, delay: 1);
        b.Connect(c, c, new AllToAll { AllowSelfConnections = false }, weight: 0.1, delay: 1);
        b.Connect(c, a, new FixedTotalNumber(20_000), weight: 0.1, delay: 1);
        b.Connect(bb, bb, new FixedNumberPre(10) { AllowSelfConnections = false }, weight: 0.1, delay: 1);
        b.Connect(s, a, new FixedProbability(0.1), weight: 0.1, delay: 1);
        b.Connect(a, c, new FromList(Enumerable.Range(0, 300).Select(i => new ListedSynapse(i, (7 * i) % 400)).ToArray()),
            weight: 0.1, delay: 1);
        return b.Build();
    }

    /// <summary>The partition of every neuron, per population; -1 where a neuron is unplaced.</summary>
    public static int[][] PartOf(NetworkSpec spec, PartitionPlan plan)
    {
        var partOf = spec.Populations.Select(p => Enumerable.Repeat(-1, p.Size).ToArray()).ToArray();
        for (int q = 0; q < plan.Parts; q++)
            for (int p = 0; p < spec.Populations.Count; p++)
                foreach (int i in plan.Owned(q)[p])
                    partOf[p][i] = q;
        return partOf;
    }

    /// <summary>Load per partition with the partitioner's definition: 1 per neuron + cost × expected in-degree.</summary>
    public static double[] Loads(NetworkSpec spec, PartitionPlan plan) =>
        PartitionReport.Compute(spec, plan).Partitions.Select(f => f.Load).ToArray();

    /// <summary>max load / mean load − 1.</summary>
    public static double Imbalance(double[] loads) => loads.Max() / loads.Average() - 1;

    /// <summary>
    /// Real synapses, generated by the engine's builder for every partition: [a, b] counts synapses from neurons on
    /// partition a onto neurons on partition b. <paramref name="reach"/>[p][a, b] counts the neurons of population
    /// p on partition a with at least one synapse on partition b != a.
    /// </summary>
    public static long[,] RealSynapses(NetworkSpec spec, PartitionPlan plan, out long[][,] reach)
    {
        int k = plan.Parts;
        var partOf = PartOf(spec, plan);
        var counts = new long[k, k];
        var reached = new HashSet<(int Pop, int Index, int Part)>();
        for (int b = 0; b < k; b++)
        {
            for (int j = 0; j < spec.Projections.Count; j++)
            {
                var proj = spec.Projections[j];
                int pre = spec.PopulationIndex(proj.Source), post = spec.PopulationIndex(proj.Target);
                var data = SynapseBuilder.Build(spec, j, plan.Owned(b)[post], port: 0, weightScale: 1);
                for (int i = 0; i < spec.Populations[pre].Size; i++)
                {
                    int row = data.RowStart[i + 1] - data.RowStart[i];
                    if (row == 0) continue;
                    int a = partOf[pre][i];
                    counts[a, b] += row;
                    if (a != b) reached.Add((pre, i, b));
                }
            }
        }
        reach = spec.Populations.Select(_ => new long[k, k]).ToArray();
        foreach (var (pop, index, part) in reached) reach[pop][partOf[pop][index], part]++;
        return counts;
    }
}
