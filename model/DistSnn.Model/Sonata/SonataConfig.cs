using System.Text.Json;
using System.Text.RegularExpressions;

namespace DistSnn.Model.Sonata;

/// <summary>One nodes or edges file of a circuit, with the populations the config lists for it, in the config's order.</summary>
internal sealed record SonataFileEntry(string File, string TypesFile, IReadOnlyList<string>? Populations, string Where);

/// <summary>
/// A SONATA simulation config and the circuit config it points to (or a circuit config alone, or BMTK's combined
/// <c>config.json</c>), with <c>$VAR</c>s expanded from <c>manifest</c> and paths resolved against the directory of
/// the file that names them.
/// </summary>
internal sealed partial class SonataConfig
{
    public required string Path { get; init; }
    public required IReadOnlyList<SonataFileEntry> Nodes { get; init; }
    public required IReadOnlyList<SonataFileEntry> Edges { get; init; }
    public string? PointNeuronModelsDir { get; init; }
    public string? SynapticModelsDir { get; init; }
    public double? TStop { get; init; }
    public double? Dt { get; init; }
    public ulong? Seed { get; init; }
    public int? ExchangeLag { get; init; }
    public double? MinDelay { get; init; }
    public JsonElement? Reward { get; init; }
    public JsonElement? Inputs { get; init; }
    public JsonElement? Reports { get; init; }
    public JsonElement? PoissonInputs { get; init; }
    public required IReadOnlyDictionary<string, JsonElement> NodeSets { get; init; }
    private Dictionary<string, string> SimManifest { get; init; } = [];

    /// <summary>A path written in the simulation config (inputs, files), with its <c>$VAR</c>s expanded and resolved against it.</summary>
    public string ResolveSimPath(string text, string where) => Resolve(Expand(text, SimManifest, where), Path);

    /// <summary>Whether <paramref name="root"/> looks like a SONATA config rather than a DistSnn model written as JSON.</summary>
    public static bool IsSonata(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object &&
        (root.TryGetProperty("networks", out _) || root.TryGetProperty("network", out _) || root.TryGetProperty("manifest", out _));

    public static SonataConfig Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var sim = SonataJson.Read(full, path);
        var simManifest = Manifest(sim, full, path);
        JsonElement circuit = sim;
        string circuitPath = full;
        var circuitManifest = simManifest;
        if (sim.TryGetProperty("network", out var network))
        {
            if (network.ValueKind != JsonValueKind.String) throw new SonataFormatException($"{path}: network: expected the path of a circuit config");
            circuitPath = Resolve(Expand(network.GetString()!, simManifest, $"{path}: network"), full);
            circuit = SonataJson.Read(circuitPath, circuitPath);
            circuitManifest = Manifest(circuit, circuitPath, circuitPath);
        }
        if (!circuit.TryGetProperty("networks", out var networks) || networks.ValueKind != JsonValueKind.Object)
            throw new SonataFormatException($"{circuitPath}: networks: missing (a circuit config lists its nodes and edges files under networks)");
        string? Dir(string key)
        {
            foreach (var (doc, docPath, manifest) in new[] { (circuit, circuitPath, circuitManifest), (sim, full, simManifest) })
                if (doc.TryGetProperty("components", out var c) && c.ValueKind == JsonValueKind.Object && c.TryGetProperty(key, out var d) && d.ValueKind == JsonValueKind.String)
                    return Resolve(Expand(d.GetString()!, manifest, $"{docPath}: components.{key}"), docPath);
            return null;
        }
        JsonElement? Section(string key) => sim.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
        double? tstop = null, dt = null;
        ulong? seed = null;
        int? exchangeLag = null;
        double? minDelay = null;
        if (Section("run") is { } run)
        {
            tstop = SonataJson.Number(run, "tstop", $"{path}: run");
            dt = SonataJson.Number(run, "dt", $"{path}: run");
            if (run.TryGetProperty("distsnn:seed", out var s))
                seed = s.TryGetUInt64(out var u) ? u : throw new SonataFormatException($"{path}: run.distsnn:seed: expected a non-negative integer");
            if (run.TryGetProperty("distsnn:exchange_lag", out var lag))
                exchangeLag = lag.TryGetInt32(out var k) && k >= 1 ? k : throw new SonataFormatException($"{path}: run.distsnn:exchange_lag: expected an integer >= 1");
            minDelay = SonataJson.Number(run, "distsnn:min_delay", $"{path}: run");
        }
        return new SonataConfig
        {
            Path = full,
            Nodes = Entries(networks, "nodes", "nodes_file", "node_types_file", circuitManifest, circuitPath),
            Edges = Entries(networks, "edges", "edges_file", "edge_types_file", circuitManifest, circuitPath),
            PointNeuronModelsDir = Dir("point_neuron_models_dir"),
            SynapticModelsDir = Dir("synaptic_models_dir"),
            TStop = tstop,
            Dt = dt,
            Seed = seed,
            ExchangeLag = exchangeLag,
            MinDelay = minDelay,
            Reward = Section("distsnn:reward"),
            Inputs = Section("inputs"),
            Reports = Section("reports"),
            PoissonInputs = Section("distsnn:poisson_inputs"),
            NodeSets = NodeSetsOf(sim, full, simManifest),
            SimManifest = simManifest,
        };
    }

