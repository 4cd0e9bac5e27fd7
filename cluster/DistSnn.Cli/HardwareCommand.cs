using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DistSnn.Hardware.Memristive;
using DistSnn.Hardware.SpiNNaker;
using DistSnn.Model;
using Spectre.Console;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn hw map MODEL --target spinnaker</c>: maps a model onto a modelled SpiNNaker machine (slices, cores,
/// chips, boards, keys, routes, compressed router tables) and prints and writes the mapping report, without running.
/// </summary>
public static class HardwareCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The <c>hw</c> command and its subcommands.</summary>
    public static Command Create() => new("hw", "Modelled neuromorphic hardware.\n" + ExitCodes.Help) { MapCommand(), SweepCommand.Create() };

    private static Command MapCommand()
    {
        var model = new Argument<FileInfo>("MODEL") { Description = "Model file (YAML or JSON), e.g. examples/brunel.yaml" };
        var target = new Option<string>("--target") { Description = "The hardware to map onto", DefaultValueFactory = _ => "spinnaker" };
        target.AcceptOnlyFromAmong("spinnaker", "memristive");
        var boards = new Option<int?>("--boards") { Description = "Boards in the machine (SpiNN-5: 1, or triads of 3; default: the fewest the model fits)" };
        var boardType = new Option<string>("--board-type") { Description = "spin5 (48 chips per board) or spin3 (4 chips)", DefaultValueFactory = _ => "spin5" };
        boardType.AcceptOnlyFromAmong("spin5", "spin3");
        var maxBoards = new Option<int>("--max-boards") { Description = "The largest machine tried when --boards is not given", DefaultValueFactory = _ => 1200 };
        var rate = new Option<double>("--rate") { Description = "Firing rate (Hz) the expected link loads and core cycles assume", DefaultValueFactory = _ => 10.0 };
        var spinnaker = Backends.SpiNNakerOption();
        var memristive = Backends.MemristiveOption();
        var preset = new Option<string>("--preset") { Description = "With --target memristive: the device preset of populations the model does not place", DefaultValueFactory = _ => MemristiveSettings.DefaultPreset };
        var scale = new Option<double>("--scale") { Description = "Resize the network by this factor, keeping each neuron's expected number of inputs", DefaultValueFactory = _ => 1.0 };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of tables" };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Where mapping.json is written (default: results/<model name>-<target>-map)" };
        var cmd = new Command("map",
            "Map a model onto a modelled SpiNNaker machine and report slices, cores, chips, boards, router entries per chip " +
            "(before and after compression), expected packets per link per tick, SDRAM and DTCM use; or (--target memristive) onto " +
            "crossbar tiles and chips, with the expected utilisation per projection; nothing is run.\n" + ExitCodes.Help)
        {
            model, target, boards, boardType, maxBoards, rate, scale, json, outDir,
        };
        cmd.Options.Add(spinnaker);
        cmd.Options.Add(memristive);
        cmd.Options.Add(preset);
        cmd.SetAction(parse => parse.GetValue(target) == "memristive"
            ? MemristiveMap.Execute(parse.GetValue(model)!, parse.GetValue(preset)!, parse.GetValue(memristive) ?? [], parse.GetValue(scale), parse.GetValue(json), parse.GetValue(outDir))
            : Execute(parse.GetValue(model)!, parse.GetValue(boards), parse.GetValue(boardType) == "spin3" ? BoardType.Spin3 : BoardType.Spin5,
            parse.GetValue(maxBoards), parse.GetValue(rate), parse.GetValue(scale), parse.GetValue(json), parse.GetValue(outDir), parse.GetValue(spinnaker)));
        return cmd;
    }

    private static int Execute(FileInfo model, int? boards, BoardType type, int maxBoards, double rate, double scale, bool json, DirectoryInfo? outOption,
        string[]? options = null)
    {
        if (!(rate >= 0) || double.IsInfinity(rate)) return Refuse($"--rate: must be a finite rate >= 0 Hz, got {rate}");
        if (boards is < 1) return Refuse($"--boards: must be at least 1, got {boards}");
        if (maxBoards < 1) return Refuse($"--max-boards: must be at least 1, got {maxBoards}");
        if (LoadScaled(model, scale) is not { } loaded || Backends.WithSpiNNakerOptions(loaded, options) is not { } spec) return ExitCodes.BadInput;
        SpiNNakerMapping mapping;
        try
        {
            // The machine's figures as the model's backends.spinnaker section gives them; the board options here win.
            var (settings, errors) = Hardware.SpiNNaker.Execution.SpiNNakerSettings.Read(spec);
            if (settings is null) return Refuse($"{model.FullName}: {string.Join("; ", errors)}");
            var parameters = settings.Parameters;
            mapping = boards is { } n
                ? SpiNNakerMapper.Map(spec, SpiNNakerMachine.Create(type, n), parameters, rate)
                : SpiNNakerMapper.MapSmallest(spec, type, parameters, maxBoards, rate);
        }
        catch (Exception e) when (e is MappingException or ArgumentException)
        {
            return Refuse($"{model.FullName}: {e.Message}");
        }
        string outDir = outOption?.FullName ?? Path.Combine("results", spec.Name + "-spinnaker-map");
        Directory.CreateDirectory(outDir);
        string file = Path.Combine(outDir, "mapping.json");
        var text = JsonSerializer.Serialize(mapping.Report, Json);
        File.WriteAllText(file, text);
        if (json) Console.WriteLine(text);
        else Print(mapping.Report, file);
        return ExitCodes.Ok;
    }

    /// <summary>The model of <paramref name="model"/> resized by <paramref name="scale"/>; null, with the errors printed, when it cannot be.</summary>
    internal static NetworkSpec? LoadScaled(FileInfo model, double scale)
    {
        if (!(scale > 0) || double.IsInfinity(scale))
        {
            Refuse($"--scale: must be a finite number > 0, got {scale}");
            return null;
        }
        if (!ModelFiles.TryLoad(model, out var spec)) return null;
        return scale == 1.0 ? spec : NetworkScaling.Scale(spec, scale);
    }

    private static int Refuse(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return ExitCodes.BadInput;
    }

    private static void Print(MappingReport r, string file)
    {
        var ci = CultureInfo.InvariantCulture;
        var t = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(r.Model)} on SpiNNaker[/]");
        t.AddColumn("quantity");
        t.AddColumn(new TableColumn("value").RightAligned());
        void Row(string k, string v) => t.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("machine", $"{r.Boards} {r.BoardType} board(s), {r.ChipsInMachine} chips, {r.CoresInMachine} application cores");
        Row("chips used", r.ChipsUsed.ToString(ci));
        Row("cores used", $"{r.CoresUsed} ({r.NeuronCores} neuron, {r.SourceCores} source, {r.DelayExtensionCores} delay extension)");
        Row("router entries per chip", string.Create(ci, $"max {r.RouterEntriesMax}, mean {r.RouterEntriesMean:F1} (before compression max {r.RouterEntriesMaxBefore}, mean {r.RouterEntriesMeanBefore:F1}; limit {r.RouterEntriesLimit})"));
        Row("packets per link per tick", string.Create(ci, $"max {r.PacketsPerLinkPerTickMax:F2}, mean {r.PacketsPerLinkPerTickMean:F2} over {r.LinksUsed} links (at {r.AssumedRateHz:G} Hz, ticks of {r.TickMs:G} ms)"));
        Row("busiest core", string.Create(ci, $"{r.CoreCyclesPerTickMax:N0} cycles per tick at {r.AssumedRateHz:G} Hz: time-scale factor {r.TimeScaleFactorNeeded:0.##} needed ({r.NeuronsPerCoreMean:F0} neurons per core on average)"));
        Row("SDRAM per chip", string.Create(ci, $"max {r.SdramMaxBytesPerChip / 1048576.0:F1} MiB of {r.SdramBytesPerChip / 1048576.0:F1} MiB"));
        Row("DTCM per core", string.Create(ci, $"max {r.DtcmMaxBytesPerCore / 1024.0:F1} KiB of {r.DtcmBytesPerCore / 1024.0:F0} KiB"));
        AnsiConsole.Write(t);
        var pops = new Table().Border(TableBorder.Rounded);
        pops.AddColumns("population", "kind", "atoms", "slices", "atoms per slice (max)");
        foreach (var p in r.Populations)
            pops.AddRow(Markup.Escape(p.Population), p.Kind, p.Neurons.ToString("N0", ci), p.Slices.ToString(ci), p.MaxPerSlice.ToString(ci));
        AnsiConsole.Write(pops);
        AnsiConsole.MarkupLine($"report: [link]{Markup.Escape(file)}[/]");
    }
}
