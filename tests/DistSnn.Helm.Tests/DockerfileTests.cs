using System.Text.RegularExpressions;

namespace DistSnn.Helm.Tests;

/// <summary>The node image's Dockerfile agrees with the project and with the chart (it cannot be built here).</summary>
public partial class DockerfileTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(ChartFiles.RepoRoot, "Dockerfile"));

    [Fact]
    public void BuildsWithTheSdkAndRunsOnTheAspNetRuntime()
    {
        var from = Lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, from.Count);
        Assert.Contains("mcr.microsoft.com/dotnet/sdk:10.0 AS build", from[0], StringComparison.Ordinal);
        Assert.Equal("FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime", from[1]);
        Assert.Contains(Lines, l => l.StartsWith("COPY --from=build /app .", StringComparison.Ordinal));
    }

    [Fact]
    public void RunsTheCliAsTheChartsNonRootUser()
    {
        // USER names the numeric id (ARG UID), which must be the chart's runAsUser: runAsNonRoot needs a number.
        string uid = Lines.Select(l => UidArgRegex().Match(l)).Single(m => m.Success).Groups["uid"].Value;
        Assert.Equal("USER ${UID}:${UID}", Lines.Single(l => l.StartsWith("USER ", StringComparison.Ordinal)));
        Assert.NotEqual("0", uid);
        Assert.Equal(ChartFiles.LoadMapping("values.yaml").Map("securityContext").Str("runAsUser"), uid);

        // The published program is distsnn.dll (AssemblyName of the CLI project), started from an absolute path
        // because the chart changes the working directory.
        string csproj = File.ReadAllText(Path.Combine(ChartFiles.RepoRoot, "cluster", "DistSnn.Cli", "DistSnn.Cli.csproj"));
        Assert.Contains("<AssemblyName>distsnn</AssemblyName>", csproj, StringComparison.Ordinal);
        Assert.Contains(Lines, l => l.Contains("dotnet publish cluster/DistSnn.Cli/DistSnn.Cli.csproj", StringComparison.Ordinal));
        Assert.Equal("ENTRYPOINT [\"dotnet\", \"/app/distsnn.dll\"]", Lines.Single(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)));
        Assert.Equal("CMD [\"node\"]", Lines.Single(l => l.StartsWith("CMD", StringComparison.Ordinal)));
    }

    [Fact]
    public void ExposesTheChartsPorts()
    {
        var ports = ChartFiles.LoadMapping("values.yaml").Map("ports");
        Assert.Equal($"EXPOSE {ports.Str("remoting")} {ports.Str("management")} {ports.Str("admin")}",
            Lines.Single(l => l.StartsWith("EXPOSE", StringComparison.Ordinal)));
    }

    [Fact]
    public void BuildContextLeavesOutBuildOutputs()
    {
        var ignored = File.ReadAllLines(Path.Combine(ChartFiles.RepoRoot, ".dockerignore"));
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains(".git/", ignored);
    }

    [GeneratedRegex(@"^ARG UID=(?<uid>\d+)$")]
    private static partial Regex UidArgRegex();
}
