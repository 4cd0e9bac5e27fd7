using System.Globalization;
using System.Text;

namespace DistSnn.Model;

public static partial class ModelWriter
{
    /// <summary>
    /// A model file as a small tree, built once from the spec and rendered as YAML or JSON, so that both formats
    /// say exactly the same thing.
    /// </summary>
    private abstract class Node;

    /// <summary>
    /// A scalar. <see cref="Bare"/> scalars (numbers, booleans) are written without quotes in both formats; the
    /// others are strings: quoted in JSON, and in YAML quoted only when a plain scalar would read differently.
    /// </summary>
    private sealed class Scalar(string text, bool bare) : Node
    {
        public string Text { get; } = text;
        public bool Bare { get; } = bare;
    }

    /// <summary>Keys in insertion order. <see cref="Flow"/> maps are written on one line (<c>{a: 1, b: 2}</c>).</summary>
    private sealed class MapNode(bool flow = false) : Node
    {
        public List<KeyValuePair<string, Node>> Entries { get; } = [];
        public bool Flow { get; } = flow;

        public MapNode Add(string key, Node value)
        {
            Entries.Add(new(key, value));
            return this;
        }

        /// <summary>Replaces the value of <paramref name="key"/> where it stands, or adds it at the end.</summary>
        public void Set(string key, Node value)
        {
            int i = Entries.FindIndex(e => e.Key == key);
            if (i >= 0) Entries[i] = new(key, value);
            else Entries.Add(new(key, value));
        }
    }

    /// <summary>A list; lists of scalars, and lists marked <see cref="Flow"/>, are written on one line.</summary>
    private sealed class SeqNode(bool flow = false) : Node
    {
        public List<Node> Items { get; } = [];
        public bool Flow => flow || Items.All(i => i is Scalar);
    }

    private static Scalar Str(string text) => new(text, bare: false);

    private static Scalar Num(long value) => new(value.ToString(CultureInfo.InvariantCulture), bare: true);

    private static Scalar Num(ulong value) => new(value.ToString(CultureInfo.InvariantCulture), bare: true);

    private static Scalar Bool(bool value) => new(value ? "true" : "false", bare: true);

    // ----- YAML -----

    private static string RenderYaml(MapNode root)
    {
        var sb = new StringBuilder();
        WriteBlockMap(sb, root, 0);
        return sb.ToString();
    }

    /// <summary>Writes the entries of a block mapping, each on its own line at <paramref name="indent"/>.</summary>
    private static void WriteBlockMap(StringBuilder sb, MapNode map, int indent, bool firstLineIndented = true)
    {
        bool first = true;
        foreach (var (key, value) in map.Entries)
        {
            if (!first || firstLineIndented) sb.Append(' ', indent);
            first = false;
            sb.Append(YamlScalar(key)).Append(':');
            WriteBlockValue(sb, value, indent);
        }
    }

    /// <summary>Writes the value after "key:"; nested block collections go on the following lines.</summary>
    private static void WriteBlockValue(StringBuilder sb, Node value, int indent)
    {
        switch (value)
        {
            case MapNode { Flow: false, Entries.Count: > 0 } m:
                sb.Append('\n');
                WriteBlockMap(sb, m, indent + 2);
                break;
            case SeqNode { Flow: false } s:
                sb.Append('\n');
                WriteBlockSeq(sb, s, indent + 2);
                break;
            default:
                sb.Append(' ');
                WriteFlow(sb, value, yaml: true);
                sb.Append('\n');
                break;
        }
    }

    private static void WriteBlockSeq(StringBuilder sb, SeqNode seq, int indent)
    {
        foreach (var item in seq.Items)
        {
            sb.Append(' ', indent).Append("- ");
            if (item is MapNode { Flow: false, Entries.Count: > 0 } m)
            {
                // The first key shares the line with the dash; the others line up under it.
                WriteBlockMap(sb, m, indent + 2, firstLineIndented: false);
            }
            else if (item is SeqNode { Flow: false } s)
            {
                sb.Append('\n');
                WriteBlockSeq(sb, s, indent + 2);
            }
            else
            {
                WriteFlow(sb, item, yaml: true);
                sb.Append('\n');
            }
        }
    }

