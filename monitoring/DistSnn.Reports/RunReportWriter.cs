namespace DistSnn.Reports;

/// <summary>Options of <see cref="RunReportWriter.Write"/>.</summary>
public sealed record ReportOptions
{
    /// <summary>Size of every figure; 1000 × 600 by default.</summary>
    public ImageSize Size { get; init; } = new(1000, 600);

    /// <summary>Subsampling limits.</summary>
    public DigestLimits Limits { get; init; } = new();
}

/// <summary>What <see cref="RunReportWriter.Write"/> produced.</summary>
/// <param name="PlotsDir">The <c>plots</c> folder.</param>
/// <param name="Report">Path of <c>report.html</c>.</param>
/// <param name="Files">Every file written (figures and report), in order.</param>
/// <param name="SpikeFile">The spike file that was read.</param>
public sealed record ReportOutput(string PlotsDir, string Report, IReadOnlyList<string> Files, string SpikeFile);

/// <summary>
/// Turns a results folder (<c>summary.json</c> and <c>spikes.h5</c> or <c>spikes.csv</c>) into
/// <c>plots/{raster,rate,isi,partition_load}.{png,svg}</c> and <c>plots/report.html</c>.
/// </summary>
public static class RunReportWriter
{
    /// <summary>Reads the run in <paramref name="runDir"/> and writes its figures and report.</summary>
    /// <exception cref="ReportInputException">The folder, summary or spike file is missing or malformed.</exception>
    public static ReportOutput Write(string runDir, ReportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        options ??= new ReportOptions();
        options.Size.Check();
        var (summary, digest, spikeFile) = Read(runDir, options.Limits);

        string plotsDir = Path.Combine(runDir, "plots");
        var files = new List<string>(RunPlots.SaveAll(plotsDir, summary, digest, options.Size));
        string report = Path.Combine(plotsDir, "report.html");
        File.WriteAllText(report, HtmlReport.Render(summary, plotsDir, options.Size));
        files.Add(report);
        return new ReportOutput(plotsDir, report, files, spikeFile);
    }

    /// <summary>Reads the summary and streams the spike file of <paramref name="runDir"/> into a digest.</summary>
    /// <exception cref="ReportInputException">The folder, summary or spike file is missing or malformed.</exception>
    public static (ReportSummary Summary, SpikeDigest Digest, string SpikeFile) Read(string runDir, DigestLimits limits)
    {
        if (!Directory.Exists(runDir)) throw new ReportInputException($"{runDir}: folder not found");
        var summary = ReportSummary.Read(Path.Combine(runDir, "summary.json"));
        string spikeFile = SpikeFileReader.Locate(runDir);
        var digest = new SpikeDigest(summary, limits);
        SpikeFileReader.Read(spikeFile, summary, digest);
        return (summary, digest, spikeFile);
    }
}
