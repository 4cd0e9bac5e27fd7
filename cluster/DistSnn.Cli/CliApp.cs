using System.CommandLine;
using System.Globalization;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cli;

/// <summary>The <c>distsnn</c> command tree.</summary>
public static class CliApp
{
    /// <summary>Builds the root command with all subcommands.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("DistSnn: distributed spiking neural network simulator.\n" + ExitCodes.Help);
        root.Subcommands.Add(RunCommand());
        root.Subcommands.Add(ResumeCommand.Create());
        root.Subcommands.Add(PlotCommand.Create());
        root.Subcommands.Add(SuiteBenchCommand.Create());
        root.Subcommands.Add(PartitionCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(HardwareCommand.Create());
        root.Subcommands.Add(NodeCommand.Create());
        foreach (var c in AdminCommands.Create()) root.Subcommands.Add(c);
        return root;
    }

    private static Command RunCommand()
    {
        var model = new Argument<FileInfo>("MODEL") { Description = "Model file (YAML or JSON), e.g. examples/brunel.yaml, or a SONATA simulation or circuit config (JSON)" };
        var partitions = new Option<int>("--partitions", "-p")
        {
            Description = "Number of partitions (actors); results are identical for any value",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var duration = new Option<string?>("--duration", "-t") { Description = "Biological time to simulate, e.g. '200 ms' or '2 s' (default: the model's)" };
        var seed = new Option<ulong?>("--seed", "-s") { Description = "Master seed (default: the model's)" };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Results folder (default: results/<model name>)" };
        var csv = new Option<bool>("--csv") { Description = "Also write spikes.csv (population,node_id,time_ms)" };
        var strategy = new Option<string>("--strategy")
        {
            Description = "How neurons are spread over partitions: contiguous, round_robin or graph",
            DefaultValueFactory = _ => "contiguous",
        };
        strategy.AcceptOnlyFromAmong("contiguous", "round_robin", "graph");
        var scale = new Option<double>("--scale")
        {
            Description = "Resize the network by this factor, keeping each neuron's expected number of inputs (benchmarks)",
            DefaultValueFactory = _ => 1.0,
        };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON instead of a table" };
        var every = new Option<string?>("--checkpoint-every") { Description = "Write a checkpoint every T of biological time, e.g. '100 ms' (see distsnn resume)" };
        var ckptDir = new Option<DirectoryInfo?>("--checkpoint-dir") { Description = "Checkpoint directory (default: checkpoints); each job writes <dir>/<job>/step-<N>/" };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the plots and report.html (see 'distsnn plot')" };
        var telemetry = TelemetryFlag.Create("none");
        var transport = TransportOption();
        var backend = new Option<string?>("--backend")
        {
            Description = "Host every population on this backend (cpu, spinnaker, spinnaker:ideal, memristive, memristive:PRESET), overriding the model's backend: and placement:",
        };
        var timeScale = new Option<double?>("--time-scale-factor")
        {
            Description = "How much slower than real time the modelled SpiNNaker machine runs (the model's backends.spinnaker.time_scale_factor)",
        };
        var spinnaker = Backends.SpiNNakerOption();
        var memristive = Backends.MemristiveOption();
        var place = new Option<string[]>("--place")
        {
            Description = "Host one population on a backend, POPULATION=BACKEND (repeatable), e.g. --place exc=spinnaker; after --backend",
        };
        var cmd = new Command("run", "Simulate a model in this process (the embedded default) and write a results folder.\n" + ExitCodes.Help)
        {
            model, partitions, duration, seed, outDir, csv, strategy, scale, json, every, ckptDir, noPlots, telemetry, transport, backend, timeScale, spinnaker, memristive, place,
        };
        cmd.SetAction(async (parse, cancel) =>
        {
            var settings = new RunCommandSettings(
                parse.GetValue(model)!,
                parse.GetValue(partitions),
                parse.GetValue(duration),
                parse.GetValue(seed),
                parse.GetValue(outDir),
                parse.GetValue(csv),
                PartitionStrategyNames.TryParse(parse.GetValue(strategy), out var chosen) ? chosen : PartitionStrategy.Contiguous,
                parse.GetValue(json),
                parse.GetValue(scale),
                parse.GetValue(every),
                parse.GetValue(ckptDir),
                !parse.GetValue(noPlots),
                parse.GetValue(telemetry),
                Transport(parse.GetValue(transport)))
            {
                Backend = parse.GetValue(backend),
                TimeScaleFactor = parse.GetValue(timeScale),
                SpiNNaker = parse.GetValue(spinnaker),
                Memristive = parse.GetValue(memristive),
                Place = parse.GetValue(place),
            };
            return await RunCommandHandler.ExecuteAsync(settings, cancel);
        });
        return cmd;
    }

    /// <summary>The <c>--transport</c> option of the commands that run in this process.</summary>
    internal static Option<string> TransportOption()
    {
        var transport = new Option<string>("--transport")
        {
            Description = "How the partitions exchange spike packets: inproc (in memory, no actor system) or akka (partition actors, as on a cluster); results are identical",
            DefaultValueFactory = _ => "inproc",
        };
        transport.AcceptOnlyFromAmong("inproc", "akka");
        return transport;
    }

    /// <summary>The transport a <c>--transport</c> value names.</summary>
    internal static Cluster.Runtime.RunTransport Transport(string? name) =>
        name == "akka" ? Cluster.Runtime.RunTransport.Akka : Cluster.Runtime.RunTransport.InProcess;

    /// <summary>Parses a duration given as a quantity ("200 ms", "2 s") or a bare number of ms.</summary>
    public static bool TryParseDuration(string text, out double ms, out string why)
    {
        why = "";
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out ms)) return true;
        try
        {
            ms = Units.Parse(text, Dimension.Time);
            return true;
        }
        catch (FormatException e)
        {
            why = e.Message;
            return false;
        }
    }
}
