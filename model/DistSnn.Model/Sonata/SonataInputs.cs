using System.Text.Json;

namespace DistSnn.Model.Sonata;

/// <summary>The simulation config's <c>inputs</c> (spike trains for virtual nodes, current clamps) and <c>reports</c>, with their node sets.</summary>
internal static class SonataInputs
{
    public static void Apply(SonataConfig config, JsonElement inputs, SonataCircuit circuit, List<CurrentSourceSpec> currents)
    {
        if (inputs.ValueKind != JsonValueKind.Object) throw new SonataFormatException($"{config.Path}: inputs: expected an object of named inputs");
        foreach (var input in inputs.EnumerateObject())
        {
            string where = $"{config.Path}: inputs.{input.Name}";
            var v = input.Value;
            string type = SonataJson.Text(v, "input_type", where) ?? throw new SonataFormatException($"{where}.input_type: missing");
            var (pop, ids) = NodeSet(config, v.TryGetProperty("node_set", out var ns) ? ns : default, circuit, $"{where}.node_set");
            switch (type)
            {
                case "spikes":
                    var file = config.ResolveSimPath(SonataJson.Text(v, "input_file", where) ?? throw new SonataFormatException($"{where}.input_file: missing"), $"{where}.input_file");
                    ReadSpikes(file, circuit, pop, ids, where);
                    break;
                case "current_clamp":
                    if (SonataJson.Text(v, "module", where) is { } module && module != "IClamp")
                        throw new SonataFormatException($"{where}.module: {module} is not supported (supported: IClamp)");
                    double amp = SonataJson.Number(v, "amp", where) ?? throw new SonataFormatException($"{where}.amp: missing (nA)");
                    double delay = SonataJson.Number(v, "delay", where) ?? 0;
                    double duration = SonataJson.Number(v, "duration", where) ?? throw new SonataFormatException($"{where}.duration: missing (ms)");
                    foreach (var (index, locals) in circuit.Split(pop, ids))
                    {
                        if (circuit.Specs[index].Model.IsSource)
                            throw new SonataFormatException($"{where}: a current clamp on virtual nodes of {pop.Name}");
                        currents.Add(new DcCurrentSpec(circuit.Specs[index].Name, amp * 1000.0, delay, delay + duration) { Neurons = locals });
                    }
                    break;
                default:
                    throw new SonataFormatException($"{where}.input_type: {type} is not supported (supported: spikes, current_clamp)");
            }
        }
    }

    public static List<StateRecorderSpec> Reports(SonataConfig config, JsonElement reports, SonataCircuit circuit)
    {
        var list = new List<StateRecorderSpec>();
        if (reports.ValueKind != JsonValueKind.Object) throw new SonataFormatException($"{config.Path}: reports: expected an object of named reports");
        foreach (var report in reports.EnumerateObject())
        {
            string where = $"{config.Path}: reports.{report.Name}";
            var v = report.Value;
            var (pop, ids) = NodeSet(config, v.TryGetProperty("cells", out var cells) ? cells : default, circuit, $"{where}.cells");
            string variable = SonataJson.Text(v, "variable_name", where) ?? throw new SonataFormatException($"{where}.variable_name: missing");
            if (SonataJson.Number(v, "start_time", where) is double start && start != 0)
                throw new SonataFormatException($"{where}.start_time: {start} ms; reports start at 0 here");
            if (SonataJson.Number(v, "end_time", where) is double end && config.TStop is double tstop && end < tstop)
                throw new SonataFormatException($"{where}.end_time: {end} ms; reports run to the end of the simulation ({tstop} ms) here");
            double interval = SonataJson.Number(v, "dt", where) ?? config.Dt ?? new RunSettings().Dt;
            foreach (var (index, locals) in circuit.Split(pop, ids))
            {
                var spec = circuit.Specs[index];
                var entry = NestModels.ByKind(spec.Model.Kind);
                // distsnn:<variable> names a state variable NEST does not have (theta).
                string? own = variable.StartsWith(NestModels.Extension, StringComparison.Ordinal) ? variable[NestModels.Extension.Length..] : null;
                var name = own is not null && spec.Model.StateVariables.Any(v => v.Name == own) ? own
                    : entry?.State.FirstOrDefault(s => s.Nest == variable)?.DistSnn
                      ?? throw new SonataFormatException($"{where}.variable_name: {variable} is not a recordable state of population {pop.Name} ({(entry is null ? spec.Model.Kind + " has none" : "known: " + string.Join(", ", entry.State.Select(s => s.Nest)))})");
                list.Add(new StateRecorderSpec(spec.Name, [name], locals ?? Enumerable.Range(0, spec.Size).ToArray()) { Interval = interval });
            }
        }
        return list;
    }

