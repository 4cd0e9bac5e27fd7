using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DistSnn.Reports;
using Spectre.Console;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn plot DIR</c>: (re)draws a results folder's figures and HTML report into <c>DIR/plots/</c>; also the
/// step that <c>distsnn run</c> and fetched cluster results end with.
/// </summary>
public static class PlotCommand
{
    /// <summary>The <c>plot</c> command.</summary>
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("DIR") { Description = "Results folder written by 'distsnn run' (holds summary.json and spikes.h5 or spikes.csv)" };
        var width = new Option<int>("--width") { Description = "Figure width in pixels", DefaultValueFactory = _ => 1000 };
        var height = new Option<int>("--height") { Description = "Figure height in pixels", DefaultValueFactory = _ => 600 };
        var json = new Option<bool>("--json") { Description = "Print the files written as JSON" };
        var cmd = new Command("plot",
            "Draw a run's spike raster, population rates, ISI distribution and partition load (PNG and SVG) and a " +
            "self-contained report.html into DIR/plots/.\n" + ExitCodes.Help)
        {
            dir, width, height, json,
        };
        cmd.SetAction(parse =>
        {
            var size = new ImageSize(parse.GetValue(width), parse.GetValue(height));
            if (size.Width is < 100 or > 8192 || size.Height is < 100 or > 8192)
            {
                Console.Error.WriteLine($"error: --width/--height: figure sides must be 100 to 8192 pixels, got {size.Width} x {size.Height}");
                return ExitCodes.BadInput;
            }
            return Execute(parse.GetValue(dir)!.FullName, new ReportOptions { Size = size }, parse.GetValue(json), listFiles: true);
        });
        return cmd;
    }

    /// <summary>
    /// Writes the plots and report of <paramref name="runDir"/> and tells the user where they are; returns the exit
    /// code: 2 when the folder's files are missing or malformed, 1 when writing fails. <paramref name="spikes"/>, when
    /// given, fills the digest from the spikes in memory instead of the spike file.
    /// </summary>
    public static int Execute(string runDir, ReportOptions options, bool json, bool listFiles, Action<SpikeDigest>? spikes = null)
    {
        ReportOutput output;
        try
        {
            output = RunReportWriter.Write(runDir, options, spikes);
        }
        catch (ReportInputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: writing the plots of {runDir}: {e.Message}");
            return ExitCodes.Failed;
        }
        if (json)
        {
            if (listFiles)
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["plots_dir"] = output.PlotsDir,
                    ["report"] = output.Report,
                    ["spike_file"] = output.SpikeFile,
                    ["files"] = output.Files,
                }, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        }
        if (listFiles)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumn("file").AddColumn(new TableColumn("bytes").RightAligned());
            foreach (var f in output.Files)
                table.AddRow(Markup.Escape(Path.GetRelativePath(runDir, f)), new FileInfo(f).Length.ToString("N0", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
        }
        AnsiConsole.MarkupLine($"report: [link]{Markup.Escape(output.Report)}[/]");
        return ExitCodes.Ok;
    }
}
