using DistSnn.Model;
using Xunit.Abstractions;

namespace DistSnn.Partitioner.Tests;

public class GraphTests(ITestOutputHelper output)
{
    private PartitionReport Report(NetworkSpec spec, int parts, PartitionStrategy strategy, IReadOnlyList<double>? capacities = null)
    {
        var plan = PartitionPlan.Create(spec, parts, strategy, new PartitionOptions { Capacities = capacities });
        var r = PartitionReport.Compute(spec, plan);
        output.WriteLine($"{spec.Name} {strategy.Name()} K={parts}: cut {r.CutSynapses:F0} of {r.ExpectedSynapses:F0} " +
                         $"({r.CutFraction:P2}), imbalance {r.Imbalance:P3}, {r.SpikesPerEpoch:F1} spikes/epoch, {r.Routes} routes");
        return r;
    }

    [Fact]
    public void GraphCutsFarFewerSynapsesOnAPopulationChain()
    {
        var spec = Models.Chain();
        var graph = Report(spec, 4, PartitionStrategy.Graph);
        var roundRobin = Report(spec, 4, PartitionStrategy.RoundRobin);
        var contiguous = Report(spec, 4, PartitionStrategy.Contiguous);

        // Within: 8 × 0.2 × 500 × 499 = 399,200; between: 14 directed neighbour pairs × 0.01 × 500² = 35,000.
        Assert.Equal(434_200, graph.ExpectedSynapses, 6);
        // Pairs of populations share a partition; only 3 chain links are cut, both directions: 6 × 2,500.
        Assert.Equal(15_000, graph.CutSynapses, 6);
        // Round robin and equal blocks spread every population over all 4 partitions: 3/4 of all synapses cross.
        Assert.Equal(0.75 * 434_200, roundRobin.CutSynapses, 0.01 * 434_200);
        Assert.Equal(0.75 * 434_200, contiguous.CutSynapses, 0.01 * 434_200);
        Assert.True(graph.CutSynapses < roundRobin.CutSynapses / 20);
        Assert.True(graph.CutSynapses < contiguous.CutSynapses / 20);
        // Spikes: a neuron next to a cut link reaches the other partition with probability 1 − 0.99^500 = 0.9934;
        // Exchange epochs are 0.7 ms (the 1.5 ms delay is 15 steps, halved by the exchange lag 2 and rounded down):
        // 6 such populations × 500 × 10 Hz × 0.7 ms = 20.9 per epoch. Round robin: 4000 × 3 × 0.007 = 84.
        Assert.Equal(6 * 500 * (1 - Math.Pow(0.99, 500)) * 0.007, graph.SpikesPerEpoch, 1e-6);
        Assert.Equal(84, roundRobin.SpikesPerEpoch, 1e-6);
        // Only neighbouring partitions talk: 3 cut links, 2 directions; round robin connects all 4 × 3 pairs.
        Assert.Equal(6, graph.Routes);
        Assert.Equal(12, roundRobin.Routes);
        Assert.InRange(graph.Imbalance, 0, 0.05);

        var plan = PartitionPlan.Create(spec, 4, PartitionStrategy.Graph);
        for (int q = 0; q < 4; q++)
            for (int p = 0; p < 8; p++)
                Assert.Equal(p / 2 == q ? 500 : 0, plan.Owned(q)[p].Length);
    }

    [Fact]
    public void GraphKeepsPopulationsWholeWhenSizesDoNotDivideEvenly()
    {
        // 6 populations on 4 partitions: whole populations cannot balance, so two are split; the rest stay whole.
        var spec = Models.Chain(populations: 6, size: 400);
        var graph = Report(spec, 4, PartitionStrategy.Graph);
        var contiguous = Report(spec, 4, PartitionStrategy.Contiguous);
        var roundRobin = Report(spec, 4, PartitionStrategy.RoundRobin);
        var plan = PartitionPlan.Create(spec, 4, PartitionStrategy.Graph);
        int split = Enumerable.Range(0, 6).Count(p => Enumerable.Range(0, 4).Count(q => plan.Owned(q)[p].Length > 0) > 1);
        Assert.Equal(2, split);
        Assert.InRange(graph.Imbalance, 0, 0.05);
        Assert.True(graph.CutFraction < 0.25, $"cut fraction {graph.CutFraction}");
        Assert.True(graph.CutSynapses < contiguous.CutSynapses / 3);
        Assert.True(graph.CutSynapses < roundRobin.CutSynapses / 3);
    }

