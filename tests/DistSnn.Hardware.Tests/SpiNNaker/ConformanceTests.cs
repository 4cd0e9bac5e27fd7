using DistSnn.Backends.Testing;
using DistSnn.Hardware.SpiNNaker.Execution;
using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Hardware.Tests.SpiNNaker;

/// <summary>The fixed-point SpiNNaker backend passes the backend conformance suite, between CPU partitions that feed it and that it feeds.</summary>
public sealed class SpiNNakerBackendConformance : BackendConformance
{
    /// <inheritdoc />
    protected override BackendType Backend => SpiNNakerBackend.Fixed;

    /// <inheritdoc />
    protected override NetworkSpec Model(int lag) => SpiNNakerModels.Mixed(SpiNNakerPartition.FixedName, lag);

    /// <inheritdoc />
    protected override (NetworkSpec Model, string Population, string Unsupported) Unsupported() => Izhikevich(SpiNNakerPartition.FixedName);

    internal static (NetworkSpec, string, string) Izhikevich(string backend)
    {
        var b = new NetworkBuilder("no-izhikevich").WithDt(0.1).WithDuration(10);
        var src = b.Population("src", 5, new PoissonGenerator { Rate = 10 });
        var iz = b.Population("iz", 5, new Izhikevich()).OnBackend(backend);
        b.Connect(src, iz, new OneToOne(), weight: 1, delay: 1);
        return (b.Build(), "iz", "neuron model izhikevich is not supported (supported: lif_delta, lif_exp_current, poisson_generator, spike_generator)");
    }
}

/// <summary>The ideal SpiNNaker backend passes the suite too.</summary>
public sealed class IdealSpiNNakerBackendConformance : BackendConformance
{
    /// <inheritdoc />
    protected override BackendType Backend => SpiNNakerBackend.Ideal;

    /// <inheritdoc />
    protected override NetworkSpec Model(int lag) => SpiNNakerModels.Mixed(SpiNNakerPartition.IdealName, lag);

    /// <inheritdoc />
    protected override (NetworkSpec Model, string Population, string Unsupported) Unsupported() =>
        SpiNNakerBackendConformance.Izhikevich(SpiNNakerPartition.IdealName);
}
