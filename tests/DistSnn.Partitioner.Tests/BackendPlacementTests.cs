using DistSnn.Model;

namespace DistSnn.Partitioner.Tests;

/// <summary>
/// Populations that name different backends get partitions of their own: none mixes backends, each backend has one at
/// least and more in proportion to its neurons, every neuron is placed once, and the plan is a pure function.
/// </summary>
public class BackendPlacementTests
{
    /// <summary>Three populations on cpu, two on "board", one on "chip"; 1,000 + 400 + 100 neurons.</summary>
    private static NetworkSpec Mixed()
    {
        var b = new NetworkBuilder("mixed-backends").WithDuration(10);
        var src = b.Population("src", 300, new PoissonGenerator { Rate = 10 });
        var e = b.Population("e", 400, new LifDelta());
        var i = b.Population("i", 300, new LifDelta());
        var be = b.Population("board_e", 300, new LifDelta()).OnBackend("board");
        var bi = b.Population("board_i", 100, new LifDelta()).OnBackend("board");
        var chip = b.Population("chip", 100, new LifDelta()).OnBackend("chip");
        b.Connect(src, e, new FixedProbability(0.1), weight: 1, delay: 1);
        b.Connect(e, be, new FixedProbability(0.1), weight: 1, delay: 1);
        b.Connect(be, bi, new FixedProbability(0.1), weight: 1, delay: 1);
        b.Connect(bi, chip, new FixedProbability(0.1), weight: 1, delay: 1);
        b.Connect(chip, i, new FixedProbability(0.1), weight: 1, delay: 1);
        return b.Build();
    }

    [Theory]
    [InlineData(PartitionStrategy.Contiguous, 1, 3)]
    [InlineData(PartitionStrategy.Contiguous, 3, 3)]
    [InlineData(PartitionStrategy.RoundRobin, 6, 6)]
    [InlineData(PartitionStrategy.Graph, 10, 10)]
    public void Every_backend_gets_partitions_of_its_own(PartitionStrategy strategy, int asked, int parts)
    {
        var spec = Mixed();
        var plan = PartitionPlan.Create(spec, asked, strategy);
        Assert.Equal(parts, plan.Parts);
        Assert.Equal(plan.Backends.Distinct().Order(), ["board", "chip", "cpu"]);
        for (int q = 0; q < plan.Parts; q++)
            for (int p = 0; p < spec.Populations.Count; p++)
                if (plan.Owned(q)[p].Length > 0) Assert.Equal(spec.Populations[p].BackendName, plan.Backend(q));
        for (int p = 0; p < spec.Populations.Count; p++)
        {
            var placed = Enumerable.Range(0, plan.Parts).SelectMany(q => plan.Owned(q)[p]).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, spec.Populations[p].Size), placed);
        }
        Assert.True(plan.HasSameAssignment(PartitionPlan.Create(spec, asked, strategy)));
    }

    [Fact]
    public void Partitions_are_shared_out_in_proportion_to_neurons()
    {
        // cpu 1,000 neurons, board 400, chip 100: ten partitions go 7 / 2 / 1 (ideal 6.7 / 2.7 / 0.7, one at least each).
        var plan = PartitionPlan.Create(Mixed(), 10, PartitionStrategy.Contiguous);
        Assert.Equal(7, plan.Backends.Count(b => b == "cpu"));
        Assert.Equal(2, plan.Backends.Count(b => b == "board"));
        Assert.Equal(1, plan.Backends.Count(b => b == "chip"));
        // Backends in the order the model first names them, each on consecutive partitions.
        Assert.Equal(["cpu", "cpu", "cpu", "cpu", "cpu", "cpu", "cpu", "board", "board", "chip"], plan.Backends);
    }

    [Fact]
    public void A_model_on_one_backend_is_planned_as_before()
    {
        var spec = Models.Example("brunel");
        var plan = PartitionPlan.Create(spec, 3, PartitionStrategy.RoundRobin);
        Assert.Equal(Enumerable.Repeat("cpu", 3), plan.Backends);
        var onBoard = spec with { Populations = spec.Populations.Select(p => p with { Backend = "board" }).ToArray() };
        var boardPlan = PartitionPlan.Create(onBoard, 3, PartitionStrategy.RoundRobin);
        Assert.Equal(Enumerable.Repeat("board", 3), boardPlan.Backends);
        for (int q = 0; q < 3; q++) Assert.Equal(plan.Owned(q), boardPlan.Owned(q));
        Assert.False(plan.HasSameAssignment(boardPlan));
    }
}
