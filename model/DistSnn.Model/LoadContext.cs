using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace DistSnn.Model;

/// <summary>A key of a mapping after merge keys are applied, with the nodes it came from.</summary>
internal readonly record struct Entry(YamlNode Key, YamlNode Value);

/// <summary>
/// State shared while one file is read: the errors found, the line of every field path seen (so that errors the
/// validator finds later can point into the file), and the paths whose values could not be read (so that the
/// validator does not report the same field a second time).
/// </summary>
internal sealed class LoadContext(string? file)
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failed = new(StringComparer.Ordinal);
    // Keyed by identity: YamlNode equality is structural and would walk (possibly cyclic) alias graphs.
    private readonly Dictionary<YamlMappingNode, Dictionary<string, Entry>> _resolved = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<YamlMappingNode> _resolving = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<YamlNode, int> _joinedLines = new(ReferenceEqualityComparer.Instance);

    public string? File => file;
    public List<ModelError> Errors { get; } = [];

    private int? LineOf(YamlNode? node)
    {
        if (node is null) return null;
        if (_joinedLines.TryGetValue(node, out var joined)) return joined;
        return node.Start.Line <= 0 ? null : (int)Math.Min(node.Start.Line, int.MaxValue);
    }

    public void Note(string path, YamlNode node)
    {
        if (LineOf(node) is int line) _lines[path] = line;
    }

    public void Error(YamlNode? at, string path, string message) => Error(LineOf(at), path, message);

    public void Error(int? line, string path, string message)
    {
        // A small file can make very many errors (aliases repeat a bad list); reading stops at the limit.
        if (Errors.Count >= ModelLoader.MaxErrors) throw new TooManyErrors();
        Errors.Add(new ModelError(file, line, path, message));
        _failed.Add(path);
    }

    /// <summary>Thrown by <see cref="Error(int?, string, string)"/> once <see cref="ModelLoader.MaxErrors"/> are collected.</summary>
    public sealed class TooManyErrors : Exception
    {
        public TooManyErrors() : base($"more than {ModelLoader.MaxErrors} errors") { }
    }

    public void MarkFailed(string path) => _failed.Add(path);

    /// <summary>True when <paramref name="path"/> or a field containing it could not be read.</summary>
    public bool IsFailed(string path)
    {
        for (var p = path; ; p = Parent(p))
        {
            if (_failed.Contains(p)) return true;
            if (p.Length == 0) return false;
        }
    }

    /// <summary>Line of <paramref name="path"/>, or of the nearest enclosing field that appears in the file.</summary>
    public int? LineFor(string path)
    {
        for (var p = path; ; p = Parent(p))
        {
            if (_lines.TryGetValue(p, out var line)) return line;
            if (p.Length == 0) return null;
        }
    }

    private static string Parent(string path)
    {
        int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? "" : path[..cut];
    }

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s &&
        s.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s when IsNull(s) => "nothing",
        YamlScalarNode s => $"'{Shorten(s.Value ?? "")}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an unsupported node",
    };

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    /// <summary>
    /// Reads a mapping, applying YAML merge keys (<c>&lt;&lt;: *anchor</c>) and reporting keys outside
    /// <paramref name="allowed"/> (null accepts any key). Returns null, with an error, when the node is no mapping.
    /// </summary>
    public Fields? Map(YamlNode node, string path, IReadOnlyCollection<string>? allowed, string keyLabel = "key")
    {
        Note(path, node);
        if (node is not YamlMappingNode mapping)
        {
            Error(node, path, $"expected a mapping of keys to values, got {Describe(node)}");
            return null;
        }
        var fields = new Fields(this, mapping, path, Resolve(mapping, path));
        if (allowed is not null) fields.RejectUnknown(allowed, keyLabel);
        return fields;
    }

    private Dictionary<string, Entry> Resolve(YamlMappingNode mapping, string path)
    {
        if (_resolved.TryGetValue(mapping, out var done)) return done;
        var own = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (!_resolving.Add(mapping))
        {
            Error(mapping, path, "a merge key '<<' refers to a mapping that contains it");
            return own;
        }
        var merged = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var (key, value) in JoinSplitValues(mapping))
        {
            if (key is not YamlScalarNode { Value: { } name } scalar)
            {
                Error(key, path, $"keys must be plain names, got {Describe(key)}");
                continue;
            }
            if (name == "<<" && scalar.Style is ScalarStyle.Plain or ScalarStyle.Any)
            {
                // Keys written in the mapping itself win over merged ones; among merged mappings the first wins.
                IEnumerable<YamlNode> sources = value is YamlSequenceNode seq ? seq.Children : [value];
                foreach (var source in sources)
                {
                    if (source is not YamlMappingNode sourceMap)
                    {
                        Error(source, path, $"a merge key '<<' must refer to a mapping or a list of mappings, got {Describe(source)}");
                        continue;
                    }
                    foreach (var (k, e) in Resolve(sourceMap, path)) merged.TryAdd(k, e);
                }
                continue;
            }
            own[name] = new Entry(key, value);
        }
        foreach (var (k, e) in merged) own.TryAdd(k, e);
        _resolving.Remove(mapping);
        _resolved[mapping] = own;
        return own;
    }

    /// <summary>
    /// Inside <c>{...}</c> YAML ends a plain value at the first comma, so <c>{v: uniform(0 mV, 20 mV)}</c> reads as
    /// <c>v: "uniform(0 mV"</c> followed by a key <c>"20 mV)"</c> without a value. Such pieces are joined back into
    /// the value the writer meant; the joined value keeps the line of its first piece.
    /// </summary>
    private List<KeyValuePair<YamlNode, YamlNode>> JoinSplitValues(YamlMappingNode mapping)
    {
        var children = mapping.Children.ToList();
        if (mapping.Style != MappingStyle.Flow) return children;
        var result = new List<KeyValuePair<YamlNode, YamlNode>>(children.Count);
        for (int i = 0; i < children.Count; i++)
        {
            var (key, value) = children[i];
            if (value is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text } && text.Contains('(') && !text.Contains(')'))
            {
                int next = i + 1;
                while (!text.Contains(')') && next < children.Count && IsNull(children[next].Value) &&
                       children[next].Key is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } piece })
                {
                    text += ", " + piece;
                    next++;
                }
                if (text.Contains(')'))
                {
                    var joined = new YamlScalarNode(text);
                    if (LineOf(value) is int line) _joinedLines[joined] = line;
                    result.Add(new(key, joined));
                    i = next - 1;
                    continue;
                }
            }
            result.Add(children[i]);
        }
        return result;
    }

    public string? Text(YamlNode node, string path, string expected)
    {
        Note(path, node);
        if (node is YamlScalarNode { Value: { } value }) return value;
        Error(node, path, $"expected {expected}, got {Describe(node)}");
        return null;
    }

    public long? Integer(YamlNode node, string path, long min, long max)
    {
        if (Text(node, path, "a whole number") is not { } text) return null;
        var s = text.Trim();
        if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            // Accept 1e4 or 10000.0, which JSON writers and people both produce, when the value is whole.
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || d != Math.Floor(d) ||
                !double.IsFinite(d) || Math.Abs(d) > 9e15)
            {
                Error(node, path, $"'{Shorten(text)}' is not a whole number");
                return null;
            }
            value = (long)d;
        }
        if (value < min)
        {
            Error(node, path, $"{value} is too small; the smallest allowed value is {min}");
            return null;
        }
        if (value > max)
        {
            Error(node, path, $"{value} is too large; the largest allowed value is {max}");
            return null;
        }
        return value;
    }

    public ulong? Seed(YamlNode node, string path)
    {
        if (Text(node, path, "a non-negative whole number") is not { } text) return null;
        if (ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seed)) return seed;
        Error(node, path, $"'{Shorten(text)}' is not a valid seed; expected a non-negative whole number");
        return null;
    }

    public double? Number(YamlNode node, string path)
    {
        if (Text(node, path, "a number") is not { } text) return null;
        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return d;
        Error(node, path, $"'{Shorten(text)}' is not a number");
        return null;
    }

    public bool? Bool(YamlNode node, string path)
    {
        if (Text(node, path, "true or false") is not { } text) return null;
        if (bool.TryParse(text.Trim(), out var b)) return b;
        Error(node, path, $"'{Shorten(text)}' is not true or false");
        return null;
    }

    /// <summary>A single quantity such as <c>20 ms</c>, in canonical units, with the dimension it was written in.</summary>
    public (double Value, Dimension Dim)? Quantity(YamlNode node, string path, IReadOnlyList<Dimension> dims)
    {
        if (Text(node, path, $"a quantity such as '{Example(dims)}'") is not { } text) return null;
        if (text.Contains('('))
        {
            Error(node, path, $"'{Shorten(text)}': a distribution is not allowed here; give a single value such as '{Example(dims)}'");
            return null;
        }
        try
        {
            return Units.Parse(text, [.. dims]);
        }
        catch (FormatException e)
        {
            Error(node, path, e.Message);
            return null;
        }
    }

    /// <summary>A constant or distribution such as <c>uniform(0 mV, 20 mV)</c>.</summary>
    /// <param name="perNeuron">
    /// The value is one per neuron of a population: a dataset is then read by each partition for its own neurons when
    /// the network is built, not here.
    /// </param>
    public ValueSpec? Spec(YamlNode node, string path, IReadOnlyList<Dimension> dims, bool perNeuron = false)
    {
        if (node is YamlMappingNode) return FileSpec(node, path, dims, perNeuron);
        if (node is YamlSequenceNode seq) return ListSpec(seq, path, dims);
        if (Text(node, path, $"a value such as '{Example(dims)}' or 'uniform(a, b)'") is not { } text) return null;
        try
        {
            return ValueSpec.Parse(text, [.. dims]);
        }
        catch (FormatException e)
        {
            // Inside {...} or [...] YAML splits unquoted text at commas, cutting a distribution in two.
            var hint = text.Contains('(') && !text.Contains(')') ? "; inside {...} or [...], put quotes around values that contain commas" : "";
            Error(node, path, e.Message + hint);
            return null;
        }
    }

    /// <summary><c>[-56.9 mV, -55.1 mV, …]</c>: one quantity per element, all of one dimension.</summary>
    private ArrayValue? ListSpec(YamlSequenceNode seq, string path, IReadOnlyList<Dimension> dims)
    {
        Note(path, seq);
        var values = new float[seq.Children.Count];
        Dimension? dim = null;
        bool ok = true;
        for (int i = 0; i < values.Length; i++)
        {
            string itemPath = $"{path}[{i}]";
            if (Quantity(seq.Children[i], itemPath, dims) is not { } q)
            {
                ok = false;
                continue;
            }
            if (dim is { } d && d != q.Dim)
            {
                Error(seq.Children[i], itemPath, $"is in {Units.Canonical(q.Dim)} but the list's first value is in {Units.Canonical(d)}; give every value in one dimension");
                ok = false;
                continue;
            }
            dim = q.Dim;
            values[i] = (float)q.Value;
            if (!float.IsFinite(values[i]))
            {
                Error(seq.Children[i], itemPath, "must be finite");
                ok = false;
            }
        }
        if (values.Length == 0)
        {
            Error(seq, path, $"is an empty list; give one value per element, such as [{Example(dims)}, …]");
            return null;
        }
        return ok && dim is { } found ? ArrayValue.FromList(values, found) : null;
    }

    /// <summary>The directory relative file names in the model are taken from: the model file's, else the working directory.</summary>
    public string BaseDirectory => file is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";

    /// <summary><c>{file: w.h5, dataset: /proj/weight, unit: mV}</c>: one value per element from an HDF5 dataset.</summary>
    private ArrayValue? FileSpec(YamlNode node, string path, IReadOnlyList<Dimension> dims, bool byRange)
    {
        if (Map(node, path, ["file", "dataset", "unit"]) is not { } f) return null;
        var fileName = f.Text("file", required: true, expected: "an HDF5 file name");
        var dataset = f.Text("dataset", required: true, expected: "a dataset path such as /layer1/weight");
        var unit = f.Text("unit", required: true, expected: $"a unit such as {Units.Canonical(dims[0])}");
        if (fileName is null || dataset is null || unit is null) return null;
        (double Factor, Dimension Dim) scale;
        try
        {
            scale = Units.Parse("1 " + unit.Trim(), [.. dims]);
        }
        catch (FormatException e)
        {
            Error(f.Get("unit"), f.Sub("unit"), e.Message);
            return null;
        }
        try
        {
            return ArrayValue.Read(BaseDirectory, fileName.Trim(), dataset.Trim(), scale.Factor, scale.Dim, unit.Trim(), byRange);
        }
        catch (FormatException e)
        {
            Error(node, path, e.Message);
            return null;
        }
    }

    private static string Example(IReadOnlyList<Dimension> dims) =>
        dims.Count == 0 || dims[0] == Dimension.Dimensionless ? "1.5" : $"1.5 {Units.Canonical(dims[0])}";

    /// <summary>The items of a list, each with its path; null, with an error, when the node is no list.</summary>
    public List<(YamlNode Node, string Path)>? Sequence(YamlNode node, string path, string expected = "a list")
    {
        Note(path, node);
        if (node is not YamlSequenceNode seq)
        {
            Error(node, path, $"expected {expected}, got {Describe(node)}");
            return null;
        }
        var items = new List<(YamlNode, string)>(seq.Children.Count);
        for (int i = 0; i < seq.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            Note(itemPath, seq.Children[i]);
            items.Add((seq.Children[i], itemPath));
        }
        return items;
    }
}

