using DistSnn.Model;

namespace DistSnn.Model.Tests;

public class BuilderTests
{
    private const string SmallYaml = """
        name: small
        run: {dt: 0.1 ms, duration: 200 ms, seed: 42}
        populations:
          - name: exc
            size: 100
            model: lif_delta
            parameters: {tau_m: 20 ms}
            initial: {v: "uniform(0 mV, 20 mV)"}
          - name: inh
            size: 25
            model: lif_exp_current
            parameters: {tau_syn_exc: 5 ms}
            initial: {v: -65 mV}
        projections:
          - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 0.1 mV, delay: 1.5 ms}
          - source: inh
            target: exc
            connector: {type: fixed_number_pre, n: 10, allow_self_connections: false}
            weight: -0.5 mV
            delay: uniform(1 ms, 2 ms)
            receptor: inh
            label: ie
        poisson_inputs:
          - {target: exc, sources: 1000, rate: 20 Hz, weight: 0.1 mV}
        currents:
          - {type: dc, target: exc, amplitude: 100 pA}
          - {type: step, target: inh, times: [10 ms, 20 ms], amplitudes: [5 pA, 0 pA], neurons: [0, 1]}
        record:
          spikes: [exc, inh]
          state:
            - {population: exc, variables: [v], neurons: [0, 1]}
        """;

    [Fact]
    public void Builds_the_same_spec_as_the_equivalent_yaml()
    {
        var b = new NetworkBuilder("small").WithDt(0.1).WithDuration(200).WithSeed(42);
        var exc = b.Population("exc", 100, new LifDelta { TauM = 20 }).Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        var inh = b.Population("inh", 25, new LifExpCurrent { TauSynExc = 5 }).Initial("v", -65);
        b.Connect(exc, inh, new FixedProbability(0.1), weight: 0.1, delay: 1.5, Receptor.Exc);
        b.Connect(inh, exc, new FixedNumberPre(10) { AllowSelfConnections = false }, ValueSpec.Of(-0.5, Dimension.Voltage),
            new UniformValue(1, 2, Dimension.Time), Receptor.Inh, label: "ie");
        b.PoissonInput(exc, sources: 1000, rateHz: 20, weight: 0.1);
        b.Dc(exc, amplitudePa: 100);
        b.StepCurrent(inh, [10, 20], [5, 0], neurons: [0, 1]);
        b.RecordSpikes(exc, inh);
        b.RecordState(exc, ["v"], [0, 1]);

        SpecAssert.Equal(ModelLoader.Parse(SmallYaml, "small.yaml"), b.Build());
    }

    [Fact]
    public void Numeric_weights_take_the_target_models_first_weight_unit()
    {
        var b = new NetworkBuilder();
        var a = b.Population("a", 10, new LifDelta());
        var g = b.Population("g", 10, new LifExpCond());
        b.Connect(a, g, new AllToAll(), weight: 6, delay: 1).Connect(g, a, new OneToOne(), weight: -1, delay: 2, Receptor.Inh);
        b.PoissonInput(g, 100, 5, weight: 2).RecordAllSpikes();
        var spec = b.Build();
        Assert.Equal(ValueSpec.Of(6, Dimension.Conductance), spec.Projections[0].Weight);
        Assert.Equal(ValueSpec.Of(-1, Dimension.Voltage), spec.Projections[1].Weight);
        Assert.Equal(ValueSpec.Of(2, Dimension.Conductance), spec.PoissonInputs[0].Weight);
        Assert.Equal(["a", "g"], spec.Recording.Spikes);
        Assert.Equal("network", spec.Name);
    }

    [Fact]
    public void Record_interval_defaults_to_the_final_dt()
    {
        var b = new NetworkBuilder("x");
        var a = b.Population("a", 2, new LifDelta());
        b.RecordState(a, ["v"], [0]).RecordState(a, ["v"], [1], intervalMs: 1);
        b.WithDt(0.25);
        var state = b.Build().Recording.State;
        Assert.Equal([0.25, 1.0], state.Select(s => s.Interval));
    }

    [Fact]
    public void Build_rejects_an_invalid_network_with_every_problem()
    {
        var b = new NetworkBuilder("bad").WithDt(0.1);
        var a = b.Population("a", 10, new LifDelta { TauM = -1 });
        var g = b.Population("g", 5, new LifExpCond()).Initial("q", 1);
        b.Connect(a, g, new FixedProbability(2), weight: -1, delay: 0.05);
        b.RecordState(a, ["v"], [10]);
        var e = Assert.Throws<ModelException>(() => b.Build());
        Assert.Equal(
        [
            "populations[0].parameters.tau_m",
            "populations[1].initial.q",
            "projections[0].weight",
            "projections[0].delay",
            "projections[0].connector.p",
            "record.state[0].neurons[0]",
        ], e.Errors.Select(x => x.Path));
        Assert.All(e.Errors, x => Assert.Null(x.Line));
        Assert.Contains("projections[0].delay: 0.05 ms is shorter than dt = 0.1 ms", e.Message);
        Assert.Equal(ValueSpec.Of(0.05, Dimension.Time), b.ToSpec().Projections[0].Delay);
    }

    [Fact]
    public void Adaptive_threshold_from_a_file_equals_the_builders()
    {
        const string yaml = """
            populations:
              - {name: d, size: 2, model: lif_delta, parameters: {theta_plus: 50 uV, tau_theta: 1e4 s}, initial: {theta: 0.2 mV}}
              - {name: c, size: 2, model: lif_exp_current, parameters: {theta_plus: 0.1 mV, tau_theta: 250 ms}}
              - {name: g, size: 2, model: lif_exp_cond, parameters: {theta_plus: 1 mV, tau_theta: 0.5 s}}
            record:
              state:
                - {population: g, variables: [v, theta], neurons: [0]}
            """;
        var b = new NetworkBuilder("theta");
        b.Population("d", 2, new LifDelta { ThetaPlus = 0.05, TauTheta = 1e7 }).Initial("theta", 0.2);
        b.Population("c", 2, new LifExpCurrent { ThetaPlus = 0.1, TauTheta = 250 });
        var g = b.Population("g", 2, new LifExpCond { ThetaPlus = 1, TauTheta = 500 });
        b.RecordState(g, ["v", "theta"], [0]);

        SpecAssert.Equal(ModelLoader.Parse(yaml, "theta.yaml"), b.Build());
        // Left out, the adaptation is off and tau_theta is Diehl & Cook's.
        var plain = (LifExpCond)ModelLoader.Parse("populations:\n  - {name: a, size: 1, model: lif_exp_cond}\n").Populations[0].Model;
        Assert.Equal((0.0, 1e7), (plain.ThetaPlus, plain.TauTheta));
    }

    [Fact]
    public void Handles_must_come_from_the_same_builder()
    {
        var one = new NetworkBuilder("one");
        var two = new NetworkBuilder("two");
        var a = one.Population("a", 1, new LifDelta());
        var b = two.Population("b", 1, new LifDelta());
        Assert.Throws<ArgumentException>(() => two.Connect(a, b, new AllToAll(), 1, 1));
        Assert.Throws<ArgumentException>(() => two.RecordSpikes(a));
        Assert.Throws<ArgumentNullException>(() => one.Population("x", 1, null!));
    }
}
