using System.Globalization;
using System.Runtime.InteropServices;
using ScottPlot;
using SkiaSharp;

namespace DistSnn.Reports;

/// <summary>Size of a figure in pixels (PNG) or user units (SVG width and height).</summary>
/// <param name="Width">Width, 100 to 8192.</param>
/// <param name="Height">Height, 100 to 8192.</param>
public readonly record struct ImageSize(int Width, int Height)
{
    /// <summary>Throws when a side is outside 100 to 8192.</summary>
    public void Check()
    {
        if (Width is < 100 or > 8192 || Height is < 100 or > 8192)
            throw new ArgumentOutOfRangeException(nameof(ImageSize), this, "figure sides must be 100 to 8192 pixels");
    }
}

/// <summary>
/// The four figures of a run, drawn with ScottPlot from a <see cref="SpikeDigest"/> and the summary: spike raster,
/// population rates, inter-spike-interval distributions and per-partition load. Each is saved as PNG and SVG.
/// </summary>
public static class RunPlots
{
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    /// <summary>Base names (without extension) of the figures, in report order.</summary>
    public static readonly IReadOnlyList<string> Names = ["raster", "rate", "isi", "partition_load"];

    /// <summary>Draws every figure into <paramref name="plotsDir"/> as NAME.png and NAME.svg; returns the paths written.</summary>
    public static IReadOnlyList<string> SaveAll(string plotsDir, ReportSummary summary, SpikeDigest digest, ImageSize size)
    {
        size.Check();
        Directory.CreateDirectory(plotsDir);
        // The figures are independent: drawn side by side they take the time of the slowest (the raster), not the sum.
        var figures = new (string Name, Func<Plot> Draw)[]
        {
            ("raster", () => Raster(summary, digest, size)),
            ("rate", () => Rate(digest)),
            ("isi", () => Isi(digest)),
            ("partition_load", () => PartitionLoad(summary)),
        };
        var files = new string[figures.Length][];
        Parallel.For(0, figures.Length, k =>
        {
            var plot = figures[k].Draw();
            string png = Path.Combine(plotsDir, figures[k].Name + ".png"), svg = Path.Combine(plotsDir, figures[k].Name + ".svg");
            SavePng(plot, png, size);
            plot.SaveSvg(svg, size.Width, size.Height);
            files[k] = [png, svg];
        });
        return files.SelectMany(f => f).ToList();
    }

    /// <summary>
    /// Draws a small figure with a title, labels and a legend to PNG and SVG in memory and throws it away: loads the
    /// drawing library, its fonts and its code paths, so that a process that will draw figures can do this alongside
    /// other work and the figures themselves start warm.
    /// </summary>
    public static void WarmUp()
    {
        var plot = new Plot();
        plot.Add.ScatterLine(new double[] { 0, 1 }, new double[] { 0, 1 }).LegendText = "warm-up";
        plot.Title("warm-up");
        plot.XLabel("x");
        plot.YLabel("y");
        plot.ShowLegend(Alignment.UpperRight);
        var size = new ImageSize(200, 150);
        EncodePng(plot, size)?.Dispose();
        plot.GetSvgXml(size.Width, size.Height);
    }