/// <summary>The entries of one mapping in the file, read by key.</summary>
internal sealed class Fields(LoadContext ctx, YamlMappingNode node, string path, Dictionary<string, Entry> entries)
{
    public YamlMappingNode Node => node;
    public string Path => path;

    public string Sub(string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>
    /// The path of a key as the file spells it; a key that is not a plain name (empty, or with spaces or other
    /// characters) is quoted, so that the path still reads as one field, e.g. <c>run.' seed'</c>.
    /// </summary>
    private string KeyPath(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? Sub(key) : Sub($"'{key}'");

    public IEnumerable<KeyValuePair<string, Entry>> Entries => entries;

    /// <summary>The value of <paramref name="key"/>; null when it is absent or written as null.</summary>
    public YamlNode? Get(string key)
    {
        if (!entries.TryGetValue(key, out var e) || LoadContext.IsNull(e.Value)) return null;
        ctx.Note(Sub(key), e.Value);
        return e.Value;
    }

    public YamlNode? Required(string key)
    {
        var value = Get(key);
        if (value is null) Missing(key);
        return value;
    }

    public void Missing(string key) => ctx.Error(node, Sub(key), "is required");

    public void RejectUnknown(IReadOnlyCollection<string> allowed, string keyLabel = "key")
    {
        foreach (var (name, e) in entries)
        {
            if (allowed.Contains(name)) continue;
            var expected = allowed.Count == 0 ? "none are allowed here" : $"expected one of: {string.Join(", ", allowed)}";
            ctx.Error(e.Key, KeyPath(name), $"unknown {keyLabel} ({expected})");
        }
    }

    public string? Text(string key, bool required, string expected = "a name")
    {
        var value = required ? Required(key) : Get(key);
        return value is null ? null : ctx.Text(value, Sub(key), expected);
    }

    public double? Quantity(string key, Dimension dim, bool required)
    {
        var value = required ? Required(key) : Get(key);
        return value is null ? null : ctx.Quantity(value, Sub(key), [dim])?.Value;
    }

    public ValueSpec? Spec(string key, IReadOnlyList<Dimension> dims, bool required)
    {
        var value = required ? Required(key) : Get(key);
        return value is null ? null : ctx.Spec(value, Sub(key), dims);
    }

    public long? Integer(string key, long min, long max, bool required)
    {
        var value = required ? Required(key) : Get(key);
        return value is null ? null : ctx.Integer(value, Sub(key), min, max);
    }

    public bool? Bool(string key) => Get(key) is { } value ? ctx.Bool(value, Sub(key)) : null;
}
