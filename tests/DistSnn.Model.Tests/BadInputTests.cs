using DistSnn.Model;

namespace DistSnn.Model.Tests;

/// <summary>
/// Each case replaces one line of a valid model and expects an error at a given field path and line. Line
/// numbers refer to <see cref="Base"/>; a replacement may span several lines.
/// </summary>
public class BadInputTests
{
    internal static readonly string[] Base =
    [
        /*  1 */ "name: t",
        /*  2 */ "run: {dt: 0.1 ms, duration: 100 ms, seed: 3}",
        /*  3 */ "populations:",
        /*  4 */ "  - name: exc",
        /*  5 */ "    size: 10",
        /*  6 */ "    model: lif_delta",
        /*  7 */ "    parameters: {tau_m: 20 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV}",
        /*  8 */ "    initial: {v: \"uniform(0 mV, 20 mV)\"}",
        /*  9 */ "  - name: inh",
        /* 10 */ "    size: 5",
        /* 11 */ "    model: lif_exp_cond",
        /* 12 */ "projections:",
        /* 13 */ "  - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 1 nS, delay: 1 ms}",
        /* 14 */ "poisson_inputs:",
        /* 15 */ "  - {target: exc, sources: 100, rate: 10 Hz, weight: 0.1 mV}",
        /* 16 */ "currents:",
        /* 17 */ "  - {type: dc, target: exc, amplitude: 100 pA, start: 0 ms, stop: 50 ms}",
        /* 18 */ "record:",
        /* 19 */ "  spikes: [exc, inh]",
        /* 20 */ "  state:",
        /* 21 */ "    - {population: exc, variables: [v], neurons: [0, 1], interval: 0.2 ms}",
    ];

    internal static string With(int line, string replacement)
    {
        var lines = (string[])Base.Clone();
        lines[line - 1] = replacement;
        return string.Join("\n", lines) + "\n";
    }

    internal static ModelException Fail(string text, string? file = "bad.yaml") =>
        Assert.Throws<ModelException>(() => ModelLoader.Parse(text, file));

    [Fact]
    public void The_base_model_is_valid()
    {
        var spec = ModelLoader.Parse(string.Join("\n", Base), "base.yaml");
        Assert.Equal(2, spec.Populations.Count);
    }

