using System.Text.Json;
using DistSnn.Cluster.Output;
using DistSnn.Cluster.Sonata;
using DistSnn.Cluster.Tests.Runtime;
using DistSnn.Model;
using DistSnn.Nodes;
using PureHDF;

namespace DistSnn.Cluster.Tests.Sonata;

/// <summary>
/// <see cref="SonataNetworkWriter"/>: the files it writes hold the engine's own network (neurons, per-neuron values,
/// synapses) in SONATA's layout and NEST's conventions, and what SONATA cannot say is an extension or refused.
/// </summary>
public sealed class SonataNetworkWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-sonata-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    /// <summary>
    /// A spike_generator, per-neuron values (a list and a distribution), a distribution of initial voltages, a
    /// conductance-based population, both receptors, distributed delays, a dc and a step current, a state recording.
    /// </summary>
    internal const string Small = """
        name: small
        run: {dt: 0.1 ms, duration: 200 ms, seed: 7}
        populations:
          - name: stim
            size: 4
            model: spike_generator
            parameters: {spike_times: [[5 ms, 1 ms], [2 ms], [3 ms, 3.5 ms], [1 ms]]}
          - name: exc
            size: 6
            model: lif_exp_current
            parameters: {tau_m: 10 ms, e_l: [-65 mV, -66 mV, -64.5 mV, -65 mV, -63 mV, -67.25 mV], v_th: -55 mV, i_e: 'uniform(100 pA, 200 pA)', theta_plus: 0.5 mV}
            initial: {v: 'uniform(-70 mV, -60 mV)'}
          - name: cond
            size: 6
            model: lif_exp_cond
            initial: {v: -65 mV}
        projections:
          - {source: stim, target: exc, connector: {type: all_to_all}, weight: 50 pA, delay: 1 ms}
          - {source: exc, target: cond, connector: {type: fixed_probability, p: 0.5}, weight: 'uniform(1 nS, 2 nS)', delay: 'uniform(1 ms, 3 ms)'}
          - {source: exc, target: cond, connector: {type: one_to_one}, weight: 3 nS, delay: 2 ms, receptor: inh}
          - {source: cond, target: exc, connector: {type: fixed_number_pre, n: 3}, weight: -2 mV, delay: 1.5 ms, receptor: inh}
        currents:
          - {type: dc, target: exc, amplitude: 150 pA, start: 10 ms, stop: 100 ms}
          - {type: step, target: cond, times: [20 ms, 50 ms], amplitudes: [100 pA, 0 pA], neurons: [0, 2]}
        record:
          spikes: [exc, cond]
          state: [{population: exc, variables: [v, theta], neurons: [0, 3], interval: 1 ms}]
        """;

    private string Out(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Cuba_is_plain_sonata_holding_the_engines_neurons_and_synapses()
    {
        var spec = ModelLoader.LoadFile(Repo.Example("cuba.yaml"));
        var written = SonataNetworkWriter.Write(spec, Out("cuba"));

        Assert.Empty(written.Extensions);
        Assert.Equal([("exc", 3200L), ("inh", 800L)], written.NodePopulations);
        Assert.Equal(["exc_to_exc", "exc_to_inh", "inh_to_exc", "inh_to_inh"], written.EdgePopulations.Select(e => e.Name));
        Assert.Equal(SonataFiles.OnePartition(spec).SynapseCount, written.EdgePopulations.Sum(e => e.Edges));
        foreach (var file in Directory.EnumerateFiles(Out("cuba"), "*", SearchOption.AllDirectories))
        {
            var texts = file.EndsWith(".h5", StringComparison.Ordinal) ? SonataFiles.Hdf5Names(file) : [File.ReadAllText(file)];
            Assert.DoesNotContain(texts, t => t.Contains("distsnn", StringComparison.OrdinalIgnoreCase));
        }

        var types = SonataFiles.Table(Out("cuba"), "node_types.csv");
        Assert.Equal(["1 point_neuron nest:iaf_psc_exp exc.json exc", "2 point_neuron nest:iaf_psc_exp inh.json inh"],
            types.Select(r => string.Join(' ', r.Values)));
        var exc = SonataFiles.Json(Out("cuba"), "point_neuron_models/exc.json");
        Assert.Equal(20, exc.GetProperty("tau_m").GetDouble());
        Assert.Equal(250, exc.GetProperty("C_m").GetDouble());
        Assert.Equal(-49, exc.GetProperty("E_L").GetDouble());
        Assert.Equal(10, exc.GetProperty("tau_syn_in").GetDouble());

        using var nodes = H5File.OpenRead(Path.Combine(Out("cuba"), "nodes.h5"));
        var host = new NeuronHost(spec, spec.Populations.Select(p => Enumerable.Range(0, p.Size).ToArray()).ToList(), [1, 1]);
        for (int p = 0; p < 2; p++)
        {
            var g = nodes.Group($"nodes/{spec.Populations[p].Name}");
            Assert.Equal(Enumerable.Range(0, spec.Populations[p].Size).Select(i => (ulong)i), g.Dataset("node_id").Read<ulong[]>());
            Assert.All(g.Dataset("node_type_id").Read<ulong[]>(), t => Assert.Equal((ulong)p + 1, t));
            var v = g.Dataset("0/dynamics_params/V_m").Read<double[]>();
            Assert.Equal(host.Group(p)!.State("v").Take(v.Length), v.Select(x => (float)x));
        }

        // NEST's iaf_psc_exp takes pA; the engine reads a pA weight as w × tau_m / C_m and must get its own float back.
        using var edges = H5File.OpenRead(Path.Combine(Out("cuba"), "edges.h5"));
        Assert.All(edges.Dataset("edges/exc_to_exc/0/syn_weight").Read<double[]>(), w => Assert.Equal(20.25, w));
        Assert.All(edges.Dataset("edges/inh_to_exc/0/syn_weight").Read<double[]>(), w => Assert.Equal(-112.5, w));
        Assert.Equal(1.62f, (float)(20.25 * PartitionEngine.WeightScale(spec.Populations[0].Model, Dimension.Current)));
        Assert.Equal(-9f, (float)(-112.5 * PartitionEngine.WeightScale(spec.Populations[0].Model, Dimension.Current)));
        Assert.Equal("exc", edges.Dataset("edges/exc_to_inh/source_node_id").Attribute("node_population").Read<string>());
        Assert.Equal("inh", edges.Dataset("edges/exc_to_inh/target_node_id").Attribute("node_population").Read<string>());

        var sim = SonataFiles.Json(Out("cuba"), "simulation_config.json");
        Assert.Equal(1000, sim.GetProperty("run").GetProperty("tstop").GetDouble());
        Assert.Equal(0.1, sim.GetProperty("run").GetProperty("dt").GetDouble());
        Assert.False(sim.TryGetProperty("inputs", out _));
        var reports = sim.GetProperty("reports");
        Assert.Equal(["V_m", "I_syn_ex", "I_syn_in"], reports.EnumerateObject().Select(r => r.Value.GetProperty("variable_name").GetString()));
        Assert.Equal([0, 1, 2], sim.GetProperty("node_sets").GetProperty("record.state[0]").GetProperty("node_id").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Theory]
    [InlineData("brunel.yaml", new[] { "distsnn:poisson_inputs", "distsnn:seed" })]
    [InlineData("brunel_stdp.yaml", new[] { "distsnn:poisson_inputs", "distsnn:seed", "distsnn:stdp" })]
    public void Brunel_networks_have_the_engines_synapse_count_and_name_their_extensions(string example, string[] extensions)
    {
        var spec = ModelLoader.LoadFile(Repo.Example(example));
        var written = SonataNetworkWriter.Write(spec, Out("brunel"));

        Assert.Equal(extensions, written.Extensions);
        Assert.Equal([("exc", 10_000L), ("inh", 2_500L)], written.NodePopulations);
        Assert.Equal(SonataFiles.OnePartition(spec).SynapseCount, written.EdgePopulations.Sum(e => e.Edges));
        var sim = SonataFiles.Json(Out("brunel"), "simulation_config.json");
        Assert.Equal(12345UL, sim.GetProperty("run").GetProperty("distsnn:seed").GetUInt64());
        var poisson = sim.GetProperty("distsnn:poisson_inputs").EnumerateArray().ToList();
        Assert.Equal(2, poisson.Count);
        Assert.Equal("""{"target":"inh","sources":1000,"rate":"20 Hz","weight":"0.1 mV","receptor":"exc"}""", JsonSerializer.Serialize(poisson[1]));
        using var edges = H5File.OpenRead(Path.Combine(Out("brunel"), "edges.h5"));
        // lif_delta takes mV jumps on one input: weights as they are, inhibitory ones negative.
        Assert.All(edges.Dataset("edges/inh_to_exc/0/syn_weight").Read<double[]>(), w => Assert.Equal(-0.5, w));
        Assert.All(edges.Dataset("edges/exc_to_exc/0/delay").Read<double[]>(), d => Assert.Equal(1.5, d));

        var edgeTypes = SonataFiles.Table(Out("brunel"), "edge_types.csv");
        if (!example.Contains("stdp", StringComparison.Ordinal))
        {
            Assert.All(edgeTypes, t => Assert.Equal("static_synapse", t["model_template"]));
            return;
        }
        Assert.Equal(["100 distsnn:stdp exc_to_exc.json", "101 static_synapse NONE", "102 static_synapse NONE", "103 static_synapse NONE"],
            edgeTypes.Select(r => string.Join(' ', r.Values)));
        var rule = SonataFiles.Json(Out("brunel"), "synaptic_models/exc_to_exc.json");
        Assert.Equal("stdp", rule.GetProperty("type").GetString());
        Assert.Equal(0.005, rule.GetProperty("a_plus").GetDouble());
        Assert.Equal(0.00525, rule.GetProperty("a_minus").GetDouble());
        Assert.Equal(0.2, rule.GetProperty("w_max").GetDouble());
        Assert.Equal(0, rule.GetProperty("w_min").GetDouble());
        Assert.Equal("multiplicative", rule.GetProperty("weight_dependence").GetString());
        Assert.Equal("mV", rule.GetProperty("weight_unit").GetString());
    }

    [Fact]
    public void Per_neuron_values_spike_times_currents_and_recordings_are_written_as_the_engine_holds_them()
    {
        var spec = ModelLoader.Parse(Small);
        var written = SonataNetworkWriter.Write(spec, Out("small"));
        string dir = Out("small");

        Assert.Equal(["distsnn:theta", "distsnn:theta_plus"], written.Extensions);
        Assert.Equal(SonataFiles.OnePartition(spec).SynapseCount, written.EdgePopulations.Sum(e => e.Edges));
        Assert.Equal(["stim_to_exc", "exc_to_cond", "exc_to_cond_2", "cond_to_exc"], written.EdgePopulations.Select(e => e.Name));
        Assert.Equal(["1 virtual NONE NONE stim", "2 point_neuron nest:iaf_psc_exp exc.json exc", "3 point_neuron nest:iaf_cond_exp cond.json cond"],
            SonataFiles.Table(dir, "node_types.csv").Select(r => string.Join(' ', r.Values)));
        Assert.False(File.Exists(Path.Combine(dir, "point_neuron_models", "stim.json")));
        var exc = SonataFiles.Json(dir, "point_neuron_models/exc.json");
        Assert.Equal(0.5, exc.GetProperty("distsnn:theta_plus").GetDouble());
        Assert.False(exc.TryGetProperty("distsnn:tau_theta", out _)); // at its default
        var cond = SonataFiles.Json(dir, "point_neuron_models/cond.json");
        Assert.Equal(-65, cond.GetProperty("V_m").GetDouble());
        Assert.Equal(0, cond.GetProperty("g_ex").GetDouble());
        Assert.False(exc.TryGetProperty("V_m", out _)); // per node

        // Per-neuron parameters as the engine draws them, initial voltages as the engine sets them.
        using (var nodes = H5File.OpenRead(Path.Combine(dir, "nodes.h5")))
        {
            var all = Enumerable.Range(0, 6).ToArray();
            var host = new NeuronHost(spec, spec.Populations.Select(p => Enumerable.Range(0, p.Size).ToArray()).ToList(), [1, 1, 1]);
            var dynamics = nodes.Group("nodes/exc/0/dynamics_params");
            Assert.Equal(["E_L", "I_e", "V_m"], dynamics.Children().Select(c => c.Name).Order());
            Assert.Equal([-65, -66, -64.5, -65, -63, -67.25], dynamics.Dataset("E_L").Read<double[]>());
            Assert.Equal(NeuronHost.PerNeuronValues(spec, 1, "i_e", all), dynamics.Dataset("I_e").Read<double[]>().Select(x => (float)x));
            Assert.Equal(host.Group(1)!.State("v").Take(6), dynamics.Dataset("V_m").Read<double[]>().Select(x => (float)x));
            Assert.Empty(nodes.Group("nodes/cond/0").Children());
            Assert.Empty(nodes.Group("nodes/stim/0").Children());
        }

        using (var edges = H5File.OpenRead(Path.Combine(dir, "edges.h5")))
        {
            // Conductances: the inhibitory receptor is a negative weight; -2 mV onto iaf_psc_exp is -50 pA (C_m 250 pF, tau_m 10 ms).
            Assert.All(edges.Dataset("edges/exc_to_cond_2/0/syn_weight").Read<double[]>(), w => Assert.Equal(-3, w));
            Assert.All(edges.Dataset("edges/exc_to_cond/0/syn_weight").Read<double[]>(), w => Assert.InRange(w, 1, 2));
            Assert.All(edges.Dataset("edges/cond_to_exc/0/syn_weight").Read<double[]>(), w => Assert.Equal(-50, w));
            var delays = edges.Dataset("edges/exc_to_cond/0/delay").Read<double[]>();
            Assert.All(delays, d => Assert.Equal(Math.Round(d / 0.1) * 0.1, d, 12));
            Assert.Contains(delays, d => d != delays[0]);
        }

        using (var input = H5File.OpenRead(Path.Combine(dir, "inputs", "stim_spikes.h5")))
        {
            var g = input.Group("spikes/stim");
            Assert.Equal(SonataSorting.by_time, g.Attribute("sorting").Read<SonataSorting>());
            Assert.Equal([1, 1, 2, 3, 3.5, 5], g.Dataset("timestamps").Read<double[]>());
            Assert.Equal([0UL, 3, 1, 2, 2, 0], g.Dataset("node_ids").Read<ulong[]>());
        }

        var sim = SonataFiles.Json(dir, "simulation_config.json");
        Assert.False(sim.GetProperty("run").TryGetProperty("distsnn:seed", out _)); // no draws while running
        var inputs = sim.GetProperty("inputs");
        Assert.Equal(["stim_spikes", "current_0", "current_1_0", "current_1_1"], inputs.EnumerateObject().Select(p => p.Name));
        var spikes = inputs.GetProperty("stim_spikes");
        Assert.Equal("spikes", spikes.GetProperty("input_type").GetString());
        Assert.Equal("$BASE_DIR/inputs/stim_spikes.h5", spikes.GetProperty("input_file").GetString());
        Assert.Equal("stim", spikes.GetProperty("node_set").GetString());
        AssertClamp(inputs.GetProperty("current_0"), "exc", 0.15, 10, 90);
        AssertClamp(inputs.GetProperty("current_1_0"), "currents[1]", 0.1, 20, 30);
        AssertClamp(inputs.GetProperty("current_1_1"), "currents[1]", 0, 50, 150);
        var sets = sim.GetProperty("node_sets");
        Assert.Equal("cond", sets.GetProperty("currents[1]").GetProperty("population").GetString());
        Assert.Equal([0, 2], sets.GetProperty("currents[1]").GetProperty("node_id").EnumerateArray().Select(e => e.GetInt32()));
        var report = sim.GetProperty("reports").GetProperty("exc_V_m");
        Assert.Equal("record.state[0]", report.GetProperty("cells").GetString());
        Assert.Equal("multimeter_report", report.GetProperty("module").GetString());
        Assert.Equal(1, report.GetProperty("dt").GetDouble());
        Assert.Equal(200, report.GetProperty("end_time").GetDouble());
        Assert.Equal("distsnn:theta", sim.GetProperty("reports").GetProperty("exc_distsnn_theta").GetProperty("variable_name").GetString());
    }

    private static void AssertClamp(JsonElement clamp, string nodeSet, double ampNa, double delay, double duration)
    {
        Assert.Equal("current_clamp", clamp.GetProperty("input_type").GetString());
        Assert.Equal("IClamp", clamp.GetProperty("module").GetString());
        Assert.Equal(nodeSet, clamp.GetProperty("node_set").GetString());
        Assert.Equal(ampNa, clamp.GetProperty("amp").GetDouble());
        Assert.Equal(delay, clamp.GetProperty("delay").GetDouble());
        Assert.Equal(duration, clamp.GetProperty("duration").GetDouble());
    }

    [Fact]
    public void Population_order_is_the_models_not_the_alphabets()
    {
        var spec = ModelLoader.Parse("""
            run: {dt: 0.1 ms, duration: 10 ms}
            populations:
              - {name: zeta, size: 2, model: poisson_generator, parameters: {rate: 50 Hz, stop: 5 ms}}
              - {name: alpha, size: 3, model: lif_delta, parameters: {theta_plus: 1 mV, tau_theta: 100 ms}}
            projections:
              - {source: zeta, target: alpha, connector: {type: all_to_all}, weight: 1 mV, delay: 1 ms}
              - {source: zeta, target: alpha, connector: {type: fixed_total_number, n: 2}, weight: 2 mV, delay: 1 ms}
            """);
        var written = SonataNetworkWriter.Write(spec, Out("order"));

        var circuit = SonataFiles.Json(Out("order"), "circuit_config.json").GetProperty("networks");
        var populations = circuit.GetProperty("nodes")[0].GetProperty("populations");
        Assert.Equal(["zeta", "alpha"], populations.EnumerateObject().Select(p => p.Name));
        Assert.Equal("virtual", populations.GetProperty("zeta").GetProperty("type").GetString());
        Assert.Equal(["zeta_to_alpha", "zeta_to_alpha_1"], circuit.GetProperty("edges")[0].GetProperty("populations").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["1 virtual distsnn:poisson_generator zeta.json zeta", "2 point_neuron nest:iaf_psc_delta alpha.json alpha"],
            SonataFiles.Table(Out("order"), "node_types.csv").Select(r => string.Join(' ', r.Values)));
        var zeta = SonataFiles.Json(Out("order"), "point_neuron_models/zeta.json");
        Assert.Equal("""{"rate":50,"start":0,"stop":5}""", JsonSerializer.Serialize(zeta));
        var alpha = SonataFiles.Json(Out("order"), "point_neuron_models/alpha.json");
        Assert.False(alpha.TryGetProperty("V_min", out _)); // -inf, NEST's default too
        Assert.Equal(-70, alpha.GetProperty("V_m").GetDouble()); // DistSnn starts at e_l, whatever NEST's default
        Assert.Equal(1, alpha.GetProperty("distsnn:theta_plus").GetDouble());
        Assert.Equal(100, alpha.GetProperty("distsnn:tau_theta").GetDouble());
        Assert.Contains("distsnn:seed", written.Extensions);
        Assert.Contains("distsnn:poisson_generator", written.Extensions);
    }

    [Fact]
    public void An_initial_state_the_model_does_not_give_is_written_as_the_engine_sets_it()
    {
        var spec = ModelLoader.Parse("""
            run: {dt: 0.1 ms, duration: 10 ms}
            populations:
              - {name: lif, size: 3, model: lif_exp_current, parameters: {e_l: [-60 mV, -61 mV, -62.5 mV]}}
              - {name: izh, size: 4, model: izhikevich, initial: {v: 'uniform(-70 mV, -60 mV)'}}
            """);
        SonataNetworkWriter.Write(spec, Out("initial"));

        using var nodes = H5File.OpenRead(Path.Combine(Out("initial"), "nodes.h5"));
        // v starts at each neuron's e_l; izhikevich's u at b · v.
        Assert.Equal([-60, -61, -62.5], nodes.Dataset("nodes/lif/0/dynamics_params/V_m").Read<double[]>());
        var host = new NeuronHost(spec, [[0, 1, 2], [0, 1, 2, 3]], [1, 1]);
        Assert.Equal(host.Group(1)!.State("u").Take(4), nodes.Dataset("nodes/izh/0/dynamics_params/U_m").Read<double[]>().Select(x => (float)x));
        Assert.Equal(-70, SonataFiles.Json(Out("initial"), "point_neuron_models/lif.json").GetProperty("E_L").GetDouble()); // the default, overridden per node
    }

    [Fact]
    public void What_sonata_cannot_say_is_refused_naming_every_field_before_anything_is_written()
    {
        var spec = ModelLoader.Parse("""
            run: {dt: 0.1 ms, duration: 10 ms}
            populations:
              - {name: conv, size: 3, model: if_subtract}
              - {name: cur, size: 3, model: lif_exp_current}
              - {name: 'a b', size: 3, model: lif_delta}
            projections:
              - {source: cur, target: cur, connector: {type: all_to_all}, weight: 'uniform(-1 pA, 1 pA)', delay: 1 ms}
              - {source: cur, target: cur, connector: {type: all_to_all}, weight: 5 pA, delay: 1 ms, receptor: inh}
              - {source: cur, target: cur, connector: {type: all_to_all}, weight: -5 pA, delay: 1 ms, receptor: inh}
            """);
        spec = spec with { Currents = [new DcCurrentSpec("cur", 0) { Amplitudes = ArrayValue.FromList([1f, 2f, 3f], Dimension.Current) }] };

        var e = Assert.Throws<ModelException>(() => SonataNetworkWriter.Write(spec, Out("refused"), "model.yaml"));

        Assert.Equal(["populations[0].model", "populations[2].name", "currents[0].amplitude"], e.Errors.Select(x => x.Path));
        Assert.Contains("'conv' uses model if_subtract, which has no NEST counterpart", e.Errors[0].Message);
        Assert.All(e.Errors, x => Assert.Equal("model.yaml", x.File));
        Assert.False(Directory.Exists(Out("refused")));

        spec = spec with { Populations = [spec.Populations[1]], Currents = [] };
        e = Assert.Throws<ModelException>(() => SonataNetworkWriter.Write(spec, Out("refused")));
        Assert.Equal(["projections[0].weight", "projections[1].weight"], e.Errors.Select(x => x.Path));
        Assert.Contains("negative weight onto the excitatory input", e.Errors[0].Message);
        Assert.Contains("has weight 5 pA: a positive weight onto the inhibitory input", e.Errors[1].Message);
        Assert.False(Directory.Exists(Out("refused")));
    }

    [Fact]
    public void An_invalid_model_is_refused_with_the_validators_errors()
    {
        var spec = new NetworkSpec { Populations = [new PopulationSpec("p", 0, new LifDelta())] };
        var e = Assert.Throws<ModelException>(() => SonataNetworkWriter.Write(spec, Out("invalid")));
        Assert.Contains(e.Errors, x => x.Path == "populations[0].size");
    }
}