    [Theory]
    [InlineData("brunel")]
    [InlineData("cuba")]
    [InlineData("coba")]
    public void GraphIsNotWorseThanContiguousOnUniformNetworks(string model)
    {
        var spec = Models.Example(model);
        foreach (int k in new[] { 2, 3, 4, 7, 16 })
        {
            var graph = Report(spec, k, PartitionStrategy.Graph);
            var contiguous = Report(spec, k, PartitionStrategy.Contiguous);
            Assert.True(graph.CutSynapses <= contiguous.CutSynapses * (1 + 1e-9),
                $"K={k}: graph {graph.CutSynapses} > contiguous {contiguous.CutSynapses}");
            // In a homogeneous network the cut of a balanced plan is p (N² − Σ n_q²) ≈ (1 − 1/K) of all synapses.
            Assert.Equal(1 - 1.0 / k, graph.CutFraction, 0.01);
        }
    }

    [Fact]
    public void OneToOneStructureIsKeptLocal()
    {
        // Two populations joined only one to one: aligned blocks cut nothing, while whole populations would cut all.
        var b = new NetworkBuilder("pairs");
        var lif = new LifDelta();
        var x = b.Population("x", 1001, lif);
        var y = b.Population("y", 1001, lif);
        b.Connect(x, y, new OneToOne(), weight: 0.1, delay: 1);
        b.Connect(y, x, new OneToOne(), weight: 0.1, delay: 1);
        var spec = b.Build();
        var graph = Report(spec, 2, PartitionStrategy.Graph);
        Assert.Equal(2002, graph.ExpectedSynapses, 9);
        Assert.Equal(0, graph.CutSynapses, 9);
        // x_i has gid i and y_i gid 1001 + i: opposite parity, so round robin separates every pair.
        Assert.Equal(2002, Report(spec, 2, PartitionStrategy.RoundRobin).CutSynapses, 9);
        Assert.Equal(0, graph.SpikesPerEpoch, 9);
    }

    [Fact]
    public void ListedSynapsesAreKeptTogether()
    {
        // Neuron i of 'in' talks only to neuron i + 500 (mod 1000) of 'out': equal blocks cut every listed synapse,
        // the graph plan must do at least as well as the best candidate it considers.
        var b = new NetworkBuilder("listed");
        var lif = new LifDelta();
        var src = b.Population("in", 1000, lif);
        var dst = b.Population("out", 1000, lif);
        b.Connect(src, dst, new FromList(Enumerable.Range(0, 1000).Select(i => new ListedSynapse(i, (i + 500) % 1000)).ToArray()),
            weight: 0.1, delay: 1);
        var spec = b.Build();
        var contiguous = Report(spec, 2, PartitionStrategy.Contiguous);
        var graph = Report(spec, 2, PartitionStrategy.Graph);
        Assert.Equal(1000, contiguous.CutSynapses, 9);
        // Every source reaches one other partition: 1000 × 10 Hz × 0.5 ms epochs (1 ms delay, exchange lag 2) =
        // 5 spikes per epoch, 20 bytes.
        Assert.Equal(5, contiguous.SpikesPerEpoch, 9);
        Assert.Equal(20, contiguous.BytesPerEpoch, 9);
        // Putting 'in' and 'out' on different partitions also cuts all; the graph plan cannot be worse than that.
        Assert.True(graph.CutSynapses <= contiguous.CutSynapses);
    }

    [Fact]
    public void SpatialStructureInListsIsKeptLocal()
    {
        // A ring lattice given as a list: neuron i projects to its 10 nearest neighbours i ± 1..5 (mod 2000).
        var b = new NetworkBuilder("ring");
        var ring = b.Population("ring", 2000, new LifDelta());
        var synapses = Enumerable.Range(0, 2000)
            .SelectMany(i => new[] { -5, -4, -3, -2, -1, 1, 2, 3, 4, 5 }.Select(d => new ListedSynapse(i, (i + d + 2000) % 2000)))
            .ToArray();
        b.Connect(ring, ring, new FromList(synapses), weight: 0.1, delay: 1);
        var spec = b.Build();
        var graph = Report(spec, 4, PartitionStrategy.Graph);
        var roundRobin = Report(spec, 4, PartitionStrategy.RoundRobin);
        Assert.Equal(20_000, graph.ExpectedSynapses, 9);
        // 4 block borders on the ring (the wrap-around included), each crossed by 1 + 2 + 3 + 4 + 5 = 15 synapses
        // each way.
        Assert.Equal(4 * 2 * 15, graph.CutSynapses, 9);
        // Round robin keeps only the neighbours at distance 4 together: 8 of every 10 synapses cross.
        Assert.Equal(16_000, roundRobin.CutSynapses, 9);
    }

    [Fact]
    public void CapacitiesAreHonouredByTheGraphStrategy()
    {
        var spec = Models.Chain();
        var r = Report(spec, 3, PartitionStrategy.Graph, [1, 2, 1]);
        double share = r.Partitions.Sum(f => f.Load) / 4;
        Assert.InRange(r.Partitions[1].Load / share, 1.9, 2.1);
        Assert.InRange(r.Imbalance, 0, 0.05);
        // 2 + 4 + 2 populations: whole populations fit exactly, so only 2 chain links are cut.
        Assert.Equal(2 * 2 * 2500, r.CutSynapses, 6);
    }
}
