using System.Text;
using YamlDotNet.RepresentationModel;

namespace DistSnn.Model.Tests.Fuzz;

/// <summary>The kinds of damage <see cref="ModelMutator"/> does to a model file.</summary>
public enum Mutation
{
    DeleteEntry,
    SwapType,
    HugeNumber,
    NegativeNumber,
    NotANumber,
    UnknownKey,
    DuplicateEntry,
    EmptyValue,
    YamlSyntax,
    TextDeletion,
    AliasFanOut,
    InvalidUtf8,
    DeepNesting,
    HugeString,
}

/// <summary>
/// Deterministic damage to a model file: the YAML tree of an example is read into plain nodes, mutated, written back
/// as block YAML or as JSON, and possibly broken further at the text or byte level. The same seed always gives the
/// same bytes, so a failing case can be replayed from its seed alone.
/// </summary>
public sealed class ModelMutator
{
    private abstract record Node;
    private sealed record Scalar(string Text, bool Quoted = false) : Node;
    private sealed record Seq(List<Node> Items) : Node;
    private sealed record Map(List<KeyValuePair<string, Node>> Entries) : Node;
    /// <summary>Text written as is, in flow position (deep nesting, huge values).</summary>
    private sealed record Raw(string Text) : Node;

    private static readonly string[] HugeNumbers =
    [
        "1e308", "1e309", "-1e309", "99999999999999999999", "2147483648", "4294967296", "9223372036854775807",
        "9223372036854775808", "18446744073709551616", "1e308 ms", "1e308 s", "1e300 kHz", "1e18", "3.4e38 mV",
        "1.7976931348623157e308 mV", "9e15", "9007199254740993", "1e15 Hz", "0x7fffffff", "1_000_000", "1e-320 ms",
        "4.9e-324", "123456789012345678901234567890 pA",
    ];

    private static readonly string[] Negatives =
    [
        "-1", "-0", "-2147483648", "-2147483649", "-9223372036854775808", "-9223372036854775809", "-1e308 mV", "-1 ms",
        "-0.1 ms", "-1 Hz", "-5 pF", "-3 nS", "-1e-300 ms", "- 1 ms", "--1",
    ];

    private static readonly string[] NotNumbers =
    [
        "NaN", "nan", ".nan", ".NaN", "NaN ms", "NaN mV", "Infinity", "-Infinity", "inf", "-inf ms", ".inf", "-.inf",
        "∞", "1e", "e5", "1.2.3 ms", "1 2 ms", "uniform(NaN mV, 1 mV)", "normal(0 mV, NaN mV)", "uniform(1 mV, Infinity mV)",
        "normal(0 mV, -1 mV)", "uniform(1 mV)", "uniform(1 mV, 2 mV, 3 mV)", "uniform(1 ms, 2 mV)", "beta(1, 2)", "(",
        ")", "uniform(", "0x10", "1 mV mV", "true", "null", "~", "", "ms",
    ];

    private static readonly string[] Junk =
    [
        ":", "- ", "[", "]", "{", "}", "&a ", "*a", "*nope", "!!binary ", "!!int ", "!custom ", "<<: ", "---\n", "...\n",
        "%YAML 1.2\n", "#", "\"", "'", "|", ">", "\t", "\0", "\uFEFF", "\r", "?", ",", "@", "`", "%", "!", "\\", "\u2028",
    ];

    private static readonly string[] ScalarSwaps = ["x", "0", "[]", "{}", "yes", "?", "'", "\"\"", "1 ms", "lif_delta"];

    private readonly Random _rng;
    private readonly Node _root;

    /// <summary>Starts from the YAML text of a valid model.</summary>
    public ModelMutator(string yaml, int seed)
    {
        _rng = new Random(seed);
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        _root = Convert(stream.Documents[0].RootNode);
    }

    /// <summary>The mutations applied, in order, for the report of a failing case.</summary>
    public List<Mutation> Applied { get; } = [];

