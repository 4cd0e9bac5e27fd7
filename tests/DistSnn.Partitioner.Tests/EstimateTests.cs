using DistSnn.Model;
using DistSnn.Nodes;
using Xunit.Abstractions;

namespace DistSnn.Partitioner.Tests;

public class EstimateTests(ITestOutputHelper output)
{
    public static TheoryData<string, PartitionStrategy, int> Cases() => new()
    {
        { "mixed", PartitionStrategy.Graph, 3 },
        { "mixed", PartitionStrategy.RoundRobin, 3 },
        { "mixed", PartitionStrategy.Contiguous, 4 },
        { "cuba", PartitionStrategy.Graph, 3 },
        { "odd", PartitionStrategy.Contiguous, 7 },
    };

    private static NetworkSpec Load(string model) => model switch
    {
        "mixed" => Models.Mixed(),
        "odd" => Models.Odd(),
        _ => Models.Example(model),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExpectedSynapsesMatchTheGeneratedOnes(string model, PartitionStrategy strategy, int parts)
    {
        var spec = Load(model);
        var plan = PartitionPlan.Create(spec, parts, strategy);
        var report = PartitionReport.Compute(spec, plan);
        var real = Models.RealSynapses(spec, plan, out _);
        long total = 0, cut = 0;
        for (int a = 0; a < parts; a++)
            for (int b = 0; b < parts; b++)
            {
                double expected = report.SynapseMatrix[a][b];
                // Counts are sums of (at most) binomial and hypergeometric terms: variance <= mean.
                Assert.True(Math.Abs(real[a, b] - expected) <= 4 * Math.Sqrt(expected) + 1e-6,
                    $"[{a}, {b}]: {real[a, b]} generated, {expected:F1} expected");
                total += real[a, b];
                if (a != b) cut += real[a, b];
            }
        output.WriteLine($"{model} {strategy.Name()} K={parts}: {total} synapses ({report.ExpectedSynapses:F0} expected), " +
                         $"{cut} cut ({report.CutSynapses:F0} expected)");
        Assert.True(Math.Abs(total - report.ExpectedSynapses) <= 4 * Math.Sqrt(report.ExpectedSynapses));
        Assert.True(Math.Abs(cut - report.CutSynapses) <= 4 * Math.Sqrt(report.CutSynapses) + 1e-6);
        for (int q = 0; q < parts; q++)
        {
            var engine = new PartitionEngine(spec, q, plan.Owned(q));
            double expected = report.Partitions[q].ExpectedSynapses;
            Assert.True(Math.Abs(engine.SynapseCount - expected) <= 4 * Math.Sqrt(expected) + 1e-6,
                $"partition {q}: engine holds {engine.SynapseCount}, {expected:F1} expected");
        }
    }

    [Fact]
    public void ExactConnectorsAreCountedExactly()
    {
        // all_to_all without self (400 × 399), one_to_one (400), fixed_number_pre (20 per 'b' neuron, 10 per 'b'
        // neuron from itself), fixed_number_post (15 per 'b' source), fixed_total_number (20,000), 300 listed.
        var spec = Models.Mixed();
        var report = PartitionReport.Compute(spec, PartitionPlan.Create(spec, 1));
        double p = 0.05 * 600 * 599 + 0.1 * 80 * 600;
        Assert.Equal(p + 400 * 20 + 400 * 15 + 400 + 400 * 399 + 20_000 + 400 * 10 + 300, report.ExpectedSynapses, 6);
        Assert.Equal(0, report.CutSynapses);
        Assert.Equal(0, report.SpikesPerEpoch);
        Assert.Equal(0, report.Routes);
    }

    [Theory]
    [InlineData(PartitionStrategy.Graph, 3)]
    [InlineData(PartitionStrategy.RoundRobin, 4)]
    public void PacketVolumeMatchesTheGeneratedRoutes(PartitionStrategy strategy, int parts)
    {
        // Spikes crossing partitions per epoch = Σ over (source neuron, other partition it has targets on) of the
        // neuron's spikes per epoch; compare the expected number of such pairs with the generated network.
        var spec = Models.Mixed();
        var plan = PartitionPlan.Create(spec, parts, strategy);
        var report = PartitionReport.Compute(spec, plan);
        Models.RealSynapses(spec, plan, out var reach);
        // Exchange epochs: half the 1 ms minimum delay (a static network gets exchange lag 2).
        double epochSeconds = spec.EpochSteps() * spec.Run.Dt / 1000;
        Assert.Equal(0.5, epochSeconds * 1000, 9);
        // Every population fires at the nominal 10 Hz except the generator 's' (40 Hz).
        double real = 0;
        for (int pop = 0; pop < spec.Populations.Count; pop++)
        {
            double rate = spec.Populations[pop].Name == "s" ? 40 : 10;
            foreach (long pairs in reach[pop]) real += pairs * rate * epochSeconds;
        }
        output.WriteLine($"{strategy.Name()} K={parts}: {real:F2} spikes/epoch generated, {report.SpikesPerEpoch:F2} expected");
        Assert.Equal(real, report.SpikesPerEpoch, real * 0.02);
        Assert.Equal(report.SpikesPerEpoch * 4, report.BytesPerEpoch, 9);
        Assert.Equal(parts * (parts - 1), report.Routes);
    }

    [Fact]
    public void MemoryCountsNeuronStateAndSynapseBytes()
    {
        // brunel: constant weights and delays, 4 bytes per synapse; 64 bytes per neuron.
        var spec = Models.Example("brunel");
        var report = PartitionReport.Compute(spec, PartitionPlan.Create(spec, 2));
        double synapses = 0.1 * (10000 * 9999 + 10000 * 2500 + 2500 * 10000 + 2500 * 2499.0);
        Assert.Equal(synapses, report.ExpectedSynapses, 3);
        Assert.Equal(12500 * 64 + 4 * synapses, report.Partitions.Sum(f => f.EstimatedBytes), 3);
        Assert.Equal(6250, report.Partitions[0].Neurons);
        // Brunel's exchange epoch is 7 steps (its 1.5 ms delay halved by the exchange lag 2, rounded down); a neuron
        // at 10 Hz fires 0.007 times per epoch. With p = 0.1 and 6250 targets per other partition every neuron
        // reaches the other partition almost surely.
        Assert.Equal(0.7, report.EpochMs, 9);
        Assert.Equal(12500 * 0.007, report.SpikesPerEpoch, 1e-6);
        Assert.Equal(0.5, report.CutFraction, 1e-3);

        // mixed: 'a' → 'a' has drawn weights and delays, 10 bytes per synapse.
        var mixed = Models.Mixed();
        var one = PartitionReport.Compute(mixed, PartitionPlan.Create(mixed, 1));
        double aa = 0.05 * 600 * 599;
        Assert.Equal(1480 * 64 + 4 * one.ExpectedSynapses + 6 * aa, one.Partitions[0].EstimatedBytes, 3);
    }

    [Fact]
    public void RateScalesTrafficButNotRoutes()
    {
        var spec = Models.Example("cuba");
        var plan = PartitionPlan.Create(spec, 4, PartitionStrategy.Graph);
        var at10 = PartitionReport.Compute(spec, plan);
        var at20 = PartitionReport.Compute(spec, plan, rateHz: 20);
        var silent = PartitionReport.Compute(spec, plan, rateHz: 0);
        // cuba: 0.1 ms epochs; every neuron reaches each of the 3 other partitions with probability
        // 1 − 0.98^1000 ≈ 1, so 4000 × 3 × 10 Hz × 0.1 ms = 12 spikes per epoch.
        Assert.Equal(12, at10.SpikesPerEpoch, 1e-6);
        Assert.Equal(2 * at10.SpikesPerEpoch, at20.SpikesPerEpoch, 9);
        Assert.Equal(0, silent.SpikesPerEpoch);
        Assert.Equal(12, silent.Routes);
        Assert.Equal(at10.CutSynapses, silent.CutSynapses);
    }

    [Fact]
    public void ReportRejectsAPlanOfAnotherNetwork()
    {
        var plan = PartitionPlan.Create(Models.Example("brunel"), 2);
        Assert.Throws<ArgumentException>(() => PartitionReport.Compute(Models.Example("cuba"), plan));
        Assert.Throws<ArgumentException>(() => PartitionReport.Compute(Models.Odd(), plan));
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionReport.Compute(Models.Example("brunel"), plan, rateHz: -1));
    }

    [Fact]
    public void LoadIsNeuronsPlusWeightedSynapses()
    {
        var spec = Models.Example("cuba");
        var report = PartitionReport.Compute(spec, PartitionPlan.Create(spec, 1));
        // Every cuba neuron expects 0.02 × 4000 = 80 inputs: load 1 + 80 / 16 = 6 per neuron.
        Assert.Equal(4000 * 6, report.Partitions[0].Load, 6);
        var cheap = PartitionPlan.Create(spec, 1, PartitionStrategy.Contiguous, new PartitionOptions { SynapseCost = 0 });
        Assert.Equal(4000, PartitionReport.Compute(spec, cheap).Partitions[0].Load, 9);
    }
}
