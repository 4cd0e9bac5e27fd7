using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DistSnn.Helm.Tests;

/// <summary>
/// Reads the static structure of a Helm template without Helm: the YAML the template describes with every
/// conditional block present once. No helm binary is available to the tests, so this reading stands in for
/// <c>helm template</c>; the chart's templates are kept simple enough for it.
/// <list type="bullet">
/// <item>Lines holding only control actions (<c>if</c>, <c>else</c>, <c>end</c>, <c>with</c>, <c>range</c>,
/// variable assignments, comments) are dropped.</item>
/// <item><c>{{ include "x" . }}</c> of a define in <c>_helpers.tpl</c> is expanded, inline or as lines (with
/// <c>nindent</c>).</item>
/// <item><c>{{ .Values.a.b }}</c> (optionally <c>| quote</c>) and <c>{{ toYaml .Values.a | nindent n }}</c> take
/// their value from the values file; a path the values file lacks is an error, and so is <c>.Values</c> or
/// <c>include ... .</c> inside <c>with</c>/<c>range</c>, where <c>.</c> is no longer the root.</item>
/// <item>Any other action becomes a placeholder scalar (<c>tpl1</c>, <c>tpl2</c>, ...), the same for the same
/// expression everywhere, so names built by helpers can be compared across templates.</item>
/// <item>When asked to evaluate conditions, <c>if .Values.a</c>, <c>if not .Values.a</c> (with their <c>else</c>)
/// and <c>with .Values.a</c> keep or drop their block as Helm would for these values (false, 0, null and empty
/// are false); any other condition keeps its block.</item>
/// </list>
/// </summary>
public sealed partial class StaticTemplate
{
    private const int MaxIncludeDepth = 10;
    private static readonly HashSet<string> BlockOpeners = new(StringComparer.Ordinal) { "if", "range", "with", "define", "block" };

    private readonly YamlMappingNode values;
    private readonly bool evaluateConditions;
    private readonly Dictionary<string, string> defines;
    private readonly Dictionary<string, string> placeholders = new(StringComparer.Ordinal);

    /// <summary>Creates a reader for templates of one chart.</summary>
    /// <param name="values">The chart's values (values.yaml, possibly merged with overrides).</param>
    /// <param name="helpers">Text of <c>_helpers.tpl</c> (its defines are expanded by <c>include</c>).</param>
    /// <param name="evaluateConditions">Drop the blocks whose simple values condition is false (see the class remarks).</param>
    public StaticTemplate(YamlMappingNode values, string helpers, bool evaluateConditions = false)
    {
        this.values = values;
        this.evaluateConditions = evaluateConditions;
        defines = ReadDefines(helpers);
    }

    /// <summary>Names of the defines found in the helpers.</summary>
    public IReadOnlyCollection<string> Defines => defines.Keys;

    /// <summary>The placeholder that stands for an action's expression (whitespace-normalised).</summary>
    public string PlaceholderFor(string expression)
    {
        string key = Normalize(expression);
        if (!placeholders.TryGetValue(key, out var token))
            placeholders[key] = token = "tpl" + (placeholders.Count + 1);
        return token;
    }

    /// <summary>Renders the static structure of <paramref name="template"/>; <paramref name="source"/> names it in errors.</summary>
    public string Render(string template, string source)
    {
        var lines = RenderLines(StripComments(template), source, 0);
        return string.Join('\n', lines).TrimEnd('\n') + "\n";
    }

