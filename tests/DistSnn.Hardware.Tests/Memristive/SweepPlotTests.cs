using DistSnn.Hardware.Memristive;

namespace DistSnn.Hardware.Tests.Memristive;

/// <summary>The sweep plot is written as PNG and SVG with every setting named.</summary>
public sealed class SweepPlotTests
{
    [Fact]
    public void Writes_png_and_svg_naming_every_setting()
    {
        string dir = Path.Combine(Path.GetTempPath(), "distsnn-sweepplot-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var points = new[] { new SweepPoint("ideal", 70.6, 0.9), new SweepPoint("levels=2", 35.2, 0.9), new SweepPoint("levels=32 nl_ltp=1.75 c2c=0.003", 66.1, 0.9) };
            SweepPlot.Save(Path.Combine(dir, "sweep"), "title", "test accuracy (%)", points);
            Assert.True(new FileInfo(Path.Combine(dir, "sweep.png")).Length > 5000);
            string svg = File.ReadAllText(Path.Combine(dir, "sweep.svg"));
            Assert.All(points, p => Assert.Contains(p.Label, svg, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
