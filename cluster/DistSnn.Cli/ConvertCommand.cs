using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DistSnn.Learning.Gradient;
using DistSnn.Learning.Plots;
using ScottPlot;

namespace DistSnn.Cli;

/// <summary><c>distsnn train convert</c>: an analog network trained, converted to spiking neurons and tested at several step counts.</summary>
public static class ConvertCommand
{
    /// <summary>Trains, converts, tests and writes the results folder; returns the exit code.</summary>
    public static int Execute(GradientTrainingOptions options, DirectoryInfo? data, DirectoryInfo outDir, int testN, bool json,
        IReadOnlyList<int> steps, double percentile, int normSamples, CancellationToken cancel, int checkpointEvery = 0, bool resume = false)
    {
        var wall = Stopwatch.StartNew();
        if (!(percentile > 0 && percentile <= 100))
        {
            Console.Error.WriteLine($"error: --percentile: must lie in (0, 100], got {percentile}");
            return ExitCodes.BadInput;
        }
        if (testN < 1)
        {
            Console.Error.WriteLine($"error: --test-samples: the converted network is tested, so at least 1 is needed, got {testN}");
            return ExitCodes.BadInput;
        }
        if (GradientTrainCommand.Prepare(options, data, testN) is not var (set, trainer)) return ExitCodes.BadInput;
        if (normSamples < 1 || normSamples > trainer.TrainIndices.Length)
        {
            Console.Error.WriteLine($"error: --norm-samples: must lie in 1 … {trainer.TrainIndices.Length} (the training samples), got {normSamples}");
            return ExitCodes.BadInput;
        }
        string dir = outDir.FullName;
        Directory.CreateDirectory(dir);
        if (GradientTrainCommand.TrainOrExplain(trainer, "train convert", cancel, dir, checkpointEvery, resume, out var reports) is int failed) return failed;
        var testIndices = Enumerable.Range(0, testN).ToArray();
        var ann = trainer.Evaluate(set.Test, testIndices);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"analog network: test accuracy {100 * ann.Accuracy:F2}%"));

        var lambda = Conversion.Scales(trainer.Network, trainer.Parameters, set.Train, trainer.TrainIndices.Take(normSamples).ToArray(), percentile);
        var converted = Conversion.Convert(trainer.Network, trainer.Parameters, lambda);
        var results = new List<(int Steps, EvaluationResult Result)>();
        foreach (int t in steps.Order())
        {
            if (cancel.IsCancellationRequested)
            {
                Console.Error.WriteLine("cancelled");
                return ExitCodes.Cancelled;
            }
            var snn = new GradientTrainer(Conversion.SpikingOptions(options, t), set.Train);
            converted.CopyTo(snn.Parameters, 0);
            var r = snn.Evaluate(set.Test, testIndices);
            results.Add((t, r));
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"converted, {t} steps: test accuracy {100 * r.Accuracy:F2}%, rates [{string.Join(", ", r.Rates.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)))}], {r.Seconds:F0} s"));
        }
        int exportSteps = results[^1].Steps;
        var exportOptions = Conversion.SpikingOptions(options, exportSteps);
        var exportNet = new Network<float>(options.Architecture, exportOptions.Neuron, exportOptions.Surrogate, LossKind.Count, true, exportSteps);
        string? model = null;
        if (NetworkExport.Unsupported(exportNet) is { } why)
        {
            NetworkExport.WriteWeights(Path.Combine(dir, "weights.h5"), exportNet, converted, exportOptions.Neuron);
            Console.Error.WriteLine($"note: weights.h5 written; no model file: {why}");
        }
        else
            model = NetworkExport.Write(dir, $"converted-{options.Architecture.Text}", exportNet, converted, exportOptions,
                new ExportPresentation(set.TestImagesPath, set.TestLabelsPath, testN, 0, Reset: true));
        SavePlot(Path.Combine(dir, "conversion.png"), results, ann.Accuracy, options.Architecture.Text);
        if (reports.Count > 0)
            TrainingCurves.Save(Path.Combine(dir, "training_curves.png"), reports.Select(r => r.TrainLoss).ToList(),
                reports.Select(r => r.TrainAccuracy).ToList(), reports.Select(r => r.ValidationAccuracy).ToList(), $"train convert {options.Architecture.Text} (analog)");
        var summary = new
        {
            command = "train convert",
            architecture = options.Architecture.Text,
            epochs = options.Epochs,
            seed = options.Seed,
            shift = options.Shift,
            flip = options.Flip,
            percentile,
            norm_samples = normSamples,
            lambda,
            test_samples = testN,
            ann_test_accuracy = ann.Accuracy,
            converted = results.Select(r => new { steps = r.Steps, test_accuracy = r.Result.Accuracy, rates = r.Result.Rates, seconds = r.Result.Seconds }),
            history = reports.Select(r => new { epoch = r.Epoch + 1, train_loss = r.TrainLoss, train_accuracy = r.TrainAccuracy, validation_accuracy = double.IsNaN(r.ValidationAccuracy) ? (double?)null : r.ValidationAccuracy }),
            model = model is null ? null : Path.GetFileName(model),
            model_steps = exportSteps,
            train_seconds = reports.Sum(r => r.Seconds),
            wall_seconds = wall.Elapsed.TotalSeconds,
        };
        string text = JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(dir, "train_summary.json"), text);
        if (json) Console.WriteLine(text);
        else
        {
            string each = string.Join(", ", results.Select(r => string.Create(CultureInfo.InvariantCulture, $"{100 * r.Result.Accuracy:F2}% at {r.Steps} steps")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train convert {options.Architecture.Text}: analog {100 * ann.Accuracy:F2}%, converted {each} over {testN:N0} test images"));
            Console.WriteLine($"results: {dir}");
            if (model is not null) Console.WriteLine($"simulate the test set: distsnn run {model} --no-plots");
        }
        return ExitCodes.Ok;
    }

    private static void SavePlot(string path, List<(int Steps, EvaluationResult Result)> results, double ann, string arch)
    {
        var plot = new Plot();
        var xs = results.Select(r => (double)r.Steps).ToArray();
        var snn = plot.Add.Scatter(xs, results.Select(r => 100 * r.Result.Accuracy).ToArray());
        snn.LegendText = "converted (if_subtract)";
        var line = plot.Add.HorizontalLine(100 * ann);
        line.LegendText = "analog (ReLU)";
        plot.Axes.Bottom.Label.Text = "simulated steps";
        plot.Axes.Left.Label.Text = "test accuracy (%)";
        plot.Title($"ANN to SNN conversion, {arch}");
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 800, 500);
    }
}
