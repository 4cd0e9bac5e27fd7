using System.Text.Json.Nodes;

namespace DistSnn.Reports.Tests;

/// <summary>A broken or incomplete results folder gives an error that names the file, field or line.</summary>
public class BadInputTests(CubaRun run) : IClassFixture<CubaRun>
{
    private static string Message(string dir) =>
        Assert.Throws<ReportInputException>(() => RunReportWriter.Write(dir)).Message;

    [Fact]
    public void MissingFolderIsNamed()
    {
        string dir = Path.Combine(run.Dir, "nope");
        Assert.Equal($"{dir}: folder not found", Message(dir));
    }

    [Fact]
    public void MissingSummaryIsNamed()
    {
        using var dir = new TempDirectory();
        File.Copy(Path.Combine(run.Dir, "spikes.h5"), dir.File("spikes.h5"));
        Assert.StartsWith($"{dir.File("summary.json")}: file not found", Message(dir.Path));
        Assert.False(Directory.Exists(dir.File("plots")), "nothing is written for a rejected folder");
    }

    [Fact]
    public void MissingSpikeFileIsNamed()
    {
        using var dir = new TempDirectory();
        File.Copy(Path.Combine(run.Dir, "summary.json"), dir.File("summary.json"));
        Assert.Equal($"{dir.Path}: no spike file (expected spikes.h5 or spikes.csv)", Message(dir.Path));
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("[]", "the top level must be a JSON object, got array")]
    public void UnreadableSummaryIsNamed(string text, string expected)
    {
        using var dir = Repo.CopyRun(run.Dir, "spikes.h5");
        File.WriteAllText(dir.File("summary.json"), text);
        string message = Message(dir.Path);
        Assert.StartsWith(dir.File("summary.json") + ":", message);
        Assert.Contains(expected, message);
    }

    [Theory]
    [InlineData("spikes_sha256", null, "field 'spikes_sha256' is missing")]
    [InlineData("partitions", "\"two\"", "field 'partitions' must be a number, got string")]
    [InlineData("partitions", "0", "field 'partitions' must be a whole number from 1 to 2147483647, got 0")]
    [InlineData("dt_ms", "-0.1", "field 'dt_ms' must be a number > 0, got -0.1")]
    [InlineData("partition_neurons", "[1, \"x\"]", "field 'partition_neurons[1]' must be a number, got \"x\"")]
    public void BadSummaryFieldIsNamed(string field, string? json, string expected)
    {
        using var dir = Repo.CopyRun(run.Dir, "spikes.h5");
        var root = JsonNode.Parse(File.ReadAllText(dir.File("summary.json")))!.AsObject();
        if (json is null) root.Remove(field);
        else root[field] = JsonNode.Parse(json);
        File.WriteAllText(dir.File("summary.json"), root.ToJsonString());
        Assert.Equal($"{dir.File("summary.json")}: {expected}", Message(dir.Path));
    }

    [Fact]
    public void BadPopulationFieldIsNamed()
    {
        using var dir = Repo.CopyRun(run.Dir, "spikes.h5");
        var root = JsonNode.Parse(File.ReadAllText(dir.File("summary.json")))!.AsObject();
        root["populations"]!["inh"]!["size"] = "800";
        File.WriteAllText(dir.File("summary.json"), root.ToJsonString());
        Assert.Equal($"{dir.File("summary.json")}: field 'populations.inh.size' must be a number, got string", Message(dir.Path));
    }

    [Fact]
    public void SpikeCountDisagreeingWithTheSummaryIsReported()
    {
        using var dir = Repo.CopyRun(run.Dir, "spikes.h5");
        var root = JsonNode.Parse(File.ReadAllText(dir.File("summary.json")))!.AsObject();
        long exc = (long)root["populations"]!["exc"]!["spikes"]!;
        root["populations"]!["exc"]!["spikes"] = exc + 1;
        File.WriteAllText(dir.File("summary.json"), root.ToJsonString());
        Assert.Equal($"{dir.File("spikes.h5")}: population 'exc' has {exc} spikes but summary.json says {exc + 1} (truncated or from another run?)",
            Message(dir.Path));
    }

    [Theory]
    [InlineData("population,node_id,time_ms\nexc,1,0.5\nexc,3200,0.6\n", "spikes.csv:3: population 'exc' has node id 3200, outside [0, 3200)")]
    [InlineData("population,node_id,time_ms\nexc,1,0.5\nexc,2,later\n", "spikes.csv:3: time_ms 'later' is not a number")]
    [InlineData("population,node_id,time_ms\nexc,1,200\n", "spikes.csv:2: population 'exc' has a spike at 200 ms, outside the run [0, 100] ms")]
    [InlineData("population,node_id,time_ms\nglia,1,0.5\n", "spikes.csv:2: population 'glia' is not in summary.json (known: exc, inh)")]
    [InlineData("pop,id,t\n", "spikes.csv:1: header must be 'population,node_id,time_ms', got 'pop,id,t'")]
    public void BadCsvLineIsNamed(string csv, string expected)
    {
        using var dir = Repo.CopyRun(run.Dir, "spikes.csv");
        File.WriteAllText(dir.File("spikes.csv"), csv);
        Assert.Equal(Path.Combine(dir.Path, expected), Message(dir.Path));
    }

    [Fact]
    public void DamagedHdf5IsNamed()
    {
        using var dir = Repo.CopyRun(run.Dir, "spikes.h5");
        File.WriteAllText(dir.File("spikes.h5"), "this is not HDF5");
        Assert.StartsWith($"{dir.File("spikes.h5")}: not a readable HDF5 file", Message(dir.Path));
    }

    [Fact]
    public void FigureSizeOutOfRangeIsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RunReportWriter.Write(run.Dir, new ReportOptions { Size = new ImageSize(50, 600) }));
}
