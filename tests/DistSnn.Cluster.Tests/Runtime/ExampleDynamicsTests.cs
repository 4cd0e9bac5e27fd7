using DistSnn.Cluster.Runtime;
using DistSnn.Model;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>
/// The examples reproduce the published dynamics of their networks (full size, 1000 ms):
/// CUBA ~5-6 Hz, COBA ~15-20 Hz (Brette et al. 2007), Brunel model A asynchronous irregular ~35-40 Hz with
/// CV ISI ~0.4 (Brunel 2000, g = 5, eta = 2).
/// </summary>
public class ExampleDynamicsTests
{
    [Theory]
    [InlineData("cuba.yaml", 4.5, 7.0, 0.3, 1.0)]
    [InlineData("coba.yaml", 14.0, 22.0, 0.8, 2.0)]
    [InlineData("brunel.yaml", 34.0, 41.0, 0.33, 0.5)]
    public async Task RatesAndIrregularityMatchThePublishedRegime(string example, double minRate, double maxRate, double minCv, double maxCv)
    {
        var spec = ModelLoader.LoadFile(Repo.Example(example));
        var report = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2 });
        Assert.Equal(2, report.Summary.Populations.Count);
        foreach (var pop in report.Summary.Populations)
        {
            Assert.InRange(pop.RateHz, minRate, maxRate);
            Assert.InRange(pop.CvIsi, minCv, maxCv);
        }
        Assert.Equal(report.Summary.Spikes, report.Summary.Populations.Sum(p => p.Spikes));
    }

    [Fact]
    public async Task BrunelHasTheExpectedConnectivity()
    {
        var spec = ModelLoader.LoadFile(Repo.Example("brunel.yaml"));
        spec = spec with { Run = spec.Run with { Duration = 10 } };
        var report = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2 });
        // 12,500 targets x 12,500 sources x 0.1, minus the excluded self connections: mean 15,623,750 - 1,250.
        double mean = 12500.0 * 12500 * 0.1 - 1250, sigma = Math.Sqrt(12500.0 * 12500 * 0.1 * 0.9);
        Assert.InRange(report.Summary.Synapses, mean - 4 * sigma, mean + 4 * sigma);
        Assert.InRange(report.Summary.BytesPerSynapse, 3.9, 8.0);
    }
}
