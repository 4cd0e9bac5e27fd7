using System.Text.Json;
using DistSnn.Model;

namespace DistSnn.Cli.Tests;

/// <summary>
/// A SONATA network written by an independent producer (Python and h5py, following the specification: nsyns, signed
/// pA weights, a virtual input population, per-node dynamics_params, a spike input, a current clamp, a report) is read
/// with the expected nodes, edges and values, runs, and what cannot be mapped is refused naming file, population and
/// attribute.
/// </summary>
public sealed class SonataImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-sonata-").FullName;

    public SonataImportTests() => PythonScript.Run("sonata_network.py", _dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    private string SimConfig => Path.Combine(_dir, "simulation_config.json");

    [Fact]
    public void TheIndependentlyWrittenNetworkHasTheExpectedNodesEdgesAndValues()
    {
        using var expectedDoc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "expected.json")));
        var expected = expectedDoc.RootElement;
        var spec = ModelLoader.LoadFile(SimConfig);

        // Populations in the order the circuit config lists them, not HDF5's alphabetical listing.
        Assert.Equal(["v1", "lgn"], spec.Populations.Select(p => p.Name));
        Assert.Equal(60, spec.Populations[0].Size);
        Assert.Equal(20, spec.Populations[1].Size);
        var lgn = Assert.IsType<SpikeGenerator>(spec.Populations[1].Model);
        Assert.Equal(expected.GetProperty("lgn_spikes").GetInt32(), lgn.SpikeTimes.Sum(t => t.Count));
        var v1 = spec.Populations[0];
        var alpha = Assert.IsType<LifAlphaCurrent>(v1.Model);
        Assert.Equal((10.0, 250.0, -65.0, -70.0, 2.0, 2.0, 4.0), (alpha.TauM, alpha.CM, alpha.EL, alpha.VReset, alpha.TRef, alpha.TauSynExc, alpha.TauSynInh));
        var vth = Assert.IsType<ArrayValue>(v1.PerNeuron["v_th"]).Values;
        Assert.Equal(Enumerable.Repeat(-50f, 48).Concat(Enumerable.Repeat(-52f, 12)), vth);
        var ie = Assert.IsType<ArrayValue>(v1.PerNeuron["i_e"]).Values;
        Assert.Equal(expected.GetProperty("i_e").EnumerateArray().Select(x => (float)x.GetDouble()), ie);
        var v0 = Assert.IsType<ArrayValue>(v1.Initial["v"]).Values;
        Assert.Equal(expected.GetProperty("v_m").EnumerateArray().Select(x => (float)x.GetDouble()), v0);

        // Edges: syn_weight x nsyns, the sign choosing the receptor, delays per edge or per edge type.
        Assert.Equal(["v1_to_v1", "v1_to_v1:inh", "lgn_to_v1"], spec.Projections.Select(p => p.Label));
        var vv = expected.GetProperty("v1_to_v1");
        var exc = Synapses(spec.Projections[0]);
        var inh = Synapses(spec.Projections[1]);
        Assert.Equal((Receptor.Exc, Receptor.Inh), (spec.Projections[0].Receptor, spec.Projections[1].Receptor));
        Assert.Equal(vv.GetProperty("exc").GetInt32(), exc.Count);
        Assert.Equal(vv.GetProperty("inh").GetInt32(), inh.Count);
        Assert.Equal(vv.GetProperty("exc_weight_sum").GetDouble(), exc.Sum(s => s.Weight!.Value), 9);
        Assert.Equal(vv.GetProperty("inh_weight_sum").GetDouble(), inh.Sum(s => s.Weight!.Value), 9);
        Assert.Equal(vv.GetProperty("delay_sum").GetDouble(), exc.Concat(inh).Sum(s => s.Delay!.Value), 9);
        var fromLgn = Synapses(spec.Projections[2]);
        Assert.Equal(200, fromLgn.Count);
        Assert.Equal(expected.GetProperty("lgn_to_v1").GetProperty("weight_sum").GetDouble(), fromLgn.Sum(s => s.Weight!.Value), 9);
        Assert.All(fromLgn, s => Assert.Equal(1.5, s.Delay));

        var clamp = Assert.IsType<DcCurrentSpec>(Assert.Single(spec.Currents));
        Assert.Equal(("v1", 100.0, 100.0, 150.0), (clamp.Target, clamp.Amplitude, clamp.Start, clamp.Stop));
        Assert.Equal([0, 5, 50], clamp.Neurons!);
        var report = Assert.Single(spec.Recording.State);
        Assert.Equal(("v1", "v", 0.5), (report.Population, Assert.Single(report.Variables), report.Interval));
        Assert.Equal((500.0, 0.1), (spec.Run.Duration, spec.Run.Dt));
    }

    private static IReadOnlyList<ListedSynapse> Synapses(ProjectionSpec p) => Assert.IsType<FromList>(p.Connector).Synapses;

    [Fact]
    public void RunsWithTheSameSpikesOnAnyPartitioningAndWritesTheReport()
    {
        var shas = new List<string>();
        foreach (var parts in new[] { "1", "3" })
        {
            var outDir = Path.Combine(_dir, "out" + parts);
            var (code, stdout, stderr) = CliProcess.Run("run", SimConfig, "--partitions", parts, "--no-plots", "--json", "--out", outDir);
            Assert.True(code == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            var pops = json.RootElement.GetProperty("populations");
            Assert.True(json.RootElement.GetProperty("spikes").GetInt64() > 100, stdout);
            shas.Add(json.RootElement.GetProperty("spikes_sha256").GetString()!);
            Assert.True(File.Exists(Path.Combine(outDir, "state.h5")));
        }
        Assert.Equal(shas[0], shas[1]);

        // Written as a DistSnn model (what `distsnn submit` sends a cluster), the network gives the same spikes.
        var yaml = Path.Combine(_dir, "as_model.yaml");
        File.WriteAllText(yaml, ModelWriter.ToYaml(ModelLoader.LoadFile(SimConfig)));
        var (c2, out2, err2) = CliProcess.Run("run", yaml, "--no-plots", "--json", "--out", Path.Combine(_dir, "yaml"));
        Assert.True(c2 == 0, err2);
        using var j2 = JsonDocument.Parse(out2);
        Assert.Equal(shas[0], j2.RootElement.GetProperty("spikes_sha256").GetString());
    }

    [Theory]
    [InlineData("network/node_types.csv", "nest:iaf_psc_alpha exc.json", "nest:hh_psc_alpha exc.json", "node_types.csv: node type 101 (population v1): model_template nest:hh_psc_alpha is not supported")]
    [InlineData("components/point_neuron_models/inh.json", "\"V_th\": -52.0", "\"V_th\": -52.0, \"gsl_error_tol\": 1e-6", "inh.json (node type 102): gsl_error_tol is not a parameter of nest:iaf_psc_alpha that DistSnn maps")]
    [InlineData("network/edge_types.csv", "1.5 static_synapse", "1.5 stdp_synapse", "edge_types.csv: edge type 3: model_template stdp_synapse is not supported")]
    [InlineData("circuit_config.json", "\"populations\": {\n          \"v1\": {},\n          \"lgn\": {}\n        }", "\"populations\": {\"v2\": {}, \"lgn\": {}}", "nodes.h5: /nodes has no population 'v2'")]
    [InlineData("simulation_config.json", "\"input_type\": \"spikes\"", "\"input_type\": \"movie\"", "inputs.lgn_spikes.input_type: movie is not supported")]
    [InlineData("simulation_config.json", "\"variable_name\": \"V_m\"", "\"variable_name\": \"I_syn_ex\"", "reports.membrane.variable_name: I_syn_ex is not a recordable state of population v1")]
    public void WhatCannotBeMappedIsRefusedNamingFileAndAttribute(string file, string from, string to, string message)
    {
        var path = Path.Combine(_dir, file);
        var text = File.ReadAllText(path);
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to, StringComparison.Ordinal));
        var e = Assert.Throws<ModelException>(() => ModelLoader.LoadFile(SimConfig));
        Assert.Contains(message, e.Message);
        var outDir = Path.Combine(_dir, "out");
        var (code, _, stderr) = CliProcess.Run("run", SimConfig, "--out", outDir);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>
    /// Node types that need different models (or different values of a parameter held once per population) become one
    /// DistSnn population each; spike files still name the SONATA population and its node ids.
    /// </summary>
    [Theory]
    [InlineData("network/node_types.csv", "nest:iaf_psc_alpha inh.json", "nest:iaf_psc_exp inh.json")]
    [InlineData("components/point_neuron_models/inh.json", "\"tau_m\": 10.0", "\"tau_m\": 12.0")]
    public void NodeTypesThatCannotShareAPopulationAreSplitAndKeepTheirNodeIds(string file, string from, string to)
    {
        var path = Path.Combine(_dir, file);
        File.WriteAllText(path, File.ReadAllText(path).Replace(from, to, StringComparison.Ordinal));
        var spec = ModelLoader.LoadFile(SimConfig);
        Assert.Equal(["v1.101", "v1.102", "lgn"], spec.Populations.Select(p => p.Name));
        Assert.Equal(Enumerable.Range(0, 48), spec.Populations[0].Origin!.NodeIds);
        Assert.Equal(Enumerable.Range(48, 12), spec.Populations[1].Origin!.NodeIds);
        Assert.Equal("v1", spec.Populations[1].Origin!.Population);
        Assert.Null(spec.Populations[2].Origin);
        Assert.Equal(400 + 200, spec.Projections.Sum(p => ((FromList)p.Connector).Synapses.Count));
        // The probe node set {0, 5, 50} falls into both parts: the clamp and the report follow each part.
        Assert.Equal([("v1.101", [0, 5]), ("v1.102", new[] { 2 })], spec.Currents.Select(c => (c.Target, c.Neurons!.ToArray())));
        Assert.Equal(["v1.101", "v1.102"], spec.Recording.State.Select(r => r.Population));

        var outDir = Path.Combine(_dir, "split");
        var (code, stdout, stderr) = CliProcess.Run("run", SimConfig, "--partitions", "2", "--no-plots", "--json", "--out", outDir);
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var counts = json.RootElement.GetProperty("populations").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("spikes").GetInt64());
        var read = PythonScript.Run("sonata_spikes.py", Path.Combine(outDir, "spikes.h5"));
        var lines = read.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split(' ')[0], l => l.Split(' ')[1..]);
        Assert.Equal(["lgn", "v1"], lines.Keys.Order());
        Assert.Equal(counts["v1.101"] + counts["v1.102"], long.Parse(lines["v1"][0]));
        Assert.Equal("59", lines["v1"][1]); // the largest node id: the inhibitory part's ids are 48 to 59
        Assert.True(counts["v1.102"] > 0 && counts["v1.101"] > 0, stdout);
    }

    /// <summary>A circuit config alone runs the network with the default run settings; BMTK's combined config is both in one file.</summary>
    [Fact]
    public void ACircuitConfigAloneAndBmtksCombinedConfigWorkToo()
    {
        var circuit = ModelLoader.LoadFile(Path.Combine(_dir, "circuit_config.json"));
        Assert.Equal(["v1", "lgn"], circuit.Populations.Select(p => p.Name));
        Assert.Equal(new RunSettings().Duration, circuit.Run.Duration);
        Assert.Empty(circuit.Currents);
        Assert.All(Assert.IsType<SpikeGenerator>(circuit.Populations[1].Model).SpikeTimes, t => Assert.Empty(t));

        // BMTK writes one config.json with the circuit's manifest, components and networks next to run and inputs.
        var sim = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(SimConfig))!.AsObject();
        var circ = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "circuit_config.json")))!.AsObject();
        sim.Remove("network");
        foreach (var key in new[] { "components", "networks" }) sim[key] = circ[key]!.DeepClone();
        foreach (var (k, v) in circ["manifest"]!.AsObject()) sim["manifest"]![k] = v!.DeepClone();
        var combined = Path.Combine(_dir, "config.json");
        File.WriteAllText(combined, sim.ToJsonString());
        string Sha(string config)
        {
            var (code, stdout, stderr) = CliProcess.Run("run", config, "--no-plots", "--json", "--out", Path.Combine(_dir, Path.GetFileNameWithoutExtension(config)));
            Assert.True(code == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            return json.RootElement.GetProperty("spikes_sha256").GetString()!;
        }
        Assert.Equal(Sha(SimConfig), Sha(combined));
    }

    [Fact]
    public void EdgeIdsMustNameTheirNodePopulation()
    {
        PythonScript.Run("sonata_edit.py", Path.Combine(_dir, "network", "edges.h5"), "delattr", "edges/lgn_to_v1/source_node_id", "node_population");
        var e = Assert.Throws<ModelException>(() => ModelLoader.LoadFile(SimConfig));
        Assert.Contains("edges.h5: /edges/lgn_to_v1/source_node_id: attribute node_population is missing", e.Message);
    }
}
