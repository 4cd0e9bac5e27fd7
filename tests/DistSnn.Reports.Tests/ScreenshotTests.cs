using System.Diagnostics;

namespace DistSnn.Reports.Tests;

/// <summary>
/// report.html opened in headless Chromium: the screenshot must show the page (tables and figures), not a blank or
/// error page. Chromium is required when CI=true (.ci/run installs it); elsewhere the test passes with a note
/// when it is missing.
/// </summary>
public class ScreenshotTests(CubaRun run) : IClassFixture<CubaRun>
{
    private const int Width = 1200, Height = 1600;

    [Fact]
    public async Task ReportRendersInHeadlessChromium()
    {
        string? chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
        if (chromium is null)
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true",
                "chromium is not installed; .ci/run installs the Debian package 'chromium'");
            Console.WriteLine("skipped: chromium is not installed (apt-get install -y chromium)");
            return;
        }
        var output = RunReportWriter.Write(run.Dir);
        using var shots = new TempDirectory();
        string shot = shots.File("report.png");

        var psi = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                     $"--user-data-dir={shots.File("profile")}", $"--screenshot={shot}", $"--window-size={Width},{Height}",
                     new Uri(output.Report).AbsoluteUri,
                 })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90)))
        {
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 90 s");
            }
        }
        await stdout;
        Assert.True(File.Exists(shot), $"chromium wrote no screenshot (exit {p.ExitCode}): {await stderr}");

        using var bitmap = ImageChecks.AssertPng(shot, Width, Height);
        var (drawn, colors) = ImageChecks.Content(bitmap);
        // The first screen holds the title, both tables and the top of the raster: far from blank.
        Assert.True(drawn > 0.05, $"only {drawn:P2} of the screenshot differs from the background");
        Assert.True(colors > 50, $"only {colors} distinct colours in the screenshot");
        // The raster's blue (exc) and orange (inh) spikes must be on screen: the embedded figure was decoded.
        Assert.True(CountNear(bitmap, 0x1f, 0x77, 0xb4) > 200, "no raster spikes of the first population on screen");
        Assert.True(CountNear(bitmap, 0xff, 0x7f, 0x0e) > 200, "no raster spikes of the second population on screen");
    }

    private static int CountNear(SkiaSharp.SKBitmap bitmap, byte r, byte g, byte b)
    {
        int n = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (Math.Abs(c.Red - r) + Math.Abs(c.Green - g) + Math.Abs(c.Blue - b) < 40) n++;
            }
        return n;
    }
}
