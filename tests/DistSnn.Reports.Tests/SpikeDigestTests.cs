using DistSnn.Cluster.Output;

namespace DistSnn.Reports.Tests;

/// <summary>The digest's numbers against counts made directly from a run's spikes, and its subsampling of large runs.</summary>
public class SpikeDigestTests(CubaRun run) : IClassFixture<CubaRun>
{
    [Fact]
    public void RateBinsIsiHistogramAndRasterMatchTheSpikes()
    {
        var (summary, digest, _) = RunReportWriter.Read(run.Dir, new DigestLimits());
        double dt = summary.DtMs;
        Assert.Equal(0.5, digest.RateBinMs);
        const int stepsPerBin = 5;

        foreach (var pop in run.Report.Spikes)
        {
            var d = digest.Find(pop.Name)!;
            Assert.Equal(pop.Count, d.Spikes);

            var rate = new long[200];
            foreach (long step in pop.Steps) rate[Math.Min(199, step / stepsPerBin)]++;
            Assert.Equal(rate, d.RateCounts);

            // Fewer than 20,000 neurons: every neuron gives intervals.
            Assert.Equal(1, d.IsiStride);
            var isi = new long[SpikeDigest.IsiBinCount];
            var last = new Dictionary<int, long>();
            for (int i = 0; i < pop.Count; i++)
            {
                if (last.TryGetValue(pop.LocalIds[i], out long previous))
                {
                    double ms = (pop.Steps[i] - previous) * dt;
                    isi[Math.Clamp((int)Math.Floor((Math.Log10(ms) + 1) * 20 + 1e-9), 0, isi.Length - 1)]++;
                }
                last[pop.LocalIds[i]] = pop.Steps[i];
            }
            Assert.Equal(isi, d.IsiCounts);
            Assert.Equal(pop.Count - last.Count, d.Intervals);

            int stride = pop.Name == "exc" ? 16 : 4;
            Assert.Equal(stride, d.RasterStride);
            Assert.Equal(200, d.RasterRows);
            var drawn = Enumerable.Range(0, pop.Count).Where(i => pop.LocalIds[i] % stride == 0).ToArray();
            Assert.Equal(drawn.Select(i => pop.LocalIds[i] / stride), d.RasterRowsOfSpikes);
            Assert.Equal(drawn.Select(i => pop.Steps[i] * dt), d.RasterTimes);
            Assert.Null(d.RasterTruncatedAtMs);
        }
    }

    [Fact]
    public void LargeRunIsSubsampledWithinTheLimits()
    {
        // 100,000 neurons firing 10 times each: 1,000,000 spikes, streamed in blocks.
        const int size = 100_000, perNeuron = 10;
        using var dir = new TempDirectory();
        var steps = new long[size * perNeuron];
        var ids = new int[size * perNeuron];
        for (int k = 0; k < perNeuron; k++)
            for (int n = 0; n < size; n++)
            {
                steps[k * size + n] = k * 1000 + n % 997;
                ids[k * size + n] = n;
            }
        var spikes = PopulationSpikes.FromUnsorted("big", 0, size, steps, ids);
        SonataSpikeWriter.Write(dir.File("spikes.h5"), [spikes], 0.1);
        SummaryWriter.Write(dir.File("summary.json"), Summaries.Of(spikes, durationMs: 1000, partitions: 3));

        var (_, digest, _) = RunReportWriter.Read(dir.Path, new DigestLimits());
        var big = digest.Populations.Single();
        Assert.Equal(1_000_000, big.Spikes);
        Assert.Equal(5.0, digest.RateBinMs);
        Assert.Equal(1_000_000, big.RateCounts.Sum());
        // 200 neurons drawn (every 500th), 10 spikes each, well under the 20,000-spike cap.
        Assert.Equal((500, 200), (big.RasterStride, big.RasterRows));
        Assert.Equal(2_000, big.RasterTimes.Count);
        Assert.True(big.RasterRowsOfSpikes.All(r => r < 200));
        // 20,000 neurons (every 5th) give 9 intervals each, all exactly 100 ms.
        Assert.Equal((5, 20_000), (big.IsiStride, big.IsiNeurons));
        Assert.Equal(180_000, big.Intervals);
        Assert.Equal(180_000, big.IsiCounts[(int)Math.Floor((2 + 1) * 20 + 1e-9)]);

        var output = RunReportWriter.Write(dir.Path);
        using var raster = ImageChecks.AssertPng(Path.Combine(output.PlotsDir, "raster.png"), 1000, 600);
        Assert.True(new FileInfo(Path.Combine(output.PlotsDir, "raster.svg")).Length < 2_000_000);
    }

