using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>
/// The determinism promise, end to end through the partition actors: each example gives the same
/// spikes_sha256 for 1, 2, 3 and 7 partitions (examples at full size, shortened runs).
/// </summary>
public class ExampleDeterminismTests
{
    [Theory]
    [InlineData("brunel.yaml", 100.0)]
    [InlineData("cuba.yaml", 300.0)]
    [InlineData("coba.yaml", 300.0)]
    public async Task SpikesAreIdenticalForAnyPartitionCount(string example, double durationMs)
    {
        var spec = ModelLoader.LoadFile(Repo.Example(example));
        spec = spec with { Run = spec.Run with { Duration = durationMs } };
        var hashes = new Dictionary<int, string>();
        long spikes = -1;
        foreach (var parts in new[] { 1, 2, 3, 7 })
        {
            var report = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = parts });
            hashes[parts] = report.Summary.SpikesSha256;
            if (spikes < 0) spikes = report.Summary.Spikes;
            Assert.Equal(spikes, report.Summary.Spikes);
        }
        Assert.True(spikes > 100, $"{example}: only {spikes} spikes; the comparison would be weak");
        Assert.All(hashes.Values, h => Assert.Equal(hashes[1], h));
    }

    [Fact]
    public async Task PlasticBrunelGivesTheSameSpikesAndWeightsForAnyPartitionCount()
    {
        var spec = ModelLoader.LoadFile(Repo.Example("brunel_stdp.yaml"));
        spec = spec with { Run = spec.Run with { Duration = 100 } };
        var reports = new Dictionary<int, DistSnn.Cluster.Output.RunSummary>();
        foreach (var parts in new[] { 1, 2, 3 })
            reports[parts] = (await LocalRunner.RunAsync(spec, new RunOptions { Partitions = parts })).Summary;
        var one = reports[1];
        Assert.True(one.PlasticSynapses > 9_000_000, $"{one.PlasticSynapses} plastic synapses");
        Assert.NotNull(one.WeightsChecksum);
        Assert.All(reports.Values, r => Assert.Equal(one.SpikesSha256, r.SpikesSha256));
        Assert.All(reports.Values, r => Assert.Equal(one.WeightsChecksum, r.WeightsChecksum));
        Assert.All(reports.Values, r => Assert.Equal(one.PlasticSynapses, r.PlasticSynapses));

        // The weights did change: a shorter run ends with other weights.
        var shorter = await LocalRunner.RunAsync(spec with { Run = spec.Run with { Duration = 50 } }, new RunOptions { Partitions = 2 });
        Assert.NotEqual(one.WeightsChecksum, shorter.Summary.WeightsChecksum);
    }

    [Fact]
    public async Task RoundRobinPlacementGivesTheSameSpikesAsContiguous()
    {
        var spec = ModelLoader.LoadFile(Repo.Example("coba.yaml"));
        spec = spec with { Run = spec.Run with { Duration = 200 } };
        var contiguous = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 3 });
        var roundRobin = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 3, Strategy = PartitionStrategy.RoundRobin });
        Assert.Equal(contiguous.Summary.SpikesSha256, roundRobin.Summary.SpikesSha256);
    }

    [Fact]
    public async Task ADifferentSeedGivesDifferentSpikes()
    {
        var spec = ModelLoader.LoadFile(Repo.Example("cuba.yaml"));
        spec = spec with { Run = spec.Run with { Duration = 200 } };
        var a = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2 });
        var b = await LocalRunner.RunAsync(spec with { Run = spec.Run with { Seed = spec.Run.Seed + 1 } }, new RunOptions { Partitions = 2 });
        Assert.NotEqual(a.Summary.SpikesSha256, b.Summary.SpikesSha256);
    }
}
