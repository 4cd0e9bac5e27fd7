using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using DistSnn.Model;
using DistSnn.Partitioner;
using Spectre.Console;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn partition MODEL --parts K</c>: makes a partition plan and prints its estimated cost per partition
/// (neurons, synapses, load, memory) and overall (cut fraction, spike traffic per epoch), without simulating.
/// </summary>
public static class PartitionCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The <c>partition</c> subcommand.</summary>
    public static Command Create()
    {
        var model = new Argument<FileInfo>("MODEL") { Description = "Model file (YAML or JSON), e.g. examples/brunel.yaml" };
        var parts = new Option<int>("--parts", "-k") { Description = "Number of partitions", Required = true };
        var strategy = new Option<string>("--strategy")
        {
            Description = "contiguous (blocks per population), round_robin (NEST's) or graph (balanced, few synapses cut)",
            DefaultValueFactory = _ => "contiguous",
        };
        strategy.AcceptOnlyFromAmong([.. PartitionStrategyNames.All]);
        var capacities = new Option<string?>("--capacities")
        {
            Description = "Relative capacity of each partition, comma separated, e.g. '1,2,1' (default: equal)",
        };
        var rate = new Option<double>("--rate")
        {
            Description = "Nominal firing rate of neurons in Hz, for the spike traffic estimate",
            DefaultValueFactory = _ => PartitionReport.DefaultRateHz,
        };
        var json = new Option<bool>("--json") { Description = "Print the report as JSON instead of a table" };
        var cmd = new Command("partition",
            "Partition a model and print per-partition neurons, synapses, estimated memory, the fraction of synapses cut " +
            "and the expected spike traffic between partitions (estimated from the model, nothing is simulated).\n" + ExitCodes.Help)
        {
            model, parts, strategy, capacities, rate, json,
        };
        cmd.SetAction(parse =>
        {
            PartitionStrategyNames.TryParse(parse.GetValue(strategy), out var s);
            return Execute(parse.GetValue(model)!, parse.GetValue(parts), s, parse.GetValue(capacities),
                parse.GetValue(rate), parse.GetValue(json));
        });
        return cmd;
    }

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Execute(FileInfo modelFile, int parts, PartitionStrategy strategy, string? capacities, double rateHz, bool json)
    {
        if (parts < 1)
        {
            Console.Error.WriteLine($"error: --parts: must be at least 1, got {parts}");
            return ExitCodes.BadInput;
        }
        if (!(rateHz >= 0) || double.IsInfinity(rateHz))
        {
            Console.Error.WriteLine($"error: --rate: must be a finite number >= 0, got {rateHz}");
            return ExitCodes.BadInput;
        }
        double[]? weights = null;
        if (capacities is not null && !TryParseCapacities(capacities, parts, out weights, out var why))
        {
            Console.Error.WriteLine($"error: --capacities: {why}");
            return ExitCodes.BadInput;
        }
        if (!ModelFiles.TryLoad(modelFile, out var spec)) return ExitCodes.BadInput;

        PartitionReport report;
        try
        {
            var plan = PartitionPlan.Create(spec, parts, strategy, new PartitionOptions { Capacities = weights });
            report = PartitionReport.Compute(spec, plan, rateHz);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(report, Json));
        else
            Print(report);
        return ExitCodes.Ok;
    }

    private static bool TryParseCapacities(string text, int parts, out double[] weights, out string why)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        weights = new double[items.Length];
        why = "";
        for (int q = 0; q < items.Length; q++)
        {
            if (!double.TryParse(items[q], NumberStyles.Float, CultureInfo.InvariantCulture, out weights[q]) ||
                !(weights[q] > 0) || double.IsInfinity(weights[q]))
            {
                why = $"'{items[q]}' is not a number > 0";
                return false;
            }
        }
        if (weights.Length != parts)
        {
            why = $"{weights.Length} capacities given for {parts} partitions; give one per partition";
            return false;
        }
        return true;
    }

    private static void Print(PartitionReport r)
    {
        var ci = CultureInfo.InvariantCulture;
        // Capacities are shown only when they differ, so that the table fits an 80-column terminal.
        bool weighted = r.Partitions.Any(f => f.Capacity != r.Partitions[0].Capacity);
        var t = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(r.Model)}[/]: {Markup.Escape(r.Strategy.Name())}, {r.Parts} partitions");
        t.AddColumn("part");
        if (weighted) t.AddColumn("cap");
        t.AddColumns("neurons", "synapses", "load", "MiB", "cut in", "spikes out", "spikes in");
        t.Caption("synapses: expected onto the partition; cut in: from other partitions; spikes: per epoch, to and from other partitions");
        foreach (var c in t.Columns.Skip(1)) c.RightAligned();
        foreach (var f in r.Partitions)
        {
            var cells = new List<string> { f.Partition.ToString(ci) };
            if (weighted) cells.Add(f.Capacity.ToString("0.###", ci));
            cells.AddRange([
                f.Neurons.ToString("N0", ci), Compact(f.ExpectedSynapses), Compact(f.Load),
                (f.EstimatedBytes / 1048576.0).ToString("F1", ci), Compact(f.CutSynapses),
                f.SpikesOutPerEpoch.ToString("F1", ci), f.SpikesInPerEpoch.ToString("F1", ci),
            ]);
            t.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(t);

        var s = new Table().Border(TableBorder.Rounded);
        s.AddColumn("quantity");
        s.AddColumn(new TableColumn("value").RightAligned());
        void Row(string k, string v) => s.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("neurons", r.Neurons.ToString("N0", ci));
        Row("expected synapses", r.ExpectedSynapses.ToString("N0", ci));
        Row("cut synapses", $"{r.CutSynapses.ToString("N0", ci)} ({r.CutFraction.ToString("P2", ci)})");
        Row("imbalance (max load / share - 1)", r.Imbalance.ToString("P2", ci));
        Row("epoch", $"{r.EpochMs.ToString("0.###", ci)} ms");
        Row("nominal rate", $"{r.RateHz.ToString("0.###", ci)} Hz");
        Row("spikes crossing / epoch", r.SpikesPerEpoch.ToString("F1", ci));
        Row("bytes crossing / epoch", $"{r.BytesPerEpoch.ToString("N0", ci)} ({PartitionReport.BytesPerSpike.ToString(ci)} per spike)");
        Row("routes (packets / epoch)", r.Routes.ToString(ci));
        AnsiConsole.Write(s);
    }

    /// <summary>A count with three significant digits and an SI suffix above 9,999 (12,345 → 12.3 k).</summary>
    private static string Compact(double x)
    {
        var ci = CultureInfo.InvariantCulture;
        double a = Math.Abs(x);
        return a < 1e4 ? x.ToString("N0", ci)
            : a < 1e6 ? (x / 1e3).ToString("G3", ci) + " k"
            : a < 1e9 ? (x / 1e6).ToString("G3", ci) + " M"
            : (x / 1e9).ToString("G3", ci) + " G";
    }
}
