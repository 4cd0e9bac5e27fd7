using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.Evaluation;
using DistSnn.Nodes.Random;

namespace DistSnn.Learning.Gradient;

/// <summary>Settings of a gradient-trained network and of its training.</summary>
public sealed record GradientTrainingOptions
{
    /// <summary>The layers.</summary>
    public required Architecture Architecture { get; init; }
    /// <summary>The units (a <see cref="UnitKind.Relu"/> spec trains an analog network).</summary>
    public NeuronSpec Neuron { get; init; } = new();
    /// <summary>The surrogate gradient.</summary>
    public Surrogate Surrogate { get; init; } = new(SurrogateKind.FastSigmoid, 10);
    /// <summary>What the output answers.</summary>
    public LossKind Loss { get; init; } = LossKind.Count;
    /// <summary>Trained biases (always on in an analog network).</summary>
    public bool Bias { get; init; }
    /// <summary>No gradient through the reset (the usual choice in surrogate-gradient training).</summary>
    public bool DetachReset { get; init; } = true;
    /// <summary>Steps a sample is presented for.</summary>
    public int Steps { get; init; } = 25;
    /// <summary>The input encoding.</summary>
    public InputEncoding Encoding { get; init; } = new();
    /// <summary>Passes over the training samples.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Samples per global minibatch.</summary>
    public int BatchSize { get; init; } = 120;
    /// <summary>Micro-batches per minibatch (M): fixed, whatever the number of replicas.</summary>
    public int MicroBatches { get; init; } = 12;
    /// <summary>Replicas computing micro-batches in this process, one thread each.</summary>
    public int Replicas { get; init; } = 1;
    /// <summary>Base learning rate of Adam.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>The learning-rate schedule over the whole run.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;
    /// <summary>Decoupled weight decay (weights only).</summary>
    public double WeightDecay { get; init; }
    /// <summary>Weight of the penalty on hidden spike rates above <see cref="RateTarget"/>.</summary>
    public double RateWeight { get; init; }
    /// <summary>Spikes per neuron and step above which hidden layers are penalised.</summary>
    public double RateTarget { get; init; } = 0.1;
    /// <summary>Training samples held out for validation (chosen from the seed before training).</summary>
    public int Validation { get; init; } = 5000;
    /// <summary>Training samples used at most (0: all); the validation samples come out of these.</summary>
    public int TrainLimit { get; init; }
    /// <summary>Master seed: initial weights, validation split, sample order and stochastic encodings.</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Scale of the initial weights.</summary>
    public double InitGain { get; init; } = 1.0;
    /// <summary>Training images are moved by up to this many pixels along each axis (zeros fill in), drawn per (seed, epoch, sample); 0: not moved.</summary>
    public int Shift { get; init; }
    /// <summary>Training images are mirrored left to right with probability one half, drawn per (seed, epoch, sample).</summary>
    public bool Flip { get; init; }
    /// <summary>Checksum of the weights training started from when they were given (<c>--init-from</c>); null: drawn from the seed.</summary>
    public string? InitialWeights { get; init; }

    /// <summary>The largest <see cref="Shift"/>: a quarter of a 28-pixel image.</summary>
    public const int MaxShift = 7;