    /// <summary>
    /// Applies one to three mutations (the slow ones, <see cref="Mutation.DeepNesting"/> and
    /// <see cref="Mutation.HugeString"/>, only when <paramref name="allowSlow"/>) and returns the file's bytes.
    /// </summary>
    public byte[] Mutate(bool allowSlow)
    {
        var fast = Enum.GetValues<Mutation>().Where(k => k is not (Mutation.DeepNesting or Mutation.HugeString)).ToArray();
        // Slow kinds are only chosen when asked for, and then first, so that each such case does exercise one.
        var first = allowSlow ? (_rng.Next(2) == 0 ? Mutation.DeepNesting : Mutation.HugeString) : Pick(fast);
        var plan = new List<Mutation> { first };
        for (int extra = _rng.Next(3); extra > 0; extra--) plan.Add(Pick(fast));
        Applied.AddRange(plan);
        foreach (var kind in plan.Where(IsTreeMutation)) MutateTree(kind);
        var text = _rng.Next(3) == 0 ? Json(_root) : Yaml(_root);
        foreach (var kind in plan.Where(k => k is Mutation.YamlSyntax or Mutation.TextDeletion)) text = MutateText(kind, text);
        var bytes = Encoding.UTF8.GetBytes(text);
        if (plan.Contains(Mutation.InvalidUtf8)) bytes = BreakUtf8(bytes);
        return bytes;
    }

    private static bool IsTreeMutation(Mutation k) => k is not (Mutation.YamlSyntax or Mutation.TextDeletion or Mutation.InvalidUtf8);

