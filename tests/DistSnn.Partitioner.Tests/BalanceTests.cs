using Xunit.Abstractions;

namespace DistSnn.Partitioner.Tests;

public class BalanceTests(ITestOutputHelper output)
{
    public static TheoryData<string, PartitionStrategy, int> Cases()
    {
        var data = new TheoryData<string, PartitionStrategy, int>();
        foreach (var model in Models.ExampleNames)
            foreach (var strategy in Models.Strategies)
                foreach (int k in new[] { 2, 3, 7 })
                    data.Add(model, strategy, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExamplesAreBalancedWithinFivePercent(string model, PartitionStrategy strategy, int parts)
    {
        var spec = Models.Example(model);
        var plan = PartitionPlan.Create(spec, parts, strategy);
        var report = PartitionReport.Compute(spec, plan);
        double imbalance = Models.Imbalance(report.Partitions.Select(f => f.Load).ToArray());
        output.WriteLine($"{model} {strategy.Name()} K={parts}: imbalance {imbalance:P3}, cut fraction {report.CutFraction:P2}, " +
                         $"{report.SpikesPerEpoch:F0} spikes/epoch");
        Assert.InRange(imbalance, 0, 0.05);
        Assert.Equal(imbalance, report.Imbalance, 9);
    }

    [Theory]
    [InlineData("brunel")]
    [InlineData("cuba")]
    public void CapacitiesScaleTheLoad(string model)
    {
        var spec = Models.Example(model);
        foreach (var strategy in Models.Strategies)
        {
            var loads = Models.Loads(spec, PartitionPlan.Create(spec, 3, strategy, [1, 2, 1]));
            double share = loads.Sum() / 4;
            output.WriteLine($"{model} {strategy.Name()}: loads {string.Join(", ", loads.Select(l => l.ToString("F0")))}");
            Assert.InRange(loads[0] / share, 0.95, 1.05);
            Assert.InRange(loads[1] / share, 1.90, 2.10);
            Assert.InRange(loads[2] / share, 0.95, 1.05);
            Assert.InRange(loads[1] / ((loads[0] + loads[2]) / 2), 1.9, 2.1);
        }
    }

    [Fact]
    public void WeightedRoundRobinDealsNeighboursApart()
    {
        var spec = Models.Example("cuba");
        var plan = PartitionPlan.Create(spec, 3, PartitionStrategy.RoundRobin, [1, 2, 1]);
        var partOf = Models.PartOf(spec, plan)[0];
        // Smooth weighted round robin with shares 1/4, 1/2, 1/4 repeats 1, 0, 2, 1 (ties to the lowest index).
        Assert.Equal([1, 0, 2, 1, 1, 0, 2, 1], partOf[..8]);
        Assert.Equal([800, 1600, 800], Enumerable.Range(0, 3).Select(q => plan.Owned(q)[0].Length));
    }

    [Fact]
    public void GraphBalancesNonUniformInDegree()
    {
        // The listed synapses of 'mixed' give some neurons of 'c' one input more than others, and 'b' gets
        // fixed_number_pre inputs: loads differ per population and per neuron.
        var spec = Models.Mixed();
        foreach (int k in new[] { 2, 3, 7 })
        {
            var loads = Models.Loads(spec, PartitionPlan.Create(spec, k, PartitionStrategy.Graph));
            output.WriteLine($"mixed graph K={k}: imbalance {Models.Imbalance(loads):P3}");
            Assert.InRange(Models.Imbalance(loads), 0, 0.05);
        }
    }
}
