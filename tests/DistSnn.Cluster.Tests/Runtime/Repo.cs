namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>Locates files of the repository from the test's output folder.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Example(string name) => Path.Combine(Root, "examples", name);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DistSnn.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("DistSnn.sln not found above " + AppContext.BaseDirectory);
    }
}