    private static Node Convert(YamlNode node) => node switch
    {
        YamlScalarNode s => new Scalar(s.Value ?? "", s.Style is not (YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any)),
        YamlSequenceNode q => new Seq(q.Children.Select(Convert).ToList()),
        YamlMappingNode m => new Map(m.Children.Select(kv => new KeyValuePair<string, Node>(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value))).ToList()),
        _ => throw new ArgumentException($"unexpected YAML node {node.GetType().Name}"),
    };

    /// <summary>Every mapping and list in the tree, so that one can be picked at random.</summary>
    private List<Node> Containers()
    {
        var all = new List<Node>();
        void Walk(Node n)
        {
            switch (n)
            {
                case Map m:
                    all.Add(m);
                    foreach (var e in m.Entries) Walk(e.Value);
                    break;
                case Seq s:
                    all.Add(s);
                    foreach (var i in s.Items) Walk(i);
                    break;
            }
        }
        Walk(_root);
        return all;
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    /// <summary>Replaces one child (entry value or list item) of a random non-empty container.</summary>
    private void ReplaceChild(Func<Node, Node> replace)
    {
        var candidates = Containers().Where(c => c is Map { Entries.Count: > 0 } or Seq { Items.Count: > 0 }).ToList();
        if (candidates.Count == 0) return;
        switch (Pick(candidates))
        {
            case Map m:
                int k = _rng.Next(m.Entries.Count);
                m.Entries[k] = new(m.Entries[k].Key, replace(m.Entries[k].Value));
                break;
            case Seq s:
                int i = _rng.Next(s.Items.Count);
                s.Items[i] = replace(s.Items[i]);
                break;
        }
    }

    /// <summary>Replaces one scalar, preferring ones that look numeric, for the number mutations.</summary>
    private void ReplaceScalar(Func<string, string> replace)
    {
        var scalars = new List<(Node Parent, int Index)>();
        void Walk(Node n)
        {
            if (n is Map m)
                for (int i = 0; i < m.Entries.Count; i++)
                {
                    if (m.Entries[i].Value is Scalar) scalars.Add((m, i));
                    else Walk(m.Entries[i].Value);
                }
            else if (n is Seq s)
                for (int i = 0; i < s.Items.Count; i++)
                {
                    if (s.Items[i] is Scalar) scalars.Add((s, i));
                    else Walk(s.Items[i]);
                }
        }
        Walk(_root);
        if (scalars.Count == 0) return;
        var numeric = scalars.Where(x => Value(x) is { Length: > 0 } t && (char.IsDigit(t[0]) || t[0] == '-' || t.Contains('('))).ToList();
        var (parent, index) = numeric.Count > 0 && _rng.Next(4) > 0 ? Pick(numeric) : Pick(scalars);
        var replaced = new Scalar(replace(Value((parent, index))));
        if (parent is Map map) map.Entries[index] = new(map.Entries[index].Key, replaced);
        else ((Seq)parent).Items[index] = replaced;
    }

    private static string Value((Node Parent, int Index) at) =>
        at.Parent is Map m ? ((Scalar)m.Entries[at.Index].Value).Text : ((Scalar)((Seq)at.Parent).Items[at.Index]).Text;

    /// <summary>The unit of a quantity such as "20 ms" (empty for a plain number), so that swapped numbers keep it half the time.</summary>
    private string KeepUnit(string old, string number)
    {
        int space = old.LastIndexOf(' ');
        return space > 0 && !old.Contains('(') && !number.Contains(' ') && _rng.Next(2) == 0 ? $"{number}{old[space..]}" : number;
    }

    private void MutateTree(Mutation kind)
    {
        switch (kind)
        {
            case Mutation.DeleteEntry:
            {
                var candidates = Containers().Where(c => c is Map { Entries.Count: > 0 } or Seq { Items.Count: > 0 }).ToList();
                if (candidates.Count == 0) return;
                var container = Pick(candidates);
                if (container is Map m) m.Entries.RemoveAt(_rng.Next(m.Entries.Count));
                else if (container is Seq s) s.Items.RemoveAt(_rng.Next(s.Items.Count));
                break;
            }
            case Mutation.SwapType:
                ReplaceChild(old => old switch
                {
                    Scalar => _rng.Next(3) switch
                    {
                        0 => new Seq([new Scalar(Pick(ScalarSwaps))]),
                        1 => new Map([new("a", new Scalar("1"))]),
                        _ => new Scalar(Pick(ScalarSwaps)),
                    },
                    Seq s => _rng.Next(2) == 0 ? new Scalar("[not a list]", Quoted: true) : new Map([new("0", s.Items.Count > 0 ? s.Items[0] : new Scalar("x"))]),
                    Map m => _rng.Next(2) == 0 ? new Scalar(Pick(ScalarSwaps)) : new Seq(m.Entries.Select(e => e.Value).ToList()),
                    _ => old,
                });
                break;
            case Mutation.HugeNumber:
                ReplaceScalar(old => KeepUnit(old, Pick(HugeNumbers)));
                break;
            case Mutation.NegativeNumber:
                ReplaceScalar(old => old.StartsWith('-') || _rng.Next(2) == 0 ? KeepUnit(old, Pick(Negatives)) : "-" + old);
                break;
            case Mutation.NotANumber:
                ReplaceScalar(old => KeepUnit(old, Pick(NotNumbers)));
                break;
            case Mutation.UnknownKey:
            {
                var maps = Containers().OfType<Map>().ToList();
                var key = Pick(["zz_unknown", "Name", "size ", "", "<<", "parameters", "1", "name"]);
                Pick(maps).Entries.Insert(0, new(key, new Scalar(Pick(ScalarSwaps))));
                break;
            }
            case Mutation.DuplicateEntry:
            {
                var seqs = Containers().OfType<Seq>().Where(s => s.Items.Count > 0).ToList();
                if (seqs.Count == 0) return;
                var seq = Pick(seqs);
                var item = Pick(seq.Items);
                for (int n = _rng.Next(1, 4); n > 0; n--) seq.Items.Add(item);
                break;
            }
            case Mutation.EmptyValue:
                ReplaceChild(_ => _rng.Next(3) switch { 0 => new Scalar(""), 1 => new Seq([]), _ => new Map([]) });
                break;
            case Mutation.AliasFanOut:
                // Many aliases of one list: cheap to write, large if a reader expanded every alias.
                ReplaceChild(_ =>
                {
                    int width = _rng.Next(2, 200);
                    var inner = "[" + string.Join(", ", Enumerable.Repeat("1 ms", width)) + "]";
                    var sb = new StringBuilder("[&l0 ").Append(inner);
                    int levels = _rng.Next(1, 6);
                    for (int l = 1; l < levels; l++)
                        sb.Append(", &l").Append(l).Append(" [").Append(string.Join(", ", Enumerable.Repeat($"*l{l - 1}", width))).Append(']');
                    return new Raw(sb.Append(']').ToString());
                });
                break;
            case Mutation.DeepNesting:
            {
                int depth = Pick([50, 63, 64, 65, 200, 10_000, 100_000]);
                bool lists = _rng.Next(2) == 0;
                var sb = new StringBuilder(depth * 4 + 8);
                for (int d = 0; d < depth; d++) sb.Append(lists ? "[" : "{a: ");
                sb.Append('1');
                for (int d = 0; d < depth; d++) sb.Append(lists ? ']' : '}');
                var nested = new Raw(sb.ToString());
                ReplaceChild(_ => nested);
                break;
            }
            case Mutation.HugeString:
            {
                int length = Pick([2 << 20, 100 << 20]);
                var huge = new Raw(new string(_rng.Next(2) == 0 ? 'a' : '9', length));
                ReplaceChild(_ => huge);
                break;
            }
        }
    }

    private string MutateText(Mutation kind, string text)
    {
        if (text.Length == 0) return text;
        int at = _rng.Next(text.Length);
        if (kind == Mutation.YamlSyntax) return text.Insert(at, Pick(Junk));
        int length = Math.Min(text.Length - at, _rng.Next(1, 40));
        return text.Remove(at, length);
    }

    private byte[] BreakUtf8(byte[] bytes)
    {
        byte[][] bad = [[0xFF], [0xC0, 0x80], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80], [0xFE, 0xFF]];
        var piece = Pick(bad);
        // At the very end half the time: a character cut short by a truncated upload.
        int at = _rng.Next(2) == 0 ? bytes.Length : _rng.Next(bytes.Length + 1);
        return [.. bytes.AsSpan(0, at), .. piece, .. bytes.AsSpan(at)];
    }

    // ----- writing the tree back -----

    /// <summary>Text YAML reads back unchanged without quotes (a leading '-' only before a digit).</summary>
    private static bool IsPlain(string s) =>
        s.Length > 0 && s[0] != ' ' && s[^1] != ' ' &&
        s.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '.' or '-' or '_' or '+' or '(' or ')') &&
        (s[0] != '-' || s.Length > 1 && char.IsAsciiDigit(s[1]));

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s)
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                < ' ' => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        return sb.Append('"').ToString();
    }

    private static string ScalarText(Scalar s) => !s.Quoted && IsPlain(s.Text) ? s.Text : Quote(s.Text);

    private static string Json(Node n) => n switch
    {
        Scalar s => ScalarText(s),
        Raw r => r.Text,
        Seq q => "[" + string.Join(", ", q.Items.Select(Json)) + "]",
        Map m => "{" + string.Join(", ", m.Entries.Select(e => $"{Quote(e.Key)}: {Json(e.Value)}")) + "}",
        _ => "",
    };

    private static string Yaml(Node root)
    {
        var sb = new StringBuilder();
        void Block(Map m, int indent)
        {
            foreach (var (key, value) in m.Entries)
            {
                sb.Append(' ', indent).Append(IsPlain(key) ? key : Quote(key)).Append(':');
                if (value is Map { Entries.Count: > 0 } inner)
                {
                    sb.Append('\n');
                    Block(inner, indent + 2);
                }
                else if (value is Seq { Items.Count: > 0 } seq)
                {
                    sb.Append('\n');
                    foreach (var item in seq.Items) sb.Append(' ', indent + 2).Append("- ").Append(Json(item)).Append('\n');
                }
                else sb.Append(' ').Append(Json(value)).Append('\n');
            }
        }
        if (root is Map m) Block(m, 0);
        else sb.Append(Json(root)).Append('\n');
        return sb.ToString();
    }
}
