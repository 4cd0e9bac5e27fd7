using System.Text.Json.Nodes;
using DistSnn.Cluster.Output;
using DistSnn.Model;
using PureHDF;

namespace DistSnn.Cluster.Sonata;

/// <summary>
/// circuit_config.json, simulation_config.json and inputs/: the run (tstop, dt), the spike trains of spike_generator
/// populations as SONATA spike files, injected currents as IClamp inputs, state recordings as reports, the node sets
/// they name, and, as <c>distsnn:</c> extensions, what SONATA cannot say (Poisson inputs, the seed of draws made during
/// the run, a reward schedule).
/// </summary>
internal static class SimulationFiles
{
    public const string InputsDir = "inputs";

    public static void WriteCircuit(ExportPlan plan, string dir)
    {
        // The populations mappings give the order of the populations (HDF5 lists groups alphabetically), which fixes
        // DistSnn's global ids and with them every random draw keyed by them.
        var nodePops = new JsonObject();
        foreach (var n in plan.Nodes) nodePops[n.Name] = new JsonObject { ["type"] = NodeFiles.ModelType(n) };
        var edgePops = new JsonObject();
        foreach (var e in plan.Edges) edgePops[e.Name] = new JsonObject();
        SonataText.WriteJson(Path.Combine(dir, "circuit_config.json"), new JsonObject
        {
            ["manifest"] = new JsonObject { ["$BASE_DIR"] = "." },
            ["components"] = new JsonObject
            {
                ["point_neuron_models_dir"] = "$BASE_DIR/" + NodeFiles.ModelsDir,
                ["synaptic_models_dir"] = "$BASE_DIR/" + EdgeFiles.ModelsDir,
            },
            ["networks"] = new JsonObject
            {
                ["nodes"] = new JsonArray(new JsonObject
                {
                    ["nodes_file"] = "$BASE_DIR/nodes.h5",
                    ["node_types_file"] = "$BASE_DIR/node_types.csv",
                    ["populations"] = nodePops,
                }),
                ["edges"] = new JsonArray(new JsonObject
                {
                    ["edges_file"] = "$BASE_DIR/edges.h5",
                    ["edge_types_file"] = "$BASE_DIR/edge_types.csv",
                    ["populations"] = edgePops,
                }),
            },
        });
    }

    public static void WriteSimulation(ExportPlan plan, string dir, ISet<string> extensions)
    {
        var spec = plan.Spec;
        double tstop = spec.Run.Duration;
        var nodeSets = new JsonObject();
        foreach (var n in plan.Nodes) nodeSets[n.Name] = new JsonObject { ["population"] = n.Name };

        var run = new JsonObject { ["tstop"] = tstop, ["dt"] = spec.Run.Dt };
        if (plan.DrawsDuringRun) run[Extension("seed", extensions)] = spec.Run.Seed;
        if (spec.Run.ExchangeLag is int lag) run[Extension("exchange_lag", extensions)] = lag;
        if (plan.MinDelayOverride() is long minDelay) run[Extension("min_delay", extensions)] = minDelay * spec.Run.Dt;

        var inputs = new JsonObject();
        WriteSpikeInputs(plan, dir, inputs);
        AddCurrents(spec, inputs, nodeSets);

        var sim = new JsonObject
        {
            ["manifest"] = new JsonObject { ["$BASE_DIR"] = "." },
            ["network"] = "$BASE_DIR/circuit_config.json",
            ["run"] = run,
            ["output"] = new JsonObject { ["output_dir"] = "$BASE_DIR/output", ["spikes_file"] = "spikes.h5" },
        };
        if (inputs.Count > 0) sim["inputs"] = inputs;
        sim["reports"] = Reports(plan, nodeSets, extensions);
        sim["node_sets"] = nodeSets;
        if (spec.PoissonInputs.Count > 0) sim[Extension("poisson_inputs", extensions)] = PoissonInputs(spec);
        if (spec.Reward is { } reward)
            sim[Extension("reward", extensions)] = new JsonObject
            {
                ["times"] = SonataText.Quantities(reward.Times, Dimension.Time),
                ["values"] = new JsonArray(reward.Values.Select(v => JsonValue.Create(v)).ToArray<JsonNode?>()),
            };
        SonataText.WriteJson(Path.Combine(dir, "simulation_config.json"), sim);
    }

    private static string Extension(string name, ISet<string> extensions)
    {
        string key = SonataText.Ext + name;
        extensions.Add(key);
        return key;
    }