    /// <summary>A node set (its name, or an inline object) as a SONATA population and, when it picks some, their node ids.</summary>
    private static (SonataPopulation Population, IReadOnlyList<int>? Ids) NodeSet(SonataConfig config, JsonElement node, SonataCircuit circuit, string where)
    {
        JsonElement set;
        if (node.ValueKind == JsonValueKind.String)
        {
            var name = node.GetString()!;
            if (config.NodeSets.TryGetValue(name, out var found)) set = found;
            else if (circuit.Find(name) is { } direct) return (direct, null);
            else throw new SonataFormatException($"{where}: node set {name} is not defined (node sets: {string.Join(", ", config.NodeSets.Keys)}; populations: {string.Join(", ", circuit.Populations.Select(p => p.Name))})");
        }
        else if (node.ValueKind == JsonValueKind.Object) set = node;
        else throw new SonataFormatException($"{where}: missing (a node set names the nodes)");
        if (set.ValueKind != JsonValueKind.Object) throw new SonataFormatException($"{where}: only node sets of the form {{\"population\": …, \"node_id\": […]}} are supported");
        string? popName = null;
        List<int>? ids = null;
        foreach (var prop in set.EnumerateObject())
            switch (prop.Name)
            {
                case "population":
                    popName = prop.Value.ValueKind == JsonValueKind.String ? prop.Value.GetString() : throw new SonataFormatException($"{where}: population: expected a name");
                    break;
                case "node_id":
                    ids = prop.Value.ValueKind == JsonValueKind.Array
                        ? prop.Value.EnumerateArray().Select(x => x.TryGetInt32(out var id) && id >= 0 ? id : throw new SonataFormatException($"{where}: node_id: {x} is not a node id")).ToList()
                        : prop.Value.TryGetInt32(out var one) ? [one] : throw new SonataFormatException($"{where}: node_id: expected a list of node ids");
                    break;
                default:
                    throw new SonataFormatException($"{where}: node sets selecting by {prop.Name} are not supported (supported: population, node_id)");
            }
        if (popName is null) throw new SonataFormatException($"{where}: the node set names no population");
        var pop = circuit.Find(popName) ?? throw new SonataFormatException($"{where}: population {popName} is not in the circuit");
        if (ids is not null && ids.FirstOrDefault(id => id >= pop.Size, -1) is var bad and >= 0)
            throw new SonataFormatException($"{where}: node_id {bad} is beyond population {popName} ({pop.Size} nodes)");
        return (pop, ids);
    }

    /// <summary>Adds the spikes of <paramref name="pop"/>'s nodes (those of the node set) in <paramref name="file"/> to their spike generators.</summary>
    private static void ReadSpikes(string file, SonataCircuit circuit, SonataPopulation pop, IReadOnlyList<int>? only, string inputWhere)
    {
        using var h5 = SonataH5.Open(file, file);
        var spikes = SonataH5.Group(h5, "spikes", file);
        string where = $"{file}: /spikes/{pop.Name}";
        double[] times;
        long[] ids;
        if (spikes.LinkExists(pop.Name))
        {
            var g = SonataH5.Group(spikes, pop.Name, $"{file}: /spikes");
            times = SonataH5.Numbers(SonataH5.Dataset(g, "timestamps", where), $"{where}/timestamps");
            ids = SonataH5.Integers(SonataH5.Dataset(g, "node_ids", where), $"{where}/node_ids");
        }
        else if (spikes.LinkExists("timestamps") && spikes.LinkExists("gids"))
        {
            // The layout before SONATA spike populations: one /spikes/{timestamps, gids} for the input's population.
            where = $"{file}: /spikes";
            times = SonataH5.Numbers(SonataH5.Dataset(spikes, "timestamps", where), $"{where}/timestamps");
            ids = SonataH5.Integers(SonataH5.Dataset(spikes, "gids", where), $"{where}/gids");
        }
        else throw new SonataFormatException($"{where}: missing (the file has {string.Join(", ", SonataH5.ChildNames(spikes))})");
        if (times.Length != ids.Length) throw new SonataFormatException($"{where}: timestamps and node_ids differ in length ({times.Length}, {ids.Length})");
        var lists = new Dictionary<int, List<double>[]>();
        var selected = only is null ? null : new HashSet<int>(only);
        for (int k = 0; k < times.Length; k++)
        {
            if (ids[k] >= pop.Size) throw new SonataFormatException($"{where}: spike {k} is of node {ids[k]}, beyond population {pop.Name} ({pop.Size} nodes)");
            if (selected is not null && !selected.Contains((int)ids[k])) continue;
            var (piece, local) = pop.Locate(ids[k]);
            int index = circuit.IndexOf(pop, piece);
            if (circuit.Specs[index].Model is not SpikeGenerator sg)
                throw new SonataFormatException($"{inputWhere}: spike inputs drive virtual nodes; node {ids[k]} of {pop.Name} is {circuit.Specs[index].Model.Kind}");
            if (!lists.TryGetValue(index, out var perSource))
                lists[index] = perSource = Enumerable.Range(0, circuit.Specs[index].Size).Select(i => sg.SpikeTimes.Count > i ? new List<double>(sg.SpikeTimes[i]) : new List<double>()).ToArray();
            perSource[local].Add(times[k]);
        }
        foreach (var (index, perSource) in lists)
        {
            foreach (var l in perSource) l.Sort();
            var spec = circuit.Specs[index];
            circuit.Specs[index] = spec with { Model = ((SpikeGenerator)spec.Model) with { SpikeTimes = perSource } };
        }
    }
}
