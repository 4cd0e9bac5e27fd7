using PureHDF;

namespace DistSnn.Model.Sonata;

/// <summary>
/// A SONATA node population as DistSnn populations: one of the same name whose neuron i is node i, or, when its nodes
/// need different models or different values of a parameter DistSnn holds once per population, one piece per kind
/// of node (named <c>pop.&lt;first node type id&gt;</c>, each remembering its node ids in <see cref="PopulationOrigin"/>).
/// </summary>
internal sealed record SonataPopulation(string Name, int Size, IReadOnlyList<PopulationSpec> Pieces, int[] PieceOf, int[] LocalOf, string Where)
{
    /// <summary>The piece holding node <paramref name="node"/> and its index there.</summary>
    public (int Piece, int Local) Locate(long node) => ((int)PieceOf[node], LocalOf[node]);
}

/// <summary>
/// Reads the node populations of a circuit: nodes.h5 (<c>/nodes/&lt;pop&gt;/{node_type_id, node_group_id,
/// node_group_index}</c>, per group <c>dynamics_params/&lt;param&gt;</c>) and node_types.csv with the
/// dynamics_params JSON files its rows name. One population's node types must share one model; parameters that
/// differ between its nodes become per-neuron values where the model holds them per neuron.
/// </summary>
internal static class SonataNodes
{
    public static List<SonataPopulation> Read(SonataConfig config)
    {
        var result = new List<SonataPopulation>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var paramFiles = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        foreach (var entry in config.Nodes)
        {
            var types = SonataTypes.Read(entry.TypesFile, "node_type_id");
            using var h5 = SonataH5.Open(entry.File, entry.File);
            var nodes = SonataH5.Group(h5, "nodes", entry.File);
            foreach (var name in PopulationOrder(entry, nodes, "nodes"))
            {
                if (!seen.Add(name)) throw new SonataFormatException($"{entry.File}: /nodes/{name}: a population of this name was read already from another file");
                result.Add(ReadPopulation(config, entry.File, name, SonataH5.Group(nodes, name, $"{entry.File}: /nodes"), types, paramFiles));
            }
        }
        if (result.Count == 0) throw new SonataFormatException($"{config.Path}: the circuit has no node populations");
        return result;
    }

    /// <summary>
    /// The populations of one file in the order the config lists them; a file with one population needs no list. The
    /// order fixes global ids, random keys and the spike hash, so HDF5's alphabetical listing is never used for it.
    /// </summary>
    internal static IReadOnlyList<string> PopulationOrder(SonataFileEntry entry, IH5Group top, string kind)
    {
        var present = SonataH5.ChildNames(top).ToList();
        if (entry.Populations is { } listed)
        {
            foreach (var name in listed)
                if (!present.Contains(name)) throw new SonataFormatException($"{entry.File}: /{kind} has no population '{name}' ({entry.Where} lists it; the file has {string.Join(", ", present)})");
            return listed;
        }
        if (present.Count > 1)
            throw new SonataFormatException($"{entry.File}: holds the {kind} populations {string.Join(", ", present)}; list them in the order they should take under \"populations\" of {entry.Where} (their order fixes the global ids)");
        return present;
    }

