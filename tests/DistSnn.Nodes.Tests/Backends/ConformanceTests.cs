using DistSnn.Backends.Testing;
using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Nodes.Tests.Backends;

/// <summary>The CPU backend passes the backend conformance suite, on a plastic network with every kind of input.</summary>
public sealed class CpuBackendConformance : BackendConformance
{
    /// <inheritdoc />
    protected override BackendType Backend => PartitionEngine.Type;

    /// <inheritdoc />
    protected override NetworkSpec Model(int lag)
    {
        var spec = CheckpointTests.Plastic();
        return spec with { Run = spec.Run with { Duration = 100, ExchangeLag = lag } };
    }

    /// <inheritdoc />
    protected override (NetworkSpec Model, string Population, string Unsupported) Unsupported()
    {
        // Delays are stored in 16 bits: 10 s at dt = 0.1 ms is 100,000 steps.
        var b = new NetworkBuilder("too-slow").WithDt(0.1).WithDuration(10);
        var src = b.Population("src", 5, new PoissonGenerator { Rate = 10 });
        var n = b.Population("n", 5, new LifDelta());
        b.Connect(src, n, new AllToAll(), weight: 1, delay: 10_000);
        return (b.Build(), "n", "delays of 100000 to 100000 steps are outside the supported 1 to 65535");
    }
}

/// <summary>The echo test backend passes the suite too, next to CPU partitions that feed it and that it feeds.</summary>
public sealed class EchoBackendConformance : BackendConformance
{
    /// <inheritdoc />
    protected override BackendType Backend => EchoBackend.Type();

    /// <inheritdoc />
    protected override NetworkSpec Model(int lag) => EchoModels.Mixed(lag);

    /// <inheritdoc />
    protected override (NetworkSpec Model, string Population, string Unsupported) Unsupported()
    {
        var b = new NetworkBuilder("no-izhikevich").WithDt(0.1).WithDuration(10);
        var src = b.Population("src", 5, new PoissonGenerator { Rate = 10 });
        var iz = b.Population("iz", 5, new Izhikevich()).OnBackend(EchoBackend.Name);
        b.Connect(src, iz, new OneToOne(), weight: 1, delay: 1);
        return (b.Build(), "iz", "neuron model izhikevich is not supported (supported: lif_delta)");
    }
}