    /// <summary>
    /// Every k-th neuron of each population, one row per neuron, populations stacked bottom to top. The spikes are
    /// painted into a bitmap the size of the data area, one dot per spike in the population's colour, so that the
    /// figure costs the same to draw and to store (PNG and SVG) however many spikes it shows.
    /// </summary>
    internal static Plot Raster(ReportSummary summary, SpikeDigest digest, ImageSize size)
    {
        var plot = new Plot();
        var ci = CultureInfo.InvariantCulture;
        var tickPositions = new List<double>();
        var tickLabels = new List<string>();
        var legend = new List<LegendItem>();
        var truncatedAt = new List<(double Ms, Color Color)>();
        var offsets = new int[digest.Populations.Count];
        int rows = 0;
        for (int p = 0; p < digest.Populations.Count; p++)
        {
            var pop = digest.Populations[p];
            var color = Palette.GetColor(p);
            offsets[p] = rows;
            int n = pop.RasterTimes.Count;
            if (n > 0)
            {
                string which = pop.RasterStride == 1
                    ? string.Create(ci, $"all {pop.Size:N0} neurons")
                    : string.Create(ci, $"{pop.RasterRows:N0} of {pop.Size:N0} neurons (every {Ordinal(pop.RasterStride)})");
                legend.Add(new LegendItem
                {
                    LabelText = string.Create(ci, $"{pop.Name}: {which}, {n:N0} spikes"),
                    MarkerShape = MarkerShape.FilledSquare, MarkerSize = 8, MarkerFillColor = color, MarkerLineColor = color,
                });
            }
            tickPositions.Add(rows + pop.RasterRows / 2.0);
            tickLabels.Add(pop.Name);
            if (pop.RasterTruncatedAtMs is { } at) truncatedAt.Add((at, color));
            rows += Math.Max(1, pop.RasterRows);
        }
        rows = Math.Max(1, rows);
        if (tickPositions.Count > 0) plot.Axes.Left.SetTicks(tickPositions.ToArray(), tickLabels.ToArray());
        plot.Axes.SetLimits(0, digest.DurationMs, -0.5, rows - 0.5);
        plot.XLabel("time (ms)");
        plot.YLabel("neuron (subsampled)");
        int drawn = digest.Populations.Sum(p => p.RasterRows);
        long neurons = digest.Populations.Sum(p => (long)p.Size);
        plot.Title(string.Create(ci, $"Spike raster of {summary.Model}: {drawn:N0} of {neurons:N0} neurons drawn") +
                   (truncatedAt.Count > 0 ? " (spike cap reached: drawn up to the dashed line)" : ""));
        if (legend.Count == 0)
        {
            NoData(plot, "no spikes recorded");
            return plot;
        }
        plot.ShowLegend(legend, Alignment.UpperRight);

        // Lay the figure out once at its final size and keep that layout, so that the bitmap's pixels are the data
        // area's pixels in the PNG and the SVG alike.
        plot.RenderInMemory(size.Width, size.Height);
        var area = plot.LastRender.DataRect;
        plot.Layout.Fixed(area);
        var bitmap = RasterBitmap(digest, offsets, rows, Math.Max(1, (int)Math.Round(area.Width)), Math.Max(1, (int)Math.Round(area.Height)));
        var image = plot.Add.ImageRect(new Image(bitmap), new CoordinateRect(0, digest.DurationMs, -0.5, rows - 0.5));
        image.AntiAlias = false;
        // Cap lines are added after the image, so they are drawn over it.
        foreach (var (ms, color) in truncatedAt)
        {
            var line = plot.Add.VerticalLine(ms, 1, color);
            line.LinePattern = LinePattern.Dashed;
        }
        return plot;
    }

    /// <summary>
    /// An RGB bitmap [row, column, channel] of <paramref name="height"/> × <paramref name="width"/> pixels covering
    /// 0 to the run's duration and rows −0.5 to <paramref name="rows"/> − 0.5 (top row of pixels = highest neuron
    /// row): white, with a dot of the population's colour for each raster spike, 2 pixels wide and as tall as a
    /// neuron's row allows (2 to 6 pixels). A spike at time t falls in column ⌊t / duration × width⌋.
    /// </summary>
    internal static byte[,,] RasterBitmap(SpikeDigest digest, IReadOnlyList<int> offsets, int rows, int width, int height)
    {
        var rgb = new byte[height, width, 3];
        MemoryMarshal.CreateSpan(ref rgb[0, 0, 0], rgb.Length).Fill(255);
        double pixelsPerRow = (double)height / rows;
        int dotHeight = Math.Clamp((int)(pixelsPerRow * 0.8), 2, 6);
        double pixelsPerMs = width / Math.Max(1e-12, digest.DurationMs);
        for (int p = 0; p < digest.Populations.Count; p++)
        {
            var pop = digest.Populations[p];
            var color = Palette.GetColor(p);
            for (int i = 0; i < pop.RasterTimes.Count; i++)
            {
                int x0 = Math.Clamp((int)Math.Floor(pop.RasterTimes[i] * pixelsPerMs), 0, width - 1);
                // Row r is centred at r: its centre lies (rows - 0.5 - r) rows below the top edge.
                double centre = (rows - 0.5 - (offsets[p] + pop.RasterRowsOfSpikes[i])) * pixelsPerRow;
                int y0 = Math.Clamp((int)Math.Floor(centre - dotHeight / 2.0), 0, height - 1);
                for (int y = y0; y < Math.Min(height, y0 + dotHeight); y++)
                    for (int x = x0; x < Math.Min(width, x0 + 2); x++)
                    {
                        rgb[y, x, 0] = color.R;
                        rgb[y, x, 1] = color.G;
                        rgb[y, x, 2] = color.B;
                    }
            }
        }
        return rgb;
    }