    /// <summary>Renders and parses a template into its YAML documents (each a mapping; empty documents are skipped).</summary>
    public IReadOnlyList<YamlMappingNode> Parse(string template, string source)
    {
        string text = Render(template, source);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            string[] lines = text.Split('\n');
            long line = e.Start.Line;
            string at = line >= 1 && line <= lines.Length ? lines[line - 1] : "";
            throw new InvalidDataException($"{source}: static structure is not valid YAML at rendered line {line} ('{at.Trim()}'): {e.Message}", e);
        }
        var docs = new List<YamlMappingNode>();
        foreach (var doc in stream.Documents)
        {
            if (doc.RootNode is YamlScalarNode { Value: null or "" }) continue;
            docs.Add(doc.RootNode as YamlMappingNode
                ?? throw new InvalidDataException($"{source}: a document is a {doc.RootNode.NodeType}, not a mapping"));
        }
        return docs;
    }

    /// <summary>The define bodies of a helpers file, by name (leading and trailing line breaks removed).</summary>
    public static Dictionary<string, string> ReadDefines(string helpers)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string text = StripComments(helpers);
        string? name = null;
        int bodyStart = 0, depth = 0;
        // A define ends at the end that closes it, so blocks (if/else) nested inside a define stay in its body.
        foreach (Match action in ActionRegex().Matches(text))
        {
            string expression = Normalize(action.Groups["expr"].Value);
            string first = FirstWord(expression);
            if (name is null)
            {
                var define = DefineRegex().Match(expression);
                if (!define.Success) continue;
                (name, bodyStart, depth) = (define.Groups["name"].Value, action.Index + action.Length, 0);
            }
            else if (BlockOpeners.Contains(first)) depth++;
            else if (first == "end" && depth > 0) depth--;
            else if (first == "end")
            {
                if (!result.TryAdd(name, text[bodyStart..action.Index].Trim('\n', '\r')))
                    throw new InvalidDataException($"_helpers.tpl: define \"{name}\" appears twice");
                name = null;
            }
        }
        if (name is not null) throw new InvalidDataException($"_helpers.tpl: define \"{name}\" is not closed by {{{{ end }}}}");
        return result;
    }

    private static string StripComments(string text) => CommentRegex().Replace(text, "");

    private static string Normalize(string expression) => WhitespaceRegex().Replace(expression.Trim(), " ");

    private List<string> RenderLines(string text, string source, int depth)
    {
        if (depth > MaxIncludeDepth) throw new InvalidDataException($"{source}: includes nested deeper than {MaxIncludeDepth}");
        var output = new List<string>();
        var scopes = new Stack<Scope>();
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string where = $"{source}:{i + 1}";
            var actions = ActionRegex().Matches(line);
            if (actions.Count == 0)
            {
                if (scopes.Any(s => s.Condition == false)) continue;
                output.Add(line);
                continue;
            }
            string rest = ActionRegex().Replace(line, "");
            var expressions = actions.Select(a => Normalize(a.Groups["expr"].Value)).ToList();
            if (rest.Trim().Length == 0 && expressions.All(IsControl))
            {
                foreach (var e in expressions) Enter(scopes, e, where);
                continue;
            }
            if (scopes.Any(s => s.Condition == false)) continue;
            if (expressions.Any(IsControl))
                throw new InvalidDataException($"{where}: a control action shares its line with other text; put it on its own line");
            if (rest.Trim().Length == 0 && expressions.Count == 1)
            {
                string leading = line[..(line.Length - line.TrimStart().Length)];
                output.AddRange(OutputLine(expressions[0], leading, scopes, where, depth));
                continue;
            }
            output.Add(ActionRegex().Replace(line, a => Inline(Normalize(a.Groups["expr"].Value), scopes, where, depth)));
        }
        if (scopes.Count != 0) throw new InvalidDataException($"{source}: {scopes.Count} block(s) not closed by {{{{ end }}}}");
        return output;
    }

    private static bool IsControl(string expression)
    {
        string first = FirstWord(expression);
        return BlockOpeners.Contains(first) || first is "end" or "else" || AssignmentRegex().IsMatch(expression);
    }

    private static string FirstWord(string expression)
    {
        int space = expression.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? expression : expression[..space];
    }

    private void Enter(Stack<Scope> scopes, string expression, string where)
    {
        string first = FirstWord(expression);
        if (first == "end")
        {
            if (scopes.Count == 0) throw new InvalidDataException($"{where}: {{{{ end }}}} without an open block");
            scopes.Pop();
        }
        else if (first == "else")
        {
            if (scopes.Count == 0) throw new InvalidDataException($"{where}: {{{{ else }}}} without an open block");
            if (scopes.Peek().Condition is bool taken)
            {
                if (expression != "else")
                    throw new InvalidDataException($"{where}: '{expression}' after an evaluated condition is not supported; use a plain else");
                var open = scopes.Pop();
                scopes.Push(open with { Condition = !taken });
            }
        }
        else if (first == "with")
        {
            var dot = ResolveValue(expression[4..].Trim(), scopes, where);
            bool? condition = evaluateConditions && IsValuesPath(expression[4..].Trim()) ? IsTruthy(dot) : null;
            scopes.Push(new Scope(first, dot, condition));
        }
        else if (first == "if") scopes.Push(new Scope(first, null, evaluateConditions ? EvaluateCondition(expression[2..].Trim(), scopes, where) : null));
        else if (BlockOpeners.Contains(first)) scopes.Push(new Scope(first, null, null));
    }

    /// <summary>The value of <c>.Values.a</c> or <c>not .Values.a</c>; null for any other condition.</summary>
    private bool? EvaluateCondition(string condition, Stack<Scope> scopes, string where)
    {
        bool negated = condition.StartsWith("not ", StringComparison.Ordinal);
        string argument = negated ? condition[4..].Trim() : condition;
        if (!IsValuesPath(argument)) return null;
        bool truthy = IsTruthy(ResolveValue(argument, scopes, where));
        return negated ? !truthy : truthy;
    }

    private static bool IsValuesPath(string argument) => ValuesPathRegex().IsMatch(argument);

    /// <summary>Helm's truth of a values node: false, 0, null, an empty string and an empty collection are false.</summary>
    private static bool IsTruthy(YamlNode? node) => node switch
    {
        null => false,
        YamlMappingNode m => m.Children.Count > 0,
        YamlSequenceNode s => s.Children.Count > 0,
        YamlScalarNode { Style: ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted } q => !string.IsNullOrEmpty(q.Value),
        YamlScalarNode p => p.Value is not (null or "" or "~" or "null" or "false" or "0"),
        _ => true,
    };

    /// <summary>An action alone on its line: expanded includes and toYaml, or one inline value.</summary>
    private IEnumerable<string> OutputLine(string expression, string leading, Stack<Scope> scopes, string where, int depth)
    {
        var parts = SplitPipeline(expression);
        int? indent = null;
        var indentMatch = IndentRegex().Match(parts[^1]);
        if (indentMatch.Success)
        {
            indent = int.Parse(indentMatch.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture);
            parts.RemoveAt(parts.Count - 1);
        }
        string pad = new(' ', indent ?? leading.Length);
        if (parts.Count == 1 && IncludeName(parts[0], scopes, where) is { } name)
            return RenderLines(defines[name], $"define \"{name}\"", depth + 1).Where(l => l.Trim().Length > 0).Select(l => pad + l);
        if (parts.Count == 1 && parts[0].StartsWith("toYaml ", StringComparison.Ordinal))
        {
            var node = ResolveValue(parts[0][7..].Trim(), scopes, where);
            if (node is null) return [];
            var lines = new List<string>();
            EmitYaml(node, 0, lines);
            return lines.Select(l => pad + l);
        }
        // Other multi-line output (file contents, unknown objects) has no static shape: left out.
        if (indent is not null) return [];
        return [leading + Inline(expression, scopes, where, depth)];
    }

    /// <summary>The text an action stands for inside a line: a value, a one-line include, or a placeholder.</summary>
    private string Inline(string expression, Stack<Scope> scopes, string where, int depth)
    {
        var parts = SplitPipeline(expression);
        string? raw = null;
        bool quoted = false, helmFloat = false;
        if (IncludeName(parts[0], scopes, where) is { } name)
        {
            var lines = RenderLines(defines[name], $"define \"{name}\"", depth + 1).Where(l => l.Trim().Length > 0).ToList();
            if (lines.Count == 1) raw = lines[0].Trim();
        }
        else if (ResolveValue(parts[0], scopes, where) is YamlScalarNode scalar)
        {
            raw = scalar.Value ?? "";
            quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
            // Helm reads every plain number of the values as a float64.
            helmFloat = !quoted && long.TryParse(raw, out _);
        }
        foreach (var function in parts.Skip(1))
        {
            if (raw is null) break;
            if (function == "quote") quoted = true;
            else if (function is "int" or "int64" && helmFloat) helmFloat = false;
            else raw = null;
        }
        // Go prints a float64 of a million or more as 3.3554432e+07, which the node cannot read as an integer.
        if (raw is not null && helmFloat && Math.Abs(long.Parse(raw, System.Globalization.CultureInfo.InvariantCulture)) >= 1_000_000)
            throw new InvalidDataException($"{where}: {expression} is {raw}, which Helm prints in float notation; pipe it through int64");
        if (raw is null) return PlaceholderFor(expression);
        return quoted ? JsonSerializer.Serialize(raw) : raw;
    }

    /// <summary>The define named by <c>include "name" .</c>, or null when the segment is no such include.</summary>
    private string? IncludeName(string segment, Stack<Scope> scopes, string where)
    {
        var m = IncludeRegex().Match(segment);
        if (!m.Success) return null;
        string name = m.Groups["name"].Value;
        if (!defines.ContainsKey(name)) return null;
        if (m.Groups["ctx"].Value == "." && scopes.Any(s => s.Kind is "with" or "range"))
            throw new InvalidDataException($"{where}: include \"{name}\" . inside with/range passes the wrong context; use $");
        return name;
    }

    /// <summary>
    /// The values node an argument names: <c>.Values.a.b</c> or <c>$.Values.a.b</c>, or <c>.</c> inside
    /// <c>with</c>. Null for anything else (not a values reference).
    /// </summary>
    private YamlNode? ResolveValue(string argument, Stack<Scope> scopes, string where)
    {
        if (argument == ".")
        {
            foreach (var scope in scopes)
            {
                if (scope.Kind == "with") return scope.Dot;
                if (scope.Kind is "range" or "define" or "block") return null;
            }
            return null;
        }
        var m = ValuesPathRegex().Match(argument);
        if (!m.Success) return null;
        if (m.Groups["root"].Value.Length == 0 && scopes.Any(s => s.Kind is "with" or "range"))
            throw new InvalidDataException($"{where}: {argument} inside with/range does not reach the values; use $.Values");
        YamlNode node = values;
        string path = "";
        foreach (var key in m.Groups["path"].Value.Split('.'))
        {
            path = path.Length == 0 ? key : path + "." + key;
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var child))
                throw new InvalidDataException($"{where}: values has no '{path}' (referenced as {argument})");
            node = child;
        }
        return node;
    }

    private static List<string> SplitPipeline(string expression)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        bool inString = false;
        foreach (char c in expression)
        {
            if (c == '"') inString = !inString;
            if (c == '|' && !inString)
            {
                parts.Add(current.ToString().Trim());
                current.Clear();
            }
            else current.Append(c);
        }
        parts.Add(current.ToString().Trim());
        return parts;
    }

    /// <summary>Block-style YAML of a values node, as <c>toYaml</c> writes it (empty collections write nothing).</summary>
    private static void EmitYaml(YamlNode node, int indent, List<string> lines)
    {
        string pad = new(' ', indent);
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    string k = Scalar((YamlScalarNode)key);
                    if (value is YamlScalarNode s) lines.Add($"{pad}{k}: {Scalar(s)}");
                    else if (IsEmpty(value)) lines.Add($"{pad}{k}: {(value is YamlMappingNode ? "{}" : "[]")}");
                    else
                    {
                        lines.Add($"{pad}{k}:");
                        EmitYaml(value, indent + 2, lines);
                    }
                }
                break;
            case YamlSequenceNode seq:
                foreach (var item in seq.Children)
                {
                    if (item is YamlScalarNode s) lines.Add($"{pad}- {Scalar(s)}");
                    else
                    {
                        lines.Add($"{pad}-");
                        EmitYaml(item, indent + 2, lines);
                    }
                }
                break;
            case YamlScalarNode scalar:
                lines.Add(pad + Scalar(scalar));
                break;
        }
    }

    private static bool IsEmpty(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.Count == 0,
        YamlSequenceNode s => s.Children.Count == 0,
        _ => false,
    };

    private static string Scalar(YamlScalarNode s) =>
        s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted ? JsonSerializer.Serialize(s.Value ?? "") : s.Value ?? "";

    /// <summary>An open block; <paramref name="Condition"/> is null when the block is kept whatever the values.</summary>
    private sealed record Scope(string Kind, YamlNode? Dot, bool? Condition);

    [GeneratedRegex(@"\{\{-?(?<expr>.*?)-?\}\}")]
    private static partial Regex ActionRegex();

    [GeneratedRegex(@"\{\{-?\s*/\*.*?\*/\s*-?\}\}[ \t]*", RegexOptions.Singleline)]
    private static partial Regex CommentRegex();

    [GeneratedRegex(@"^define\s+""(?<name>[^""]+)""$")]
    private static partial Regex DefineRegex();

    [GeneratedRegex(@"^include\s+""(?<name>[^""]+)""\s+(?<ctx>\S+)$")]
    private static partial Regex IncludeRegex();

    [GeneratedRegex(@"^(?<root>\$?)\.Values\.(?<path>[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*)$")]
    private static partial Regex ValuesPathRegex();

    [GeneratedRegex(@"^n?indent\s+(?<n>\d+)$")]
    private static partial Regex IndentRegex();

    [GeneratedRegex(@"^\$[A-Za-z0-9_]*\s*:?=")]
    private static partial Regex AssignmentRegex();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRegex();
}
