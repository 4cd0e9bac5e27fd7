namespace DistSnn.Reports;

/// <summary>Options of <c>RunReportWriter.Write</c>.</summary>
public sealed record ReportOptions
{
    /// <summary>Size of every figure; 1000 × 600 by default.</summary>
    public ImageSize Size { get; init; } = new(1000, 600);

    /// <summary>Subsampling limits.</summary>
    public DigestLimits Limits { get; init; } = new();
}

/// <summary>What <c>RunReportWriter.Write</c> produced.</summary>
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
    public static ReportOutput Write(string runDir, ReportOptions? options = null) => Write(runDir, options, spikes: null);

    /// <summary>
    /// Writes the figures and report of the run in <paramref name="runDir"/>; when <paramref name="spikes"/> is given
    /// it fills the digest with the run's spikes (as the spike file holds them) from memory instead of the file being
    /// read back, which is what a process that has just written the file does.
    /// </summary>
    /// <exception cref="ReportInputException">The folder, summary or spike file is missing or malformed.</exception>
    public static ReportOutput Write(string runDir, ReportOptions? options, Action<SpikeDigest>? spikes)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        options ??= new ReportOptions();
        options.Size.Check();
        var (summary, digest, spikeFile) = spikes is null ? Read(runDir, options.Limits) : FromMemory(runDir, options.Limits, spikes);

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

    private static (ReportSummary Summary, SpikeDigest Digest, string SpikeFile) FromMemory(string runDir, DigestLimits limits,
        Action<SpikeDigest> spikes)
    {
        if (!Directory.Exists(runDir)) throw new ReportInputException($"{runDir}: folder not found");
        var summary = ReportSummary.Read(Path.Combine(runDir, "summary.json"));
        string spikeFile = SpikeFileReader.Locate(runDir);
        var digest = new SpikeDigest(summary, limits);
        spikes(digest);
        digest.CheckCounts(summary, "the run's spikes");
        return (summary, digest, spikeFile);
    }
}