    /// <summary>Checks the settings; errors name the option.</summary>
    public void Validate()
    {
        Neuron.Validate();
        if (Steps < 1) throw new ArgumentException($"--steps: must be at least 1, got {Steps}");
        if (Epochs < 0) throw new ArgumentException($"--epochs: must not be negative, got {Epochs}");
        if (BatchSize < 1) throw new ArgumentException($"--batch: must be at least 1, got {BatchSize}");
        if (MicroBatches < 1) throw new ArgumentException($"--micro-batches: must be at least 1, got {MicroBatches}");
        if (Replicas < 1 || Replicas > MicroBatches)
            throw new ArgumentException($"--replicas: must lie in 1 … {MicroBatches} (the micro-batches per batch), got {Replicas}");
        if (!(LearningRate > 0)) throw new ArgumentException("--lr: must be positive");
        if (WeightDecay < 0 || RateWeight < 0) throw new ArgumentException("--weight-decay and --rate-weight must not be negative");
        if (Validation < 0) throw new ArgumentException($"--validation: must not be negative, got {Validation}");
        if (Shift < 0 || Shift > MaxShift) throw new ArgumentException($"--shift: must lie in 0 … {MaxShift} pixels, got {Shift}");
        if (!(Surrogate.Beta > 0)) throw new ArgumentException("--surrogate-slope: must be positive");
        if (Encoding.Kind == EncodingKind.Poisson && !(Encoding.MaxRateHz > 0 && Encoding.MaxRateHz * Neuron.Dt / 1000 <= 1))
            throw new ArgumentException($"--max-rate: must be positive and at most one spike per step (1 / dt), got {Encoding.MaxRateHz} Hz");
        if (Encoding.Kind == EncodingKind.Latency && !(Encoding.LatencyThreshold > 0 && Encoding.LatencyThreshold <= 1))
            throw new ArgumentException($"latency threshold: must lie in (0, 1], got {Encoding.LatencyThreshold}");
        if (Neuron.Kind == UnitKind.Relu && Architecture.Layers.Any(l => l.Kind == LayerKind.Recurrent))
            throw new ArgumentException($"--arch '{Architecture.Text}': an analog network runs one step; it has no recurrent layers");
    }
}

/// <summary>Running sums of an epoch's minibatches.</summary>
public sealed class EpochTotals(int layers)
{
    /// <summary>Summed loss.</summary>
    public double LossSum { get; set; }
    /// <summary>Samples classified right.</summary>
    public double Correct { get; set; }
    /// <summary>Samples seen.</summary>
    public int Seen { get; set; }
    /// <summary>Summed rates per layer.</summary>
    public double[] Rates { get; } = new double[layers];
    /// <summary>Seconds spent in the minibatches.</summary>
    public double Seconds { get; set; }
}

/// <summary>One minibatch's figures.</summary>
public sealed record BatchReport(int Epoch, int Batch, int Batches, double Loss, double Accuracy, double LearningRate, double SamplesPerSecond, int Size);

/// <summary>One epoch's figures.</summary>
public sealed record EpochReport(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationAccuracy, double[] Rates, double Seconds, double SamplesPerSecond);

/// <summary>Predictions and figures of a pass over samples without learning.</summary>
public sealed record EvaluationResult(int[] Predicted, ConfusionMatrix Confusion, double Loss, double[] Rates, double Seconds)
{
    /// <summary>Fraction correct.</summary>
    public double Accuracy => Confusion.Accuracy;
}

/// <summary>
/// Trains a <see cref="Network{T}"/> (float) with minibatch gradient descent: each global minibatch is split into
/// <see cref="GradientTrainingOptions.MicroBatches"/> micro-batches, computed by the replicas (threads here),
/// added up by the fixed tree of <see cref="MicroBatches"/> and applied by Adam. The weights after every step are
/// the same for any number of replicas.
/// </summary>
public sealed class GradientTrainer
{
    /// <summary>Stream of evaluation encodings (distinct from every training epoch).</summary>
    public const ulong EvaluationEpoch = DistSnn.Nodes.Kernels.SampleEncoder.EvaluationStream;

    private readonly LabeledImages _train;
    private readonly float[][] _micro;
    private readonly Worker[] _workers;
    private readonly bool[] _decays;