    /// <summary>
    /// Each spike_generator population's times, as given in the model (the engine rounds them to steps when it runs),
    /// in inputs/&lt;pop&gt;_spikes.h5 sorted by time, then node id.
    /// </summary>
    private static void WriteSpikeInputs(ExportPlan plan, string dir, JsonObject inputs)
    {
        foreach (var n in plan.Nodes)
        {
            if (n.Spec.Model is not SpikeGenerator sg) continue;
            var spikes = new List<(double Time, ulong Node)>();
            if (sg.SpikeTimes.Count > 0)
                for (int i = 0; i < n.Spec.Size; i++)
                    foreach (var t in sg.TimesOf(i)) spikes.Add((t, (ulong)i));
            var sorted = spikes.Select((s, k) => (s, k)).OrderBy(x => x.s.Time).ThenBy(x => x.s.Node).ThenBy(x => x.k).Select(x => x.s).ToArray();
            Directory.CreateDirectory(Path.Combine(dir, InputsDir));
            string file = $"{n.Name}_spikes.h5";
            var timestamps = new H5Dataset(sorted.Select(s => s.Time).ToArray()) { Attributes = new() { ["units"] = "ms" } };
            new H5File
            {
                ["spikes"] = new H5Group
                {
                    [n.Name] = new H5Group
                    {
                        ["timestamps"] = timestamps,
                        ["node_ids"] = sorted.Select(s => s.Node).ToArray(),
                        Attributes = new() { ["sorting"] = SonataSorting.by_time },
                    },
                },
            }.Write(Path.Combine(dir, InputsDir, file));
            inputs[$"{n.Name}_spikes"] = new JsonObject
            {
                ["input_type"] = "spikes",
                ["module"] = "sonata",
                ["input_file"] = $"$BASE_DIR/{InputsDir}/{file}",
                ["node_set"] = n.Name,
            };
        }
    }

    /// <summary>
    /// One IClamp per dc current and per piece of a step current (from one time to the next, the last until tstop), in
    /// the model's order: amp in nA, delay and duration in ms. A current onto listed neurons gets the node set
    /// <c>currents[k]</c>.
    /// </summary>
    private static void AddCurrents(NetworkSpec spec, JsonObject inputs, JsonObject nodeSets)
    {
        double tstop = spec.Run.Duration;
        for (int k = 0; k < spec.Currents.Count; k++)
        {
            var c = spec.Currents[k];
            string set = c.Target;
            if (c.Neurons is { } neurons)
            {
                set = $"currents[{k}]";
                nodeSets[set] = new JsonObject
                {
                    ["population"] = c.Target,
                    ["node_id"] = new JsonArray(neurons.Select(i => JsonValue.Create(i)).ToArray<JsonNode?>()),
                };
            }
            switch (c)
            {
                case DcCurrentSpec dc:
                    inputs[$"current_{k}"] = Clamp(dc.Amplitude, dc.Start, double.IsPositiveInfinity(dc.Stop) ? tstop : dc.Stop, set);
                    break;
                case StepCurrentSpec step:
                    for (int i = 0; i < step.Times.Count; i++)
                    {
                        double end = i + 1 < step.Times.Count ? step.Times[i + 1] : Math.Max(tstop, step.Times[i]);
                        inputs[$"current_{k}_{i}"] = Clamp(step.Amplitudes[i], step.Times[i], end, set);
                    }
                    break;
            }
        }
    }

    private static JsonObject Clamp(double amplitudePa, double start, double stop, string nodeSet) => new()
    {
        ["input_type"] = "current_clamp",
        ["module"] = "IClamp",
        ["node_set"] = nodeSet,
        // amp × 1000 gives back the model's pA exactly where a double allows (nearly always).
        ["amp"] = NestWeights.UnscaleExact(amplitudePa, 1000) ?? amplitudePa / 1000,
        ["delay"] = start,
        ["duration"] = Math.Max(0, stop - start),
    };

    /// <summary>
    /// One report per recorded variable: node set <c>record.state[k]</c> (the recorder's neurons), the variable's NEST
    /// name (<c>distsnn:&lt;name&gt;</c> for one NEST does not have), sampled every interval from 0 to tstop.
    /// </summary>
    private static JsonObject Reports(ExportPlan plan, JsonObject nodeSets, ISet<string> extensions)
    {
        var spec = plan.Spec;
        var reports = new JsonObject();
        for (int k = 0; k < spec.Recording.State.Count; k++)
        {
            var r = spec.Recording.State[k];
            string set = $"record.state[{k}]";
            nodeSets[set] = new JsonObject
            {
                ["population"] = r.Population,
                ["node_id"] = new JsonArray(r.Neurons.Select(i => JsonValue.Create(i)).ToArray<JsonNode?>()),
            };
            var nest = plan.Nodes[spec.PopulationIndex(r.Population)].Nest;
            foreach (var variable in r.Variables)
            {
                string name = nest?.State.FirstOrDefault(x => x.DistSnn == variable)?.Nest ?? Extension(variable, extensions);
                string report = $"{r.Population}_{name.Replace(':', '_')}";
                if (reports.ContainsKey(report)) report += $"_{k}";
                reports[report] = new JsonObject
                {
                    ["cells"] = set,
                    ["variable_name"] = name,
                    ["module"] = "multimeter_report",
                    ["sections"] = "soma",
                    ["dt"] = r.Interval,
                    ["start_time"] = 0.0,
                    ["end_time"] = spec.Run.Duration,
                };
            }
        }
        return reports;
    }

    /// <summary>The <c>poisson_inputs:</c> block with the model file's fields and quantities.</summary>
    private static JsonArray PoissonInputs(NetworkSpec spec) => new(spec.PoissonInputs.Select(p => (JsonNode?)new JsonObject
    {
        ["target"] = p.Target,
        ["sources"] = p.Sources,
        ["rate"] = SonataText.Quantity(p.Rate, Dimension.Rate),
        ["weight"] = SonataText.Value(p.Weight),
        ["receptor"] = SonataText.ReceptorName(p.Receptor),
    }).ToArray());
}
