using System.Text.Json;
using DistSnn.Cluster.Output;

namespace DistSnn.Cluster.Tests.Output;

public class SummaryWriterTests
{
    private static RunSummary Sample() => new()
    {
        Model = "brunel",
        Partitions = 4,
        Seed = ulong.MaxValue,
        DtMs = 0.1,
        DurationMs = 1000,
        Neurons = 12_500,
        Synapses = 15_625_000_000,
        Spikes = 123_456,
        SynapticEvents = 1_234_560_000,
        BuildSeconds = 1.25,
        SimulateSeconds = 10.5,
        WallSeconds = 12.0625,
        PartitionWaitSeconds = [0.25, 0.5, 0, 1.125],
        PartitionNeurons = [3_125, 3_125, 3_125, 3_125],
        PartitionSynapses = [3_900_000_000, 3_900_000_001, 3_900_000_002, 3_924_999_997],
        PeakWorkingSetBytes = 3_000_000_000,
        BytesPerSynapse = 12.5,
        SpikesSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        Populations =
        [
            new PopulationStatistics("exc", 10_000, 100_000, 10.0, 0.875, 9_000),
            new PopulationStatistics("inh", 2_500, 23_456, 9.3824, double.NaN, 0),
        ],
    };

    [Fact]
    public void Round_trips_all_fields()
    {
        using var dir = new TempDirectory();
        string path = dir.File("summary.json");
        var summary = Sample();

        SummaryWriter.Write(path, summary);
        var back = SummaryWriter.Read(path);

        Assert.Equal(summary with
        {
            Populations = back.Populations, PartitionWaitSeconds = back.PartitionWaitSeconds,
            PartitionNeurons = back.PartitionNeurons, PartitionSynapses = back.PartitionSynapses,
        }, back);
        Assert.Equal(summary.PartitionWaitSeconds, back.PartitionWaitSeconds);
        Assert.Equal(summary.PartitionNeurons, back.PartitionNeurons);
        Assert.Equal(summary.PartitionSynapses, back.PartitionSynapses);
        Assert.Equal(2, back.Populations.Count);
        Assert.Equal(summary.Populations[0], back.Populations[0]);
        var inh = back.Populations[1];
        Assert.Equal(("inh", 2_500, 23_456L, 9.3824, 0), (inh.Name, inh.Size, inh.Spikes, inh.RateHz, inh.NeuronsWithIsi));
        Assert.True(double.IsNaN(inh.CvIsi));
    }

    [Fact]
    public void Json_uses_snake_case_populations_object_and_null_for_nan()
    {
        using var dir = new TempDirectory();
        string path = dir.File("summary.json");

        SummaryWriter.Write(path, Sample() with { BytesPerSynapse = double.NaN });
        string text = File.ReadAllText(path);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;

        Assert.Contains("\n  \"model\": \"brunel\"", text);
        Assert.Equal(
            ["model", "partitions", "seed", "dt_ms", "duration_ms", "neurons", "synapses", "spikes",
             "synaptic_events", "build_seconds", "simulate_seconds", "wall_seconds", "phases", "memory", "partition_wait_seconds", "partition_neurons",
             "partition_synapses", "peak_working_set_bytes", "bytes_per_synapse", "spikes_sha256", "plastic_synapses", "weights_checksum", "dataset", "populations"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(ulong.MaxValue, root.GetProperty("seed").GetUInt64());
        Assert.Equal(15_625_000_000, root.GetProperty("synapses").GetInt64());
        Assert.Equal(0.1, root.GetProperty("dt_ms").GetDouble());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("bytes_per_synapse").ValueKind);

        var pops = root.GetProperty("populations");
        Assert.Equal(["exc", "inh"], pops.EnumerateObject().Select(p => p.Name));
        var exc = pops.GetProperty("exc");
        Assert.Equal(["size", "spikes", "rate_hz", "cv_isi", "neurons_with_isi"], exc.EnumerateObject().Select(p => p.Name));
        Assert.Equal(10_000, exc.GetProperty("size").GetInt32());
        Assert.Equal(0.875, exc.GetProperty("cv_isi").GetDouble());
        Assert.Equal(JsonValueKind.Null, pops.GetProperty("inh").GetProperty("cv_isi").ValueKind);

        Assert.True(double.IsNaN(SummaryWriter.Read(path).BytesPerSynapse));
    }

    [Fact]
    public void Statistics_from_spikes_flow_into_the_summary()
    {
        var pop = PopulationSpikes.Create("p", 0, 2, [0, 10, 30], [0, 0, 0]);
        var stats = SpikeStatistics.Compute(pop, durationMs: 10, dtMs: 0.5);
        using var dir = new TempDirectory();
        string path = dir.File("summary.json");

        SummaryWriter.Write(path, Sample() with { Populations = [stats] });

        Assert.Equal(stats, Assert.Single(SummaryWriter.Read(path).Populations));
        Assert.Equal(150.0, stats.RateHz); // 3 spikes / 2 neurons / 0.01 s
    }
}