    /// <summary>Population rate (spikes per neuron per second) in fixed time bins.</summary>
    internal static Plot Rate(SpikeDigest digest)
    {
        var plot = new Plot();
        var ci = CultureInfo.InvariantCulture;
        double bin = digest.RateBinMs;
        double top = 0;
        for (int p = 0; p < digest.Populations.Count; p++)
        {
            var pop = digest.Populations[p];
            if (pop.Size == 0) continue;
            int bins = pop.RateCounts.Length;
            var xs = new double[bins + 1];
            var ys = new double[bins + 1];
            for (int b = 0; b < bins; b++)
            {
                xs[b] = b * bin;
                ys[b] = pop.RateCounts[b] / (pop.Size * bin / 1000.0);
            }
            // The last point repeats the last bin so that the step line covers it to its right edge.
            xs[bins] = Math.Min(bins * bin, digest.DurationMs);
            ys[bins] = ys[bins - 1];
            top = Math.Max(top, ys.Max());
            var line = plot.Add.ScatterLine(xs, ys, Palette.GetColor(p));
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LineWidth = 1.5f;
            double mean = pop.Spikes / (pop.Size * digest.DurationMs / 1000.0);
            line.LegendText = string.Create(ci, $"{pop.Name} (mean {mean:F2} Hz)");
        }
        // Room above the highest bin for the legend.
        plot.Axes.SetLimits(0, digest.DurationMs, 0, top > 0 ? top * 1.25 : 1);
        plot.XLabel("time (ms)");
        plot.YLabel("rate (Hz)");
        plot.Title(string.Create(ci, $"Population rate, {bin:0.###} ms bins"));
        if (digest.Populations.Any(p => p.Size > 0)) plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    /// <summary>Distribution of inter-spike intervals on a logarithmic time axis, as a fraction of intervals per bin.</summary>
    internal static Plot Isi(SpikeDigest digest)
    {
        var plot = new Plot();
        var ci = CultureInfo.InvariantCulture;
        int bins = SpikeDigest.IsiBinCount;
        bool any = false;
        int firstBin = bins, lastBin = -1;
        double top = 0;
        for (int p = 0; p < digest.Populations.Count; p++)
        {
            var pop = digest.Populations[p];
            if (pop.Intervals == 0) continue;
            any = true;
            for (int b = 0; b < bins; b++)
            {
                if (pop.IsiCounts[b] == 0) continue;
                firstBin = Math.Min(firstBin, b);
                lastBin = Math.Max(lastBin, b);
                top = Math.Max(top, (double)pop.IsiCounts[b] / pop.Intervals);
            }
            // x is log10(ISI / ms): ScottPlot axes are linear, so the decades are labelled by hand below.
            var xs = new double[bins + 1];
            var ys = new double[bins + 1];
            for (int b = 0; b <= bins; b++)
            {
                xs[b] = Math.Log10(SpikeDigest.IsiBinEdge(b));
                ys[b] = b < bins ? (double)pop.IsiCounts[b] / pop.Intervals : (double)pop.IsiCounts[bins - 1] / pop.Intervals;
            }
            var line = plot.Add.ScatterLine(xs, ys, Palette.GetColor(p));
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LineWidth = 1.5f;
            string sample = pop.IsiStride == 1 ? "all neurons" : string.Create(ci, $"every {Ordinal(pop.IsiStride)} neuron");
            line.LegendText = string.Create(ci, $"{pop.Name}: {pop.Intervals:N0} intervals, {sample}");
        }
        var decades = Enumerable.Range(SpikeDigest.IsiMinDecade, SpikeDigest.IsiMaxDecade - SpikeDigest.IsiMinDecade + 1).ToArray();
        plot.Axes.Bottom.SetTicks(decades.Select(d => (double)d).ToArray(),
            decades.Select(d => Math.Pow(10, d).ToString("0.###", ci)).ToArray());
        // Whole decades around the occupied bins, so that the distribution fills the figure.
        double left = any ? Math.Floor(Math.Log10(SpikeDigest.IsiBinEdge(firstBin)) + 1e-9) : SpikeDigest.IsiMinDecade;
        double right = any ? Math.Ceiling(Math.Log10(SpikeDigest.IsiBinEdge(lastBin + 1)) - 1e-9) : SpikeDigest.IsiMaxDecade;
        plot.Axes.SetLimits(left, Math.Max(right, left + 1), 0, top > 0 ? top * 1.25 : 1);
        plot.XLabel("inter-spike interval (ms, log scale)");
        plot.YLabel("fraction of intervals per bin");
        plot.Title(string.Create(ci, $"ISI distribution, {SpikeDigest.IsiBinsPerDecade} bins per decade"));
        if (any) plot.ShowLegend(Alignment.UpperRight);
        else NoData(plot, "no neuron fired twice");
        return plot;
    }

    /// <summary>
    /// Per partition: its share of the neurons and synapses (left axis, %) and the time it waited for packets
    /// (right axis, s). Summaries without per-partition sizes show the wait only.
    /// </summary>
    internal static Plot PartitionLoad(ReportSummary summary)
    {
        var plot = new Plot();
        var ci = CultureInfo.InvariantCulture;
        int parts = summary.Partitions;
        bool sizes = summary.PartitionNeurons.Count == parts && summary.PartitionSynapses.Count == parts;
        bool waits = summary.PartitionWaitSeconds.Count == parts;
        var neuronColor = Palette.GetColor(0);
        var synapseColor = Palette.GetColor(1);
        var waitColor = Palette.GetColor(2);
        var legend = new List<LegendItem>();
        double width = sizes && waits ? 0.27 : sizes ? 0.4 : 0.6;
        if (sizes)
        {
            double neuronTotal = Math.Max(1, summary.PartitionNeurons.Sum());
            double synapseTotal = Math.Max(1, summary.PartitionSynapses.Sum());
            var bars = new List<Bar>();
            for (int q = 0; q < parts; q++)
            {
                double left = waits ? q - width : q - width / 2;
                bars.Add(new Bar { Position = left, Value = 100 * summary.PartitionNeurons[q] / neuronTotal, FillColor = neuronColor, Size = width });
                bars.Add(new Bar { Position = left + width, Value = 100 * summary.PartitionSynapses[q] / synapseTotal, FillColor = synapseColor, Size = width });
            }
            plot.Add.Bars(bars);
            plot.Axes.Left.Label.Text = "share of all neurons / synapses (%)";
            plot.Axes.SetLimitsY(0, 1.3 * bars.Max(b => b.Value), plot.Axes.Left);
            legend.Add(new LegendItem { LabelText = string.Create(ci, $"neurons (% of {summary.PartitionNeurons.Sum():N0})"), FillColor = neuronColor });
            legend.Add(new LegendItem { LabelText = string.Create(ci, $"synapses (% of {summary.PartitionSynapses.Sum():N0})"), FillColor = synapseColor });
        }
        if (waits)
        {
            var bars = new List<Bar>();
            for (int q = 0; q < parts; q++)
                bars.Add(new Bar { Position = sizes ? q + width : q, Value = summary.PartitionWaitSeconds[q], FillColor = waitColor, Size = width });
            var plotted = plot.Add.Bars(bars);
            var axis = sizes ? plot.Axes.Right : plot.Axes.Left;
            plotted.Axes.YAxis = axis;
            axis.Label.Text = "waiting for packets (s)";
            // Headroom for the legend; an all-zero wait still needs a non-empty range.
            plot.Axes.SetLimitsY(0, 1.3 * Math.Max(1e-3, bars.Max(b => b.Value)), axis);
            legend.Add(new LegendItem { LabelText = "wait for packets (s)", FillColor = waitColor });
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, parts).Select(q => (double)q).ToArray(),
            Enumerable.Range(0, parts).Select(q => q.ToString(ci)).ToArray());
        plot.Axes.SetLimitsX(-0.6, parts - 0.4);
        plot.XLabel("partition");
        plot.Title(string.Create(ci, $"Load of {parts} partition{(parts == 1 ? "" : "s")}"));
        if (legend.Count > 0) plot.ShowLegend(legend, Alignment.UpperRight);
        else NoData(plot, "summary.json has no per-partition figures");
        return plot;
    }

