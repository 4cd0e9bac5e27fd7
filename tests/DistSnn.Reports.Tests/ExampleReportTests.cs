using DistSnn.Cluster.Runtime;
using DistSnn.Model;

namespace DistSnn.Reports.Tests;

/// <summary>Every example model gets valid figures of the asked size (shortened and scaled down to stay quick).</summary>
public class ExampleReportTests
{
    public static TheoryData<string> Examples() =>
        new(Directory.GetFiles(Path.Combine(Repo.Root, "examples"), "*.yaml").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task ExampleGetsValidPngAndSvgFigures(string example)
    {
        using var dir = new TempDirectory();
        var spec = ModelLoader.LoadFile(Path.Combine(Repo.Root, "examples", example));
        spec = NetworkScaling.Scale(spec with { Run = spec.Run with { Duration = 30 } }, 0.2);
        await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2, OutDir = dir.Path });

        var size = new ImageSize(720, 480);
        var output = RunReportWriter.Write(dir.Path, new ReportOptions { Size = size });

        Assert.Equal(9, output.Files.Count);
        foreach (var name in RunPlots.Names)
        {
            using var png = ImageChecks.AssertPng(Path.Combine(output.PlotsDir, name + ".png"), size.Width, size.Height);
            Assert.True(ImageChecks.Content(png).NonBackground > 0.02, $"{example}: {name}.png is nearly empty");
            ImageChecks.AssertSvg(Path.Combine(output.PlotsDir, name + ".svg"), size.Width, size.Height);
        }
        Assert.Contains(spec.Name, File.ReadAllText(output.Report));
    }
}
