using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary><c>distsnn hw map</c> as a process: the report it prints and writes, and clear refusals.</summary>
public class HardwareCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-hw-" + Guid.NewGuid().ToString("N"));

    public HardwareCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    [Fact]
    public void Map_prints_and_writes_the_mapping_report()
    {
        string outDir = Path.Combine(_dir, "map");
        var (code, stdout, stderr) = CliProcess.Run("hw", "map", "examples/brunel.yaml", "--target", "spinnaker", "--json", "--out", outDir);
        Assert.True(code == 0, stderr);
        using var printed = JsonDocument.Parse(stdout);
        using var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "mapping.json")));
        foreach (var doc in new[] { printed, written })
        {
            var r = doc.RootElement;
            Assert.Equal("SpiNN-5", r.GetProperty("board_type").GetString());
            Assert.Equal(1, r.GetProperty("boards").GetInt32());
            Assert.Equal(50, r.GetProperty("neuron_cores").GetInt32());
            Assert.Equal(50, r.GetProperty("source_cores").GetInt32());
            Assert.InRange(r.GetProperty("router_entries_max").GetInt32(), 1, 1023);
            Assert.True(r.GetProperty("router_entries_max").GetInt32() <= r.GetProperty("router_entries_max_before").GetInt32());
        }
        var table = CliProcess.Run("hw", "map", "examples/cuba.yaml", "--boards", "1", "--out", Path.Combine(_dir, "cuba"));
        Assert.True(table.ExitCode == 0, table.Stderr);
        Assert.Contains("router entries per chip", table.Stdout);
    }

    [Fact]
    public void A_machine_too_small_or_a_bad_option_exits_with_2_naming_what_is_wrong()
    {
        string outDir = Path.Combine(_dir, "small");
        var (code, _, stderr) = CliProcess.Run("hw", "map", "examples/brunel.yaml", "--board-type", "spin3", "--out", outDir);
        Assert.Equal(2, code);
        Assert.Contains("brunel.yaml: the machine is too small: 1 SpiNN-3 board(s) with 4 chips and 68 application cores; the model needs 100 cores", stderr);
        Assert.False(Directory.Exists(outDir), "nothing is written for a refused mapping");
        Assert.Equal(2, CliProcess.Run("hw", "map", "examples/brunel.yaml", "--target", "loihi").ExitCode);
        var rate = CliProcess.Run("hw", "map", "examples/brunel.yaml", "--rate", "-1");
        Assert.Equal(2, rate.ExitCode);
        Assert.Contains("--rate: must be a finite rate >= 0 Hz", rate.Stderr);
    }
}
