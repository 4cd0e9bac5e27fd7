using DistSnn.Model.Datasets;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.DiehlCook;
using DistSnn.Learning.Evaluation;
using DistSnn.Learning.Plots;
using DistSnn.Model;
using Spectre.Console;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn train stdp</c>: unsupervised learning of Fashion-MNIST with the Diehl &amp; Cook (2015) network, with
/// progress, periodic accuracy, the learned weights (HDF5), receptive-field and confusion-matrix plots and a
/// summary.
/// </summary>
public static class TrainCommand
{
    /// <summary>The <c>train</c> command with its <c>stdp</c> subcommand.</summary>
    public static Command Create()
    {
        var neurons = new Option<int>("--neurons", "-n") { Description = "Excitatory neurons (N)", DefaultValueFactory = _ => 100 };
        var train = new Option<int>("--train-samples") { Description = "Training images, presented once each", DefaultValueFactory = _ => 60_000 };
        var test = new Option<int>("--test-samples") { Description = "Test images", DefaultValueFactory = _ => 10_000 };
        var partitions = new Option<int>("--partitions", "-p") { Description = "Partitions; results are identical for any value", DefaultValueFactory = _ => 1 };
        var seed = new Option<ulong>("--seed", "-s") { Description = "Master seed", DefaultValueFactory = _ => 1UL };
        var reportEvery = new Option<int>("--report-every")
        {
            Description = "Training images between accuracy reports (each block is scored with the labels from the one before)",
            DefaultValueFactory = _ => 10_000,
        };
        var labelSamples = new Option<int>("--label-samples")
        {
            Description = "Last training images shown again with learning frozen to label the neurons (Diehl & Cook); " +
                          "0 labels from the last report block, recorded while learning",
            DefaultValueFactory = _ => 10_000,
        };
        var maxRate = new Option<double>("--max-rate")
        {
            Description = "With --total-rate 0: input rate of a white pixel at the first presentation, in Hz (Diehl & Cook " +
                          "use 63.75 for MNIST; Fashion-MNIST is twice as bright, hence 32)",
            DefaultValueFactory = _ => 32.0,
        };
        var totalRate = new Option<double>("--total-rate")
        {
            Description = "Scale every image's input rates to add up to this many Hz, so that dim and bright items drive the " +
                          "network alike (0: rates follow pixel brightness as in Diehl & Cook, --max-rate for a white pixel)",
            DefaultValueFactory = _ => 10_000.0,
        };
        var inhibition = new Option<double>("--inhibition")
        {
            Description = "Weight of each lateral inhibitory synapse in nS (Diehl & Cook use 17 for MNIST; stronger " +
                          "inhibition keeps one winner per image, softer lets more neurons learn from each image)",
            DefaultValueFactory = _ => 30.0,
        };
        var nuPost = new Option<double>("--nu-post")
        {
            Description = "Learning rate at a post-synaptic spike (Diehl & Cook: 0.01; doubled for one pass over the data)",
            DefaultValueFactory = _ => 0.02,
        };
        var nuPre = new Option<double>("--nu-pre")
        {
            Description = "Learning rate at a pre-synaptic spike (Diehl & Cook: 0.0001; doubled for one pass over the data)",
            DefaultValueFactory = _ => 0.0002,
        };
        var thetaPlus = new Option<double>("--theta-plus")
        {
            Description = "Threshold increment per excitatory spike in mV (Diehl & Cook: 0.05)",
            DefaultValueFactory = _ => 0.05,
        };
        var rateNorm = new Option<double>("--rate-norm")
        {
            Description = "Scale every image's input rates to this Euclidean norm in Hz instead of --total-rate (0: off); " +
                          "551 Hz is the median norm of Fashion-MNIST images scaled to --total-rate 10000",
            DefaultValueFactory = _ => 0.0,
        };
        var weightNorm = new Option<string>("--weight-norm")
        {
            Description = "What normalisation holds for each neuron's input weights: sum (Diehl & Cook) or euclidean (their " +
                          "Euclidean norm, so that a neuron's drive follows the cosine between its weights and the image)",
            DefaultValueFactory = _ => "sum",
        };
        weightNorm.AcceptOnlyFromAmong("sum", "euclidean");
        var weightScale = new Option<double?>("--weight-scale")
        {
            Description = "The value the weight norm is held at, in nS (default: 78 for sum as Diehl & Cook, 4.3 for euclidean)",
        };
        var annealFrom = new Option<double>("--anneal-from")
        {
            Description = "Fraction of the training pass after which the learning rates fall linearly to --anneal-to times " +
                          "their value at the last image (1: they never fall)",
            DefaultValueFactory = _ => StdpTrainingOptions.DefaultAnnealStart,
        };
        var annealTo = new Option<double>("--anneal-to")
        {
            Description = "Multiple of the learning rates at the last training image",
            DefaultValueFactory = _ => StdpTrainingOptions.DefaultAnnealEndScale,
        };
        var readout = ChoiceOption("--readout", ReadoutNames, "proportion",
            "How test images are classified from the labelled neurons: proportion (each neuron's count weighted " +
            "by its selectivity during labelling) or mean-count (Diehl & Cook: the mean count of each class's " +
            "neurons) or profile (every neuron backs every class by its count times its share of labelling " +
            "responses to that class) or linear (a softmax regression on the square roots of the labelling counts, its " +
            "regularisation chosen on a tenth of the labelling images; needs --label-samples of at least 20); all are reported");
        var evalRateScale = new Option<double>("--eval-rate-scale")
        {
            Description = "Label and test with the input rates multiplied by K and the input weights divided by K: about the " +
                          "same mean drive (a source fires at most once per step: 89% of it at K = 16) with 1/sqrt(K) of its " +
                          "Poisson noise, so the neuron whose weights fit the image best wins more often (1: as trained; at most 100)",
            DefaultValueFactory = _ => 1.0,
        };
        var evalPresentations = new Option<int>("--eval-presentations")
        {
            Description = "Label and test with each image shown this many times, the spike counts added up: less Poisson " +
                          $"noise in which neuron wins, as many times the time (1: Diehl & Cook; at most {StdpTrainingOptions.MaxEvalPresentations})",
            DefaultValueFactory = _ => 1,
        };
        var saveResponses = new Option<bool>("--save-responses")
        {
            Description = "Also write responses.h5: every labelling and test image's spike counts and class, for readouts of your own",
        };
        var trainRateScale = new Option<double>("--train-rate-scale")
        {
            Description = "Train with the input rates multiplied by K on a network built for them (input weights and their " +
                          "norm 1/K, the pre trace 1/K as long, depression 1/K per pre spike): the same mean drive and expected " +
                          "weight changes with 1/sqrt(K) of the Poisson noise, so the best-fitting neuron wins and learns each " +
                          "image more often; weights are saved in the units of K = 1 (1: Diehl & Cook; at most 100)",
            DefaultValueFactory = _ => 1.0,
        };
        var startWeights = new Option<FileInfo?>("--weights")
        {
            Description = "Start from the weights and thresholds in this weights.h5 of an earlier run (N is taken from it); " +
                          "with --train-samples 0 the network is only labelled and tested",
        };
        var initWeights = ChoiceOption("--init-weights", InitialWeightsNames, "random",
            "Where the input weights start: random (Diehl & Cook: uniform in [0, 0.3] nS) or images (neuron k " +
            "imprints training image k, scaled to the weight norm; training goes on from image N, so each image is " +
            "still used once and no label is read)");
        var pairing = ChoiceOption("--pairing", PairingNames, "nearest",
            "How the learning rule's traces pair spikes: nearest (Diehl & Cook: a trace is set to 1 at a spike, " +
            "so the weights drift toward a compressed image) or all-to-all (a trace adds 1, so they drift toward the rates)");
        var data = new Option<DirectoryInfo?>("--data") { Description = $"Fashion-MNIST folder (default: ${FashionMnist.DirectoryVariable} or {FashionMnist.DefaultDirectory})" };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "Results folder (default: results/train-stdp-N<neurons>, with --weights results/train-stdp-N<neurons>-from-weights)" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var telemetry = TelemetryFlag.Create("none");
        var stdp = new Command("stdp",
            "Train the Diehl & Cook (2015) network (784 Poisson inputs -> N excitatory neurons with STDP and adaptive " +
            "thresholds -> N inhibitory neurons) on Fashion-MNIST without labels, then label the neurons and classify the " +
            "test set. Writes weights.h5, receptive_fields.png, confusion_matrix.png and train_summary.json (and responses.h5 with --save-responses).\n" + ExitCodes.Help)
        {
            neurons, train, test, partitions, seed, reportEvery, labelSamples, maxRate, totalRate, inhibition, nuPost, nuPre, thetaPlus, rateNorm, weightNorm, weightScale, annealFrom, annealTo, evalRateScale, evalPresentations, saveResponses, trainRateScale, initWeights, pairing, startWeights, readout, data, outDir, json, telemetry,
        };
        stdp.SetAction((parse, cancel) =>
        {
            using var exporters = TelemetryFlag.Start(parse.GetValue(telemetry), "local");
            if (exporters is null) return Task.FromResult(ExitCodes.BadInput);
            exporters.ReadyAsync().GetAwaiter().GetResult();
            return Task.FromResult(Execute(new StdpTrainingOptions
        {
            Neurons = parse.GetValue(neurons),
            TrainSamples = parse.GetValue(train),
            TestSamples = parse.GetValue(test),
            Partitions = parse.GetValue(partitions),
            Seed = parse.GetValue(seed),
            ReportEvery = parse.GetValue(reportEvery),
            LabelSamples = parse.GetValue(labelSamples),
            MaxRateHz = parse.GetValue(maxRate),
            TotalRateHz = parse.GetValue(totalRate),
            InhibitionNs = parse.GetValue(inhibition),
            NuPost = parse.GetValue(nuPost),
            NuPre = parse.GetValue(nuPre),
            ThetaPlusMv = parse.GetValue(thetaPlus),
            EuclideanRateHz = parse.GetValue(rateNorm),
            WeightNormOrder = parse.GetValue(weightNorm) == "euclidean" ? 2 : 1,
            WeightNormNs = parse.GetValue(weightScale),
            AnnealStart = parse.GetValue(annealFrom),
            AnnealEndScale = parse.GetValue(annealTo),
            EvalRateScale = parse.GetValue(evalRateScale),
            EvalPresentations = parse.GetValue(evalPresentations),
            KeepResponses = parse.GetValue(saveResponses),
            TrainRateScale = parse.GetValue(trainRateScale),
            Readout = ReadoutNames[parse.GetValue(readout)!],
            InitialWeights = InitialWeightsNames[parse.GetValue(initWeights)!],
            Pairing = PairingNames[parse.GetValue(pairing)!],
            Job = $"train-stdp-N{parse.GetValue(neurons)}",
        }, parse.GetValue(data), parse.GetValue(outDir), parse.GetValue(json), cancel, parse.GetValue(startWeights),
            neuronsGiven: parse.GetResult(neurons) is { Implicit: false }));
        });
        return new Command("train", "Learning on real data.\n" + ExitCodes.Help) { stdp, ReadoutCommand.Create(), GradientTrainCommand.Create(analog: false), GradientTrainCommand.Create(analog: true), GradientTrainCommand.Create(analog: true, convert: true) };
    }

