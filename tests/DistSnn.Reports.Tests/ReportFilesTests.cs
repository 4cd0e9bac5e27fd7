using System.Globalization;
using System.Text.RegularExpressions;

namespace DistSnn.Reports.Tests;

/// <summary>The files of a report on a real run: valid PNG and SVG of the asked size, and a self-contained HTML page.</summary>
public class ReportFilesTests(CubaRun run) : IClassFixture<CubaRun>
{
    private static readonly ImageSize Size = new(640, 420);

    [Fact]
    public void EveryFigureIsAValidPngAndSvgOfTheAskedSize()
    {
        var output = RunReportWriter.Write(run.Dir, new ReportOptions { Size = Size });

        Assert.Equal(Path.Combine(run.Dir, "plots"), output.PlotsDir);
        Assert.Equal(Path.Combine(run.Dir, "spikes.h5"), output.SpikeFile);
        Assert.Equal(9, output.Files.Count);
        foreach (var name in new[] { "raster", "rate", "isi", "partition_load" })
        {
            string png = Path.Combine(output.PlotsDir, name + ".png"), svg = Path.Combine(output.PlotsDir, name + ".svg");
            Assert.Contains(png, output.Files);
            Assert.Contains(svg, output.Files);
            using var bitmap = ImageChecks.AssertPng(png, Size.Width, Size.Height);
            var (drawn, colors) = ImageChecks.Content(bitmap);
            Assert.True(drawn > 0.02, $"{name}.png: only {drawn:P2} of the pixels are drawn");
            Assert.True(colors > 10, $"{name}.png: only {colors} colours");
            ImageChecks.AssertSvg(svg, Size.Width, Size.Height);
        }
    }

    [Fact]
    public void FiguresStateWhatTheyShow()
    {
        var output = RunReportWriter.Write(run.Dir, new ReportOptions { Size = Size });
        string Text(string name) => ImageChecks.SvgText(ImageChecks.AssertSvg(Path.Combine(output.PlotsDir, name + ".svg"), Size.Width, Size.Height));

        // cuba has 3200 exc and 800 inh neurons; at most 200 of each are drawn, every 16th and every 4th.
        string raster = Text("raster");
        Assert.Contains("Spike raster of cuba: 400 of 4,000 neurons drawn", raster);
        Assert.Contains("exc: 200 of 3,200 neurons (every 16th)", raster);
        Assert.Contains("inh: 200 of 800 neurons (every 4th)", raster);
        // 100 ms / 200 bins = 0.5 ms, already a 1-2-5 value.
        Assert.Contains("Population rate, 0.5 ms bins", Text("rate"));
        Assert.Contains("ISI distribution", Text("isi"));
        string load = Text("partition_load");
        Assert.Contains("Load of 2 partitions", load);
        Assert.Contains("neurons (% of 4,000)", load);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"synapses (% of {run.Report.Summary.Synapses:N0})"), load);
    }

    [Fact]
    public void ReportIsSelfContainedAndHoldsEveryPlotAndTheSummaryFigures()
    {
        var output = RunReportWriter.Write(run.Dir, new ReportOptions { Size = Size });
        string html = File.ReadAllText(output.Report);
        var s = run.Report.Summary;
        var ci = CultureInfo.InvariantCulture;

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.DoesNotMatch(new Regex("(src|href)\\s*=\\s*\"(?!data:)", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("http", html);
        Assert.DoesNotContain("<script", html);
        var images = Regex.Matches(html, "<figure id=\"([a-z_]+)\">\\s*<img [^>]*src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.Equal(["raster", "rate", "isi", "partition_load"], images.Select(m => m.Groups[1].Value));
        foreach (Match m in images)
        {
            var bytes = Convert.FromBase64String(m.Groups[2].Value);
            using var _ = ImageChecks.AssertPng(bytes, Size.Width, Size.Height, m.Groups[1].Value);
            Assert.Equal(File.ReadAllBytes(Path.Combine(output.PlotsDir, m.Groups[1].Value + ".png")), bytes);
        }

        string Cell(string quantity) => Regex.Match(html, $"<tr><td>{Regex.Escape(quantity)}</td><td class=\"num\">([^<]*)</td></tr>").Groups[1].Value;
        Assert.Equal("cuba", Cell("model"));
        Assert.Equal("2", Cell("partitions"));
        Assert.Equal(s.Seed.ToString(ci), Cell("seed"));
        Assert.Equal("100 ms", Cell("biological time"));
        Assert.Equal("4,000", Cell("neurons"));
        Assert.Equal(s.Synapses.ToString("N0", ci), Cell("synapses"));
        Assert.Equal(s.Spikes.ToString("N0", ci), Cell("spikes"));
        Assert.Equal(s.SpikesSha256, Cell("spikes_sha256"));
        Assert.Equal($"{s.BuildSeconds.ToString("F2", ci)} s", Cell("build"));
        Assert.Equal($"{s.SimulateSeconds.ToString("F2", ci)} s", Cell("simulate"));
        Assert.Equal($"{s.WallSeconds.ToString("F2", ci)} s", Cell("wall (whole process)"));
        Assert.Equal((s.SimulateSeconds / 0.1).ToString("F3", ci), Cell("real-time factor (simulate s per biological s)"));
        foreach (var p in s.Populations)
            Assert.Contains(
                $"<tr><td>{p.Name}</td><td class=\"num\">{p.Size.ToString("N0", ci)}</td><td class=\"num\">{p.Spikes.ToString("N0", ci)}</td>" +
                $"<td class=\"num\">{p.RateHz.ToString("F2", ci)}</td>", html);
    }

    [Fact]
    public void CsvAloneGivesTheSameDigestAsHdf5()
    {
        using var h5 = Repo.CopyRun(run.Dir, "spikes.h5");
        using var csv = Repo.CopyRun(run.Dir, "spikes.csv");
        var (_, fromH5, h5File) = RunReportWriter.Read(h5.Path, new DigestLimits());
        var (_, fromCsv, csvFile) = RunReportWriter.Read(csv.Path, new DigestLimits());

        Assert.EndsWith("spikes.h5", h5File);
        Assert.EndsWith("spikes.csv", csvFile);
        for (int p = 0; p < 2; p++)
        {
            var a = fromH5.Populations[p];
            var b = fromCsv.Populations[p];
            Assert.Equal(a.RateCounts, b.RateCounts);
            Assert.Equal(a.IsiCounts, b.IsiCounts);
            Assert.Equal(a.RasterRowsOfSpikes, b.RasterRowsOfSpikes);
            Assert.Equal(a.RasterTimes.Count, b.RasterTimes.Count);
            for (int i = 0; i < a.RasterTimes.Count; i++) Assert.Equal(a.RasterTimes[i], b.RasterTimes[i], 9);
        }
        var fromCsvFiles = RunReportWriter.Write(csv.Path, new ReportOptions { Size = Size });
        Assert.All(fromCsvFiles.Files, f => Assert.True(new FileInfo(f).Length > 1000, f));
    }
}
