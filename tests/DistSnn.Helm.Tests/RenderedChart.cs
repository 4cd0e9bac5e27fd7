using YamlDotNet.RepresentationModel;

namespace DistSnn.Helm.Tests;

/// <summary>The static structure of every template of the chart, read with <see cref="StaticTemplate"/>.</summary>
public sealed class RenderedChart
{
    private RenderedChart(YamlMappingNode values, StaticTemplate reader, Dictionary<string, IReadOnlyList<YamlMappingNode>> byFile)
    {
        Values = values;
        Reader = reader;
        ByFile = byFile;
    }

    /// <summary>The values the templates were read with.</summary>
    public YamlMappingNode Values { get; }

    /// <summary>The reader (its placeholders name the actions it could not evaluate).</summary>
    public StaticTemplate Reader { get; }

    /// <summary>Documents of each template file (file name without folder).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<YamlMappingNode>> ByFile { get; }

    /// <summary>Every document of every template.</summary>
    public IEnumerable<YamlMappingNode> All => ByFile.Values.SelectMany(d => d);

    /// <summary>
    /// Reads the chart with values.yaml, merged with <paramref name="overrideFile"/> when given; with
    /// <paramref name="evaluateConditions"/>, blocks whose simple values condition is false are left out.
    /// </summary>
    public static RenderedChart Load(string? overrideFile = null, bool evaluateConditions = false)
    {
        var values = ChartFiles.LoadMapping("values.yaml");
        if (overrideFile is not null) values = Yaml.Merge(values, ChartFiles.LoadMapping(overrideFile));
        var reader = new StaticTemplate(values, File.ReadAllText(Path.Combine(ChartFiles.TemplatesDir, "_helpers.tpl")), evaluateConditions);
        var byFile = new Dictionary<string, IReadOnlyList<YamlMappingNode>>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(ChartFiles.TemplatesDir, "*.yaml").Order(StringComparer.Ordinal))
            byFile[Path.GetFileName(path)] = reader.Parse(File.ReadAllText(path), "templates/" + Path.GetFileName(path));
        return new RenderedChart(values, reader, byFile);
    }

    /// <summary>The one document of this kind (and, when given, app.kubernetes.io/component label).</summary>
    public YamlMappingNode Single(string kind, string? component = null)
    {
        var found = All.Where(d => d.Str("kind") == kind &&
            (component is null || d.Map("metadata").Map("labels").Labels().GetValueOrDefault("app.kubernetes.io/component") == component)).ToList();
        return found.Count == 1 ? found[0] : throw new InvalidOperationException($"expected one {kind} {component}, found {found.Count}");
    }

    /// <summary>The placeholder of an action's expression.</summary>
    public string Placeholder(string expression) => Reader.PlaceholderFor(expression);
}

/// <summary>Navigation in parsed YAML with errors that name the missing key.</summary>
public static class Yaml
{
    /// <summary>The mapping under <paramref name="key"/>.</summary>
    public static YamlMappingNode Map(this YamlNode node, string key) =>
        Child(node, key) as YamlMappingNode ?? throw new KeyNotFoundException($"'{key}' is not a mapping at {node.Start}");

    /// <summary>The sequence under <paramref name="key"/>.</summary>
    public static YamlSequenceNode Seq(this YamlNode node, string key) =>
        Child(node, key) as YamlSequenceNode ?? throw new KeyNotFoundException($"'{key}' is not a sequence at {node.Start}");

    /// <summary>The scalar text under <paramref name="key"/>.</summary>
    public static string Str(this YamlNode node, string key) =>
        (Child(node, key) as YamlScalarNode)?.Value ?? throw new KeyNotFoundException($"'{key}' is not a scalar at {node.Start}");

    /// <summary>Whether the mapping has <paramref name="key"/>.</summary>
    public static bool Has(this YamlNode node, string key) =>
        node is YamlMappingNode m && m.Children.ContainsKey(new YamlScalarNode(key));

    /// <summary>A mapping of scalars (labels, selectors, data) as a dictionary.</summary>
    public static Dictionary<string, string> Labels(this YamlMappingNode node) =>
        node.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "");

    /// <summary>Mapping items of a sequence.</summary>
    public static IEnumerable<YamlMappingNode> Maps(this YamlSequenceNode seq) => seq.Children.Cast<YamlMappingNode>();

    /// <summary>The item of a sequence of mappings whose <c>name</c> is <paramref name="name"/>.</summary>
    public static YamlMappingNode Named(this YamlSequenceNode seq, string name) =>
        seq.Maps().SingleOrDefault(m => m.Has("name") && m.Str("name") == name) ?? throw new KeyNotFoundException($"no item named '{name}' at {seq.Start}");

    /// <summary>Merges <paramref name="overrides"/> over <paramref name="defaults"/> as Helm merges values files.</summary>
    public static YamlMappingNode Merge(YamlMappingNode defaults, YamlMappingNode overrides)
    {
        var merged = new YamlMappingNode();
        foreach (var (k, v) in defaults.Children) merged.Add(k, v);
        foreach (var (k, v) in overrides.Children)
            merged.Children[k] = merged.Children.TryGetValue(k, out var d) && d is YamlMappingNode dm && v is YamlMappingNode om ? Merge(dm, om) : v;
        return merged;
    }

    private static YamlNode Child(YamlNode node, string key) =>
        node is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var child)
            ? child
            : throw new KeyNotFoundException($"no '{key}' at {node.Start}");
}
