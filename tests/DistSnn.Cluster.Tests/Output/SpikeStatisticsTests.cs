using DistSnn.Cluster.Output;

namespace DistSnn.Cluster.Tests.Output;

public class SpikeStatisticsTests
{
    [Fact]
    public void Hand_computed_rate_and_cv()
    {
        // dt = 0.1 ms. Neuron 0: steps 0,100,300,600 -> ISIs 10,20,30 ms; mean 20,
        //   population variance (100+0+100)/3, CV = sqrt(200/3)/20 = sqrt(1/6).
        // Neuron 1: steps 50,80 -> one interval only, excluded from the CV.
        // Neuron 2: steps 10,60,110 -> ISIs 5,5 ms, CV 0.
        // Neuron 3: silent.
        var pop = PopulationSpikes.FromUnsorted("p", 0, 4,
            [0, 100, 300, 600, 50, 80, 10, 60, 110],
            [0, 0, 0, 0, 1, 1, 2, 2, 2]);

        var stats = SpikeStatistics.Compute(pop, durationMs: 1000, dtMs: 0.1);

        Assert.Equal("p", stats.Name);
        Assert.Equal(4, stats.Size);
        Assert.Equal(9, stats.Spikes);
        Assert.Equal(2.25, stats.RateHz); // 9 spikes / 4 neurons / 1 s
        Assert.Equal(2, stats.NeuronsWithIsi);
        Assert.Equal((Math.Sqrt(1.0 / 6.0) + 0.0) / 2.0, stats.CvIsi, 12);
    }

    [Fact]
    public void Single_neuron_cv_matches_definition()
    {
        var pop = PopulationSpikes.Create("one", 7, 1, [0, 100, 300, 600], [0, 0, 0, 0]);

        var stats = SpikeStatistics.Compute(pop, durationMs: 500, dtMs: 0.1);

        Assert.Equal(Math.Sqrt(1.0 / 6.0), stats.CvIsi, 14);
        Assert.Equal(8.0, stats.RateHz); // 4 spikes / 1 neuron / 0.5 s
        Assert.Equal(1, stats.NeuronsWithIsi);
    }

    [Fact]
    public void Cv_is_nan_without_two_intervals()
    {
        var pop = PopulationSpikes.Create("sparse", 0, 3, [1, 2, 9], [0, 1, 0]);

        var stats = SpikeStatistics.Compute(pop, durationMs: 100, dtMs: 0.1);

        Assert.True(double.IsNaN(stats.CvIsi));
        Assert.Equal(0, stats.NeuronsWithIsi);
        Assert.Equal(10.0, stats.RateHz, 12); // 3 / 3 / 0.1 s
    }

    [Fact]
    public void Empty_population_has_zero_rate()
    {
        var stats = SpikeStatistics.Compute(PopulationSpikes.Empty("none", 0, 0), 100, 0.1);

        Assert.Equal(0.0, stats.RateHz);
        Assert.Equal(0, stats.Spikes);
        Assert.True(double.IsNaN(stats.CvIsi));
    }

    [Fact]
    public void Rejects_non_positive_duration()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            SpikeStatistics.Compute(PopulationSpikes.Empty("p", 0, 1), 0, 0.1));
    }
}
