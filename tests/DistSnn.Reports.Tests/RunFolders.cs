using DistSnn.Cluster.Output;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;

namespace DistSnn.Reports.Tests;

/// <summary>A temporary folder, deleted with its contents on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("distsnn-reports-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A viewer (chromium) may still hold a file for a moment; the OS cleans temp folders anyway.
        }
    }
}

/// <summary>
/// One real results folder, shared by the tests of a class: examples/cuba.yaml for 100 ms on 2 partitions, with
/// spikes.h5 and spikes.csv, as <c>distsnn run --csv</c> writes it.
/// </summary>
public sealed class CubaRun : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public string Dir => _dir.Path;

    public RunReport Report { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var spec = ModelLoader.LoadFile(System.IO.Path.Combine(Repo.Root, "examples", "cuba.yaml"));
        spec = spec with { Run = spec.Run with { Duration = 100 } };
        Report = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2, OutDir = Dir, Csv = true });
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}

internal static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "DistSnn.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("DistSnn.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Copies the summary and one spike file of <paramref name="from"/> into a new folder.</summary>
    public static TempDirectory CopyRun(string from, string spikeFile)
    {
        var dir = new TempDirectory();
        System.IO.File.Copy(System.IO.Path.Combine(from, "summary.json"), dir.File("summary.json"));
        System.IO.File.Copy(System.IO.Path.Combine(from, spikeFile), dir.File(spikeFile));
        return dir;
    }

    /// <summary>The population spikes of a summary, for comparing digests with the exact counts.</summary>
    public static IReadOnlyList<PopulationSpikes> Spikes(RunReport report) => report.Spikes;
}
