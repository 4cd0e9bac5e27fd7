using DistSnn.Model;

namespace DistSnn.Model.Tests;

public class ValidatorTests
{
    private static NetworkSpec Net(params PopulationSpec[] populations) => new() { Populations = populations };

    private static readonly PopulationSpec A = new("a", 10, new LifDelta());
    private static readonly PopulationSpec G = new("g", 4, new LifExpCond());

    private static ProjectionSpec Proj(string source, string target, Connector connector, ValueSpec? weight = null, double delay = 1) =>
        new(source, target, connector, weight ?? ValueSpec.Of(1, Dimension.Voltage), ValueSpec.Of(delay, Dimension.Time));

    private static ModelError Only(NetworkSpec spec) => Assert.Single(NetworkValidator.Validate(spec));

    [Fact]
    public void A_valid_spec_has_no_errors_and_passes_through()
    {
        var spec = Net(A) with { Projections = [Proj("a", "a", new FixedProbability(0.5))] };
        Assert.Empty(NetworkValidator.Validate(spec));
        Assert.Same(spec, spec.Validated());
    }

    [Fact]
    public void At_least_one_population_is_required()
    {
        Assert.Equal(new ModelError("populations", "at least one population is required"), Only(new NetworkSpec()));
    }

    [Fact]
    public void Errors_have_no_file_or_line_unless_a_file_is_named()
    {
        var spec = Net(A) with { Run = new RunSettings { Dt = -1 } };
        var plain = Only(spec);
        Assert.Equal((null, null, "run.dt"), (plain.File, plain.Line, plain.Path));
        var e = Assert.Throws<ModelException>(() => NetworkValidator.ThrowIfInvalid(spec, "built.yaml"));
        Assert.Equal("built.yaml", Assert.Single(e.Errors).File);
        Assert.Throws<ModelException>(() => spec.Validated());
    }

    [Fact]
    public void Reports_run_and_population_problems()
    {
        var spec = new NetworkSpec
        {
            Run = new RunSettings { Dt = double.NaN, Duration = -1 },
            Populations = [new("", 0, new LifDelta { TauM = 0 }), new("b", 1, null!)],
        };
        Assert.Equal(
            ["run.dt", "run.duration", "populations[0].name", "populations[0].size", "populations[0].parameters.tau_m", "populations[1].model"],
            NetworkValidator.Validate(spec).Select(e => e.Path));
    }

    [Fact]
    public void Initial_values_must_be_state_variables_of_the_right_dimension()
    {
        var spec = Net(G with
        {
            Initial = new Dictionary<string, ValueSpec>
            {
                ["v"] = ValueSpec.Of(-65, Dimension.Voltage),
                ["g_exc"] = ValueSpec.Of(1, Dimension.Voltage),
                ["w"] = ValueSpec.Of(1, Dimension.Current),
            },
        });
        var errors = NetworkValidator.Validate(spec);
        Assert.Equal(2, errors.Count);
        Assert.Equal("populations[0].initial.g_exc: 1 mV is a voltage; expected a conductance (e.g. in nS)", errors[0].ToString());
        Assert.Equal("populations[0].initial.w: 'w' is not a state variable of lif_exp_cond (expected one of: v, g_exc, g_inh, theta)", errors[1].ToString());
    }

    [Fact]
    public void Delays_are_checked_against_dt_by_their_lower_bound()
    {
        var ok = Net(A) with { Projections = [Proj("a", "a", new AllToAll()) with { Delay = new NormalValue(1, 0.5, Dimension.Time) }] };
        Assert.Empty(NetworkValidator.Validate(ok));
        Assert.Empty(NetworkValidator.Validate(ok with { Projections = [Proj("a", "a", new AllToAll(), delay: 0.1)] }));

        var shortMean = ok with { Projections = [Proj("a", "a", new AllToAll()) with { Delay = new NormalValue(0.05, 0.5, Dimension.Time) }] };
        Assert.Contains("has mean 0.05 ms, which is shorter than dt = 0.1 ms", Only(shortMean).Message);

        var wrongUnit = ok with { Projections = [Proj("a", "a", new AllToAll()) with { Delay = ValueSpec.Of(1, Dimension.Voltage) }] };
        Assert.Equal("projections[0].delay: 1 mV is a voltage; expected a time (e.g. in ms)", Only(wrongUnit).ToString());
    }

    [Fact]
    public void Weights_must_suit_the_target_model()
    {
        var spec = Net(A, G) with
        {
            Projections =
            [
                Proj("a", "g", new AllToAll(), new NormalValue(5, 1, Dimension.Conductance)),
                Proj("g", "a", new AllToAll(), ValueSpec.Of(5, Dimension.Conductance)),
                Proj("a", "g", new AllToAll(), new UniformValue(0, 5, Dimension.Conductance)),
            ],
        };
        var errors = NetworkValidator.Validate(spec);
        Assert.Equal(2, errors.Count);
        Assert.Equal("projections[0].weight: normal(5 nS, 1 nS) can be negative; conductance weights must be >= 0", errors[0].ToString());
        Assert.Equal("projections[1].weight: 5 nS is a conductance; weights onto lif_delta must be a voltage (e.g. in mV)", errors[1].ToString());
    }

