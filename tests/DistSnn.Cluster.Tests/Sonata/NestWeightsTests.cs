using DistSnn.Cluster.Sonata;
using DistSnn.Model;
using DistSnn.Nodes;

namespace DistSnn.Cluster.Tests.Sonata;

/// <summary>NEST's weight convention, and the values written for the engine's floats.</summary>
public class NestWeightsTests
{
    [Fact]
    public void Units_follow_nest_and_the_sign_picks_the_receptor_of_two_input_models()
    {
        Assert.Equal(Dimension.Voltage, new NestWeights(new LifDelta(), Receptor.Inh).Unit);
        Assert.Equal(Dimension.Voltage, new NestWeights(new Izhikevich(), Receptor.Exc).Unit);
        Assert.Equal(Dimension.Current, new NestWeights(new LifExpCurrent(), Receptor.Exc).Unit);
        Assert.Equal(Dimension.Conductance, new NestWeights(new LifExpCond(), Receptor.Exc).Unit);
        Assert.Equal(Dimension.Conductance, new NestWeights(new AdEx(), Receptor.Inh).Unit);

        // One input: the weight as it is, whatever the receptor.
        Assert.True(new NestWeights(new LifDelta(), Receptor.Exc).TryToNest(-0.5f, out var w, out _));
        Assert.Equal(-0.5, w);
        // Conductances are >= 0 in DistSnn; NEST says inhibitory with a negative weight.
        Assert.True(new NestWeights(new LifExpCond(), Receptor.Inh).TryToNest(3f, out w, out _));
        Assert.Equal(-3, w);
        Assert.True(new NestWeights(new LifExpCond(), Receptor.Exc).TryToNest(3f, out w, out _));
        Assert.Equal(3, w);
        Assert.False(new NestWeights(new LifExpCond(), Receptor.Exc).TryToNest(-1f, out _, out _));
        // Currents carry their sign in DistSnn too; a sign against the receptor cannot be said.
        Assert.False(new NestWeights(new LifExpCurrent(), Receptor.Exc).TryToNest(-1f, out _, out var why));
        Assert.Contains("excitatory input", why);
        Assert.False(new NestWeights(new LifExpCurrent(), Receptor.Inh).TryToNest(1f, out _, out why));
        Assert.Contains("inhibitory input", why);
        Assert.True(new NestWeights(new LifExpCurrent(), Receptor.Inh).TryToNest(0f, out w, out _));
        Assert.Equal(0, w);
    }

    [Fact]
    public void The_written_weight_converts_back_to_the_engines_float_with_the_fewest_digits()
    {
        var model = new LifExpCurrent { TauM = 20, CM = 250 };
        var rule = new NestWeights(model, Receptor.Exc);
        Assert.Equal(PartitionEngine.WeightScale(model, Dimension.Current), rule.ImportScale);
        Assert.True(rule.TryToNest(1.62f, out var w, out _));
        Assert.Equal(20.25, w);
        Assert.Equal(0.1, NestWeights.Widen(0.1f));

        var rng = new Random(5);
        foreach (var scale in new[] { 1.0, 0.08, 10.0 / 281.0, 1e-3, 7.5 })
            for (int i = 0; i < 2000; i++)
            {
                float value = (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-4, 5)));
                double x = NestWeights.Unscale(value, scale);
                Assert.Equal(value, (float)(x * scale));
            }
    }

    [Fact]
    public void Exact_unscaling_is_exact_or_nothing()
    {
        Assert.Equal(0.15, NestWeights.UnscaleExact(150, 1000));
        var rng = new Random(3);
        for (int i = 0; i < 2000; i++)
        {
            double value = rng.NextDouble() * 1000;
            if (NestWeights.UnscaleExact(value, 0.08) is double x) Assert.Equal(value, x * 0.08);
        }
    }
}