    public static TheoryData<int, string, string, string, int> Cases => new()
    {
        // line to replace, replacement, expected path, expected message fragment, expected error count
        { 2, "run: {dt: 0.1, duration: 100 ms}", "run.dt", "'0.1' has no unit; expected a time (e.g. in ms)", 1 },
        { 2, "run: {dt: 0.1 ms, seed: -1}", "run.seed", "not a valid seed; expected a non-negative whole number", 1 },
        { 2, "run: {dt: 0 ms}", "run.dt", "0 ms is not a valid step", 1 },
        { 2, "run: {dt: 0.1 ms, duration: -5 ms}", "run.duration", "-5 ms is not a valid duration", 1 },
        { 2, "run: {dt: 0.1 ms, steps: 5}", "run.steps", "unknown key (expected one of: dt, duration, seed, exchange_lag)", 1 },
        { 1, "nam: t", "nam", "unknown key (expected one of: name, run, populations", 1 },
        { 7, "    paramters: {tau_m: 20 ms}", "populations[0].paramters", "unknown key (expected one of: name, size, model, parameters, initial, backend)", 1 },
        { 7, "    parameters: {tau_m: 20 mV, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV}", "populations[0].parameters.tau_m", "'20 mV' is a voltage; expected a time (e.g. in ms)", 1 },
        { 7, "    parameters: {tau_m: 20, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV}", "populations[0].parameters.tau_m", "'20' has no unit; expected a time (e.g. in ms)", 1 },
        { 7, "    parameters: {tau_m: -5 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV}", "populations[0].parameters.tau_m", "must be > 0, got -5 ms", 1 },
        { 7, "    parameters: {tau: 20 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV}", "populations[0].parameters.tau", "unknown parameter for lif_delta (expected one of: tau_m,", 1 },
        { 7, "    parameters: {tau_m: 20 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 30 mV}", "populations[0].parameters.v_reset", "must be below v_th = 20 mV", 1 },
        { 7, "    parameters: {tau_m: 20 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV, theta_plus: -0.05 mV}", "populations[0].parameters.theta_plus", "must be >= 0, got -0.05 mV", 1 },
        { 7, "    parameters: {tau_m: 20 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV, theta_plus: 0.05}", "populations[0].parameters.theta_plus", "'0.05' has no unit; expected a voltage (e.g. in mV)", 1 },
        { 7, "    parameters: {tau_m: 20 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV, tau_theta: 1e7 mV}", "populations[0].parameters.tau_theta", "'1e7 mV' is a voltage; expected a time (e.g. in ms)", 1 },
        { 7, "    parameters: {tau_m: 20 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV, theta: 1 mV}", "populations[0].parameters.theta", "unknown parameter for lif_delta (expected one of: tau_m,", 1 },
        { 6, "    model: lif_deltaa", "populations[0].model", "unknown model 'lif_deltaa' (known: lif_delta,", 1 },
        { 5, "    size: 0", "populations[0].size", "0 is too small; a population needs at least 1 neuron", 1 },
        { 5, "    size: ten", "populations[0].size", "'ten' is not a whole number", 1 },
        { 5, "    size: 3000000000", "populations[0].size", "3000000000 is too large; the largest allowed value is 2147483647", 1 },
        { 8, "    initial: {u: 1 mV}", "populations[0].initial.u", "'u' is not a state variable of lif_delta (expected one of: v, theta)", 1 },
        { 8, "    initial: {v: \"uniform(20 mV, 0 mV)\"}", "populations[0].initial.v", "uniform(a, b) needs a < b", 1 },
        { 8, "    initial: {theta: 1 nS}", "populations[0].initial.theta", "'1 nS' is a conductance; expected a voltage", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 1 nS, delay: 0.05 ms}", "projections[0].delay", "0.05 ms is shorter than dt = 0.1 ms", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 1 nS, delay: 'uniform(0.01 ms, 1 ms)'}", "projections[0].delay", "lower bound 0.01 ms, which is shorter than dt = 0.1 ms", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 1 mV, delay: 1 ms}", "projections[0].weight", "'1 mV' is a voltage; expected a conductance (e.g. in nS)", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: -1 nS, delay: 1 ms}", "projections[0].weight", "conductance weights must be >= 0", 1 },
        { 13, "  - {source: exc, target: nobody, connector: {type: fixed_probability, p: 0.1}, weight: 1 nS, delay: 1 ms}", "projections[0].target", "unknown population 'nobody' (known: exc, inh)", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: fixed_probability, p: 1.5}, weight: 1 nS, delay: 1 ms}", "projections[0].connector.p", "1.5 is not a probability; p must be in [0, 1]", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: fixed_number_pre, n: 20}, weight: 1 nS, delay: 1 ms}", "projections[0].connector.n", "n = 20 exceeds the 10 distinct sources", 1 },
        { 13, "  - {source: exc, target: exc, connector: {type: fixed_number_post, n: 10, allow_self_connections: false}, weight: 1 mV, delay: 1 ms}", "projections[0].connector.n", "exceeds the 9 distinct targets that 'exc' offers once self-connections are excluded", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: one_to_one}, weight: 1 nS, delay: 1 ms}", "projections[0].connector", "one_to_one needs populations of equal size, but 'exc' has 10 neurons and 'inh' has 5", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: random, p: 0.1}, weight: 1 nS, delay: 1 ms}", "projections[0].connector.type", "unknown connector type 'random'", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 1 nS, delay: 1 ms, receptor: gaba}", "projections[0].receptor", "'gaba' is not a receptor; expected exc or inh", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: all_to_all, n: 3}, weight: 1 nS, delay: 1 ms}", "projections[0].connector.n", "unknown key for a all_to_all connector (expected one of: type, allow_self_connections)", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 1 nS}", "projections[0].delay", "is required", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: from_list, synapses: [[0, 0], [10, 4]]}, weight: 1 nS, delay: 1 ms}", "projections[0].connector.synapses[1].pre", "neuron 10 is out of range for 'exc' (indices 0 to 9)", 1 },
        { 13, "  - {source: exc, target: inh, connector: {type: from_list, synapses: [[0, 0, 1 nS, 0.01 ms]]}, weight: 1 nS, delay: 1 ms}", "projections[0].connector.synapses[0].delay", "0.01 ms is shorter than dt = 0.1 ms", 1 },
        { 15, "  - {target: exc, sources: 100, rate: 10, weight: 0.1 mV}", "poisson_inputs[0].rate", "'10' has no unit; expected a rate (e.g. in Hz)", 1 },
        { 15, "  - {target: exc, sources: 0, rate: 10 Hz, weight: 0.1 mV}", "poisson_inputs[0].sources", "0 is too small; at least 1 source is needed", 1 },
        { 15, "  - {target: inh, sources: 100, rate: 10 Hz, weight: 0.1 mV}", "poisson_inputs[0].weight", "'0.1 mV' is a voltage; expected a conductance (e.g. in nS)", 1 },
        { 17, "  - {type: dc, target: exc, amplitude: 100 pA, start: 10 ms, stop: 5 ms}", "currents[0].stop", "5 ms is not after start = 10 ms", 1 },
        { 17, "  - {type: dc, target: exc, amplitude: 100 mV}", "currents[0].amplitude", "'100 mV' is a voltage; expected a current (e.g. in pA)", 1 },
        { 17, "  - {type: dc, target: exc, amplitude: 100 pA, neurons: [3, 10]}", "currents[0].neurons[1]", "neuron 10 is out of range for 'exc' (indices 0 to 9)", 1 },
        { 17, "  - {type: step, target: exc, times: [10 ms, 5 ms], amplitudes: [1 pA, 2 pA]}", "currents[0].times[1]", "5 ms is not after the previous time 10 ms; times must be strictly increasing", 1 },
        { 17, "  - {type: step, target: exc, times: [10 ms], amplitudes: [1 pA, 2 pA]}", "currents[0].amplitudes", "has 2 values, but times has 1", 1 },
        { 17, "  - {type: ramp, target: exc}", "currents[0].type", "unknown current type 'ramp' (known: dc, step)", 1 },
        { 19, "  spikes: [exc, foo]", "record.spikes[1]", "unknown population 'foo'", 1 },
        { 19, "  spikes: [exc, exc]", "record.spikes[1]", "'exc' is listed twice", 1 },
        { 19, "  spikes: everything", "record.spikes", "expected a list of population names or 'all', got 'everything'", 1 },
        { 21, "    - {population: exc, variables: [v], neurons: [0, 1], interval: 0.15 ms}", "record.state[0].interval", "0.15 ms is not a whole multiple of dt = 0.1 ms", 1 },
        { 21, "    - {population: exc, variables: [v, g], neurons: [0, 1]}", "record.state[0].variables[1]", "'g' is not a state variable of lif_delta", 1 },
        { 21, "    - {population: exc, variables: [v], neurons: []}", "record.state[0].neurons", "is empty; list at least one neuron", 1 },
        { 21, "    - {population: exc, variables: [v], neurons: [0, -1]}", "record.state[0].neurons[1]", "neuron -1 is out of range", 1 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reports_the_field_path_and_line(int line, string replacement, string path, string fragment, int count)
    {
        var e = Fail(With(line, replacement));
        Assert.Equal(count, e.Errors.Count);
        var error = Assert.Single(e.Errors, x => x.Path == path);
        Assert.Equal("bad.yaml", error.File);
        Assert.Equal(line, error.Line);
        Assert.Contains(fragment, error.Message);
        Assert.Contains(error.ToString(), e.Message);
    }

    [Fact]
    public void Exact_delay_message()
    {
        var e = Fail(With(13, "  - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 1 nS, delay: 0.05 ms}"));
        Assert.Equal("bad.yaml:13: projections[0].delay: 0.05 ms is shorter than dt = 0.1 ms", Assert.Single(e.Errors).ToString());
    }

    [Theory]
    [InlineData("0 ms", "must be > 0, got 0 ms")]
    [InlineData("-2 s", "must be > 0, got -2000 ms")]
    public void A_non_positive_tau_theta_is_reported_with_its_field_path(string tauTheta, string message)
    {
        var e = Fail(With(11, $"    model: lif_exp_cond\n    parameters: {{theta_plus: 0.05 mV, tau_theta: {tauTheta}}}"));
        Assert.Equal($"bad.yaml:12: populations[1].parameters.tau_theta: {message}", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void Spike_source_targets_and_early_spike_times_are_reported()
    {
        var e = Fail(With(11, "    model: spike_generator\n    parameters: {spike_times: [0.05 ms, 1 ms]}"));
        Assert.Equal(2, e.Errors.Count);
        var early = Assert.Single(e.Errors, x => x.Path == "populations[1].parameters.spike_times[0]");
        Assert.Equal(12, early.Line);
        Assert.Contains("0.05 ms is earlier than dt = 0.1 ms", early.Message);
        var target = Assert.Single(e.Errors, x => x.Path == "projections[0].target");
        Assert.Equal(14, target.Line);
        Assert.Contains("'inh' is a spike_generator spike source and cannot receive synapses", target.Message);
    }

    [Fact]
    public void A_duplicate_population_name_is_reported_once()
    {
        var e = Fail(With(9, "  - name: exc"));
        var error = Assert.Single(e.Errors, x => x.Path == "populations[1].name");
        Assert.Equal(9, error.Line);
        Assert.Contains("'exc' is already the name of populations[0]", error.Message);
    }

    [Fact]
    public void A_missing_key_points_at_its_mapping()
    {
        var e = Fail(With(5, "    sizes: 10"));
        Assert.Equal(2, e.Errors.Count);
        Assert.Equal((5, "unknown key (expected one of: name, size, model, parameters, initial, backend)"),
            Assert.Single(e.Errors, x => x.Path == "populations[0].sizes") is var u ? (u.Line!.Value, u.Message) : default);
        var missing = Assert.Single(e.Errors, x => x.Path == "populations[0].size");
        Assert.Equal(4, missing.Line);
        Assert.Equal("is required", missing.Message);
    }
}
