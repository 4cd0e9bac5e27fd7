using System.Globalization;
using System.Net;
using System.Text;

namespace DistSnn.Reports;

/// <summary>
/// Writes <c>report.html</c>: one self-contained page (inline CSS, figures as base64 PNG, no external URL) with the
/// summary table, the per-population table and the figures, so it can be mailed or archived on its own.
/// </summary>
public static class HtmlReport
{
    private static readonly (string Name, string Caption)[] Figures =
    [
        ("raster", "Spike raster (subsampled; the legend says which neurons are drawn)"),
        ("rate", "Population rate over time"),
        ("isi", "Inter-spike-interval distribution"),
        ("partition_load", "Per-partition load"),
    ];

    /// <summary>Builds the page from the summary and the PNGs in <paramref name="plotsDir"/>.</summary>
    /// <exception cref="FileNotFoundException">A figure PNG is missing.</exception>
    public static string Render(ReportSummary s, string plotsDir, ImageSize size)
    {
        ArgumentNullException.ThrowIfNull(s);
        var ci = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        string title = $"DistSnn run report: {s.Model}";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
            .Append(E(title)).Append("</title>\n<style>\n")
            .Append("""
                body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; background: #fff; }
                h1 { font-size: 1.6em; border-bottom: 2px solid #1f77b4; padding-bottom: .3em; }
                table { border-collapse: collapse; margin: 1em 0; }
                th, td { border: 1px solid #ccc; padding: .3em .8em; text-align: left; }
                td.num { text-align: right; font-variant-numeric: tabular-nums; }
                th { background: #eef3f9; }
                code { font-size: .9em; }
                figure { margin: 2em 0; }
                figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
                figcaption { color: #555; margin-top: .4em; }
                """).Append("</style>\n</head>\n<body>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n");

        html.Append("<table id=\"summary\">\n<tr><th>quantity</th><th>value</th></tr>\n");
        void Row(string k, string v) => html.Append("<tr><td>").Append(E(k)).Append("</td><td class=\"num\">").Append(E(v)).Append("</td></tr>\n");
        Row("model", s.Model);
        Row("partitions", s.Partitions.ToString(ci));
        Row("seed", s.Seed.ToString(ci));
        Row("dt", $"{s.DtMs.ToString("0.####", ci)} ms");
        Row("biological time", $"{s.DurationMs.ToString("0.###", ci)} ms");
        Row("neurons", s.Neurons.ToString("N0", ci));
        Row("synapses", s.Synapses.ToString("N0", ci));
        Row("spikes", s.Spikes.ToString("N0", ci));
        if (s.SynapticEvents >= 0) Row("synaptic events", s.SynapticEvents.ToString("N0", ci));
        Row("build", $"{s.BuildSeconds.ToString("F2", ci)} s");
        Row("simulate", $"{s.SimulateSeconds.ToString("F2", ci)} s");
        Row("wall (whole process)", $"{s.WallSeconds.ToString("F2", ci)} s");
        Row("real-time factor (simulate s per biological s)", double.IsNaN(s.RealTimeFactor) ? "-" : s.RealTimeFactor.ToString("F3", ci));
        if (s.PeakWorkingSetBytes >= 0) Row("peak memory", $"{(s.PeakWorkingSetBytes / 1048576.0).ToString("F0", ci)} MiB");
        Row("spikes_sha256", s.SpikesSha256);
        if (s.WeightsChecksum is { } w) Row("weights_checksum", w);
        html.Append("</table>\n");

        html.Append("<table id=\"populations\">\n<tr><th>population</th><th>size</th><th>spikes</th><th>rate (Hz)</th><th>CV ISI</th></tr>\n");
        foreach (var p in s.Populations)
            html.Append("<tr><td>").Append(E(p.Name)).Append("</td><td class=\"num\">").Append(p.Size.ToString("N0", ci))
                .Append("</td><td class=\"num\">").Append(p.Spikes.ToString("N0", ci))
                .Append("</td><td class=\"num\">").Append(p.RateHz.ToString("F2", ci))
                .Append("</td><td class=\"num\">").Append(double.IsNaN(p.CvIsi) ? "-" : p.CvIsi.ToString("F3", ci))
                .Append("</td></tr>\n");
        html.Append("</table>\n");

        foreach (var (name, caption) in Figures)
        {
            string png = Path.Combine(plotsDir, name + ".png");
            string data = Convert.ToBase64String(File.ReadAllBytes(png));
            html.Append("<figure id=\"").Append(name).Append("\">\n<img alt=\"").Append(E(caption))
                .Append("\" width=\"").Append(size.Width.ToString(ci)).Append("\" height=\"").Append(size.Height.ToString(ci))
                .Append("\" src=\"data:image/png;base64,").Append(data).Append("\">\n<figcaption>").Append(E(caption))
                .Append(" (also <code>").Append(name).Append(".png</code> and <code>").Append(name)
                .Append(".svg</code> next to this page)</figcaption>\n</figure>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
