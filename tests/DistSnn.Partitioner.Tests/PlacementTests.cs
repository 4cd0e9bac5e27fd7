using DistSnn.Model;

namespace DistSnn.Partitioner.Tests;

public class PlacementTests
{
    public static TheoryData<string, PartitionStrategy, int> Cases()
    {
        var data = new TheoryData<string, PartitionStrategy, int>();
        foreach (var model in Models.ExampleNames.Append("odd").Append("mixed"))
            foreach (var strategy in Models.Strategies)
                foreach (int k in new[] { 1, 2, 3, 7, 16 })
                    data.Add(model, strategy, k);
        return data;
    }

    private static NetworkSpec Load(string model) => model switch
    {
        "odd" => Models.Odd(),
        "mixed" => Models.Mixed(),
        _ => Models.Example(model),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryNeuronIsPlacedExactlyOnceInAscendingOrder(string model, PartitionStrategy strategy, int parts)
    {
        var spec = Load(model);
        var plan = PartitionPlan.Create(spec, parts, strategy);
        Assert.Equal(parts, plan.Parts);
        Assert.Equal(strategy, plan.Strategy);
        for (int p = 0; p < spec.Populations.Count; p++)
        {
            var seen = new int[spec.Populations[p].Size];
            for (int q = 0; q < parts; q++)
            {
                var owned = plan.Owned(q)[p];
                for (int k = 0; k < owned.Length; k++)
                {
                    Assert.InRange(owned[k], 0, seen.Length - 1);
                    if (k > 0) Assert.True(owned[k] > owned[k - 1], $"population {p} on partition {q} is not ascending");
                    seen[owned[k]]++;
                }
            }
            Assert.All(seen, n => Assert.Equal(1, n));
        }
        Assert.Equal(spec.TotalNeurons, Enumerable.Range(0, parts).Sum(plan.NeuronCount));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PlansArePureFunctionsOfTheirInputs(string model, PartitionStrategy strategy, int parts)
    {
        var first = PartitionPlan.Create(Load(model), parts, strategy);
        var second = PartitionPlan.Create(Load(model), parts, strategy);
        Assert.True(first.HasSameAssignment(second));
    }

    [Fact]
    public void CapacitiesArePlacedOnceToo()
    {
        var spec = Models.Odd();
        foreach (var strategy in Models.Strategies)
        {
            var plan = PartitionPlan.Create(spec, 3, strategy, [1, 2, 1]);
            var partOf = Models.PartOf(spec, plan);
            Assert.All(partOf.SelectMany(x => x), q => Assert.InRange(q, 0, 2));
            Assert.Equal([1.0, 2.0, 1.0], plan.Capacities);
            Assert.True(plan.HasSameAssignment(PartitionPlan.Create(spec, 3, strategy, [1, 2, 1])));
        }
    }

    [Fact]
    public void ExistingLayoutsAreUnchanged()
    {
        // The engine and runtime rely on these exact shapes: equal blocks, and gid mod N.
        var spec = Models.Odd(); // sizes 1, 7, 13, 101, 101, 5; first gids 0, 1, 8, 21, 122, 223
        var contiguous = PartitionPlan.Create(spec, 3);
        Assert.Equal([2, 3], contiguous.Owned(1)[1]);                  // 7 * 1 / 3 = 2 up to 7 * 2 / 3 = 4
        Assert.Equal(Enumerable.Range(33, 34), contiguous.Owned(1)[3]); // 101 / 3 = 33 up to 202 / 3 = 67
        Assert.Empty(contiguous.Owned(0)[0]);                           // the single neuron of 'one' is on the last partition
        Assert.Equal([0], contiguous.Owned(2)[0]);
        var roundRobin = PartitionPlan.Create(spec, 3, PartitionStrategy.RoundRobin);
        Assert.Equal([2, 5], roundRobin.Owned(0)[1]);                   // gids 3 and 6 of 'seven' (first gid 1)
        Assert.Equal([2, 5, 8, 11], roundRobin.Owned(1)[2]);            // gids 10, 13, 16, 19 of 'thirteen' (first gid 8)
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var spec = Models.Odd();
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionPlan.Create(spec, 0));
        Assert.Throws<ArgumentException>(() => PartitionPlan.Create(spec, 3, PartitionStrategy.Graph, [1, 2]));
        Assert.Throws<ArgumentException>(() => PartitionPlan.Create(spec, 2, PartitionStrategy.Graph, [1, 0]));
        Assert.Throws<ArgumentException>(() => PartitionPlan.Create(spec, 2, PartitionStrategy.Graph, [1, double.NaN]));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            PartitionPlan.Create(spec, 2, PartitionStrategy.Graph, new PartitionOptions { SynapseCost = -1 }));
    }

    [Fact]
    public void StrategyNamesRoundTrip()
    {
        foreach (var s in Models.Strategies)
        {
            Assert.True(PartitionStrategyNames.TryParse(s.Name(), out var parsed));
            Assert.Equal(s, parsed);
        }
        Assert.Equal("round_robin", PartitionStrategy.RoundRobin.Name());
        Assert.False(PartitionStrategyNames.TryParse("metis", out _));
    }
}
