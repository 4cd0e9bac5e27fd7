using YamlDotNet.RepresentationModel;

namespace DistSnn.Helm.Tests;

/// <summary>Paths and plain-YAML files of the chart in <c>helm/distsnn</c>.</summary>
public static class ChartFiles
{
    /// <summary>The repository root (the folder holding DistSnn.sln).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The chart folder.</summary>
    public static string ChartDir { get; } = Path.Combine(RepoRoot, "helm", "distsnn");

    /// <summary>The chart's templates folder.</summary>
    public static string TemplatesDir { get; } = Path.Combine(ChartDir, "templates");

    /// <summary>Loads a YAML file of the chart whose single document is a mapping.</summary>
    public static YamlMappingNode LoadMapping(string relativePath) => ParseMapping(File.ReadAllText(Path.Combine(ChartDir, relativePath)), relativePath);

    /// <summary>Parses YAML text whose single document is a mapping; <paramref name="source"/> names it in errors.</summary>
    public static YamlMappingNode ParseMapping(string text, string source)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode map)
            throw new InvalidDataException($"{source}: expected one YAML document holding a mapping");
        return map;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DistSnn.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("DistSnn.sln not found above " + AppContext.BaseDirectory);
    }
}
