using System.CommandLine;
using System.Globalization;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Runtime;

namespace DistSnn.Cli;

/// <summary><c>distsnn resume CHECKPOINT</c>: continues a run from a checkpoint to its end.</summary>
public static class ResumeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var checkpoint = new Argument<DirectoryInfo>("CHECKPOINT")
        {
            Description = "A checkpoint folder (<dir>/<job>/step-<N>) or a job's folder (<dir>/<job>: its newest complete checkpoint)",
        };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Results folder (default: results/<model name>)" };
        var csv = new Option<bool>("--csv") { Description = "Also write spikes.csv (population,node_id,time_ms)" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON instead of a table" };
        var every = new Option<string?>("--checkpoint-every") { Description = "Checkpoint interval from here on, e.g. '100 ms', or 0 for none (default: the checkpoint's)" };
        var ckptDir = new Option<DirectoryInfo?>("--checkpoint-dir") { Description = "Where further checkpoints go (default: the checkpoint's directory)" };
        var transport = CliApp.TransportOption();
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the plots and report.html (see 'distsnn plot')" };
        var cmd = new Command("resume", "Continue a run from a checkpoint written by 'distsnn run --checkpoint-every'; the spikes are those of an uninterrupted run.\n" + ExitCodes.Help)
        {
            checkpoint, outDir, csv, json, every, ckptDir, transport, noPlots,
        };
        cmd.SetAction(async (parse, cancel) => await ExecuteAsync(parse.GetValue(checkpoint)!, parse.GetValue(outDir), parse.GetValue(csv),
            parse.GetValue(json), parse.GetValue(every), parse.GetValue(ckptDir), CliApp.Transport(parse.GetValue(transport)),
            !parse.GetValue(noPlots), cancel));
        return cmd;
    }

    private static async Task<int> ExecuteAsync(DirectoryInfo path, DirectoryInfo? outDirOption, bool csv, bool json, string? everyText,
        DirectoryInfo? ckptDir, RunTransport transport, bool plots, CancellationToken cancel)
    {
        var wallStart = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();
        ResumeFrom resume;
        Model.NetworkSpec spec;
        try
        {
            (resume, spec) = CheckpointStore.Load(path.FullName);
        }
        catch (CheckpointException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        var m = resume.Manifest;
        long every = m.CheckpointEverySteps;
        if (everyText is not null)
        {
            if (everyText.Trim() == "0") every = 0;
            else if (CheckpointSteps(everyText, spec.Run.Dt) is { } steps) every = steps;
            else return ExitCodes.BadInput;
        }
        // The step folder lies in <root>/<job>/: further checkpoints go next to it unless told otherwise.
        string root = ckptDir?.FullName ?? Path.GetDirectoryName(Path.GetDirectoryName(resume.StepDirectory)!)!;
        string outDir = outDirOption?.FullName ?? Path.Combine("results", spec.Name);
        if (!json)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"resuming {m.Job} at {m.TimeMs} ms (step {m.Step} of {m.TotalSteps}) on {m.Partitions} partitions from {resume.StepDirectory}"));
        var options = new RunOptions
        {
            Partitions = m.Partitions,
            Strategy = resume.Strategy,
            OutDir = outDir,
            Csv = csv,
            WallStartUtc = wallStart,
            Resume = resume,
            Checkpoints = every > 0 ? new CheckpointRequest(root, every) : null,
            OnCheckpoint = json ? null : Announce,
            Transport = transport,
            Backends = Backends.Registry,
        };
        return await RunCommandHandler.RunAndReport(spec, options, json, outDir, cancel, plots);
    }

    /// <summary>Parses a checkpoint interval into steps of <paramref name="dt"/>; prints the error and returns null when invalid.</summary>
    internal static long? CheckpointSteps(string text, double dt)
    {
        if (!CliApp.TryParseDuration(text, out double ms, out string why))
        {
            Console.Error.WriteLine($"error: --checkpoint-every: {why}");
            return null;
        }
        long steps = Math.Abs(ms) <= Model.TimeGrid.MaxMs ? new Model.TimeGrid(dt).Steps(ms) : 0;
        if (steps < 1)
        {
            Console.Error.WriteLine($"error: --checkpoint-every: must be at least one step ({dt.ToString(CultureInfo.InvariantCulture)} ms), got '{text}'");
            return null;
        }
        return steps;
    }

    /// <summary>Tells the user where a checkpoint went.</summary>
    internal static void Announce(CheckpointManifest m) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"checkpoint at {m.TimeMs} ms (step {m.Step}): {m.Files.Sum(f => f.Bytes) / 1e6:F1} MB, {m.WriteSeconds * 1000:F0} ms"));
}
