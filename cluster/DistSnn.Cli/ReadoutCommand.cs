using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.DiehlCook;
using DistSnn.Learning.Evaluation;
using Spectre.Console;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn train readout</c>: every readout of a <c>responses.h5</c> (from <c>train stdp --save-responses</c>),
/// computed from its spike counts without presenting an image again.
/// </summary>
public static class ReadoutCommand
{
    /// <summary>The <c>readout</c> subcommand of <c>train</c>.</summary>
    public static Command Create()
    {
        var file = new Argument<FileInfo>("responses") { Description = "A responses.h5 written by train stdp --save-responses" };
        var readout = new Option<string>("--readout")
        {
            Description = "The readout whose confusion matrix is printed (all accuracies are)",
            DefaultValueFactory = _ => "linear",
        };
        readout.AcceptOnlyFromAmong(TrainCommand.ReadoutNames.Keys.ToArray());
        var json = new Option<bool>("--json") { Description = "Print the accuracies as JSON" };
        var command = new Command("readout",
            "Label the neurons with the labelling counts of a responses.h5 and classify its test counts with every " +
            "readout (proportion, mean-count, profile, linear), as train stdp does, without presenting an image again.\n" + ExitCodes.Help)
        {
            file, readout, json,
        };
        command.SetAction(parse => Execute(parse.GetValue(file)!, TrainCommand.ReadoutNames[parse.GetValue(readout)!], parse.GetValue(json)));
        return command;
    }

    /// <summary>Computes and prints the readouts; returns the process exit code.</summary>
    public static int Execute(FileInfo file, Readout shown, bool json)
    {
        EvaluationResponses r;
        try
        {
            r = EvaluationResponsesFile.Read(file.FullName);
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        int classes = FashionMnist.ClassCount;
        string? bad = null;
        if (r.LabelClasses.Length < LinearReadout.MinSamples)
            bad = $"{file.FullName}: /label_counts holds {r.LabelClasses.Length} images; the readouts need at least {LinearReadout.MinSamples} (responses of a run labelled on the frozen network)";
        else if (r.TestClasses.Length == 0)
            bad = $"{file.FullName}: /test_counts holds no image";
        else if (Array.FindIndex(r.LabelClasses, c => c >= classes) is var l and >= 0)
            bad = $"{file.FullName}: /label_classes[{l}] is {r.LabelClasses[l]}; expected a class 0..{classes - 1}";
        else if (Array.FindIndex(r.TestClasses, c => c >= classes) is var t and >= 0)
            bad = $"{file.FullName}: /test_classes[{t}] is {r.TestClasses[t]}; expected a class 0..{classes - 1}";
        if (bad is not null)
        {
            Console.Error.WriteLine($"error: {bad}");
            return ExitCodes.BadInput;
        }

        var assignment = ClassAssignment.Assign(r.LabelCounts, r.Neurons, r.LabelClasses, classes);
        var linear = LinearReadout.Fit(r.LabelCounts, r.Neurons, r.LabelClasses, classes);
        var predictions = Enum.GetValues<Readout>().ToDictionary(k => k, k => k == Readout.Linear
            ? linear.Predict(r.TestCounts, r.TestClasses.Length)
            : assignment.Predict(r.TestCounts, r.TestClasses.Length, k));
        var accuracy = predictions.ToDictionary(kv => kv.Key, kv => ClassAssignment.Accuracy(kv.Value, r.TestClasses));
        var ci = CultureInfo.InvariantCulture;
        if (json)
        {
            var summary = new Dictionary<string, object?>
            {
                ["responses"] = file.FullName,
                ["neurons"] = r.Neurons,
                ["label_samples"] = r.LabelClasses.Length,
                ["test_samples"] = r.TestClasses.Length,
                ["test_accuracy_by_readout"] = accuracy.ToDictionary(kv => TrainCommand.NameOf(kv.Key), kv => kv.Value),
                ["linear_regularization"] = linear.Regularization,
                ["linear_validation_accuracy"] = linear.ValidationAccuracy,
            };
            Console.WriteLine(JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("quantity").AddColumn(new TableColumn("value").RightAligned());
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("neurons", r.Neurons.ToString(ci));
        Row("labelling images", r.LabelClasses.Length.ToString("N0", ci));
        Row("test images", r.TestClasses.Length.ToString("N0", ci));
        foreach (var (k, a) in accuracy) Row($"test accuracy ({TrainCommand.NameOf(k)})", a.ToString("P2", ci));
        Row("linear: regularisation", linear.Regularization.ToString("G3", ci));
        Row("linear: held-out labelling accuracy", linear.ValidationAccuracy.ToString("P2", ci));
        AnsiConsole.Write(table);
        Console.WriteLine($"confusion matrix ({TrainCommand.NameOf(shown)}):");
        Console.WriteLine(ConfusionMatrix.From(predictions[shown], r.TestClasses).ToText(FashionMnist.ClassNames));
        return ExitCodes.Ok;
    }
}
