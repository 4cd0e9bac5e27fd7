using DistSnn.Model;

namespace DistSnn.Backends.Testing;

/// <summary>Networks in which echo partitions and CPU partitions exchange spikes both ways.</summary>
public static class EchoModels
{
    /// <summary>
    /// Poisson sources (cpu) drive parrots (echo) one to one; the parrots drive LIF neurons (cpu), whose spikes the
    /// parrots echo too, with delays of 1 to 3 ms: what the LIF neurons do depends on every delivery to the parrots.
    /// </summary>
    public static NetworkSpec Mixed(int lag = 1, double durationMs = 100, ulong seed = 7)
    {
        var b = new NetworkBuilder("echo-mixed").WithDt(0.1).WithDuration(durationMs).WithSeed(seed).WithExchangeLag(lag);
        var src = b.Population("src", 40, new PoissonGenerator { Rate = 40 });
        var parrot = b.Population("parrot", 40, new LifDelta()).OnBackend(EchoBackend.Name);
        var lif = b.Population("lif", 60, new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10, TRef = 2 })
            .Initial("v", new UniformValue(0, 18, Dimension.Voltage));
        b.Connect(src, parrot, new OneToOne(), weight: 1, delay: 1.5);
        b.Connect(lif, parrot, new FixedProbability(0.05), ValueSpec.Of(1, Dimension.Voltage), new UniformValue(1, 3, Dimension.Time));
        b.Connect(parrot, lif, new FixedProbability(0.2), weight: 4, delay: 1.0);
        b.Connect(src, lif, new FixedProbability(0.2), weight: 3, delay: 1.0);
        b.RecordAllSpikes();
        return b.Build();
    }
}
