using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary><c>distsnn bench --quick</c>: the suite's smoke test, its JSON and plot, a comparison, and bad options.</summary>
public sealed class SuiteBenchCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-bench-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public void TheQuickSuiteWritesMediansAndComparesWithAnEarlierRun()
    {
        string first = Path.Combine(_dir, "first");
        var (code, _, stderr) = CliProcess.Run("bench", "--quick", "--only", "cuba,brunel_stdp", "--out", first);
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(first, "bench.json"))))
        {
            var entries = doc.RootElement.GetProperty("entries");
            Assert.Equal(["cuba", "brunel_stdp"], entries.EnumerateObject().Select(e => e.Name));
            foreach (var e in entries.EnumerateObject())
            {
                Assert.Equal(1, e.Value.GetProperty("runs").GetInt32());
                var median = e.Value.GetProperty("median");
                Assert.True(median.GetProperty("wall_s").GetDouble() > median.GetProperty("simulate_s").GetDouble(), e.Name);
                Assert.True(median.GetProperty("events_per_s").GetDouble() > 1e5, e.Name);
                Assert.True(median.GetProperty("peak_mib").GetDouble() > 10, e.Name);
                Assert.StartsWith("distsnn run examples/", e.Value.GetProperty("command").GetString());
            }
        }
        Assert.True(new FileInfo(Path.Combine(first, "bench.png")).Length > 1000);

        var (again, stdout, err) = CliProcess.Run("bench", "--quick", "--only", "cuba", "--compare", Path.Combine(first, "bench.json"),
            "--out", Path.Combine(_dir, "second"));
        Assert.True(again == 0, err);
        Assert.Contains("x)", stdout);
        Assert.Contains("ratio", stdout);
    }

    [Theory]
    [InlineData("--only", "cuba,nope", "error: --only: unknown entry 'nope'")]
    [InlineData("--compare", "missing.json", "error: --compare")]
    [InlineData("--runs", "-1", "error: --runs: must be at least 1")]
    public void BadOptionsAreNamed(string option, string value, string message)
    {
        var (code, _, stderr) = CliProcess.Run("bench", "--quick", option, value, "--out", Path.Combine(_dir, "bad"));
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }
}
