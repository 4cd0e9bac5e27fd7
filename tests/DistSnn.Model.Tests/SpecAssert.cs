using DistSnn.Model;

namespace DistSnn.Model.Tests;

/// <summary>
/// Structural comparison of specs: the records hold lists and dictionaries, whose record equality is by
/// reference, so two specs read from different sources are compared field by field.
/// </summary>
internal static class SpecAssert
{
    public static void Equal(NetworkSpec expected, NetworkSpec actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Run, actual.Run);

        Assert.Equal(expected.Populations.Count, actual.Populations.Count);
        for (int i = 0; i < expected.Populations.Count; i++)
        {
            var e = expected.Populations[i];
            var a = actual.Populations[i];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Size, a.Size);
            Assert.Equal(e.Model, a.Model);
            Assert.Equal(e.Initial.OrderBy(kv => kv.Key), a.Initial.OrderBy(kv => kv.Key));
            Assert.Equal(e.Backend, a.Backend);
        }

        Assert.Equal(expected.BackendOptions.Keys.Order(), actual.BackendOptions.Keys.Order());
        foreach (var (backend, options) in expected.BackendOptions)
            Assert.Equal(options.OrderBy(kv => kv.Key), actual.BackendOptions[backend].OrderBy(kv => kv.Key));

        Assert.Equal(expected.Projections, actual.Projections);
        Assert.Equal(expected.PoissonInputs, actual.PoissonInputs);
        Assert.Equal(expected.Reward, actual.Reward);

        Assert.Equal(expected.Currents.Count, actual.Currents.Count);
        for (int i = 0; i < expected.Currents.Count; i++)
        {
            var e = expected.Currents[i];
            var a = actual.Currents[i];
            Assert.Equal(e.GetType(), a.GetType());
            Assert.Equal(e.Target, a.Target);
            Assert.Equal(e.Neurons, a.Neurons);
            switch (e, a)
            {
                case (DcCurrentSpec de, DcCurrentSpec da):
                    Assert.Equal((de.Amplitude, de.Start, de.Stop), (da.Amplitude, da.Start, da.Stop));
                    break;
                case (StepCurrentSpec se, StepCurrentSpec sa):
                    Assert.Equal(se.Times, sa.Times);
                    Assert.Equal(se.Amplitudes, sa.Amplitudes);
                    break;
            }
        }

        Assert.Equal(expected.Recording.Spikes, actual.Recording.Spikes);
        Assert.Equal(expected.Recording.State.Count, actual.Recording.State.Count);
        for (int i = 0; i < expected.Recording.State.Count; i++)
        {
            var e = expected.Recording.State[i];
            var a = actual.Recording.State[i];
            Assert.Equal(e.Population, a.Population);
            Assert.Equal(e.Variables, a.Variables);
            Assert.Equal(e.Neurons, a.Neurons);
            Assert.Equal(e.Interval, a.Interval, 12);
        }
    }
}
