using System.Text.Json.Nodes;
using DistSnn.Model;
using DistSnn.Model.Sonata;
using DistSnn.Nodes;
using PureHDF;

namespace DistSnn.Cluster.Sonata;

/// <summary>
/// nodes.h5, node_types.csv and point_neuron_models/: one node population per DistSnn population, in the model's
/// order, each of one node type. Values that are the same for a whole population go in its JSON file (NEST's
/// parameter names and units, as a NEST <c>dynamics_params</c> file); values per neuron go in
/// <c>/nodes/&lt;pop&gt;/0/dynamics_params/&lt;name&gt;</c> (float64), which overrides the JSON for each node.
/// </summary>
internal static class NodeFiles
{
    public const string ModelsDir = "point_neuron_models";

    public static void Write(ExportPlan plan, string dir, ISet<string> extensions)
    {
        var nodes = new H5Group();
        foreach (var n in plan.Nodes) nodes[n.Name] = PopulationGroup(plan, n, extensions);
        new H5File { ["nodes"] = nodes }.Write(Path.Combine(dir, "nodes.h5"));

        SonataText.WriteTable(Path.Combine(dir, "node_types.csv"), "node_type_id model_type model_template dynamics_params pop_name",
            plan.Nodes.Select(n => string.Join(' ', SonataText.Int(n.TypeId), ModelType(n), Template(n, extensions), n.ParamsFile ?? "NONE", n.Name)));

        Directory.CreateDirectory(Path.Combine(dir, ModelsDir));
        foreach (var n in plan.Nodes)
            if (n.ParamsFile is { } file)
                SonataText.WriteJson(Path.Combine(dir, ModelsDir, file), Parameters(plan, n, extensions));
    }

    /// <summary>The SONATA model type: spike sources are virtual nodes, which provide input only.</summary>
    public static string ModelType(NodePopulation n) => n.Nest is null ? "virtual" : "point_neuron";

    private static string Template(NodePopulation n, ISet<string> extensions)
    {
        if (n.Nest is { } nest) return "nest:" + nest.NestModel;
        if (n.Spec.Model is SpikeGenerator) return "NONE"; // its spikes are an input of the simulation (inputs/<pop>_spikes.h5)
        string template = SonataText.Ext + n.Spec.Model.Kind; // poisson_generator: the engine's draws, not NEST's
        extensions.Add(template);
        return template;
    }

    private static H5Group PopulationGroup(ExportPlan plan, NodePopulation n, ISet<string> extensions)
    {
        int size = n.Spec.Size;
        var ids = new ulong[size];
        for (int i = 0; i < size; i++) ids[i] = (ulong)i;
        var types = new ulong[size];
        Array.Fill(types, n.TypeId);
        var group = new H5Group(); // the one node group, "0": SONATA requires it even when it holds nothing
        var perNode = PerNode(plan, n, extensions);
        if (perNode.Count > 0)
        {
            var dynamics = new H5Group();
            foreach (var (name, values) in perNode) dynamics[name] = values;
            group["dynamics_params"] = dynamics;
        }
        return new H5Group
        {
            ["node_type_id"] = types,
            ["node_id"] = ids,
            ["node_group_id"] = new uint[size],
            ["node_group_index"] = ids.ToArray(),
            ["0"] = group,
        };
    }

    /// <summary>
    /// The engine's initial state of every variable NEST has a name and unit for (V_m, U_m, g_ex, …), whether the model
    /// gives it or it follows from the parameters (DistSnn starts v at e_l, NEST starts V_m at its own default), so that
    /// NEST and DistSnn start alike.
    /// </summary>
    private static IEnumerable<(NestName Name, float[] Values, bool Uniform)> InitialState(ExportPlan plan, NodePopulation n)
    {
        if (n.Nest is not { } nest) yield break;
        var group = plan.Host.Group(n.Index)!;
        foreach (var name in nest.State.Where(x => double.IsFinite(x.ToDistSnn)))
        {
            var values = group.State(name.DistSnn).AsSpan(0, n.Spec.Size).ToArray();
            yield return (name, values, values.All(v => v.Equals(values[0])));
        }
    }

