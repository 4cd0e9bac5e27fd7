using DistSnn.Model;

namespace DistSnn.Model.Tests;

public class ExchangeLagTests
{
    // Minimum delay 1.5 ms = 15 steps of 0.1 ms.
    private const string Static = "populations:\n  - {name: a, size: 3, model: lif_delta}\n" +
        "projections:\n  - {source: a, target: a, connector: {type: all_to_all}, weight: 1 mV, delay: 1.5 ms}\n";

    private static string WithRun(string run) => "run: {" + run + "}\n" + Static;

    [Fact]
    public void Static_networks_get_lag_two_and_half_the_minimum_delay_per_epoch()
    {
        var spec = ModelLoader.Parse(Static);
        Assert.Null(spec.Run.ExchangeLag);
        Assert.Equal(15, spec.MinDelaySteps());
        Assert.Equal(2, spec.ExchangeLag());
        Assert.Equal(7, spec.EpochSteps());
    }

    [Fact]
    public void Plastic_networks_keep_one_epoch_per_minimum_delay_unless_told()
    {
        var plastic = Static.Replace("delay: 1.5 ms}", "delay: 1.5 ms, synapse: {type: stdp, w_max: 2 mV}}");
        var spec = ModelLoader.Parse(plastic);
        Assert.Equal(1, spec.ExchangeLag());
        Assert.Equal(15, spec.EpochSteps());
        var told = ModelLoader.Parse("run: {exchange_lag: 3}\n" + plastic);
        Assert.Equal(3, told.ExchangeLag());
        Assert.Equal(5, told.EpochSteps());
    }

    [Fact]
    public void A_lag_is_read_written_and_read_back()
    {
        var spec = ModelLoader.Parse(WithRun("dt: 0.1 ms, duration: 10 ms, exchange_lag: 4"));
        Assert.Equal(4, spec.Run.ExchangeLag);
        Assert.Equal(3, spec.EpochSteps()); // 15 / 4 rounded down: spikes still arrive at least 4 epochs later
        var yaml = ModelWriter.ToYaml(spec);
        Assert.Contains("exchange_lag: 4", yaml, StringComparison.Ordinal);
        Assert.Equal(4, ModelLoader.Parse(yaml).Run.ExchangeLag);
        Assert.DoesNotContain("exchange_lag", ModelWriter.ToYaml(ModelLoader.Parse(Static)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exchange_lag: 16", "16 is larger than the minimum delay of 15 steps")]
    [InlineData("exchange_lag: 0", "run.exchange_lag")]
    [InlineData("exchange_lag: 1.5", "run.exchange_lag")]
    public void A_bad_lag_is_named(string run, string expected)
    {
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(WithRun(run), "m.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.Equal("run.exchange_lag", error.Path);
        Assert.Contains(expected, error.Path + ": " + error.Message, StringComparison.Ordinal);
    }
}