    /// <summary>Writes a node on one line: <c>{a: 1}</c>, <c>[1, 2]</c> or a scalar (YAML or JSON spelling).</summary>
    private static void WriteFlow(StringBuilder sb, Node node, bool yaml)
    {
        switch (node)
        {
            case Scalar s:
                sb.Append(s.Bare ? s.Text : yaml ? YamlScalar(s.Text) : Quoted(s.Text));
                break;
            case MapNode m:
                sb.Append('{');
                for (int i = 0; i < m.Entries.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(yaml ? YamlScalar(m.Entries[i].Key) : Quoted(m.Entries[i].Key)).Append(": ");
                    WriteFlow(sb, m.Entries[i].Value, yaml);
                }
                sb.Append('}');
                break;
            case SeqNode q:
                sb.Append('[');
                for (int i = 0; i < q.Items.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    WriteFlow(sb, q.Items[i], yaml);
                }
                sb.Append(']');
                break;
        }
    }

    /// <summary>
    /// A string as a YAML scalar: plain when that reads back as the same string, double-quoted otherwise. Plain is
    /// kept to a conservative alphabet (letters, digits, <c>_ . + -</c> and inner single spaces), which covers
    /// names and quantities such as <c>-50 mV</c> or <c>1E-05 ms</c>; anything with commas, colons, brackets,
    /// quotes or a leading indicator (e.g. <c>uniform(0 mV, 20 mV)</c>, <c>- x</c>) is quoted, and so are words
    /// YAML tools read as null or booleans.
    /// </summary>
    private static string YamlScalar(string s) => IsPlainSafe(s) ? s : Quoted(s);

    private static readonly HashSet<string> ReservedWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "null", "~", "true", "false", "yes", "no", "on", "off",
    };

    private static bool IsPlainSafe(string s)
    {
        if (s.Length == 0 || ReservedWords.Contains(s) || s[^1] == ' ') return false;
        char c0 = s[0];
        // A sign or point may start a plain scalar only as part of a number ("-50 mV", ".5", "-.5"), never as
        // "- ", "--- " or "... ", which YAML reads as structure.
        bool startsOk = IsAsciiLetterOrDigit(c0) || c0 == '_' ||
                        (c0 is '-' or '+' or '.' && s.Length > 1 && char.IsAsciiDigit(s[1])) ||
                        (c0 is '-' or '+' && s.Length > 2 && s[1] == '.' && char.IsAsciiDigit(s[2]));
        if (!startsOk) return false;
        for (int i = 1; i < s.Length; i++)
        {
            char c = s[i];
            if (IsAsciiLetterOrDigit(c) || c is '_' or '.' or '+' or '-') continue;
            if (c == ' ' && s[i - 1] != ' ') continue;
            return false;
        }
        return true;
    }

    private static bool IsAsciiLetterOrDigit(char c) => char.IsAsciiLetterOrDigit(c);

    /// <summary>
    /// A double-quoted string, valid both as JSON and as a YAML double-quoted scalar. Only <c>"</c>, <c>\</c> and
    /// characters that are not printable in YAML (controls, DEL and C1 controls, line and paragraph separators,
    /// byte-order marks, lone surrogates) are escaped, as <c>\uXXXX</c>; other text, non-ASCII included, is kept.
    /// </summary>
    private static string Quoted(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '"') sb.Append("\\\"");
            else if (c == '\\') sb.Append("\\\\");
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                sb.Append(c).Append(s[i + 1]);
                i++;
            }
            else if (c < 0x20 || c is >= '\u007F' and <= '\u009F' || c is '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF' ||
                     char.IsSurrogate(c))
                sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    // ----- JSON -----

    private static string RenderJson(MapNode root)
    {
        var sb = new StringBuilder();
        WriteJson(sb, root, 0);
        sb.Append('\n');
        return sb.ToString();
    }

    /// <summary>Indented JSON; flow maps and lists of scalars stay on one line, as in the YAML rendering.</summary>
    private static void WriteJson(StringBuilder sb, Node node, int indent)
    {
        switch (node)
        {
            case MapNode { Flow: false, Entries.Count: > 0 } m:
                sb.Append("{\n");
                for (int i = 0; i < m.Entries.Count; i++)
                {
                    sb.Append(' ', indent + 2).Append(Quoted(m.Entries[i].Key)).Append(": ");
                    WriteJson(sb, m.Entries[i].Value, indent + 2);
                    sb.Append(i + 1 < m.Entries.Count ? ",\n" : "\n");
                }
                sb.Append(' ', indent).Append('}');
                break;
            case SeqNode { Flow: false } s:
                sb.Append("[\n");
                for (int i = 0; i < s.Items.Count; i++)
                {
                    sb.Append(' ', indent + 2);
                    WriteJson(sb, s.Items[i], indent + 2);
                    sb.Append(i + 1 < s.Items.Count ? ",\n" : "\n");
                }
                sb.Append(' ', indent).Append(']');
                break;
            default:
                WriteFlow(sb, node, yaml: false);
                break;
        }
    }
}