    /// <summary>
    /// Per-node values: the per-neuron parameters, as the engine sets them (<see cref="NeuronHost.PerNeuronValues"/>),
    /// and the initial values that differ between neurons, from the engine's own initialised state; a variable NEST
    /// has no name or unit for is written only when the model gives it (<c>distsnn:&lt;name&gt;</c>). Each float is
    /// written as a short double that converts back to it (<see cref="NestWeights.Unscale"/>).
    /// </summary>
    private static Dictionary<string, double[]> PerNode(ExportPlan plan, NodePopulation n, ISet<string> extensions)
    {
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
        if (n.Nest is not { } nest) return result;
        var pop = n.Spec;
        void Put(NestName? name, string distSnn, ReadOnlySpan<float> values)
        {
            bool nestUnit = name is not null && double.IsFinite(name.ToDistSnn);
            string key = nestUnit ? name!.Nest : SonataText.Ext + distSnn;
            if (!nestUnit) extensions.Add(key);
            var column = new double[pop.Size];
            for (int i = 0; i < column.Length; i++) column[i] = NestWeights.Unscale(values[i], nestUnit ? name!.ToDistSnn : 1);
            result[key] = column;
        }
        var all = Enumerable.Range(0, pop.Size).ToArray();
        foreach (var parameter in pop.PerNeuron.Keys.Order(StringComparer.Ordinal))
            Put(nest.Parameters.FirstOrDefault(x => x.DistSnn == parameter), parameter,
                NeuronHost.PerNeuronValues(plan.Spec, n.Index, parameter, all));
        foreach (var (name, values, uniform) in InitialState(plan, n))
            if (!uniform) Put(name, name.DistSnn, values);
        foreach (var (variable, value) in pop.Initial.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            if (value is not ConstantValue && !HasNestUnit(nest, variable))
                Put(null, variable, plan.Host.Group(n.Index)!.State(variable).AsSpan(0, pop.Size));
        return result;
    }

    private static bool HasNestUnit(NestModels.Entry nest, string variable) =>
        nest.State.Any(x => x.DistSnn == variable && double.IsFinite(x.ToDistSnn));

    /// <summary>
    /// The population's JSON: every parameter of the NEST model in the table (NEST names and units), the initial values
    /// the same for every neuron (<c>V_m</c>, …), and DistSnn's own parameters where they differ from their defaults and
    /// initial values NEST has no name for (<c>distsnn:theta_plus</c>, in DistSnn's units). A poisson_generator's rate
    /// (Hz), start and stop (ms).
    /// </summary>
    private static JsonObject Parameters(ExportPlan plan, NodePopulation n, ISet<string> extensions)
    {
        var model = n.Spec.Model;
        var defaults = NeuronModel.Create(model.Kind) ?? throw new ArgumentException($"unknown model {model.Kind}");
        var json = new JsonObject();
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in n.Nest?.Parameters ?? [])
        {
            var field = model.Parameters.FirstOrDefault(f => f.Name == name.DistSnn);
            if (field is null) continue;
            written.Add(field.Name);
            double v = field.Get(model);
            if (double.IsInfinity(v) && field.Get(defaults).Equals(v)) continue; // NEST's default too (V_min = -inf); JSON has no infinity
            json[name.Nest] = v / name.ToDistSnn;
        }
        foreach (var (name, values, uniform) in InitialState(plan, n))
            if (uniform) json[name.Nest] = NestWeights.Unscale(values[0], name.ToDistSnn);
        foreach (var (variable, value) in n.Spec.Initial.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            if (value is ConstantValue c && !HasNestUnit(n.Nest!, variable))
                Extension(json, extensions, variable, c.Value);
        foreach (var field in model.Parameters)
        {
            if (written.Contains(field.Name)) continue;
            double v = field.Get(model);
            if (n.Nest is null)
            {
                // A source's few parameters are all written (poisson_generator: rate, start, stop), under their own names.
                if (!double.IsInfinity(v)) json[field.Name] = v;
            }
            else if (!v.Equals(field.Get(defaults)))
                Extension(json, extensions, field.Name, v);
        }
        return json;
    }

    private static void Extension(JsonObject json, ISet<string> extensions, string name, double value)
    {
        string key = SonataText.Ext + name;
        json[key] = value;
        extensions.Add(key);
    }
}