    /// <summary>The <c>--readout</c> values; <see cref="NameOf"/> gives the same names back for the summary.</summary>
    internal static readonly Dictionary<string, Readout> ReadoutNames = new(StringComparer.Ordinal)
    {
        ["proportion"] = Readout.Proportion,
        ["mean-count"] = Readout.MeanCount,
        ["profile"] = Readout.Profile,
        ["linear"] = Readout.Linear,
    };

    internal static string NameOf(Readout r) => NameIn(ReadoutNames, r);

    /// <summary>A string option that accepts only the names of <paramref name="names"/>.</summary>
    private static Option<string> ChoiceOption<T>(string name, Dictionary<string, T> names, string defaultName, string description)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultName };
        option.AcceptOnlyFromAmong(names.Keys.ToArray());
        return option;
    }

    /// <summary>The <c>--init-weights</c> values.</summary>
    private static readonly Dictionary<string, InitialWeights> InitialWeightsNames = new(StringComparer.Ordinal)
    {
        ["random"] = InitialWeights.Random,
        ["images"] = InitialWeights.Images,
    };

    /// <summary>The <c>--pairing</c> values.</summary>
    private static readonly Dictionary<string, SpikePairing> PairingNames = new(StringComparer.Ordinal)
    {
        ["nearest"] = SpikePairing.Nearest,
        ["all-to-all"] = SpikePairing.AllToAll,
    };

    /// <summary>The option value that names <paramref name="value"/>, for the summary.</summary>
    private static string NameIn<T>(Dictionary<string, T> names, T value) where T : struct, Enum =>
        names.FirstOrDefault(kv => kv.Value.Equals(value)).Key
        ?? throw new ArgumentOutOfRangeException(nameof(value), value, $"no option value names this {typeof(T).Name}");

    /// <summary>
    /// Runs the training, from the network in <paramref name="startWeights"/> when given (its N replaces
    /// <see cref="StdpTrainingOptions.Neurons"/>, which must agree when <paramref name="neuronsGiven"/>); returns the
    /// process exit code.
    /// </summary>
    public static int Execute(StdpTrainingOptions options, DirectoryInfo? data, DirectoryInfo? outDir, bool json, CancellationToken cancel,
        FileInfo? startWeights = null, bool neuronsGiven = true)
    {
        string? bad = options switch
        {
            { Neurons: < 1 } => $"--neurons: must be at least 1, got {options.Neurons}",
            { TrainSamples: < 0 } => $"--train-samples: must be 0 (with --weights) or more, got {options.TrainSamples}",
            { TrainSamples: 0 } when startWeights is null => "--train-samples: 0 needs --weights, a trained network to label and test",
            { TrainSamples: 0, LabelSamples: 0 } => "--label-samples: must be at least 1 with --train-samples 0, to label the neurons",
            { TestSamples: < 1 } => $"--test-samples: must be at least 1, got {options.TestSamples}",
            { Partitions: < 1 } => $"--partitions: must be at least 1, got {options.Partitions}",
            { ReportEvery: < 1 } => $"--report-every: must be at least 1, got {options.ReportEvery}",
            { LabelSamples: < 0 } => $"--label-samples: must be 0 or more, got {options.LabelSamples}",
            _ when !(options.MaxRateHz > 0) || double.IsInfinity(options.MaxRateHz) => $"--max-rate: must be a positive number of Hz, got {options.MaxRateHz}",
            _ when !(options.TotalRateHz >= 0) || double.IsInfinity(options.TotalRateHz) => $"--total-rate: must be a finite number of Hz >= 0, got {options.TotalRateHz}",
            _ when !(options.InhibitionNs >= 0) || double.IsInfinity(options.InhibitionNs) => $"--inhibition: must be a finite weight >= 0 nS, got {options.InhibitionNs}",
            _ when !(options.NuPost >= 0) || double.IsInfinity(options.NuPost) => $"--nu-post: must be a finite rate >= 0, got {options.NuPost}",
            _ when !(options.NuPre >= 0) || double.IsInfinity(options.NuPre) => $"--nu-pre: must be a finite rate >= 0, got {options.NuPre}",
            _ when !(options.EuclideanRateHz >= 0) || double.IsInfinity(options.EuclideanRateHz) => $"--rate-norm: must be a finite number of Hz >= 0, got {options.EuclideanRateHz}",
            _ when !(options.EffectiveWeightNormNs > 0) || double.IsInfinity(options.EffectiveWeightNormNs) => $"--weight-scale: must be a finite weight > 0 nS, got {options.EffectiveWeightNormNs}",
            _ when !(options.AnnealStart is >= 0 and <= 1) => $"--anneal-from: must be a fraction of the pass from 0 to 1, got {options.AnnealStart}",
            _ when !(options.AnnealEndScale >= 0) || double.IsInfinity(options.AnnealEndScale) => $"--anneal-to: must be a finite multiple >= 0, got {options.AnnealEndScale}",
            _ when !(options.EvalRateScale is > 0 and <= StdpTrainingOptions.MaxEvalRateScale) => $"--eval-rate-scale: must be a multiple > 0 and at most {StdpTrainingOptions.MaxEvalRateScale}, got {options.EvalRateScale}",
            _ when !(options.TrainRateScale is > 0 and <= StdpTrainingOptions.MaxEvalRateScale) => $"--train-rate-scale: must be a multiple > 0 and at most {StdpTrainingOptions.MaxEvalRateScale}, got {options.TrainRateScale}",
            { EvalPresentations: < 1 or > StdpTrainingOptions.MaxEvalPresentations } => $"--eval-presentations: must be 1 to {StdpTrainingOptions.MaxEvalPresentations}, got {options.EvalPresentations}",
            { LabelSamples: 0 } when options.EvalPresentations != 1 => "--eval-presentations: needs --label-samples > 0, labelling on the frozen network shown each image as often",
            { LabelSamples: 0 } when options.EvalRateScale != 1 => "--eval-rate-scale: needs --label-samples > 0, labelling on the frozen network with the scaled input",
            { Readout: Readout.Linear } when options.LabelSamples < LinearReadout.MinSamples =>
                $"--readout: linear is fitted on the frozen network's labelling counts and needs --label-samples of at least {LinearReadout.MinSamples}, got {options.LabelSamples}",
            _ when !(options.ThetaPlusMv >= 0) || double.IsInfinity(options.ThetaPlusMv) => $"--theta-plus: must be a finite step >= 0 mV, got {options.ThetaPlusMv}",
            { InitialWeights: InitialWeights.Images } when startWeights is not null => "--init-weights: images cannot be combined with --weights, which already gives the starting weights",
            { InitialWeights: InitialWeights.Images } when options.TrainSamples <= options.Neurons =>
                $"--init-weights: images imprints the first {options.Neurons} training images (one per neuron); --train-samples must be more than that, got {options.TrainSamples}",
            _ => null,
        };
        if (bad is not null)
        {
            Console.Error.WriteLine($"error: {bad}");
            return ExitCodes.BadInput;
        }
        FashionMnist set;
        try
        {
            set = FashionMnist.Load(data?.FullName);
        }
        catch (Exception e) when (e is DatasetMissingException or IdxFormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        if (startWeights is not null)
        {
            DiehlCookState start;
            try
            {
                start = TrainedWeightsFile.Read(startWeights.FullName, set.Train.Rows * set.Train.Columns);
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine($"error: --weights: {e.Message}");
                return ExitCodes.BadInput;
            }
            if (neuronsGiven && start.Theta.Length != options.Neurons)
            {
                Console.Error.WriteLine($"error: --weights: {startWeights.FullName} holds {start.Theta.Length} neurons, --neurons says {options.Neurons}");
                return ExitCodes.BadInput;
            }
            options = options with { Neurons = start.Theta.Length, StartFrom = start, Job = $"train-stdp-N{start.Theta.Length}" };
        }
        // A run from saved weights gets its own default folder, so that it never replaces the network it started from.
        string dir = outDir?.FullName ?? Path.Combine("results", $"train-stdp-N{options.Neurons}" + (startWeights is null ? "" : "-from-weights"));
        var paths = OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        if (startWeights is not null && string.Equals(Path.GetFullPath(Path.Combine(dir, "weights.h5")), startWeights.FullName, paths))
        {
            Console.Error.WriteLine($"error: --weights: {startWeights.FullName} would be overwritten by this run's weights; choose another --out");
            return ExitCodes.BadInput;
        }
        Directory.CreateDirectory(dir);

        var trainer = new StdpTrainer(options, set.Train.Rows * set.Train.Columns);
        StdpTrainingResult result;
        try
        {
            if (!json && RunCommandHandler.ShowProgressBar)
            {
                StdpTrainingResult? shown = null;
                AnsiConsole.Progress()
                    .AutoClear(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx =>
                    {
                        var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                        double? accuracy = null;
                        shown = trainer.Run(set.Train, set.Test, p =>
                        {
                            if (!tasks.TryGetValue(p.Phase, out var task)) tasks[p.Phase] = task = ctx.AddTask(p.Phase, maxValue: p.Total);
                            task.Value = p.Done;
                            task.Description = Markup.Escape(ProgressText(p, compact: true));
                            // Block accuracies go above the bars, where they stay as a record of the training.
                            if (p.RecentAccuracy is { } a && a != accuracy)
                            {
                                accuracy = a;
                                AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                                    $"{p.Done} images: accuracy on the last block {a:P1}, {p.SamplesPerSecond:F1} images/s")));
                            }
                        }, cancel);
                    });
                result = shown!;
            }
            else
            {
                var last = DateTime.MinValue;
                result = trainer.Run(set.Train, set.Test, p =>
                {
                    if (json || (DateTime.UtcNow - last).TotalSeconds < 2 && p.Done != p.Total) return;
                    last = DateTime.UtcNow;
                    Console.Error.WriteLine(ProgressText(p) + $", {p.Retries} repeats at higher input rate");
                }, cancel);
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return ExitCodes.Cancelled;
        }

        TrainedWeightsFile.Write(Path.Combine(dir, "weights.h5"), result, set.Train.Rows, set.Train.Columns);
        if (result.Responses is { } responses) EvaluationResponsesFile.Write(Path.Combine(dir, "responses.h5"), responses);
        LearningPlots.SaveReceptiveFields(Path.Combine(dir, "receptive_fields.png"), result.Weights, result.Neurons,
            set.Train.Rows, set.Train.Columns, result.TrainSamples > 0 || startWeights is null
                ? $"Receptive fields, N = {result.Neurons}, {result.TrainSamples} images"
                : $"Receptive fields, N = {result.Neurons}, from {startWeights.Name}");
        LearningPlots.SaveConfusionMatrix(Path.Combine(dir, "confusion_matrix.png"), result.Confusion, FashionMnist.ClassNames,
            string.Create(CultureInfo.InvariantCulture, $"Test accuracy {result.TestAccuracy:P1} ({result.TestSamples} images)"));
        var summary = new Dictionary<string, object?>
        {
            ["network"] = "diehl_cook_2015",
            ["neurons"] = result.Neurons,
            ["train_samples"] = result.TrainSamples,
            ["test_samples"] = result.TestSamples,
            ["partitions"] = result.Partitions,
            ["seed"] = options.Seed,
            ["max_rate_hz"] = options.MaxRateHz,
            ["total_rate_hz"] = options.TotalRateHz,
            ["inhibition_ns"] = options.InhibitionNs,
            ["nu_post"] = options.NuPost,
            ["nu_pre"] = options.NuPre,
            ["theta_plus_mv"] = options.ThetaPlusMv,
            ["rate_norm_hz"] = options.EuclideanRateHz,
            ["weight_norm"] = options.WeightNormOrder == 2 ? "euclidean" : "sum",
            ["weight_norm_ns"] = options.EffectiveWeightNormNs,
            ["anneal_from"] = options.AnnealStart,
            ["anneal_to"] = options.AnnealEndScale,
            ["eval_rate_scale"] = options.EvalRateScale,
            ["eval_presentations"] = options.EvalPresentations,
            ["train_rate_scale"] = options.TrainRateScale,
            ["initial_weights"] = startWeights is not null ? "file" : NameIn(InitialWeightsNames, options.InitialWeights),
            ["pairing"] = NameIn(PairingNames, options.Pairing),
            ["started_from"] = startWeights?.FullName,
            ["label_samples"] = result.LabelSamples,
            ["readout"] = NameOf(result.Readout),
            ["test_accuracy"] = result.TestAccuracy,
            ["test_accuracy_by_readout"] = result.AccuracyByReadout.ToDictionary(kv => NameOf(kv.Key), kv => kv.Value),
            ["training_accuracy"] = result.TrainingAccuracy.Select(h => new { samples = h.Samples, accuracy = h.Accuracy }).ToArray(),
            ["train_seconds"] = result.TrainSeconds,
            ["label_seconds"] = result.LabelSeconds,
            ["test_seconds"] = result.TestSeconds,
            ["imprinted_samples"] = result.ImprintedSamples,
            ["train_samples_per_second"] = result.TrainSamplesPerSecond,
            ["input_retries"] = result.Retries,
            ["weights_checksum"] = result.WeightsChecksum,
            ["neurons_per_class"] = Enumerable.Range(0, 10).Select(c => result.NeuronClasses.Count(x => x == c)).ToArray(),
            ["silent_neurons"] = result.NeuronClasses.Count(x => x < 0),
        };
        string text = JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(dir, "train_summary.json"), text + "\n");
        if (json)
        {
            Console.WriteLine(text);
            return ExitCodes.Ok;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("quantity").AddColumn(new TableColumn("value").RightAligned());
        void Row(string k, string v) => table.AddRow(Markup.Escape(k), Markup.Escape(v));
        var ci = CultureInfo.InvariantCulture;
        Row("excitatory neurons", result.Neurons.ToString(ci));
        Row("training images", result.TrainSamples.ToString("N0", ci));
        Row("test images", result.TestSamples.ToString("N0", ci));
        Row("partitions", result.Partitions.ToString(ci));
        Row($"test accuracy ({NameOf(result.Readout)})", result.TestAccuracy.ToString("P2", ci));
        foreach (var (r, a) in result.AccuracyByReadout.Where(kv => kv.Key != result.Readout))
            Row($"test accuracy ({NameOf(r)})", a.ToString("P2", ci));
        if (result.ImprintedSamples > 0) Row("imprinted as initial weights", $"{result.ImprintedSamples.ToString("N0", ci)} images");
        Row("training", $"{result.TrainSeconds.ToString("F1", ci)} s, {result.TrainSamplesPerSecond.ToString("F2", ci)} images/s");
        if (result.LabelSamples > 0) Row("labelling", $"{result.LabelSamples.ToString("N0", ci)} images, {result.LabelSeconds.ToString("F1", ci)} s");
        Row("testing", $"{result.TestSeconds.ToString("F1", ci)} s");
        Row("weights_checksum", result.WeightsChecksum);
        AnsiConsole.Write(table);
        Console.WriteLine(result.Confusion.ToText(FashionMnist.ClassNames));
        Console.WriteLine($"results: {Path.GetFullPath(dir)}");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// Images done, biological time (each presentation, in training repeats included, is <see cref="DiehlCookNetwork.PresentMs"/>
    /// plus <see cref="DiehlCookNetwork.RestMs"/>), real-time factor and the latest block accuracy.
    /// </summary>
    private static string ProgressText(StdpProgress p, bool compact = false)
    {
        double perImageMs = DiehlCookNetwork.PresentMs + DiehlCookNetwork.RestMs;
        double bioSeconds = (p.Done + (p.Phase == "train" ? p.Retries : 0)) * perImageMs / 1000;
        double wall = p.SamplesPerSecond > 0 ? p.Done / p.SamplesPerSecond : 0;
        string rtf = bioSeconds > 0 ? (wall / bioSeconds).ToString("F2", CultureInfo.InvariantCulture) : "-";
        string acc = p.RecentAccuracy is { } a ? string.Create(CultureInfo.InvariantCulture, $", last block {a:P1}") : "";
        // Next to a bar (which shows the fraction done and the remaining time) only what the bar does not show.
        if (compact) return string.Create(CultureInfo.InvariantCulture, $"{p.Phase}: {bioSeconds:F0} s biological, real-time factor {rtf}");
        return string.Create(CultureInfo.InvariantCulture,
            $"{p.Phase}: {p.Done}/{p.Total} images, {bioSeconds:F0} s biological, real-time factor {rtf}, {p.SamplesPerSecond:F1} images/s{acc}");
    }
}
