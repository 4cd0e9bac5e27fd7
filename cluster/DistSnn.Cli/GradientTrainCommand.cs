using DistSnn.Model.Datasets;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.Gradient;
using DistSnn.Learning.Plots;
using DistSnn.Monitoring;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn train surrogate</c> (a spiking network trained by surrogate-gradient BPTT) and <c>distsnn train ann</c>
/// (the rectified-linear network of the same architecture, trained by the same code) on Fashion-MNIST.
/// </summary>
public static class GradientTrainCommand
{
    /// <summary>The <c>surrogate</c> subcommand (spiking), the <c>ann</c> subcommand (analog) or the <c>convert</c> subcommand (analog, then converted).</summary>
    public static Command Create(bool analog, bool convert = false)
    {
        var dataset = new Option<string>("--dataset") { Description = "The data set (fashion-mnist)", DefaultValueFactory = _ => "fashion-mnist" };
        var data = new Option<DirectoryInfo?>("--data") { Description = $"Fashion-MNIST folder (default: ${FashionMnist.DirectoryVariable} or {FashionMnist.DefaultDirectory})" };
        var arch = new Option<string>("--arch")
        {
            Description = "Layers joined by '-': the input (784 or 1x28x28), then N (dense), Nr (recurrent), CcK[sS][pP] (convolution: " +
                          "C channels, K x K kernels, stride S, zero padding P), aK (K x K sum pooling); the last is dense with one unit per class",
            DefaultValueFactory = _ => "784-256-10",
        };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training samples", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "Samples per global minibatch", DefaultValueFactory = _ => 120 };
        var micro = new Option<int>("--micro-batches") { Description = "Fixed micro-batches per minibatch (M); the weights do not depend on --replicas", DefaultValueFactory = _ => 12 };
        var replicas = new Option<int>("--replicas") { Description = "Replicas computing the micro-batches: threads of this process, or with --endpoint cluster members (one each)", DefaultValueFactory = _ => 1 };
        var endpoint = new Option<string?>("--endpoint", "-e") { Description = "Train on the cluster of this admin endpoint (any node's); the results folder is written here" };
        var token = new Option<string?>("--token") { Description = "Bearer token of the admin endpoint (default $DISTSNN_TOKEN)", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DISTSNN_TOKEN") };
        var job = new Option<string?>("--job") { Description = "With --endpoint: the job id (default: train-<time>-<random>)" };
        var role = new Option<string?>("--role") { Description = "With --endpoint: run replicas only on members with this role" };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate", DefaultValueFactory = _ => analog ? 1e-3 : 5e-3 };
        var schedule = new Option<string>("--lr-schedule") { Description = "constant, cosine (to 0 over the run) or step (halved at each third)", DefaultValueFactory = _ => "cosine" };
        var decay = new Option<double>("--weight-decay") { Description = "Decoupled weight decay of the weights (AdamW), per step as a fraction of the learning rate", DefaultValueFactory = _ => 0.05 };
        var validation = new Option<int>("--validation") { Description = "Training samples held out for validation, chosen from the seed", DefaultValueFactory = _ => 5000 };
        var trainN = new Option<int>("--train-samples") { Description = "Training samples used (0: all); the validation samples come out of these", DefaultValueFactory = _ => 0 };
        var testN = new Option<int>("--test-samples") { Description = "Test samples classified at the end (0: none)", DefaultValueFactory = _ => 10_000 };
        var seed = new Option<ulong>("--seed", "-s") { Description = "Master seed", DefaultValueFactory = _ => 1UL };
        var shift = new Option<int>("--shift") { Description = $"Move each training image by up to this many pixels along each axis, drawn per epoch and sample (0 … {GradientTrainingOptions.MaxShift}; validation and test images are not moved)", DefaultValueFactory = _ => 0 };
        var flip = new Option<bool>("--flip") { Description = "Mirror each training image left to right with probability one half, drawn per epoch and sample" };
        var gain = new Option<double>("--init-gain") { Description = "Scale of the initial weights (uniform in ±gain·√(3/fan-in) times the threshold's height; analog: He's ±gain·√(6/fan-in))", DefaultValueFactory = _ => analog ? 1.0 : 0.5 };
        string verbName = convert ? "convert" : analog ? "ann" : "surrogate";
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = $"Results folder (default: results/train-{verbName}-<arch>)" };
        var stepList = new Option<string>("--steps") { Description = "Simulated steps at which the converted network is tested, comma-separated (at most 256)", DefaultValueFactory = _ => "32,64,128,256" };
        var percentile = new Option<double>("--percentile") { Description = "Percentile of each layer's activations its weights are normalised by (100: the maximum, Diehl et al. 2015)", DefaultValueFactory = _ => 99.9 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Save the training state (weights, optimizer, place in the run) every K optimizer steps and after each epoch: to OUT/checkpoint.bin, or with --endpoint to the nodes' checkpoint directory, under the job id (0: only with --resume)", DefaultValueFactory = _ => 0 };
        var telemetry = TelemetryFlag.Create("none");
        var resume = new Option<bool>("--resume") { Description = "Go on from OUT/checkpoint.bin if it exists: the run ends with the weights of an uninterrupted one" };
        var normSamples = new Option<int>("--norm-samples") { Description = "Training samples the activations are measured on", DefaultValueFactory = _ => 10_000 };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };
        var initFrom = new Option<FileInfo?>("--init-from")
        {
            Description = "Start from the weights (and biases) in this weights.h5 of distsnn train surrogate, ann or convert for the same --arch, " +
                "instead of random ones: e.g. fine-tune a converted network with surrogate gradients",
        };
        var neuron = new Option<string>("--neuron") { Description = "lif_delta, lif_exp_current or if_subtract (threshold 1 mV above rest, reset to rest or by subtraction)", DefaultValueFactory = _ => "lif_exp_current" };
        var tauM = new Option<double>("--tau-m") { Description = "Membrane time constant (ms)", DefaultValueFactory = _ => 40.0 };
        var tauSyn = new Option<double>("--tau-syn") { Description = "Synaptic time constant of lif_exp_current (ms)", DefaultValueFactory = _ => 5.0 };
        var tRef = new Option<double>("--t-ref") { Description = "Refractory period (ms)", DefaultValueFactory = _ => 0.0 };
        var dt = new Option<double>("--dt") { Description = "Simulation step (ms)", DefaultValueFactory = _ => 1.0 };
        var steps = new Option<int>("--steps") { Description = "Steps each sample is presented for", DefaultValueFactory = _ => 25 };
        var encoding = new Option<string>("--encoding") { Description = "direct (pixel intensities as input every step), poisson or latency", DefaultValueFactory = _ => "direct" };
        var maxRate = new Option<double>("--max-rate") { Description = "Poisson rate of a white pixel (Hz)", DefaultValueFactory = _ => 200.0 };
        var surrogate = new Option<string>("--surrogate") { Description = "fast-sigmoid or arctan", DefaultValueFactory = _ => "fast-sigmoid" };
        var slope = new Option<double>("--surrogate-slope") { Description = "Slope of the surrogate on (V - V_th) / (V_th - E_L)", DefaultValueFactory = _ => 5.0 };
        var loss = new Option<string>("--loss") { Description = "count (cross-entropy of output spike counts) or max-membrane (of each output's highest membrane; the output does not spike)", DefaultValueFactory = _ => "count" };
        var bias = new Option<bool>("--bias") { Description = "Train a bias current per neuron" };
        var resetGradient = new Option<bool>("--reset-gradient") { Description = "Back-propagate through the reset too (default: the reset is treated as a constant)" };
        var rateWeight = new Option<double>("--rate-weight") { Description = "Weight of the penalty on hidden spike rates above --rate-target", DefaultValueFactory = _ => 0.0 };
        var rateTarget = new Option<double>("--rate-target") { Description = "Spikes per neuron and step above which hidden layers are penalised", DefaultValueFactory = _ => 0.1 };

        var command = convert
            ? new Command("convert", "Train the rectified-linear network of an architecture on Fashion-MNIST, convert it to non-leaky integrate-and-fire " +
                "neurons (if_subtract) with data-based weight normalisation, and test the converted network at each of --steps; writes " +
                "train_summary.json, conversion.png, weights.h5 and model.yaml (the converted network at the most steps).\n" + ExitCodes.Help)
            : analog
            ? new Command("ann", "Train the rectified-linear (analog) network of an architecture on Fashion-MNIST with the same code as train surrogate; " +
                "writes train_summary.json, training_curves.png/.svg, confusion_matrix.png and weights.h5.\n" + ExitCodes.Help)
            : new Command("surrogate", "Train a layered spiking network on Fashion-MNIST with surrogate-gradient BPTT in the simulator's " +
                "discretisation; writes train_summary.json, training_curves.png/.svg, confusion_matrix.png and weights.h5.\n" + ExitCodes.Help);
        foreach (var option in new Option[] { dataset, data, arch, epochs, batch, micro, replicas, lr, schedule, decay, validation, trainN, testN, seed, gain, shift, flip, outDir, json, checkpointEvery, resume, telemetry })
            command.Options.Add(option);
        if (convert)
            foreach (var option in new Option[] { stepList, percentile, normSamples })
                command.Options.Add(option);
        if (!convert)
            foreach (var option in new Option[] { endpoint, token, job, role, initFrom })
                command.Options.Add(option);
        if (!analog)
            foreach (var option in new Option[] { neuron, tauM, tauSyn, tRef, dt, steps, encoding, maxRate, surrogate, slope, loss, bias, resetGradient, rateWeight, rateTarget })
                command.Options.Add(option);
        command.SetAction((parse, cancel) =>
        {
            using var exporters = TelemetryFlag.Start(parse.GetValue(telemetry), "local");
            if (exporters is null) return Task.FromResult(ExitCodes.BadInput);
            exporters.ReadyAsync().GetAwaiter().GetResult();
            GradientTrainingOptions options;
            try
            {
                if (parse.GetValue(dataset) != "fashion-mnist")
                    throw new FormatException($"--dataset '{parse.GetValue(dataset)}': the data sets are fashion-mnist");
                var architecture = Architecture.Parse(parse.GetValue(arch)!);
                var sched = parse.GetValue(schedule) switch
                {
                    "constant" => LearningRateSchedule.Constant,
                    "cosine" => LearningRateSchedule.Cosine,
                    "step" => LearningRateSchedule.Step,
                    var s => throw new FormatException($"--lr-schedule '{s}': expected constant, cosine or step"),
                };
                options = new GradientTrainingOptions
                {
                    Architecture = architecture,
                    Epochs = parse.GetValue(epochs),
                    BatchSize = parse.GetValue(batch),
                    MicroBatches = parse.GetValue(micro),
                    Replicas = parse.GetValue(replicas),
                    LearningRate = parse.GetValue(lr),
                    Schedule = sched,
                    WeightDecay = parse.GetValue(decay),
                    Validation = parse.GetValue(validation),
                    TrainLimit = parse.GetValue(trainN),
                    Seed = parse.GetValue(seed),
                    InitGain = parse.GetValue(gain),
                    Shift = parse.GetValue(shift),
                    Flip = parse.GetValue(flip),
                };
                if (analog) options = options with { Neuron = new NeuronSpec { Kind = UnitKind.Relu }, Bias = true, Steps = 1 };
                else
                {
                    double step = parse.GetValue(dt);
                    options = options with
                    {
                        Neuron = new NeuronSpec
                        {
                            Kind = NeuronSpec.ParseKind(parse.GetValue(neuron)!),
                            TauM = parse.GetValue(tauM),
                            TauSyn = parse.GetValue(tauSyn),
                            TRef = parse.GetValue(tRef),
                            Dt = step,
                        },
                        Steps = parse.GetValue(steps),
                        Encoding = new InputEncoding { Kind = InputEncoding.ParseKind(parse.GetValue(encoding)!), MaxRateHz = parse.GetValue(maxRate), Dt = step },
                        Surrogate = new Surrogate(Surrogate.ParseKind(parse.GetValue(surrogate)!), parse.GetValue(slope)),
                        Loss = parse.GetValue(loss) switch
                        {
                            "count" => LossKind.Count,
                            "max-membrane" => LossKind.MaxMembrane,
                            var s => throw new FormatException($"--loss '{s}': expected count or max-membrane"),
                        },
                        Bias = parse.GetValue(bias),
                        DetachReset = !parse.GetValue(resetGradient),
                        RateWeight = parse.GetValue(rateWeight),
                        RateTarget = parse.GetValue(rateTarget),
                    };
                }
                options.Validate();
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(ExitCodes.BadInput);
            }
            string name = $"train-{verbName}-" + options.Architecture.Text;
            if (convert)
            {
                var list = new List<int>();
                foreach (var part in (parse.GetValue(stepList) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int t) || t < 1 || t > 256)
                    {
                        Console.Error.WriteLine($"error: --steps '{parse.GetValue(stepList)}': '{part}' is not a step count in 1 … 256");
                        return Task.FromResult(ExitCodes.BadInput);
                    }
                    list.Add(t);
                }
                if (list.Count == 0)
                {
                    Console.Error.WriteLine("error: --steps: give at least one step count");
                    return Task.FromResult(ExitCodes.BadInput);
                }
                return Task.FromResult(ConvertCommand.Execute(options, parse.GetValue(data), parse.GetValue(outDir) ?? new DirectoryInfo(Path.Combine("results", name)),
                    parse.GetValue(testN), parse.GetValue(json), list, parse.GetValue(percentile), parse.GetValue(normSamples), cancel,
                    parse.GetValue(checkpointEvery), parse.GetValue(resume)));
            }
            TrainingRemote? remote = null;
            if (!convert && parse.GetValue(endpoint) is { } url)
            {
                if (parse.GetValue(resume))
                {
                    Console.Error.WriteLine("error: --resume: a cluster job goes on from its checkpoints by itself (--checkpoint-every); it takes no --resume");
                    return Task.FromResult(ExitCodes.BadInput);
                }
                if (parse.GetValue(initFrom) is not null)
                {
                    Console.Error.WriteLine("error: --init-from: a cluster job starts from the initial weights of its seed; train from a file in one process (without --endpoint)");
                    return Task.FromResult(ExitCodes.BadInput);
                }
                remote = new TrainingRemote(url, parse.GetValue(token), parse.GetValue(job), parse.GetValue(role), parse.GetValue(data)?.FullName);
            }
            else if (!convert && (parse.GetValue(job) ?? parse.GetValue(role)) is not null)
            {
                Console.Error.WriteLine("error: --job and --role need --endpoint");
                return Task.FromResult(ExitCodes.BadInput);
            }
            return Task.FromResult(Execute(options, parse.GetValue(data), parse.GetValue(outDir) ?? new DirectoryInfo(Path.Combine("results", name)),
                parse.GetValue(testN), parse.GetValue(json), analog ? "train ann" : "train surrogate", cancel, parse.GetValue(checkpointEvery), parse.GetValue(resume), remote,
                parse.GetValue(initFrom)));
        });
        return command;
    }

    /// <summary>Loads the data and builds the trainer; null (after printing the error) on bad input.</summary>
    internal static (FashionMnist Set, GradientTrainer Trainer)? Prepare(GradientTrainingOptions options, DirectoryInfo? data, int testN)
    {
        FashionMnist set;
        try
        {
            set = FashionMnist.Load(data?.FullName);
        }
        catch (Exception e) when (e is DatasetMissingException or IdxFormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
        if (testN < 0 || testN > set.Test.Count)
        {
            Console.Error.WriteLine($"error: --test-samples: must lie in 0 … {set.Test.Count}, got {testN}");
            return null;
        }
        try
        {
            return (set, new GradientTrainer(options, set.Train));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// Runs the epochs with a progress line; null when cancelled. With <paramref name="checkpoint"/> the state is saved
    /// there every <paramref name="every"/> optimizer steps and at each epoch's end, and a run that finds one (with
    /// <paramref name="resume"/>) goes on from it.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint to resume from cannot be read or was taken under other settings.</exception>
    /// <exception cref="IOException">A checkpoint cannot be written.</exception>
    internal static List<EpochReport>? Train(GradientTrainer trainer, string verb, CancellationToken cancel, string? checkpoint = null,
        int every = 0, bool resume = false)
    {
        var options = trainer.Options;
        var reports = new List<EpochReport>();
        if (resume && checkpoint is not null && File.Exists(checkpoint))
        {
            reports = TrainingCheckpoint.Load(checkpoint, trainer);
            Console.Error.WriteLine($"{verb}: resuming from {checkpoint} at epoch {trainer.Epoch + 1}, minibatch {trainer.BatchInEpoch} (step {trainer.Optimizer.StepCount})");
        }
        Action<GradientTrainer>? afterStep = checkpoint is null || every <= 0 ? null
            : t => { if (t.Optimizer.StepCount % every == 0) TrainingCheckpoint.Save(checkpoint, t, reports); };
        Console.Error.WriteLine($"{verb}: {options.Architecture.Text}, {trainer.Network.ParameterCount:N0} parameters, {trainer.TrainIndices.Length:N0} training / " +
            $"{trainer.ValidationIndices.Length:N0} validation samples, {options.Epochs} epochs of {trainer.BatchesPerEpoch} minibatches");
        try
        {
            for (int e = trainer.Epoch; e < options.Epochs; e++)
            {
                var report = trainer.RunEpoch(b =>
                {
                    var tags = Telemetry.JobTags($"{verb.Replace(' ', '-')}-{options.Architecture.Text}", "local");
                    Telemetry.TrainLoss.Record(b.Loss, tags);
                    Telemetry.TrainAccuracy.Record(b.Accuracy, tags);
                    Telemetry.TrainSamples.Add(b.Size, tags);
                    if (b.Batch % 50 == 0 || b.Batch == b.Batches)
                        Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                            $"\repoch {b.Epoch + 1}/{options.Epochs} batch {b.Batch}/{b.Batches} loss {b.Loss:F3} accuracy {100 * b.Accuracy:F1}% lr {b.LearningRate:E2} {b.SamplesPerSecond:F0} samples/s   "));
                }, cancel, afterStep);
                reports.Add(report);
                if (checkpoint is not null) TrainingCheckpoint.Save(checkpoint, trainer, reports);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"\repoch {report.Epoch + 1}: loss {report.TrainLoss:F4}, training {100 * report.TrainAccuracy:F2}%, validation {100 * report.ValidationAccuracy:F2}%, " +
                    $"rates [{string.Join(", ", report.Rates.Select(r => r.ToString("F3", CultureInfo.InvariantCulture)))}], {report.Seconds:F0} s ({report.SamplesPerSecond:F0} samples/s)"));
            }
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return null;
        }
        return reports;
    }

    /// <summary><see cref="Train"/> with OUT/checkpoint.bin; the exit code when it did not finish (the reason printed), else null.</summary>
    internal static int? TrainOrExplain(GradientTrainer trainer, string verb, CancellationToken cancel, string dir, int checkpointEvery, bool resume,
        out List<EpochReport> reports)
    {
        reports = [];
        try
        {
            var done = Train(trainer, verb, cancel, checkpointEvery > 0 || resume ? Path.Combine(dir, "checkpoint.bin") : null, checkpointEvery, resume);
            if (done is null) return ExitCodes.Cancelled;
            reports = done;
            return null;
        }
        catch (InvalidDataException e)
        {
            Console.Error.WriteLine($"error: --resume: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write the checkpoint in {dir}: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Trains, tests and writes the results folder; returns the exit code.</summary>
    public static int Execute(GradientTrainingOptions options, DirectoryInfo? data, DirectoryInfo outDir, int testN, bool json, string verb, CancellationToken cancel,
        int checkpointEvery = 0, bool resume = false, TrainingRemote? remote = null, FileInfo? initFrom = null)
    {
        var wall = Stopwatch.StartNew();
        float[]? start = null;
        if (initFrom is not null)
        {
            try
            {
                start = GradientWeightsFile.Read(initFrom.FullName, GradientTrainer.BuildNetwork(options));
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine($"error: --init-from: {e.Message}");
                return ExitCodes.BadInput;
            }
            // Part of the settings a checkpoint is taken under: resuming from other starting weights is refused.
            options = options with { InitialWeights = GradientTrainer.Checksum(start) };
        }
        if (Prepare(options, data, testN) is not var (set, trainer)) return ExitCodes.BadInput;
        start?.CopyTo(trainer.Parameters, 0);
        string dir = outDir.FullName;
        Directory.CreateDirectory(dir);
        List<EpochReport> reports;
        double trainSeconds;
        if (remote is not null)
        {
            reports = [];
            double seconds = 0;
            try
            {
                if (ClusterTraining.TrainAsync(remote, trainer, verb, checkpointEvery, reports, s => seconds = s, cancel).GetAwaiter().GetResult() is int lost) return lost;
            }
            catch (AdminException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                Console.Error.WriteLine("cancelled (the job goes on on the cluster; cancel it with distsnn cancel)");
                return ExitCodes.Cancelled;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"error: the admin endpoint {remote.Endpoint} did not answer in time");
                return ExitCodes.Unreachable;
            }
            trainSeconds = seconds;
        }
        else
        {
            if (TrainOrExplain(trainer, verb, cancel, dir, checkpointEvery, resume, out reports) is int failed) return failed;
            trainSeconds = reports.Sum(r => r.Seconds);
        }
        EvaluationResult? test = testN > 0 ? trainer.Evaluate(set.Test, Enumerable.Range(0, testN).ToArray()) : null;

        string? exported = null;
        if (NetworkExport.Unsupported(trainer.Network) is { } why)
        {
            NetworkExport.WriteWeights(Path.Combine(dir, "weights.h5"), trainer.Network, trainer.Parameters);
            Console.Error.WriteLine($"note: weights.h5 written; no model file: {why}");
        }
        else
        {
            exported = NetworkExport.Write(dir, $"{(verb == "train ann" ? "ann" : "surrogate")}-{options.Architecture.Text}", trainer.Network,
                trainer.Parameters, options, new ExportPresentation(set.TestImagesPath, set.TestLabelsPath, testN > 0 ? testN : set.Test.Count,
                    RestMs: 0, Reset: true));
        }
        string title = $"{verb} {options.Architecture.Text}" + (test is null ? "" : string.Create(CultureInfo.InvariantCulture, $": test {100 * test.Accuracy:F2}%"));
        if (reports.Count > 0)
            foreach (var ext in new[] { "png", "svg" })
                TrainingCurves.Save(Path.Combine(dir, $"training_curves.{ext}"), reports.Select(r => r.TrainLoss).ToList(),
                    reports.Select(r => r.TrainAccuracy).ToList(), reports.Select(r => r.ValidationAccuracy).ToList(), title);
        if (test is not null)
            LearningPlots.SaveConfusionMatrix(Path.Combine(dir, "confusion_matrix.png"), test.Confusion, FashionMnist.ClassNames);
        var summary = new
        {
            command = verb,
            architecture = options.Architecture.Text,
            units = options.Neuron.ModelName,
            neuron = options.Neuron.Kind == UnitKind.Relu ? null : new
            {
                tau_m_ms = options.Neuron.TauM, tau_syn_ms = options.Neuron.TauSyn, v_th_mv = options.Neuron.VTh, e_l_mv = options.Neuron.EL,
                v_reset_mv = options.Neuron.VReset, t_ref_ms = options.Neuron.TRef, dt_ms = options.Neuron.Dt,
            },
            steps = options.Steps,
            encoding = options.Neuron.Kind == UnitKind.Relu ? "direct" : options.Encoding.Name,
            surrogate = options.Neuron.Kind == UnitKind.Relu ? null : new { kind = options.Surrogate.Name, slope = options.Surrogate.Beta },
            loss = options.Loss == LossKind.Count ? "count" : "max-membrane",
            bias = options.Bias,
            reset_gradient = !options.DetachReset,
            parameters = trainer.Network.ParameterCount,
            epochs = options.Epochs,
            batch = options.BatchSize,
            micro_batches = options.MicroBatches,
            replicas = options.Replicas,
            cluster = remote?.Endpoint,
            init_from = initFrom?.FullName,
            init_checksum = options.InitialWeights,
            learning_rate = options.LearningRate,
            lr_schedule = options.Schedule.ToString().ToLowerInvariant(),
            weight_decay = options.WeightDecay,
            rate_weight = options.RateWeight,
            rate_target = options.RateTarget,
            seed = options.Seed,
            shift = options.Shift,
            flip = options.Flip,
            train_samples = trainer.TrainIndices.Length,
            validation_samples = trainer.ValidationIndices.Length,
            history = reports.Select(r => new
            {
                epoch = r.Epoch + 1, train_loss = r.TrainLoss, train_accuracy = r.TrainAccuracy,
                validation_accuracy = double.IsNaN(r.ValidationAccuracy) ? (double?)null : r.ValidationAccuracy,
                rates = r.Rates, seconds = r.Seconds, samples_per_s = r.SamplesPerSecond,
            }),
            test_samples = testN,
            test_accuracy = test?.Accuracy,
            test_loss = test?.Loss,
            test_rates = test?.Rates,
            confusion = test?.Confusion.ToArray() is { } c ? Enumerable.Range(0, c.GetLength(0)).Select(i => Enumerable.Range(0, c.GetLength(1)).Select(j => c[i, j]).ToArray()).ToArray() : null,
            parameters_checksum = GradientTrainer.Checksum(trainer.Parameters),
            model = exported is null ? null : Path.GetFileName(exported),
            train_seconds = trainSeconds,
            wall_seconds = wall.Elapsed.TotalSeconds,
        };
        string text = JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = null });
        File.WriteAllText(Path.Combine(dir, "train_summary.json"), text);
        if (json) Console.WriteLine(text);
        else
        {
            string outcome = test is null ? "no test samples"
                : string.Create(CultureInfo.InvariantCulture, $"test accuracy {100 * test.Accuracy:F2}% over {testN:N0} images");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{verb} {options.Architecture.Text}: {outcome}, {trainSeconds:F0} s training, parameters {summary.parameters_checksum}"));
            Console.WriteLine($"results: {dir}");
            if (exported is not null) Console.WriteLine($"simulate the test set: distsnn run {exported} --no-plots");
        }
        return ExitCodes.Ok;
    }
}
