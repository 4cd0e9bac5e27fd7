using DistSnn.Model;
using DistSnn.Nodes;

namespace DistSnn.Partitioner.Tests;

public class EngineTests
{
    private static List<(long Stamp, int Pop, int Id)> Run(NetworkSpec spec, PartitionPlan plan)
    {
        var engines = Enumerable.Range(0, plan.Parts).Select(q => new PartitionEngine(spec, q, plan.Owned(q))).ToArray();
        DistSnn.Nodes.Exchange.InProcessRunner.Run(spec, engines);
        var spikes = new List<(long, int, int)>();
        foreach (var e in engines)
            for (int p = 0; p < spec.Populations.Count; p++)
            {
                if (e.SpikeRecords[p] is not { } rec) continue;
                var (stamps, ids) = rec.ToArrays();
                for (int k = 0; k < stamps.Length; k++) spikes.Add((stamps[k], p, ids[k]));
            }
        spikes.Sort();
        return spikes;
    }

    [Fact]
    public void GraphPlansGiveTheSameSpikesAsContiguousOnes()
    {
        var spec = Models.Chain(populations: 4, size: 150, pWithin: 0.1, pNeighbour: 0.02, durationMs: 100);
        var graph = PartitionPlan.Create(spec, 3, PartitionStrategy.Graph);
        var contiguous = PartitionPlan.Create(spec, 3, PartitionStrategy.Contiguous);
        Assert.False(graph.HasSameAssignment(contiguous));
        // 4 populations of 150 on 3 partitions. Loads per neuron: p0 1 + (0.1 × 149 + 0.02 × 150) / 16 = 2.11875,
        // p1 (two neighbours) 2.30625; a third of the total 1327.5 is 442.5 = all of p0 + 54.07 neurons of p1.
        Assert.Equal(150, graph.Owned(0)[0].Length);
        Assert.Equal(54, graph.Owned(0)[1].Length);

        var a = Run(spec, graph);
        var b = Run(spec, contiguous);
        Assert.True(a.Count > 1000, $"only {a.Count} spikes");
        Assert.Equal(b, a);
        // Identical per neuron: the same spike counts for every (population, neuron).
        var countsA = a.GroupBy(s => (s.Pop, s.Id)).ToDictionary(g => g.Key, g => g.Count());
        var countsB = b.GroupBy(s => (s.Pop, s.Id)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(countsB.OrderBy(kv => kv.Key), countsA.OrderBy(kv => kv.Key));
    }
}