    /// <summary>
    /// Renders <paramref name="plot"/> and writes it as PNG with light compression: figures of flat colours compress
    /// nearly as well at zlib level 1 and with one row filter (Sub) as at the encoder's default of trying all five per
    /// row, in a fraction of the time (files ~15% larger).
    /// </summary>
    public static void SavePng(Plot plot, string path, ImageSize size)
    {
        using var data = EncodePng(plot, size) ?? throw new InvalidOperationException($"{path}: the PNG encoder failed");
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static SKData? EncodePng(Plot plot, ImageSize size)
    {
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"cannot create a {size.Width} x {size.Height} drawing surface");
        plot.Render(surface);
        using var image = surface.Snapshot();
        using var pixels = image.PeekPixels();
        return pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, zLibLevel: 1));
    }

    private static void NoData(Plot plot, string text)
    {
        var label = plot.Add.Text(text, 0.5, 0.5);
        label.Alignment = Alignment.MiddleCenter;
        label.LabelStyle.FontSize = 18;
        plot.Axes.SetLimits(0, 1, 0, 1);
    }

    private static string Ordinal(int k) => k switch
    {
        _ when k % 100 is 11 or 12 or 13 => $"{k}th",
        _ when k % 10 == 1 => $"{k}st",
        _ when k % 10 == 2 => $"{k}nd",
        _ when k % 10 == 3 => $"{k}rd",
        _ => $"{k}th",
    };
}