    [Fact]
    public void RasterSpikeCapStopsDrawingAndSaysWhere()
    {
        // Neuron 0 fires at every ms, the others never: 100 spikes; 50 may be drawn.
        using var dir = new TempDirectory();
        var spikes = PopulationSpikes.Create("p", 0, 10, Enumerable.Range(0, 100).Select(i => (long)i * 10).ToArray(), new int[100]);
        SonataSpikeWriter.Write(dir.File("spikes.h5"), [spikes], 0.1);
        SummaryWriter.Write(dir.File("summary.json"), Summaries.Of(spikes, durationMs: 100, partitions: 1));

        var (_, digest, _) = RunReportWriter.Read(dir.Path, new DigestLimits { RasterSpikes = 50 });
        var p = digest.Populations.Single();
        // 50 * 10 / 100 = 5 neurons: every 2nd.
        Assert.Equal((2, 5), (p.RasterStride, p.RasterRows));
        Assert.Equal(50, p.RasterTimes.Count);
        Assert.Equal(49.0, p.RasterTruncatedAtMs!.Value, 9);
        Assert.Equal(99, p.Intervals);

        var output = RunReportWriter.Write(dir.Path, new ReportOptions { Limits = new DigestLimits { RasterSpikes = 50 } });
        var text = ImageChecks.SvgText(ImageChecks.AssertSvg(Path.Combine(output.PlotsDir, "raster.svg"), 1000, 600));
        Assert.Contains("spike cap reached", text);
    }

    [Fact]
    public void RasterDotsArePaintedWhereTheirSpikesAre()
    {
        // Ten neurons (one row each), 100 ms: neuron 0 at 10 ms, neuron 5 at 50 ms, neuron 9 at 90 ms.
        using var dir = new TempDirectory();
        var spikes = PopulationSpikes.Create("p", 0, 10, [100, 500, 900], [0, 5, 9]);
        SonataSpikeWriter.Write(dir.File("spikes.h5"), [spikes], 0.1);
        SummaryWriter.Write(dir.File("summary.json"), Summaries.Of(spikes, durationMs: 100, partitions: 1));
        var (summary, digest, _) = RunReportWriter.Read(dir.Path, new DigestLimits());

        // 100 × 50 pixels: 1 ms per column, 5 pixels per row, dots 2 wide and 4 tall; row 0 is at the bottom.
        var rgb = RunPlots.RasterBitmap(digest, [0], rows: 10, width: 100, height: 50);
        var painted = new List<(int Y, int X)>();
        for (int y = 0; y < 50; y++)
            for (int x = 0; x < 100; x++)
                if ((rgb[y, x, 0], rgb[y, x, 1], rgb[y, x, 2]) != (255, 255, 255))
                {
                    Assert.Equal((0x1f, 0x77, 0xb4), (rgb[y, x, 0], rgb[y, x, 1], rgb[y, x, 2]));
                    painted.Add((y, x));
                }
        var expected = new List<(int, int)>();
        foreach (var (top, left) in new[] { (45, 10), (20, 50), (0, 90) })
            for (int y = top; y < top + 4; y++)
                for (int x = left; x < left + 2; x++) expected.Add((y, x));
        Assert.Equal(expected.Order(), painted.Order());

        // In the figure the bitmap fills the data area: the spike of neuron 5 at 50 ms is in the middle of it.
        var plot = RunPlots.Raster(summary, digest, new ImageSize(600, 400));
        string png = dir.File("raster.png");
        RunPlots.SavePng(plot, png, new ImageSize(600, 400));
        var area = plot.LastRender.DataRect;
        using var bitmap = ImageChecks.AssertPng(png, 600, 400);
        var middle = bitmap.GetPixel((int)(area.Left + area.Width / 2) + 1, (int)(area.Top + area.Height * 0.45) + 1);
        Assert.Equal((0x1f, 0x77, 0xb4), (middle.Red, middle.Green, middle.Blue));
        var empty = bitmap.GetPixel((int)(area.Left + area.Width / 4), (int)(area.Top + area.Height * 0.45) + 1);
        Assert.Equal((255, 255, 255), (empty.Red, empty.Green, empty.Blue));
    }

    [Theory]
    [InlineData(0.5, 0.1, 0.5)]
    [InlineData(5, 0.1, 5)]
    [InlineData(1.5, 0.1, 2)]
    [InlineData(0.05, 0.1, 0.1)]
    [InlineData(35, 0.1, 50)]
    [InlineData(0.7, 0.1, 1)]
    public void RateBinIsOneTwoOrFiveTimesAPowerOfTenAndAtLeastDt(double raw, double dt, double expected) =>
        Assert.Equal(expected, SpikeDigest.NiceBin(raw, dt), 12);
}

internal static class Summaries
{
    /// <summary>A summary.json for one population's spikes, with the figures the report reads.</summary>
    public static RunSummary Of(PopulationSpikes spikes, double durationMs, int partitions) => new()
    {
        Model = "synthetic",
        Partitions = partitions,
        Seed = 1,
        DtMs = 0.1,
        DurationMs = durationMs,
        Neurons = spikes.Size,
        Synapses = 0,
        Spikes = spikes.Count,
        SynapticEvents = 0,
        BuildSeconds = 0.5,
        SimulateSeconds = 1.5,
        WallSeconds = 2.5,
        PartitionWaitSeconds = Enumerable.Repeat(0.125, partitions).ToArray(),
        PartitionNeurons = Enumerable.Range(0, partitions).Select(q => (long)(spikes.Size / partitions)).ToArray(),
        PartitionSynapses = new long[partitions],
        PeakWorkingSetBytes = 1 << 20,
        BytesPerSynapse = double.NaN,
        SpikesSha256 = SpikeHash.Sha256Hex([spikes]),
        Populations = [SpikeStatistics.Compute(spikes, durationMs, 0.1)],
    };
}