    /// <summary>A trainer at step 0 with the initial weights of the seed.</summary>
    public GradientTrainer(GradientTrainingOptions options, LabeledImages train)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        options.Validate();
        Options = options;
        _train = train;
        if (train.Rows * train.Columns != options.Architecture.Input.Size)
            throw new ArgumentException($"--arch '{options.Architecture.Text}': the input has {options.Architecture.Input.Size} units, the images {train.Rows}x{train.Columns} = {train.Rows * train.Columns} pixels");
        Network = BuildNetwork(options);
        int used = options.TrainLimit > 0 ? Math.Min(options.TrainLimit, train.Count) : train.Count;
        if (options.Validation >= used)
            throw new ArgumentException($"--validation {options.Validation}: leaves no training samples out of {used}");
        (TrainIndices, ValidationIndices) = Split(used, options.Validation, options.Seed);
        Parameters = InitialParameters(Network, options.Seed, options.InitGain);
        _decays = new bool[Network.ParameterCount];
        foreach (var block in Network.Blocks)
            if (block.Kind != BlockKind.Bias) _decays.AsSpan(block.Offset, block.Length).Fill(true);
        int batches = (TrainIndices.Length + options.BatchSize - 1) / options.BatchSize;
        Optimizer = new Adam(Network.ParameterCount)
        {
            LearningRate = options.LearningRate,
            WeightDecay = options.WeightDecay,
            Schedule = options.Schedule,
            TotalSteps = (long)batches * Math.Max(1, options.Epochs),
        };
        _micro = new float[options.MicroBatches][];
        for (int m = 0; m < _micro.Length; m++) _micro[m] = new float[Network.ParameterCount];
        Totals = new EpochTotals(Network.Stages.Count);
        _workers = new Worker[Math.Max(options.Replicas, Environment.ProcessorCount)];
        for (int w = 0; w < _workers.Length; w++) _workers[w] = new Worker(Network);
    }

    /// <summary>The network the settings describe (no parameters: they live in a separate array).</summary>
    public static Network<float> BuildNetwork(GradientTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new Network<float>(options.Architecture, options.Neuron, options.Surrogate, options.Loss, options.Bias, options.Steps,
            detachReset: options.DetachReset);
    }

    /// <summary>The settings.</summary>
    public GradientTrainingOptions Options { get; }
    /// <summary>The network.</summary>
    public Network<float> Network { get; }
    /// <summary>The parameters (weights in mV per spike for lif_delta, in the synaptic variable's mV for lif_exp_current).</summary>
    public float[] Parameters { get; }
    /// <summary>The optimizer and its moments.</summary>
    public Adam Optimizer { get; }
    /// <summary>Training samples (dataset indices), ascending.</summary>
    public int[] TrainIndices { get; }
    /// <summary>Held-out validation samples (dataset indices), ascending.</summary>
    public int[] ValidationIndices { get; }
    /// <summary>Epochs completed.</summary>
    public int Epoch { get; private set; }
    /// <summary>Minibatches completed in the current epoch.</summary>
    public int BatchInEpoch { get; private set; }
    /// <summary>Minibatches per epoch.</summary>
    public int BatchesPerEpoch => (TrainIndices.Length + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The validation split: a seeded choice of <paramref name="validation"/> of <paramref name="count"/> samples.</summary>
    public static (int[] Train, int[] Validation) Split(int count, int validation, ulong seed)
    {
        var order = Permutation(count, seed, RngPurpose.TrainShuffle, ulong.MaxValue);
        var held = order.AsSpan(0, validation).ToArray();
        var rest = order.AsSpan(validation).ToArray();
        Array.Sort(held);
        Array.Sort(rest);
        return (rest, held);
    }

    /// <summary>A Fisher–Yates permutation of 0 … count−1 keyed by (seed, purpose, stream).</summary>
    public static int[] Permutation(int count, ulong seed, RngPurpose purpose, ulong stream)
    {
        var order = Enumerable.Range(0, count).ToArray();
        ulong key = CounterRng.StreamKey(seed, purpose, stream);
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)CounterRng.Below(key, (ulong)i, 0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>
    /// Initial parameters: weights uniform in ±gain · √(3 / fan-in) (analog: He, √(6 / fan-in)), scaled by the
    /// threshold of spiking units; recurrent weights half as wide; biases 0. Keyed by (seed, block, index).
    /// </summary>
    public static float[] InitialParameters(Network<float> network, ulong seed, double gain)
    {
        var p = new float[network.ParameterCount];
        for (int b = 0; b < network.Blocks.Count; b++)
        {
            var block = network.Blocks[b];
            if (block.Kind == BlockKind.Bias) continue;
            var stage = network.Stages[block.Layer];
            bool recurrent = block.Kind == BlockKind.Recurrent;
            int fanIn = recurrent ? stage.Size : stage.Connection.FanIn;
            double bound = network.Analog ? gain * Math.Sqrt(6.0 / fanIn) : gain * network.Neuron.Theta * Math.Sqrt(3.0 / fanIn);
            if (recurrent) bound *= 0.5;
            ulong key = CounterRng.StreamKey(seed, RngPurpose.TrainInit, (ulong)b);
            for (int i = 0; i < block.Length; i++)
                p[block.Offset + i] = (float)((2 * CounterRng.Uniform(key, (ulong)i, 0) - 1) * bound);
        }
        return p;
    }

    /// <summary>SHA-256 of the parameters' bytes (little-endian floats), first 16 hex digits.</summary>
    public static string Checksum(ReadOnlySpan<float> parameters) =>
        Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(parameters)))[..16];

    /// <summary>
    /// Runs the rest of the current epoch; <paramref name="progress"/> hears after every minibatch and
    /// <paramref name="afterStep"/> is called after every optimizer step (where a checkpoint may be taken).
    /// </summary>
    public EpochReport RunEpoch(Action<BatchReport>? progress = null, CancellationToken cancel = default, Action<GradientTrainer>? afterStep = null)
    {
        while (BatchInEpoch < BatchesPerEpoch)
        {
            cancel.ThrowIfCancellationRequested();
            var (batch, epoch) = PlanStep();
            var batchClock = Stopwatch.StartNew();
            var (loss, right, batchRates) = Step(batch, epoch);
            var report = CompleteStep(batch.Length, loss, right, batchRates, batchClock.Elapsed.TotalSeconds);
            progress?.Invoke(report);
            afterStep?.Invoke(this);
        }
        return EndEpoch();
    }

    /// <summary>
    /// The next minibatch of the current epoch (dataset indices, in batch order) and the epoch's encoding stream. The
    /// caller computes and applies its gradient (<see cref="Step"/>, or replicas and <see cref="ApplyGradient"/>), then
    /// calls <see cref="CompleteStep"/>.
    /// </summary>
    public (int[] Batch, ulong Epoch) PlanStep()
    {
        if (BatchInEpoch >= BatchesPerEpoch) throw new InvalidOperationException($"epoch {Epoch + 1} has no minibatch left; end it first");
        var order = _order is { } cached && _orderEpoch == Epoch ? cached : EpochOrder(Epoch);
        (_order, _orderEpoch) = (order, Epoch);
        int start = BatchInEpoch * Options.BatchSize, size = Math.Min(Options.BatchSize, order.Length - start);
        return (order.AsSpan(start, size).ToArray(), (ulong)Epoch);
    }

    private int[]? _order;
    private int _orderEpoch = -1;

    /// <summary>Counts a minibatch whose gradient has been applied into the epoch's sums and moves on to the next.</summary>
    public BatchReport CompleteStep(int size, double loss, double correct, double[] rates, double seconds)
    {
        ArgumentNullException.ThrowIfNull(rates);
        var totals = Totals;
        totals.LossSum += loss;
        totals.Correct += correct;
        totals.Seen += size;
        for (int l = 0; l < totals.Rates.Length; l++) totals.Rates[l] += rates[l];
        totals.Seconds += seconds;
        BatchInEpoch++;
        return new BatchReport(Epoch, BatchInEpoch, BatchesPerEpoch, loss / size, correct / size,
            Optimizer.RateAt(Optimizer.StepCount - 1), size / Math.Max(1e-9, seconds), size);
    }

    /// <summary>Ends the current epoch once all its minibatches are done: validation, the epoch's report.</summary>
    public EpochReport EndEpoch()
    {
        if (BatchInEpoch < BatchesPerEpoch) throw new InvalidOperationException($"epoch {Epoch + 1} has {BatchesPerEpoch - BatchInEpoch} minibatches left");
        var totals = Totals;
        var validation = ValidationIndices.Length > 0 ? Evaluate(_train, ValidationIndices).Accuracy : double.NaN;
        int seen = totals.Seen;
        var report = new EpochReport(Epoch, seen == 0 ? 0 : totals.LossSum / seen, seen == 0 ? 0 : totals.Correct / seen, validation,
            totals.Rates.Select(r => seen == 0 ? 0 : r / seen).ToArray(), totals.Seconds, seen / Math.Max(1e-9, totals.Seconds));
        Epoch++;
        BatchInEpoch = 0;
        Totals = new EpochTotals(Network.Stages.Count);
        return report;
    }

    /// <summary>
    /// Applies the summed gradient of a minibatch of <paramref name="batchSize"/> samples (the fixed-tree sum of its
    /// micro-batches) with Adam.
    /// </summary>
    public void ApplyGradient(float[] gradient, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (gradient.Length != Parameters.Length) throw new ArgumentException($"the gradient has {gradient.Length} values, the network {Parameters.Length} parameters", nameof(gradient));
        Optimizer.Step<float>(Parameters, gradient, 1.0 / batchSize, _decays);
    }

    /// <summary>Sums over the minibatches run so far in the current epoch (kept in checkpoints).</summary>
    public EpochTotals Totals { get; private set; }

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the training samples.</summary>
    public int[] EpochOrder(int epoch)
    {
        var perm = Permutation(TrainIndices.Length, Options.Seed, RngPurpose.TrainShuffle, (ulong)epoch);
        return perm.Select(i => TrainIndices[i]).ToArray();
    }

    /// <summary>
    /// One optimizer step on the samples <paramref name="batch"/> (dataset indices, in batch order): their summed
    /// loss, the number classified right and the summed layer rates.
    /// </summary>
    public (double Loss, int Correct, double[] Rates) Step(int[] batch, ulong epoch)
    {
        int m = Options.MicroBatches, replicas = Options.Replicas;
        var loss = new double[m];
        var correct = new int[m];
        var rates = new double[m][];
        // The coordinator's ledger, as on a cluster: each replica (a thread here) computes what it is assigned.
        var ledger = new MicroBatchLedger<float>(Optimizer.StepCount, m, Enumerable.Range(0, replicas).Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList());
        var assigned = ledger.Replicas.Select(ledger.Assigned).ToArray();
        Parallel.For(0, replicas, new ParallelOptions { MaxDegreeOfParallelism = replicas }, r =>
        {
            var worker = _workers[r];
            foreach (int micro in assigned[r])
            {
                var (start, length) = MicroBatches.Range(batch.Length, m, micro);
                (loss[micro], correct[micro], rates[micro]) = worker.Gradient(Options, _train, Parameters, batch.AsSpan(start, length), epoch, _micro[micro]);
            }
        });
        for (int r = 0; r < replicas; r++)
            foreach (int micro in assigned[r]) ledger.Deliver(ledger.Step, ledger.Replicas[r], new Subtree(micro, 0), _micro[micro]);
        ApplyGradient(ledger.Reduce(), batch.Length);
        var totalRates = new double[Network.Stages.Count];
        for (int k = 0; k < m; k++)
            for (int l = 0; l < totalRates.Length; l++) totalRates[l] += rates[k][l];
        return (loss.Sum(), correct.Sum(), totalRates);
    }

    /// <summary>Classifies the samples <paramref name="indices"/> of <paramref name="data"/> (all when null) with the current weights.</summary>
    public EvaluationResult Evaluate(LabeledImages data, IReadOnlyList<int>? indices = null, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        var clock = Stopwatch.StartNew();
        int count = indices?.Count ?? data.Count;
        var predicted = new int[count];
        var losses = new double[count];
        var layerRates = new double[count][];
        int workers = Math.Clamp(threads > 0 ? threads : Environment.ProcessorCount, 1, _workers.Length);
        int chunk = (count + workers - 1) / workers;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
        {
            var worker = _workers[w];
            for (int k = w * chunk; k < Math.Min(count, (w + 1) * chunk); k++)
            {
                int index = indices?[k] ?? k;
                (predicted[k], losses[k], layerRates[k]) = worker.Classify(this, data, index);
            }
        });
        var labels = new byte[count];
        for (int k = 0; k < count; k++) labels[k] = data.Labels[indices?[k] ?? k];
        var confusion = ConfusionMatrix.From(predicted, labels, Network.Architecture.Outputs);
        var rates = new double[Network.Stages.Count];
        foreach (var r in layerRates) for (int l = 0; l < rates.Length; l++) rates[l] += r[l] / Math.Max(1, count);
        return new EvaluationResult(predicted, confusion, count == 0 ? 0 : losses.Sum() / count, rates, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Restores the state of a checkpoint: parameters, moments, steps taken and the place in the run.</summary>
    public void Restore(ReadOnlySpan<float> parameters, ReadOnlySpan<double> m, ReadOnlySpan<double> v, long steps, int epoch, int batchInEpoch,
        EpochTotals? totals = null)
    {
        if (totals is not null)
        {
            if (totals.Rates.Length != Network.Stages.Count) throw new ArgumentException($"the checkpoint's rates are for {totals.Rates.Length} layers, the network has {Network.Stages.Count}");
            Totals = totals;
        }
        if (parameters.Length != Parameters.Length || m.Length != Parameters.Length || v.Length != Parameters.Length)
            throw new ArgumentException($"the checkpoint holds {parameters.Length} parameters, the network {Parameters.Length}");
        parameters.CopyTo(Parameters);
        m.CopyTo(Optimizer.M);
        v.CopyTo(Optimizer.V);
        Optimizer.StepCount = steps;
        Epoch = epoch;
        BatchInEpoch = batchInEpoch;
    }

    /// <summary>One replica's (or evaluation thread's) buffers.</summary>
    internal sealed class Worker(Network<float> network)
    {
        private readonly NetworkTrace<float> _trace = network.CreateTrace();
        private readonly Activity<float> _input = new(network.Steps, network.Architecture.Input.Size);
        private readonly float[] _gLogits = new float[network.Architecture.Outputs];
        private byte[] _augmented = [];

        /// <summary>The summed gradient of <paramref name="samples"/> (in order) into <paramref name="grad"/>, with their loss, hits and rates.</summary>
        public (double Loss, int Correct, double[] Rates) Gradient(GradientTrainingOptions o, LabeledImages data, float[] parameters,
            ReadOnlySpan<int> samples, ulong epoch, float[] grad)
        {
            Array.Clear(grad);
            double loss = 0;
            int correct = 0;
            var rates = new double[network.Stages.Count];
            foreach (int index in samples)
            {
                var image = data.Image(index);
                if (o.Shift > 0 || o.Flip)
                {
                    if (_augmented.Length != image.Length) _augmented = new byte[image.Length];
                    Augmentation.Apply(image, data.Rows, data.Columns, o.Shift, o.Flip, o.Seed, epoch, index, _augmented);
                    image = _augmented;
                }
                o.Encoding.Encode(image, _input, o.Seed, epoch, index);
                network.Forward(_input, parameters, _trace);
                int label = data.Labels[index];
                loss += Losses.CrossEntropy<float>(_trace.Logits, label, _gLogits);
                if (Losses.ArgMax<float>(_trace.Logits) == label) correct++;
                for (int l = 0; l < rates.Length; l++) rates[l] += _trace.Rates[l];
                network.Backward(parameters, _trace, _gLogits, grad, o.RateWeight, o.RateTarget);
            }
            return (loss, correct, rates);
        }

        public (int Predicted, double Loss, double[] Rates) Classify(GradientTrainer trainer, LabeledImages data, int index)
        {
            var o = trainer.Options;
            o.Encoding.Encode(data.Image(index), _input, o.Seed, EvaluationEpoch, index);
            network.Forward(_input, trainer.Parameters, _trace);
            double loss = Losses.CrossEntropy<float>(_trace.Logits, data.Labels[index], _gLogits);
            return (Losses.ArgMax<float>(_trace.Logits), loss, (double[])_trace.Rates.Clone());
        }
    }
}
