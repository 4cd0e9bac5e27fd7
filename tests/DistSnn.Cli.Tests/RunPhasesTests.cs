using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary>
/// A run's summary says where the whole process's time and memory went, and the command prints it with the plots'
/// share.
/// </summary>
public sealed class RunPhasesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-phases-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public void ThePhasesAddUpToTheWholeProcessWall()
    {
        string json = Path.Combine(_dir, "json");
        var (code, stdout, stderr) = CliProcess.Run("run", "examples/cuba.yaml", "--duration", "100 ms", "--no-plots", "--json", "--out", json);
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var phases = doc.RootElement.GetProperty("phases").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(["runtime_start", "load", "build", "simulate", "write", "other"], phases.Keys);
        Assert.All(phases.Values, v => Assert.True(v >= 0));
        Assert.True(phases["runtime_start"] > 0 && phases["load"] > 0 && phases["write"] > 0, string.Join(", ", phases));
        // Each phase is rounded to 0.1 ms: a tolerance, not a number of decimal places, which would round both sides
        // and fail whenever they straddle a rounding boundary.
        Assert.Equal(doc.RootElement.GetProperty("build_seconds").GetDouble(), phases["build"], 0.00006);
        Assert.Equal(doc.RootElement.GetProperty("wall_seconds").GetDouble(), phases.Values.Sum(), 0.001);

        // Memory by phase: the build's high-water mark and the run's own; the whole process's peak is at least both.
        var memory = doc.RootElement.GetProperty("memory").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(["build_peak", "run_peak", "run_resident"], memory.Keys);
        long peak = doc.RootElement.GetProperty("peak_working_set_bytes").GetInt64();
        Assert.All(memory.Values, v => Assert.InRange(v, 16L << 20, peak));
        Assert.True(memory["run_resident"] <= memory["run_peak"], string.Join(", ", memory));

        (code, _, stderr) = CliProcess.Run("run", "examples/cuba.yaml", "--duration", "100 ms", "--out", Path.Combine(_dir, "table"));
        Assert.True(code == 0, stderr);
        Assert.Matches(@"phases: runtime start \d+\.\d\d s, load \d+\.\d\d s, build .*, other \d+\.\d\d s, plots \d+\.\d\d s", stderr);
        Assert.Matches(@"memory: build peak \d+ MiB, run peak \d+ MiB, run resident \d+ MiB", stderr);
    }
}
