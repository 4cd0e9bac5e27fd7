using DistSnn.Hardware.SpiNNaker.Execution;
using DistSnn.Model;

namespace DistSnn.Hardware.Tests.SpiNNaker;

/// <summary>Networks for the SpiNNaker backends.</summary>
public static class SpiNNakerModels
{
    /// <summary>
    /// Poisson sources (cpu) drive excitatory and inhibitory LIF populations on <paramref name="backend"/>, which drive
    /// each other (delays of 1 to 3 ms: some beyond the core's 16 ticks, through delay extensions, the CPU sources' too)
    /// and a CPU population back; a Poisson input drives the excitatory neurons. 300 excitatory neurons at 80 per core make four cores.
    /// </summary>
    public static NetworkSpec Mixed(string backend, int lag = 1, double durationMs = 100, ulong seed = 7, double timeScale = 10)
    {
        var b = new NetworkBuilder("spinnaker-mixed").WithDt(0.1).WithDuration(durationMs).WithSeed(seed).WithExchangeLag(lag);
        var lif = new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10, TRef = 2 };
        var src = b.Population("src", 50, new PoissonGenerator { Rate = 30 });
        var exc = b.Population("exc", 300, lif).OnBackend(backend).Initial("v", new UniformValue(0, 18, Dimension.Voltage));
        var inh = b.Population("inh", 75, lif).OnBackend(backend).Initial("v", new UniformValue(0, 18, Dimension.Voltage));
        var cpu = b.Population("cpu", 60, lif).Initial("v", new UniformValue(0, 18, Dimension.Voltage));
        b.Connect(src, exc, new FixedProbability(0.2), weight: 1.5, delay: 1.0);
        // Injected spikes with a long delay go through the injector's delay extension.
        b.Connect(src, inh, new FixedProbability(0.1), weight: 0.8, delay: 2.5);
        b.Connect(exc, exc, new FixedProbability(0.1), ValueSpec.Of(0.4, Dimension.Voltage), new UniformValue(1, 3, Dimension.Time));
        b.Connect(exc, inh, new FixedProbability(0.1), weight: 0.6, delay: 1.5);
        b.Connect(inh, exc, new FixedProbability(0.1), ValueSpec.Of(-1.5, Dimension.Voltage), ValueSpec.Of(1.2, Dimension.Time), Receptor.Inh);
        b.Connect(exc, cpu, new FixedProbability(0.2), weight: 1.0, delay: 1.0);
        b.PoissonInput(exc, sources: 100, rateHz: 60, weight: 0.5);
        b.RecordAllSpikes();
        var spec = b.Build();
        return spec with
        {
            BackendOptions = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                [SpiNNakerSettings.Section] = new Dictionary<string, string> { ["time_scale_factor"] = timeScale.ToString(System.Globalization.CultureInfo.InvariantCulture), ["max_neurons_per_core"] = "80" },
            },
        };
    }
}