    [Fact]
    public void Fixed_numbers_respect_the_pool_and_self_connections()
    {
        PopulationSpec[] pops = [A];
        Assert.Empty(NetworkValidator.Validate(Net(pops) with { Projections = [Proj("a", "a", new FixedNumberPre(9) { AllowSelfConnections = false })] }));
        Assert.Empty(NetworkValidator.Validate(Net(pops) with { Projections = [Proj("a", "a", new FixedNumberPre(50, WithReplacement: true))] }));
        Assert.Contains("exceeds the 9 distinct sources that 'a' offers once self-connections are excluded",
            Only(Net(pops) with { Projections = [Proj("a", "a", new FixedNumberPre(10) { AllowSelfConnections = false })] }).Message);
        Assert.Equal("projections[0].connector.n",
            Only(Net(pops) with { Projections = [Proj("a", "a", new FixedNumberPost(-1))] }).Path);
        Assert.Equal("projections[0].connector.n",
            Only(Net(pops) with { Projections = [Proj("a", "a", new FixedTotalNumber(-5))] }).Path);
        var single = new PopulationSpec("s", 1, new LifDelta());
        Assert.Contains("has no sources left once self-connections are excluded",
            Only(Net(single) with { Projections = [Proj("s", "s", new FixedNumberPre(1, true) { AllowSelfConnections = false })] }).Message);
    }

    [Fact]
    public void Listed_synapses_are_checked_one_by_one()
    {
        var list = new FromList([new ListedSynapse(0, 0), new ListedSynapse(-1, 3), new ListedSynapse(1, 2, double.NaN, 0.01)])
        {
            AllowSelfConnections = false,
        };
        var errors = NetworkValidator.Validate(Net(A) with { Projections = [Proj("a", "a", list)] });
        Assert.Equal(
        [
            "projections[0].connector.synapses[0]",
            "projections[0].connector.synapses[1].pre",
            "projections[0].connector.synapses[2].weight",
            "projections[0].connector.synapses[2].delay",
        ], errors.Select(e => e.Path));
        Assert.Contains("connects neuron 0 to itself", errors[0].Message);
    }

    [Fact]
    public void Spike_sources_cannot_be_targets_and_their_times_start_at_dt()
    {
        var gen = new PopulationSpec("src", 2, new SpikeGenerator { SpikeTimes = [[0.1, 5], [double.NaN, 0.05]] });
        var poisson = new PopulationSpec("p", 2, new PoissonGenerator { Rate = 5 });
        var spec = Net(A, gen, poisson) with
        {
            Projections = [Proj("src", "a", new OneToOne()), Proj("a", "p", new AllToAll())],
            PoissonInputs = [new PoissonInputSpec("src", 10, 5, ValueSpec.Of(1, Dimension.Voltage))],
            Currents = [new DcCurrentSpec("p", 10)],
        };
        Assert.Equal(
        [
            "populations[1].parameters.spike_times[1][0]",
            "populations[1].parameters.spike_times[1][1]",
            "projections[0].connector",
            "projections[1].target",
            "poisson_inputs[0].target",
            "currents[0].target",
        ], NetworkValidator.Validate(spec).Select(e => e.Path));
        var wrongCount = Net(gen with { Model = new SpikeGenerator { SpikeTimes = [[1], [2], [3]] } });
        Assert.Contains("has 3 lists, but 'src' has 2 sources", Only(wrongCount).Message);
    }

    [Fact]
    public void Currents_and_recorders_are_checked()
    {
        var spec = Net(A) with
        {
            Currents = [new DcCurrentSpec("a", 1) { Neurons = [] }, new StepCurrentSpec("a", [1, 1], [1, 2]) { Neurons = [2, 2] }],
            Recording = new RecordingSpec
            {
                Spikes = ["a", "a"],
                State = [new StateRecorderSpec("a", [], [0]) { Interval = 0 }, new StateRecorderSpec("a", ["v", "v"], [9]) { Interval = 0.3 }],
            },
        };
        Assert.Equal(
        [
            "currents[0].neurons",
            "currents[1].neurons[1]",
            "currents[1].times[1]",
            "record.spikes[1]",
            "record.state[0].variables",
            "record.state[0].interval",
            "record.state[1].variables[1]",
        ], NetworkValidator.Validate(spec).Select(e => e.Path));
    }

    [Fact]
    public void Adaptive_threshold_parameters_are_checked_on_every_lif_model()
    {
        var spec = Net(
            new("a", 2, new LifDelta { ThetaPlus = -1 }),
            new("b", 2, new LifExpCurrent { TauTheta = 0 }),
            new("c", 2, new LifExpCond { ThetaPlus = -0.5, TauTheta = -5 }),
            new("d", 2, new LifExpCond { ThetaPlus = 0.05, TauTheta = 1e-3 }),
            new("e", 2, new LifDelta { TauTheta = double.NaN }));
        Assert.Equal(
        [
            "populations[0].parameters.theta_plus: must be >= 0, got -1 mV",
            "populations[1].parameters.tau_theta: must be > 0, got 0 ms",
            "populations[2].parameters.theta_plus: must be >= 0, got -0.5 mV",
            "populations[2].parameters.tau_theta: must be > 0, got -5 ms",
            "populations[4].parameters.tau_theta: must be finite, got NaN",
        ], NetworkValidator.Validate(spec).Select(e => e.ToString()));
    }

    [Fact]
    public void Receptors_must_be_defined()
    {
        var spec = Net(A) with { Projections = [Proj("a", "a", new AllToAll()) with { Receptor = (Receptor)7 }] };
        Assert.Equal("projections[0].receptor: 7 is not a receptor; expected exc or inh", Only(spec).ToString());
    }
}
