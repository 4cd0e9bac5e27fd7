using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary>Plots at the end of <c>distsnn run</c>, <c>--no-plots</c>, and <c>distsnn plot DIR</c> as a process.</summary>
public class PlotCommandTests : IDisposable
{
    private static readonly string[] Figures =
    [
        "raster.png", "raster.svg", "rate.png", "rate.svg", "isi.png", "isi.svg", "partition_load.png", "partition_load.svg",
        "report.html",
    ];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-plot-" + Guid.NewGuid().ToString("N"));

    public PlotCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    [Fact]
    public void RunDrawsPlotsAndPlotRedrawsThem()
    {
        var outDir = Path.Combine(_dir, "cuba");
        var (code, stdout, stderr) = CliProcess.Run("run", "examples/cuba.yaml", "-p", "2", "--duration", "50 ms", "--out", outDir);
        Assert.True(code == 0, stderr);
        Assert.Equal(Figures.Order(), Directory.GetFiles(Path.Combine(outDir, "plots")).Select(Path.GetFileName).Order());
        Assert.Contains($"report: {Path.Combine(outDir, "plots", "report.html")}", stdout.Replace("\n", ""));
        // Output that is not a terminal gets no progress bar and no control characters.
        Assert.DoesNotContain('\u001b', stdout + stderr);
        Assert.Contains("50 / 50 ms biological, real-time factor", stderr);

        var summary = File.ReadAllText(Path.Combine(outDir, "summary.json"));
        using (var doc = JsonDocument.Parse(summary))
        {
            var neurons = doc.RootElement.GetProperty("partition_neurons").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var synapses = doc.RootElement.GetProperty("partition_synapses").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            Assert.Equal(2, neurons.Length);
            Assert.Equal(4000, neurons.Sum());
            Assert.Equal(doc.RootElement.GetProperty("synapses").GetInt64(), synapses.Sum());
        }

        File.Delete(Path.Combine(outDir, "plots", "rate.png"));
        (code, stdout, stderr) = CliProcess.Run("plot", outDir, "--width", "800", "--height", "500", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(Path.Combine(outDir, "plots", "report.html"), json.RootElement.GetProperty("report").GetString());
        Assert.Equal(Path.Combine(outDir, "spikes.h5"), json.RootElement.GetProperty("spike_file").GetString());
        var files = json.RootElement.GetProperty("files").EnumerateArray().Select(f => Path.GetFileName(f.GetString()!)).ToArray();
        Assert.Equal(Figures.Order(), files.Order());
        var png = File.ReadAllBytes(Path.Combine(outDir, "plots", "rate.png"));
        Assert.Equal((800, 500), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)),
            System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
    }

    [Fact]
    public void FiguresDrawnFromTheRunsSpikesInMemoryEqualThoseDrawnFromItsSpikeFile()
    {
        var outDir = Path.Combine(_dir, "brunel");
        var (code, _, stderr) = CliProcess.Run("run", "examples/brunel.yaml", "-p", "2", "--duration", "100 ms", "--out", outDir);
        Assert.True(code == 0, stderr);
        string[] names = ["raster.png", "rate.png", "isi.png", "raster.svg", "rate.svg", "isi.svg"];
        var fromMemory = names.Select(n => File.ReadAllBytes(Path.Combine(outDir, "plots", n))).ToArray();
        (code, _, stderr) = CliProcess.Run("plot", outDir);
        Assert.True(code == 0, stderr);
        for (int i = 0; i < names.Length; i++)
        {
            var fromFile = File.ReadAllBytes(Path.Combine(outDir, "plots", names[i]));
            if (names[i].EndsWith(".png", StringComparison.Ordinal)) Assert.True(fromMemory[i].AsSpan().SequenceEqual(fromFile), names[i]);
            // The SVG writer numbers clip paths from a counter that figures drawn side by side share.
            else Assert.Equal(ClipIds(fromMemory[i]), ClipIds(fromFile));
        }
    }

    private static string ClipIds(byte[] svg) =>
        System.Text.RegularExpressions.Regex.Replace(System.Text.Encoding.UTF8.GetString(svg), "cl_[0-9a-f]+", "cl_");

    [Fact]
    public void NoPlotsSkipsThem()
    {
        var outDir = Path.Combine(_dir, "cuba");
        var (code, _, stderr) = CliProcess.Run("run", "examples/cuba.yaml", "-p", "1", "--duration", "20 ms", "--out", outDir, "--no-plots", "--json");
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(outDir, "summary.json")));
        Assert.False(Directory.Exists(Path.Combine(outDir, "plots")));
    }

    [Fact]
    public void PlotOfAMissingFolderExitsWith2AndNamesIt()
    {
        var missing = Path.Combine(_dir, "nope");
        var (code, _, stderr) = CliProcess.Run("plot", missing);
        Assert.Equal(2, code);
        Assert.Equal($"error: {missing}: folder not found", stderr.Trim());
    }

    [Fact]
    public void PlotOfAFolderWithoutSummaryExitsWith2AndNamesTheFile()
    {
        var (code, _, stderr) = CliProcess.Run("plot", _dir);
        Assert.Equal(2, code);
        Assert.Contains(Path.Combine(_dir, "summary.json") + ": file not found", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void PlotOfAMalformedSummaryExitsWith2AndNamesTheField()
    {
        File.WriteAllText(Path.Combine(_dir, "summary.json"), "{\"model\": 3}");
        var (code, _, stderr) = CliProcess.Run("plot", _dir);
        Assert.Equal(2, code);
        Assert.Contains("summary.json: field 'model' must be a string, got number", stderr);
    }

    [Fact]
    public void PlotRejectsATinyFigureSize()
    {
        var (code, _, stderr) = CliProcess.Run("plot", _dir, "--width", "10");
        Assert.Equal(2, code);
        Assert.Contains("--width/--height", stderr);
    }

    [Fact]
    public void ProgressReportsRealTimeFactorAndEtaFromTheFirstStep()
    {
        var progress = new SimulationProgress(totalSteps: 10_000, dtMs: 0.1);
        // Still building at 1 s, built at 5 s: the last report at step 0 is the origin, so build time does not count.
        Assert.Equal("0 / 1000 ms biological, real-time factor -", progress.Describe(0, 1.0));
        Assert.Equal("0 / 1000 ms biological, real-time factor -", progress.Describe(0, 5.0));
        // 250 ms of biological time in 0.5 s: factor 2, and 750 ms left take 1.5 s.
        Assert.Equal("250 / 1000 ms biological, real-time factor 2.00, ETA 2 s", progress.Describe(2_500, 5.5));
        Assert.Equal("1000 / 1000 ms biological, real-time factor 2.00", progress.Describe(10_000, 7.0));
    }
}