    private static IReadOnlyDictionary<string, JsonElement> NodeSetsOf(JsonElement sim, string simPath, Dictionary<string, string> manifest)
    {
        var sets = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        JsonElement? source = null;
        if (sim.TryGetProperty("node_sets_file", out var file) && file.ValueKind == JsonValueKind.String)
        {
            var p = Resolve(Expand(file.GetString()!, manifest, $"{simPath}: node_sets_file"), simPath);
            source = SonataJson.Read(p, p);
        }
        if (sim.TryGetProperty("node_sets", out var inline))
            source = inline.ValueKind == JsonValueKind.String
                ? SonataJson.Read(Resolve(Expand(inline.GetString()!, manifest, $"{simPath}: node_sets"), simPath), inline.GetString()!)
                : inline;
        if (source is { ValueKind: JsonValueKind.Object } o)
            foreach (var p in o.EnumerateObject()) sets[p.Name] = p.Value;
        return sets;
    }

    private static IReadOnlyList<SonataFileEntry> Entries(JsonElement networks, string key, string fileKey, string typesKey,
        Dictionary<string, string> manifest, string path)
    {
        var list = new List<SonataFileEntry>();
        if (!networks.TryGetProperty(key, out var entries)) return list;
        if (entries.ValueKind != JsonValueKind.Array) throw new SonataFormatException($"{path}: networks.{key}: expected a list");
        int i = 0;
        foreach (var e in entries.EnumerateArray())
        {
            string where = $"{path}: networks.{key}[{i++}]";
            string Get(string k) => e.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String
                ? Resolve(Expand(v.GetString()!, manifest, $"{where}.{k}"), path)
                : throw new SonataFormatException($"{where}.{k}: missing");
            List<string>? pops = null;
            if (e.TryGetProperty("populations", out var p) && p.ValueKind == JsonValueKind.Object)
                pops = p.EnumerateObject().Select(x => x.Name).ToList();
            list.Add(new SonataFileEntry(Get(fileKey), Get(typesKey), pops, where));
        }
        return list;
    }

    /// <summary>The manifest's variables, each expanded by those before it (SONATA allows <c>$A</c> inside <c>$B</c>).</summary>
    private static Dictionary<string, string> Manifest(JsonElement doc, string full, string shown)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!doc.TryGetProperty("manifest", out var m)) return vars;
        if (m.ValueKind != JsonValueKind.Object) throw new SonataFormatException($"{shown}: manifest: expected an object");
        // BMTK writes ${configdir} for the directory of the config file itself.
        var configDir = System.IO.Path.GetDirectoryName(full) ?? ".";
        var pending = m.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String
            ? p.Value.GetString()!.Replace("${configdir}", configDir, StringComparison.Ordinal)
            : throw new SonataFormatException($"{shown}: manifest.{p.Name}: expected a string"));
        // Resolved in rounds so that the order of the keys does not matter; a cycle is an error.
        while (pending.Count > 0)
        {
            var ready = pending.Where(kv => VarPattern().Matches(kv.Value).All(v => vars.ContainsKey(v.Value) || !pending.ContainsKey(v.Value))).ToList();
            if (ready.Count == 0) throw new SonataFormatException($"{shown}: manifest: {string.Join(", ", pending.Keys)} refer to each other");
            foreach (var (k, v) in ready)
            {
                vars[k] = Expand(v, vars, $"{shown}: manifest.{k}");
                pending.Remove(k);
            }
        }
        return vars;
    }

    private static string Expand(string text, Dictionary<string, string> vars, string where) =>
        VarPattern().Replace(text, m => vars.TryGetValue(m.Value, out var v)
            ? v
            : throw new SonataFormatException($"{where}: {m.Value} is not defined in the manifest"));

    /// <summary>A path relative to the directory of the file that names it.</summary>
    private static string Resolve(string path, string namingFile) =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(namingFile) ?? ".", path));

    [GeneratedRegex(@"\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex VarPattern();
}
