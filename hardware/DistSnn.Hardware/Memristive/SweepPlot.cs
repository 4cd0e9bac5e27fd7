namespace DistSnn.Hardware.Memristive;

/// <summary>One setting of a device sweep: its label, the mean of the measured quantity and the half-width of its 95% interval.</summary>
public sealed record SweepPoint(string Label, double Mean, double HalfWidth);

/// <summary>Draws a device sweep: the measured quantity per setting with its 95% interval, the first setting as reference line.</summary>
public static class SweepPlot
{
    /// <summary>Writes <paramref name="file"/>.png and .svg for <paramref name="points"/>.</summary>
    public static void Save(string file, string title, string yLabel, IReadOnlyList<SweepPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var plot = new ScottPlot.Plot();
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            plot.Add.Bar(new ScottPlot.Bar
            {
                Position = i, Value = p.Mean, Error = p.HalfWidth,
                FillColor = i == 0 ? ScottPlot.Colors.Gray : ScottPlot.Colors.SteelBlue,
            });
        }
        if (points.Count > 0)
        {
            var line = plot.Add.HorizontalLine(points[0].Mean);
            line.LinePattern = ScottPlot.LinePattern.Dashed;
            line.Color = ScottPlot.Colors.Gray;
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, points.Count).Select(i => (double)i).ToArray(), points.Select(p => p.Label).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        // Room for the rotated setting names under the axis.
        plot.Axes.Bottom.MinimumSize = 30 + 4.5f * points.Select(p => p.Label.Length).DefaultIfEmpty(0).Max();
        plot.Axes.Right.MinimumSize = 80;
        plot.Axes.Left.Label.Text = yLabel;
        plot.Title(title);
        plot.Axes.Margins(bottom: 0);
        plot.SavePng(file + ".png", 1000, 600);
        plot.SaveSvg(file + ".svg", 1000, 600);
    }
}
