using DistSnn.Backends.Testing;
using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Nodes.Tests.Backends;

/// <summary>
/// The registry builds partitions by backend name and refuses, before anything is built, a model that names an
/// unknown backend or asks a backend for what it cannot do, naming the population and what is unsupported.
/// </summary>
public class BackendRegistryTests
{
    /// <summary>A backend that hosts lif_exp_current only (one value per parameter), excitatory synapses of 2 to 20 steps, no inputs or recorders, pair STDP.</summary>
    private static readonly BackendType Narrow = new("narrow", new BackendCapabilities
    {
        NeuronModels = ["lif_exp_current"],
        Receptors = [Receptor.Exc],
        PlasticityRules = ["stdp"],
        MinDelaySteps = 2,
        MaxDelaySteps = 20,
        PoissonInputs = false,
        Currents = false,
        StateRecording = false,
    }, (spec, q, owned) => new PartitionEngine(spec, q, owned));

    private static NetworkSpec OnNarrow(Action<NetworkBuilder, PopulationHandle, PopulationHandle> more)
    {
        var b = new NetworkBuilder("narrow").WithDuration(10);
        var src = b.Population("src", 5, new PoissonGenerator { Rate = 10 });
        var n = b.Population("n", 5, new LifExpCurrent()).OnBackend("narrow");
        more(b, src, n);
        return b.Build();
    }

    [Fact]
    public void The_default_registry_holds_the_cpu_backend_and_grows_by_copy()
    {
        Assert.Equal(["cpu"], BackendRegistry.Default.Names);
        var more = BackendRegistry.Default.With(Narrow).With(EchoBackend.Type());
        Assert.Equal(["cpu", "echo", "narrow"], more.Names);
        Assert.Equal(["cpu"], BackendRegistry.Default.Names);
        var e = Assert.Throws<ArgumentException>(() => BackendRegistry.Default["spinnaker"]);
        Assert.Contains("unknown backend 'spinnaker' (known: cpu)", e.Message);
    }

    [Fact]
    public void Everything_a_backend_lacks_is_named_with_its_population()
    {
        var registry = BackendRegistry.Default.With(Narrow);
        var spec = OnNarrow((b, src, n) =>
        {
            b.Connect(src, n, new OneToOne(), ValueSpec.Of(10, Dimension.Current), ValueSpec.Of(1.0, Dimension.Time));
            b.Connect(src, n, new OneToOne(), ValueSpec.Of(-10, Dimension.Current), ValueSpec.Of(0.1, Dimension.Time), Receptor.Inh);
            b.Connect(src, n, new OneToOne(), ValueSpec.Of(1, Dimension.Current), ValueSpec.Of(1.0, Dimension.Time),
                synapse: TripletStdpSynapse.VisualCortexAllToAll with { WMax = 5 });
            b.PoissonInput(n, 10, 5, 1);
            b.Dc(n, 10);
            b.RecordState(n, ["v"], [0], 1.0);
            n.PerNeuron("v_th", new UniformValue(-52, -48, Dimension.Voltage));
        });
        var errors = registry.Check(spec).Select(e => e.ToString()).ToList();
        const string who = "population 'n' on backend 'narrow'";
        Assert.Equal([
            $"populations[1].parameters.v_th: {who}: parameters that differ per neuron are not supported; give v_th one value",
            $"projections[1].receptor: {who}: receptor inh is not supported (supported: exc)",
            $"projections[1].delay: {who}: delays of 1 to 1 steps are outside the supported 2 to 20",
            $"projections[2].synapse: {who}: plasticity rule stdp_triplet is not supported (supported: stdp)",
            $"poisson_inputs[0]: {who}: Poisson inputs are not supported",
            $"currents[0]: {who}: injected currents are not supported",
            $"record.state[0]: {who}: state recording is not supported",
        ], errors);
        // The populations on the cpu are not the narrow backend's business.
        Assert.Empty(BackendRegistry.Default.With(Narrow).Check(spec with { Populations = spec.Populations.Select(p => p with { Backend = null }).ToArray() }));
    }

    [Fact]
    public void An_unknown_backend_is_refused_naming_the_population_and_the_known_ones()
    {
        var spec = OnNarrow((b, src, n) => b.Connect(src, n, new OneToOne(), weight: 1, delay: 1));
        var error = Assert.Single(BackendRegistry.Default.Check(spec));
        Assert.Equal("populations[1].backend", error.Path);
        Assert.Equal("population 'n': unknown backend 'narrow' (known: cpu)", error.Message);
    }

    [Fact]
    public void A_partition_never_mixes_backends_and_is_what_its_backend_says()
    {
        var spec = EchoModels.Mixed();
        var registry = EchoBackend.Registry();
        var e = Assert.Throws<ArgumentException>(() => registry.Create("cpu", spec, 0, [[0, 1], [0], []]));
        Assert.Contains("partition 0 on backend 'cpu' owns neurons of population 'parrot', which is on backend 'echo'", e.Message);
        var built = registry.Create("echo", spec, 1, [[], [0, 1, 2, 3, 4], []]);
        Assert.Equal(("echo", 5L), (built.BackendName, built.Counters.Neurons));
        // A factory that builds some other kind of partition is caught.
        var liar = BackendRegistry.Default.With(Narrow);
        var narrow = OnNarrow((b, src, n) => b.Connect(src, n, new OneToOne(), weight: 1, delay: 1));
        Assert.Contains("built a partition that calls itself 'cpu'",
            Assert.Throws<InvalidOperationException>(() => liar.Create("narrow", narrow, 0, [[], [0]])).Message);
    }
}