    private static SonataPopulation ReadPopulation(SonataConfig config, string file, string name, IH5Group g, SonataTypes types,
        Dictionary<string, Dictionary<string, double>> paramFiles)
    {
        string where = $"{file}: /nodes/{name}";
        var typeIds = SonataH5.Integers(SonataH5.Dataset(g, "node_type_id", where), $"{where}/node_type_id");
        int n = typeIds.Length;
        if (n == 0) throw new SonataFormatException($"{where}: has no nodes");
        var groupIds = SonataH5.OptionalDataset(g, "node_group_id", where) is { } gd ? SonataH5.Integers(gd, $"{where}/node_group_id") : new long[n];
        var groupIndex = SonataH5.OptionalDataset(g, "node_group_index", where) is { } gi ? SonataH5.Integers(gi, $"{where}/node_group_index") : Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        if (groupIds.Length != n || groupIndex.Length != n)
            throw new SonataFormatException($"{where}: node_type_id, node_group_id and node_group_index differ in length ({n}, {groupIds.Length}, {groupIndex.Length})");
        if (SonataH5.OptionalDataset(g, "node_id", where) is { } idDs)
        {
            var ids = SonataH5.Integers(idDs, $"{where}/node_id");
            for (int i = 0; i < ids.Length; i++)
                if (ids[i] != i) throw new SonataFormatException($"{where}/node_id[{i}]: {ids[i]}; DistSnn needs node ids 0, 1, 2, … in file order");
        }

        // Each node's model: a node type's model_template, or virtual.
        var templateOf = new Dictionary<long, string>();
        foreach (var t in typeIds.Distinct())
        {
            var row = types.Row(t, $"{where}/node_type_id");
            var mt = SonataTypes.Cell(row, "model_type") ?? throw new SonataFormatException($"{types.File}: node type {t}: model_type is missing");
            if (mt is not ("point_neuron" or "point_process" or "virtual"))
                throw new SonataFormatException($"{types.File}: node type {t} (population {name}): model_type {mt} is not a point neuron (supported: point_neuron, point_process, virtual)");
            var tpl = SonataTypes.Cell(row, "model_template");
            if (mt != "virtual") CheckTemplate(tpl, $"{types.File}: node type {t} (population {name})");
            templateOf[t] = mt != "virtual" ? tpl! : tpl == PoissonTemplate ? PoissonTemplate : Virtual;
        }

        // Every NEST value per node, and where it came from (for errors).
        var values = new Dictionary<string, (double[] Values, bool[] Given, string Source)>(StringComparer.Ordinal);
        void Set(string nestName, int node, double v, string source)
        {
            if (!values.TryGetValue(nestName, out var slot))
                values[nestName] = slot = (new double[n], new bool[n], source);
            slot.Values[node] = v;
            slot.Given[node] = true;
        }
        var byType = new Dictionary<long, (Dictionary<string, double> Values, string Source)>();
        for (int i = 0; i < n; i++)
        {
            if (!byType.TryGetValue(typeIds[i], out var p))
            {
                var row = types.Row(typeIds[i], $"{where}/node_type_id");
                p = SonataTypes.Cell(row, "dynamics_params") is { } dp && templateOf[typeIds[i]] != Virtual
                    ? ParamsFile(config, types.File, dp, paramFiles) : ([], types.File);
                byType[typeIds[i]] = p;
            }
            foreach (var (k, v) in p.Values) Set(k, i, v, $"{p.Source} (node type {typeIds[i]})");
        }
        foreach (var grp in groupIds.Distinct())
        {
            string gwhere = $"{where}/{grp}";
            if (!g.LinkExists(grp.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                throw new SonataFormatException($"{gwhere}: missing (node_group_id names it)");
            var group = SonataH5.Group(g, grp.ToString(System.Globalization.CultureInfo.InvariantCulture), where);
            foreach (var attr in new[] { "model_template", "model_type" })
                if (group.LinkExists(attr)) throw new SonataFormatException($"{gwhere}/{attr}: a model per node is not supported; give it in the node types table");
            if (!group.LinkExists("dynamics_params")) continue;
            var dyn = SonataH5.Group(group, "dynamics_params", gwhere);
            foreach (var param in SonataH5.ChildNames(dyn))
            {
                string pwhere = $"{gwhere}/dynamics_params/{param}";
                var column = SonataH5.Numbers(SonataH5.Dataset(dyn, param, $"{gwhere}/dynamics_params"), pwhere);
                for (int i = 0; i < n; i++)
                {
                    if (groupIds[i] != grp) continue;
                    if (groupIndex[i] >= column.Length) throw new SonataFormatException($"{where}/node_group_index[{i}]: {groupIndex[i]} is beyond {pwhere} ({column.Length} values)");
                    Set(param, i, column[groupIndex[i]], pwhere);
                }
            }
        }

        // Nodes that can share a DistSnn population: one model and, for every parameter the model takes once per
        // population, one value. Pieces keep the order of their first node.
        var pieceOf = new int[n];
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var members = new List<List<int>>();
        var entries = templateOf.Values.Distinct().Where(t => t is not (Virtual or PoissonTemplate)).ToDictionary(t => t, t => CheckTemplate(t, where));
        var models = entries.ToDictionary(kv => kv.Key, kv => NeuronModel.Create(kv.Value.Kind) ?? throw new SonataFormatException($"{types.File}: {kv.Key}: DistSnn has no model {kv.Value.Kind}"));
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < n; i++)
        {
            var tpl = templateOf[typeIds[i]];
            sb.Clear().Append(tpl);
            if (tpl == PoissonTemplate)
                foreach (var (nestName, col) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    sb.Append('|').Append(nestName).Append('=').Append(col.Given[i] ? col.Values[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "-");
            else if (tpl != Virtual)
                foreach (var pf in entries[tpl].Parameters)
                    if (!models[tpl].PerNeuronParameters.Contains(pf.DistSnn) && values.TryGetValue(pf.Nest, out var col) && col.Given[i])
                        sb.Append('|').Append(pf.Nest).Append('=').Append(col.Values[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            var key = sb.ToString();
            if (!keys.TryGetValue(key, out int piece))
            {
                keys[key] = piece = members.Count;
                members.Add([]);
            }
            pieceOf[i] = piece;
            members[piece].Add(i);
        }
        var specs = new List<PopulationSpec>();
        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < members.Count; k++)
        {
            var nodes = members[k];
            string pieceName = members.Count == 1 ? name : $"{name}.{typeIds[nodes[0]]}";
            if (!usedNames.Add(pieceName)) usedNames.Add(pieceName = $"{pieceName}.{k}");
            var tpl = templateOf[typeIds[nodes[0]]];
            PopulationSpec spec = tpl switch
            {
                Virtual => new PopulationSpec(pieceName, nodes.Count, new SpikeGenerator { SpikeTimes = Enumerable.Repeat<IReadOnlyList<double>>([], nodes.Count).ToArray() }),
                PoissonTemplate => new PopulationSpec(pieceName, nodes.Count, PoissonSource(Subset(values, nodes), where)),
                _ => Map(pieceName, nodes.Count, models[tpl], entries[tpl], Subset(values, nodes)),
            };
            if (members.Count > 1) spec = spec with { Origin = new PopulationOrigin(name, nodes.ToArray()) };
            specs.Add(spec);
        }
        var localOf = new int[n];
        foreach (var nodes in members)
            for (int l = 0; l < nodes.Count; l++) localOf[nodes[l]] = l;
        return new SonataPopulation(name, n, specs, pieceOf, localOf, where);
    }

    private const string Virtual = "virtual";

    /// <summary>DistSnn's Poisson sources (the engine's draws, which NEST's poisson_generator would not reproduce).</summary>
    private const string PoissonTemplate = "distsnn:poisson_generator";

    private static PoissonGenerator PoissonSource(Dictionary<string, (double[] Values, bool[] Given, string Source)> values, string where)
    {
        var model = new PoissonGenerator();
        foreach (var (name, (vals, given, source)) in values)
        {
            if (!given.All(g => g)) throw new SonataFormatException($"{source}: {name} is given for some nodes of {where} only");
            double v = vals[0];
            model = name switch
            {
                "rate" => model with { Rate = v },
                "start" => model with { Start = v },
                "stop" => model with { Stop = v },
                _ => throw new SonataFormatException($"{source}: {name} is not a parameter of {PoissonTemplate} (rate Hz, start ms, stop ms)"),
            };
        }
        return model;
    }

    /// <summary>
    /// What a dynamics_params key names: a NEST parameter or state of the model, or a <c>distsnn:</c> extension naming a
    /// DistSnn parameter or state variable in DistSnn's units. Null when neither.
    /// </summary>
    private static (NestName Name, bool IsParameter)? Resolve(NestModels.Entry entry, NeuronModel model, string key)
    {
        if (key.StartsWith(NestModels.Extension, StringComparison.Ordinal))
        {
            var own = key[NestModels.Extension.Length..];
            if (model.Parameters.Any(f => f.Name == own)) return (new NestName(own, key), true);
            if (model.StateVariables.Any(v => v.Name == own)) return (new NestName(own, key), false);
            return null;
        }
        if (entry.Parameters.FirstOrDefault(p => p.Nest == key) is { } param) return (param, true);
        if (entry.State.FirstOrDefault(s => s.Nest == key) is { } state) return (state, false);
        return null;
    }

    /// <summary>The values of the nodes of one piece, in the piece's order.</summary>
    private static Dictionary<string, (double[] Values, bool[] Given, string Source)> Subset(
        Dictionary<string, (double[] Values, bool[] Given, string Source)> values, List<int> nodes)
    {
        var sub = new Dictionary<string, (double[] Values, bool[] Given, string Source)>(StringComparer.Ordinal);
        foreach (var (key, (vals, given, source)) in values)
        {
            if (!nodes.Any(i => given[i])) continue;
            sub[key] = (nodes.Select(i => vals[i]).ToArray(), nodes.Select(i => given[i]).ToArray(), source);
        }
        return sub;
    }

    private static (Dictionary<string, double>, string) ParamsFile(SonataConfig config, string typesFile, string name, Dictionary<string, Dictionary<string, double>> cache)
    {
        var dir = config.PointNeuronModelsDir ?? Path.GetDirectoryName(typesFile) ?? ".";
        var path = Path.GetFullPath(Path.Combine(dir, name));
        if (!cache.TryGetValue(path, out var p)) cache[path] = p = SonataTypes.ReadParams(path);
        return (p, path);
    }

    private static NestModels.Entry CheckTemplate(string? template, string where)
    {
        var supported = string.Join(", ", NestModels.All.Select(e => "nest:" + e.NestModel));
        if (template is null || !template.StartsWith("nest:", StringComparison.Ordinal))
            throw new SonataFormatException($"{where}: model_template {template ?? "(none)"} is not supported; expected nest:<model> ({supported})");
        return NestModels.ByNest(template["nest:".Length..])
               ?? throw new SonataFormatException($"{where}: model_template {template} is not supported (supported: {supported})");
    }

    /// <summary>NEST values per node onto the DistSnn model: equal values as the model's parameter, differing ones per neuron.</summary>
    private static PopulationSpec Map(string name, int n, NeuronModel model, NestModels.Entry entry,
        Dictionary<string, (double[] Values, bool[] Given, string Source)> values)
    {
        var perNeuron = new Dictionary<string, ValueSpec>(StringComparer.Ordinal);
        var initial = new Dictionary<string, ValueSpec>(StringComparer.Ordinal);
        var defaults = model;
        foreach (var (nestName, (vals, given, source)) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var resolved = Resolve(entry, model, nestName);
            var param = resolved is { IsParameter: true } rp ? rp.Name : null;
            if (resolved is null)
            {
                if (NestModels.Neutral.Contains(nestName)) continue;
                throw new SonataFormatException($"{source}: {nestName} is not a parameter of nest:{entry.NestModel} that DistSnn maps (known: {string.Join(", ", entry.Parameters.Select(p => p.Nest).Concat(entry.State.Select(s => s.Nest)))})");
            }
            if (param is not null)
            {
                var field = model.Parameters.First(f => f.Name == param.DistSnn);
                double fallback = field.Get(defaults);
                var canonical = Fill(vals, given, param.ToDistSnn, fallback);
                if (canonical.All(v => v == canonical[0]))
                    model = field.Set(model, canonical[0]);
                else if (model.PerNeuronParameters.Contains(field.Name))
                    perNeuron[field.Name] = ArrayValue.FromList(Array.ConvertAll(canonical, v => (float)v), field.Dim);
                else
                    throw new SonataFormatException($"{source}: {nestName} differs between the nodes of population {name} ({canonical.Min()} to {canonical.Max()}); DistSnn's {model.Kind} takes one {field.Name} per population (per neuron: {(model.PerNeuronParameters.Count == 0 ? "none" : string.Join(", ", model.PerNeuronParameters))}) — put nodes with different values in separate populations");
            }
        }
        // Initial values after the parameters: a node without V_m starts at its own E_L, as in NEST.
        foreach (var (nestName, (vals, given, _)) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (Resolve(entry, model, nestName) is not { IsParameter: false } resolved) continue;
            var state = resolved.Name;
            if (double.IsNaN(state.ToDistSnn))
                throw new SonataFormatException($"{values[nestName].Source}: {nestName} as an initial value is not supported ({model.Kind} keeps {state.DistSnn} in other units)");
            var dim = model.StateVariables.First(s => s.Name == state.DistSnn).Dim;
            double[] rest = state.DistSnn == "v" ? RestingPotentials(model, perNeuron, n) : new double[n];
            var canonical = new double[n];
            for (int i = 0; i < n; i++) canonical[i] = given[i] ? vals[i] * state.ToDistSnn : rest[i];
            initial[state.DistSnn] = canonical.All(v => v == canonical[0])
                ? ValueSpec.Of(canonical[0], dim)
                : ArrayValue.FromList(Array.ConvertAll(canonical, v => (float)v), dim);
        }
        return new PopulationSpec(name, n, model) { PerNeuron = perNeuron, Initial = initial };
    }

    private static double[] Fill(double[] vals, bool[] given, double factor, double fallback)
    {
        var r = new double[vals.Length];
        for (int i = 0; i < r.Length; i++) r[i] = given[i] ? vals[i] * factor : fallback;
        return r;
    }

    /// <summary>Where v starts when no V_m is given: e_l (izhikevich: c).</summary>
    private static double[] RestingPotentials(NeuronModel model, Dictionary<string, ValueSpec> perNeuron, int n)
    {
        string restName = model is Izhikevich ? "c" : "e_l";
        var field = model.Parameters.FirstOrDefault(f => f.Name == restName);
        var r = new double[n];
        if (field is null) return r;
        if (perNeuron.TryGetValue(restName, out var v) && v is ArrayValue a)
            for (int i = 0; i < n; i++) r[i] = a.Values[i];
        else
            Array.Fill(r, field.Get(model));
        return r;
    }
}

/// <summary>The node populations of a circuit and the DistSnn populations they became, in order.</summary>
internal sealed class SonataCircuit
{
    private readonly Dictionary<string, int> _first = new(StringComparer.Ordinal);

    public SonataCircuit(IReadOnlyList<SonataPopulation> populations)
    {
        Populations = populations;
        foreach (var p in populations)
        {
            _first[p.Name] = Specs.Count;
            Specs.AddRange(p.Pieces);
        }
    }

    public IReadOnlyList<SonataPopulation> Populations { get; }

    /// <summary>Every DistSnn population, pieces of one SONATA population together, in the circuit's order.</summary>
    public List<PopulationSpec> Specs { get; } = [];

    public SonataPopulation? Find(string name) => Populations.FirstOrDefault(p => p.Name == name);

    public int IndexOf(SonataPopulation pop, int piece) => _first[pop.Name] + piece;

    /// <summary>
    /// The nodes <paramref name="ids"/> of <paramref name="pop"/> (all when null) by DistSnn population: its index and
    /// their indices there (null for all of it).
    /// </summary>
    public IEnumerable<(int Index, IReadOnlyList<int>? Locals)> Split(SonataPopulation pop, IReadOnlyList<int>? ids)
    {
        if (ids is null)
        {
            for (int k = 0; k < pop.Pieces.Count; k++) yield return (IndexOf(pop, k), null);
            yield break;
        }
        var byPiece = new SortedDictionary<int, List<int>>();
        foreach (var id in ids)
        {
            var (piece, local) = pop.Locate(id);
            if (!byPiece.TryGetValue(piece, out var l)) byPiece[piece] = l = [];
            l.Add(local);
        }
        foreach (var (piece, locals) in byPiece) yield return (IndexOf(pop, piece), locals);
    }
}
