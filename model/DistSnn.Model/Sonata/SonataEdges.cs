using System.Globalization;
using PureHDF;

namespace DistSnn.Model.Sonata;

/// <summary>
/// Reads the edge populations of a circuit as <c>from_list</c> projections. NEST semantics: the effective weight is
/// <c>syn_weight × nsyns</c> (BMTK); for targets with separate excitatory and inhibitory synapses (pA or nS weights)
/// a negative weight feeds the inhibitory one — current weights keep their sign, conductances take the magnitude —
/// so one edge population gives up to two projections, excitatory first; delays are in ms.
/// </summary>
internal static class SonataEdges
{
    /// <summary>What a static synapse's dynamics_params may hold: BMTK's labels, and weight and delay (given per edge instead).</summary>
    private static readonly HashSet<string> StaticSynapseParams = new(StringComparer.Ordinal) { "level_of_detail", "synapse_model", "weight", "delay" };

    public static List<ProjectionSpec> Read(SonataConfig config, IReadOnlyList<SonataPopulation> pops)
    {
        var result = new List<ProjectionSpec>();
        var byName = pops.ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var entry in config.Edges)
        {
            var types = SonataTypes.Read(entry.TypesFile, "edge_type_id");
            using var h5 = SonataH5.Open(entry.File, entry.File);
            var edges = SonataH5.Group(h5, "edges", entry.File);
            foreach (var name in SonataNodes.PopulationOrder(entry, edges, "edges"))
                result.AddRange(ReadPopulation(config, entry.File, name, SonataH5.Group(edges, name, $"{entry.File}: /edges"), types, byName));
        }
        return result;
    }

    private static IEnumerable<ProjectionSpec> ReadPopulation(SonataConfig config, string file, string name, IH5Group g, SonataTypes types,
        Dictionary<string, SonataPopulation> pops)
    {
        string where = $"{file}: /edges/{name}";
        var (sources, sourcePop) = Endpoint(g, "source_node_id", where, pops);
        var (targets, targetPop) = Endpoint(g, "target_node_id", where, pops);
        int e = sources.Length;
        if (targets.Length != e) throw new SonataFormatException($"{where}: source_node_id and target_node_id differ in length ({e}, {targets.Length})");
        var typeIds = SonataH5.Integers(SonataH5.Dataset(g, "edge_type_id", where), $"{where}/edge_type_id");
        var groupIds = SonataH5.OptionalDataset(g, "edge_group_id", where) is { } gd ? SonataH5.Integers(gd, $"{where}/edge_group_id") : new long[e];
        var groupIndex = SonataH5.OptionalDataset(g, "edge_group_index", where) is { } gi ? SonataH5.Integers(gi, $"{where}/edge_group_index") : Enumerable.Range(0, e).Select(i => (long)i).ToArray();
        if (typeIds.Length != e || groupIds.Length != e || groupIndex.Length != e)
            throw new SonataFormatException($"{where}: edge_type_id, edge_group_id and edge_group_index must have one value per edge ({e})");

        // Per group: the columns it gives.
        var columns = new Dictionary<long, Dictionary<string, double[]>>();
        foreach (var grp in groupIds.Distinct())
        {
            string key = grp.ToString(CultureInfo.InvariantCulture);
            var cols = new Dictionary<string, double[]>(StringComparer.Ordinal);
            if (g.LinkExists(key))
            {
                var group = SonataH5.Group(g, key, where);
                foreach (var col in new[] { "syn_weight", "delay", "nsyns" })
                    if (SonataH5.OptionalDataset(group, col, $"{where}/{key}") is { } ds) cols[col] = SonataH5.Numbers(ds, $"{where}/{key}/{col}");
                if (group.LinkExists("dynamics_params"))
                    throw new SonataFormatException($"{where}/{key}/dynamics_params: synapse parameters per edge are not supported (static synapses take only syn_weight and delay)");
            }
            columns[grp] = cols;
        }
        var typeValues = new Dictionary<long, (double? W, double? D, double? N)>();
        var rules = new Dictionary<long, (SynapseModel Model, Receptor? Receptor)>();
        foreach (var t in typeIds.Distinct())
        {
            var row = types.Row(t, $"{where}/edge_type_id");
            string twhere = $"{types.File}: edge type {t}";
            var tpl = SonataTypes.Cell(row, "model_template");
            var dp = SonataTypes.Cell(row, "dynamics_params");
            var path = dp is null ? null : Path.GetFullPath(Path.Combine(config.SynapticModelsDir ?? Path.GetDirectoryName(types.File) ?? ".", dp));
            if (tpl is not null && tpl.StartsWith(NestModels.Extension, StringComparison.Ordinal))
                rules[t] = SonataSynapses.Rule(tpl[NestModels.Extension.Length..], path ?? throw new SonataFormatException($"{twhere}: {tpl} needs its dynamics_params file"));
            else if (tpl is not null && tpl is not ("static_synapse" or "nest:static_synapse"))
                throw new SonataFormatException($"{twhere}: model_template {tpl} is not supported (supported: static_synapse, {string.Join(", ", SynapseModel.Kinds.Where(k => k != StaticSynapse.Instance.Kind).Select(k => NestModels.Extension + k))})");
            else if (path is not null)
                foreach (var k in SonataTypes.ReadParams(path).Keys)
                    if (!StaticSynapseParams.Contains(k))
                        throw new SonataFormatException($"{path}: {k}: static synapses take no parameters besides weight and delay");
            typeValues[t] = (Num(row, "syn_weight", twhere), Num(row, "delay", twhere), Num(row, "nsyns", twhere));
        }

        // One projection per (source piece, target piece, receptor, rule), excitatory before inhibitory, in order of
        // first edge.
        var groups = new Dictionary<(int S, int T, Receptor R, long Rule), List<ListedSynapse>>();
        var order = new List<(int S, int T, Receptor R, long Rule)>();
        for (int i = 0; i < e; i++)
        {
            var cols = columns[groupIds[i]];
            var tv = typeValues[typeIds[i]];
            double Value(string col, double? typed)
            {
                if (cols.TryGetValue(col, out var c))
                {
                    if (groupIndex[i] >= c.Length) throw new SonataFormatException($"{where}/edge_group_index[{i}]: {groupIndex[i]} is beyond {where}/{groupIds[i]}/{col} ({c.Length} values)");
                    return c[groupIndex[i]];
                }
                return typed ?? (col == "nsyns" ? 1 : throw new SonataFormatException($"{where}: edge {i} has no {col} (neither in group {groupIds[i]} nor in edge type {typeIds[i]})"));
            }
            double w = Value("syn_weight", tv.W) * Value("nsyns", tv.N);
            double d = Value("delay", tv.D);
            if (sources[i] >= sourcePop.Size || targets[i] >= targetPop.Size)
                throw new SonataFormatException($"{where}: edge {i} connects node {sources[i]} of {sourcePop.Name} ({sourcePop.Size} nodes) to node {targets[i]} of {targetPop.Name} ({targetPop.Size} nodes)");
            var (sp, sl) = sourcePop.Locate(sources[i]);
            var (tp, tl) = targetPop.Locate(targets[i]);
            var targetModel = targetPop.Pieces[tp].Model;
            if (targetModel.IsSource)
                throw new SonataFormatException($"{where}/target_node_id: edge {i} ends on node {targets[i]} of {targetPop.Name}, which is virtual; virtual nodes only send spikes");
            var weightDim = NestModels.WeightDimension(targetModel);
            // A plastic rule says its receptor; otherwise the sign does (NEST's convention).
            long rule = rules.ContainsKey(typeIds[i]) ? typeIds[i] : -1;
            bool inhibitory = rule >= 0 && rules[rule].Receptor is Receptor r ? r == Receptor.Inh
                : NestModels.SignPicksReceptor(targetModel) && w < 0;
            double weight = inhibitory && weightDim == Dimension.Conductance ? Math.Abs(w) : w;
            var key = (sp, tp, inhibitory ? Receptor.Inh : Receptor.Exc, rule);
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
                order.Add(key);
            }
            list.Add(new ListedSynapse(sl, tl, weight, d));
        }
        bool several = order.Select(k => (k.S, k.T)).Distinct().Count() > 1;
        bool mixed = order.Count > order.Select(k => (k.S, k.T, k.R)).Distinct().Count();
        foreach (var key in order.OrderBy(k => order.FindIndex(o => o.S == k.S && o.T == k.T)).ThenBy(k => k.R))
        {
            var source = sourcePop.Pieces[key.S];
            var target = targetPop.Pieces[key.T];
            string label = several ? $"{name}[{source.Name}->{target.Name}]" : name;
            if (key.R == Receptor.Inh && order.Any(k => k.S == key.S && k.T == key.T && k.R == Receptor.Exc)) label += ":inh";
            if (mixed && key.Rule >= 0) label += $":{rules[key.Rule].Model.Kind}";
            var p = Projection(label, source, target, groups[key], key.R, NestModels.WeightDimension(target.Model));
            yield return key.Rule >= 0 ? Plastic(p, rules[key.Rule].Model, where) : p;
        }
    }

    private static ProjectionSpec Projection(string label, PopulationSpec source, PopulationSpec target, List<ListedSynapse> synapses,
        Receptor receptor, Dimension weightDim)
    {
        double w = synapses[0].Weight ?? 0;
        double d = synapses.Min(s => s.Delay ?? double.PositiveInfinity);
        return new ProjectionSpec(source.Name, target.Name, new FromList(synapses) { AllowSelfConnections = true },
            ValueSpec.Of(w, weightDim), ValueSpec.Of(d, Dimension.Time)) { Receptor = receptor, Label = label };
    }

    /// <summary>A projection of plastic synapses: DistSnn's rules take one delay per projection, so the edges must share it.</summary>
    private static ProjectionSpec Plastic(ProjectionSpec p, SynapseModel rule, string where)
    {
        var synapses = ((FromList)p.Connector).Synapses;
        double delay = synapses[0].Delay ?? p.Delay.Lower;
        if (synapses.Any(s => s.Delay != delay))
            throw new SonataFormatException($"{where}: the edges of {p.Label} ({rule.Kind}) have different delays; DistSnn's plastic synapses take one delay per projection");
        var undelayed = synapses.Select(s => s with { Delay = null }).ToList();
        return p with { Connector = new FromList(undelayed) { AllowSelfConnections = true }, Delay = ValueSpec.Of(delay, Dimension.Time), Synapse = rule };
    }

    private static double? Num(IReadOnlyDictionary<string, string> row, string column, string where)
    {
        if (SonataTypes.Cell(row, column) is not { } text) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new SonataFormatException($"{where}: {column} '{text}' is not a number");
    }

    private static (long[] Ids, SonataPopulation Pop) Endpoint(IH5Group g, string dataset, string where, Dictionary<string, SonataPopulation> pops)
    {
        var ds = SonataH5.Dataset(g, dataset, where);
        var popName = SonataH5.StringAttribute(ds, "node_population", $"{where}/{dataset}")
                      ?? throw new SonataFormatException($"{where}/{dataset}: attribute node_population is missing (it names the node population the ids belong to)");
        if (!pops.TryGetValue(popName, out var pop))
            throw new SonataFormatException($"{where}/{dataset}: node_population {popName} is not a node population of the circuit (known: {string.Join(", ", pops.Keys)})");
        return (SonataH5.Integers(ds, $"{where}/{dataset}"), pop);
    }
}
