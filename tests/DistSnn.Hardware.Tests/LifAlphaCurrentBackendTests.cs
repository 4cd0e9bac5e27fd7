using DistSnn.Hardware.Tests.Memristive;
using DistSnn.Hardware.Tests.SpiNNaker;
using DistSnn.Model;

namespace DistSnn.Hardware.Tests;

/// <summary>
/// lif_alpha_current on the hardware backends: the memristive chips host it with the CPU's kernel (their ideal preset
/// gives the CPU's spikes exactly); the SpiNNaker backends, whose fixed-point kernels know only lif_delta and
/// lif_exp_current, refuse it naming the population and the model.
/// </summary>
public sealed class LifAlphaCurrentBackendTests
{
    private static NetworkSpec Network()
    {
        var b = new NetworkBuilder("alpha").WithDt(0.1).WithDuration(150).WithSeed(11);
        var model = new LifAlphaCurrent { TauSynExc = 0.5, TauSynInh = 10 };
        var exc = b.Population("exc", 160, model).Initial("v", new UniformValue(-70, -55, Dimension.Voltage));
        var inh = b.Population("inh", 40, model with { TauSynInh = 3 }).Initial("v", new UniformValue(-70, -55, Dimension.Voltage));
        foreach (var target in new[] { exc, inh })
        {
            b.Connect(exc, target, new FixedProbability(0.1) { AllowSelfConnections = false }, ValueSpec.Of(40, Dimension.Current), ValueSpec.Of(1.5, Dimension.Time));
            b.Connect(inh, target, new FixedProbability(0.2), ValueSpec.Of(-10, Dimension.Current), ValueSpec.Of(1.0, Dimension.Time), Receptor.Inh);
            b.PoissonInput(target, 100, 90, ValueSpec.Of(40, Dimension.Current));
        }
        b.RecordAllSpikes();
        return b.Build();
    }

    [Fact]
    public void The_ideal_memristive_preset_gives_the_cpu_spikes()
    {
        var spec = Network();
        var (cpu, _) = MemristiveModels.Run(spec, 2);
        var (ideal, _) = MemristiveModels.Run(MemristiveModels.OnBackend(spec, "memristive:ideal"), 3);
        Assert.True(cpu.Count > 500, $"{cpu.Count} spikes");
        Assert.Equal(cpu, ideal);
    }

    [Theory]
    [InlineData("spinnaker")]
    [InlineData("spinnaker:ideal")]
    public void SpiNNaker_refuses_it_naming_the_model(string backend)
    {
        var spec = IdealModeTests.OnBackend(Network(), backend, "inh");
        var e = Assert.Single(IdealModeTests.Registry.Check(spec));
        Assert.Equal("populations[1].model", e.Path);
        Assert.Equal($"population 'inh' on backend '{backend}': neuron model lif_alpha_current is not supported " +
            "(supported: lif_delta, lif_exp_current, poisson_generator, spike_generator)", e.Message);
    }
}
