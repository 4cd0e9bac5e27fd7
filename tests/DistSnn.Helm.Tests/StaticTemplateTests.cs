using YamlDotNet.RepresentationModel;

namespace DistSnn.Helm.Tests;

/// <summary>The static reading of templates itself: what it keeps, expands, substitutes and refuses.</summary>
public class StaticTemplateTests
{
    private const string Helpers = """
        {{/* A comment that spans
        two lines. */}}
        {{- define "t.name" -}}
        {{ default .Chart.Name .Values.nameOverride | trunc 63 }}
        {{- end }}
        {{- define "t.selector" -}}
        app: {{ include "t.name" . }}
        tier: node
        {{- end }}
        """;

    private static StaticTemplate Reader(string values = "port: 4053\nname: \"x\"\nres:\n  limits:\n    cpu: \"2\"\nempty: {}\nflag: true\n") =>
        new(ChartFiles.ParseMapping(values, "values"), Helpers);

    [Fact]
    public void ControlLinesAreDroppedAndBothBranchesKept()
    {
        string text = Reader().Render("""
            {{- if .Values.flag }}
            a: 1
            {{- else }}
            b: 2
            {{- end }}
            {{- $x := 3 }}
            """, "t.yaml");
        Assert.Equal("a: 1\nb: 2\n", text);
    }

    [Theory]
    [InlineData("flag: true\nname: \"\"\nlist: []\n", "a: 1\nd: 4\n")]
    [InlineData("flag: false\nname: \"x\"\nlist: [1]\n", "b: 2\nc: 3\ne: 1\n")]
    [InlineData("flag: 0\nname: \"\"\nlist: []\n", "b: 2\nd: 4\n")]
    public void EvaluatedConditionsKeepOnlyTheBranchTheValuesTake(string values, string expected)
    {
        var reader = new StaticTemplate(ChartFiles.ParseMapping(values, "values"), Helpers, evaluateConditions: true);
        string text = reader.Render("""
            {{- if .Values.flag }}
            a: 1
            {{- else }}
            b: 2
            {{- end }}
            {{- if .Values.name }}
            c: 3
            {{- end }}
            {{- if not .Values.name }}
            d: 4
            {{- end }}
            {{- with .Values.list }}
            e: {{ len . }}
            {{- end }}
            """, "t.yaml");
        Assert.Equal(expected.Replace("e: 1", "e: " + reader.PlaceholderFor("len ."), StringComparison.Ordinal), text);
    }

    [Fact]
    public void EvaluatedConditionOnAMissingValueNamesIt()
    {
        var reader = new StaticTemplate(ChartFiles.ParseMapping("flag: true\n", "values"), Helpers, evaluateConditions: true);
        var e = Assert.Throws<InvalidDataException>(() => reader.Render("{{- if .Values.tls.enabled }}\na: 1\n{{- end }}\n", "t.yaml"));
        Assert.Contains("t.yaml:1: values has no 'tls'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValuesAreSubstitutedKeepingTheirQuoting()
    {
        var reader = Reader();
        string text = reader.Render("""
            port: {{ .Values.port }}
            quoted: {{ .Values.port | quote }}
            name: {{ .Values.name }}
            url: "http://0.0.0.0:{{ .Values.port }}"
            other: {{ .Release.Name }}
            """, "t.yaml");
        Assert.Equal($"port: 4053\nquoted: \"4053\"\nname: \"x\"\nurl: \"http://0.0.0.0:4053\"\nother: {reader.PlaceholderFor(".Release.Name")}\n", text);
        Assert.Equal("tpl1", reader.PlaceholderFor(" .Release.Name "));
    }

    [Fact]
    public void IncludesExpandInlineAndAsIndentedLines()
    {
        var reader = Reader();
        var doc = reader.Parse("""
            metadata:
              name: {{ include "t.name" . }}-headless
            selector:
              {{- include "t.selector" . | nindent 2 }}
            """, "t.yaml").Single();
        string name = reader.PlaceholderFor("default .Chart.Name .Values.nameOverride | trunc 63");
        Assert.Equal(name + "-headless", doc.Map("metadata").Str("name"));
        Assert.Equal(new Dictionary<string, string> { ["app"] = name, ["tier"] = "node" }, doc.Map("selector").Labels());
    }

    [Fact]
    public void ToYamlWritesTheValuesSubtree()
    {
        var doc = Reader().Parse("""
            resources:
              {{- toYaml .Values.res | nindent 2 }}
            {{- with .Values.empty }}
            extra:
              {{- toYaml . | nindent 2 }}
            {{- end }}
            """, "t.yaml").Single();
        Assert.Equal("2", doc.Map("resources").Map("limits").Str("cpu"));
        Assert.Equal(YamlDotNet.Core.ScalarStyle.DoubleQuoted, ScalarStyleOf(doc.Map("resources").Map("limits"), "cpu"));
        Assert.True(doc.Has("extra"));
    }

    [Fact]
    public void MissingValueIsAnErrorNamingThePath()
    {
        var e = Assert.Throws<InvalidDataException>(() => Reader().Render("a: {{ .Values.res.requests.cpu }}\n", "t.yaml"));
        Assert.Contains("t.yaml:1", e.Message, StringComparison.Ordinal);
        Assert.Contains("'res.requests'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValuesInsideWithAreAnError()
    {
        var e = Assert.Throws<InvalidDataException>(() => Reader().Render("""
            {{- with .Values.res }}
            a: {{ .Values.port }}
            {{- end }}
            """, "t.yaml"));
        Assert.Contains("t.yaml:2", e.Message, StringComparison.Ordinal);
        Assert.Contains("$.Values", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnclosedBlockAndBrokenYamlAreErrors()
    {
        Assert.Contains("not closed", Assert.Throws<InvalidDataException>(() => Reader().Render("{{- if .Values.flag }}\na: 1\n", "t.yaml")).Message,
            StringComparison.Ordinal);
        var e = Assert.Throws<InvalidDataException>(() => Reader().Parse("a:\n  b: 1\n c: 2\n", "t.yaml"));
        Assert.Contains("t.yaml", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LargeNumbersMustBePrintedAsIntegers()
    {
        var reader = Reader("frame: 33554432\nport: 4053\n");
        var e = Assert.Throws<InvalidDataException>(() => reader.Render("a: {{ .Values.frame | quote }}\n", "t.yaml"));
        Assert.Contains("t.yaml:1", e.Message, StringComparison.Ordinal);
        Assert.Contains("int64", e.Message, StringComparison.Ordinal);
        Assert.Equal("a: \"33554432\"\nb: 4053\n", reader.Render("a: {{ .Values.frame | int64 | quote }}\nb: {{ .Values.port }}\n", "t.yaml"));
    }

    [Fact]
    public void DefinesAreReadFromTheHelpers()
    {
        var defines = StaticTemplate.ReadDefines(Helpers);
        Assert.Equal(["t.name", "t.selector"], defines.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("app: {{ include \"t.name\" . }}\ntier: node", defines["t.selector"]);
    }

    private static YamlDotNet.Core.ScalarStyle ScalarStyleOf(YamlMappingNode map, string key) =>
        ((YamlScalarNode)map.Children[new YamlScalarNode(key)]).Style;
}
