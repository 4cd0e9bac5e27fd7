using System.Diagnostics;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.Encoding;
using DistSnn.Learning.Evaluation;
using DistSnn.Model;
using DistSnn.Monitoring;

namespace DistSnn.Learning.DiehlCook;

/// <summary>Settings of one unsupervised training run.</summary>
public sealed record StdpTrainingOptions
{
    /// <summary>Excitatory neurons (N).</summary>
    public int Neurons { get; init; } = 100;
    /// <summary>Training images presented once each, in data set order.</summary>
    public int TrainSamples { get; init; } = 60_000;
    /// <summary>Test images classified at the end.</summary>
    public int TestSamples { get; init; } = 10_000;
    /// <summary>Partitions the network is split into (results do not depend on it).</summary>
    public int Partitions { get; init; } = 1;
    /// <summary>Master seed (initial weights, Poisson inputs).</summary>
    public ulong Seed { get; init; } = 1;
    /// <summary>Training images between accuracy reports; their responses also label the neurons (Diehl &amp; Cook: 10,000).</summary>
    public int ReportEvery { get; init; } = 10_000;
    /// <summary>Highest input intensity before an image is given up on (Diehl &amp; Cook raise it without bound).</summary>
    public int MaxRetries { get; init; } = 12;
    /// <summary>
    /// Input rate of a white pixel at the first presentation (Hz) when <see cref="TotalRateHz"/> is 0. Diehl &amp; Cook
    /// use 63.75 Hz (pixel / 4) for MNIST; Fashion-MNIST images are about twice as bright (mean pixel 73 against 33), so
    /// half that rate keeps the input spikes per image near theirs.
    /// </summary>
    public double MaxRateHz { get; init; } = 32;
    /// <summary>
    /// When above 0, every image's rates are scaled to add up to this many Hz at the first presentation (and
    /// <see cref="MaxRateHz"/> is not used), so that dim and bright images drive the network alike; 0 makes rates
    /// follow pixel brightness as in Diehl &amp; Cook. Fashion-MNIST's items differ in ink far more than digits do (a
    /// coat has several times a sandal's), so with brightness-proportional rates the bright classes win most neurons
    /// and dim images need repeated presentations. The average Fashion-MNIST image gets about 7,200 Hz at
    /// <see cref="MaxRateHz"/> = 32. Accuracies for several totals: docs/results/fashion-mnist.md.
    /// </summary>
    public double TotalRateHz { get; init; } = 10_000;
    /// <summary>
    /// Training images shown again after training, with learning and thresholds frozen, to label the neurons (the
    /// last ones of the training set). Diehl &amp; Cook label on a frozen network this way; 0 labels from the
    /// responses of the last training window instead, which were recorded while the weights still moved.
    /// </summary>
    public int LabelSamples { get; init; } = 10_000;
    /// <summary>
    /// Weight of each inhibitory → excitatory synapse (nS), the strength of the lateral inhibition. Diehl &amp; Cook
    /// use 17 nS for MNIST; Fashion-MNIST's large bright shapes drive several excitatory neurons at once, and
    /// stronger inhibition keeps one winner per image; softer inhibition lets more neurons learn from each image.
    /// </summary>
    public double InhibitionNs { get; init; } = 30;
    /// <summary>
    /// Learning rate at a post-synaptic spike (Diehl &amp; Cook's nu_ee_post, 0.01). Doubled: one pass over the
    /// training set gives each of N = 400 neurons about 150 images to learn from, where Diehl &amp; Cook trained
    /// N = 400 on three passes.
    /// </summary>
    public double NuPost { get; init; } = 0.02;
    /// <summary>Learning rate at a pre-synaptic spike (Diehl &amp; Cook's nu_ee_pre, 0.0001), doubled with <see cref="NuPost"/>.</summary>
    public double NuPre { get; init; } = 0.0002;
    /// <summary>
    /// When above 0, every image's rates are scaled to this Euclidean norm (Hz) instead of <see cref="TotalRateHz"/>;
    /// with <see cref="WeightNormOrder"/> 2 a neuron's drive then follows the cosine between its weights and the image.
    /// </summary>
    public double EuclideanRateHz { get; init; }
    /// <summary>
    /// Norm of each neuron's input weights held by normalisation: 1 their sum (Diehl &amp; Cook), 2 their Euclidean
    /// norm (see <see cref="EuclideanRateHz"/>).
    /// </summary>
    public int WeightNormOrder { get; init; } = 1;
    /// <summary>
    /// Value of that norm (nS); null takes the default of the order: <see cref="DefaultWeightSumNs"/> for the sum,
    /// <see cref="DefaultEuclideanWeightNormNs"/> for the Euclidean norm.
    /// </summary>
    public double? WeightNormNs { get; init; }
    /// <summary>The weight norm in force: <see cref="WeightNormNs"/> or the default of <see cref="WeightNormOrder"/>.</summary>
    public double EffectiveWeightNormNs => WeightNormNs ?? (WeightNormOrder == 2 ? DefaultEuclideanWeightNormNs : DefaultWeightSumNs);
    /// <summary>Diehl &amp; Cook's sum of the input weights of each neuron (nS).</summary>
    public const double DefaultWeightSumNs = 78;
    /// <summary>
    /// The Euclidean norm of each neuron's input weights that, with input rates of Euclidean norm 551 Hz, drives a
    /// neuron matching the median Fashion-MNIST image as strongly as Diehl &amp; Cook's 78 nS sum does with a
    /// 10,000 Hz total (2,368 nS·Hz; 551 Hz is that image's norm at that total).
    /// </summary>
    public const double DefaultEuclideanWeightNormNs = 4.3;
    /// <summary>
    /// Fraction of the training pass after which the learning rates start to fall (1: they never do), so that the
    /// last images refine the weights instead of replacing them.
    /// </summary>
    public double AnnealStart { get; init; } = DefaultAnnealStart;
    /// <summary>Default of <see cref="AnnealStart"/>.</summary>
    public const double DefaultAnnealStart = 1;
    /// <summary>Default of <see cref="AnnealEndScale"/>.</summary>
    public const double DefaultAnnealEndScale = 1;
    /// <summary>Multiple of the learning rates at the last training image; they fall linearly to it from <see cref="AnnealStart"/>.</summary>
    public double AnnealEndScale { get; init; } = DefaultAnnealEndScale;
    /// <summary>Threshold increment per excitatory spike (mV; Diehl &amp; Cook: 0.05).</summary>
    public double ThetaPlusMv { get; init; } = DiehlCookNetwork.DiehlCookThetaPlusMv;
    /// <summary>
    /// How test images are classified from the labelled neurons' spike counts. Diehl &amp; Cook score each class by
    /// the mean count of its neurons (<see cref="Readout.MeanCount"/>); <see cref="Readout.Proportion"/> (the default)
    /// weights each neuron by how selective it was during labelling; <see cref="Readout.Linear"/> is a softmax regression
    /// fitted on the frozen labelling counts (<see cref="LinearReadout"/>; it needs at least
    /// <see cref="LinearReadout.MinSamples"/> label samples). All are computed and reported (the linear one wherever
    /// there are frozen labelling counts); this one is the headline accuracy and the confusion matrix.
    /// </summary>
    public Readout Readout { get; init; } = Readout.Proportion;
    /// <summary>
    /// Labelling and testing multiply the input rates by this K and divide the input weights by it (1: off; at most
    /// <see cref="MaxEvalRateScale"/>). Each neuron's mean drive stays about as trained while the Poisson noise of its
    /// drive shrinks as 1/√K, so which neuron wins the race to threshold follows its weights more and chance less.
    /// About, because a Poisson source fires at most once per step: at 0.5 ms steps and rates scaled to a Euclidean
    /// norm of 551 Hz, test images keep on average 97.6% of their mean drive at K = 4 and 89% at K = 16 (the most
    /// compact items 80%), with the pattern across pixels unchanged (cosine 0.999). Training is not affected; the
    /// learned weights are reported and left as learned. Needs frozen labelling (<see cref="LabelSamples"/> &gt; 0).
    /// </summary>
    public double EvalRateScale { get; init; } = 1;
    /// <summary>
    /// Labelling and testing show each image this many times (each with its rest) and add up the spike counts, so
    /// that the count of the neuron whose weights fit the image best stands out from the Poisson noise of one
    /// presentation; takes as many times longer (1: Diehl &amp; Cook; at most <see cref="MaxEvalPresentations"/>).
    /// </summary>
    public int EvalPresentations { get; init; } = 1;
    /// <summary>Largest <see cref="EvalPresentations"/>.</summary>
    public const int MaxEvalPresentations = 16;
    /// <summary>
    /// Keep every labelling and test image's spike counts in the result (<see cref="StdpTrainingResult.Responses"/>),
    /// for readouts computed elsewhere; N × (labelling + test images) counts, 4 bytes each.
    /// </summary>
    public bool KeepResponses { get; init; }
    /// <summary>
    /// Trains with the input rates multiplied by K (at most <see cref="MaxEvalRateScale"/>), on a network built for
    /// them (<see cref="DiehlCookNetwork.Build"/>'s rate scale: input weights and their norm 1/K, the pre trace 1/K as
    /// long, depression 1/K per pre spike), so that each image's mean drive and the expected weight changes stay as at
    /// K = 1 while the Poisson noise of the drive falls as 1/√K: the neuron whose weights fit an image best wins it
    /// more often, and learns from it. The weights are reported, saved and evaluated in the units of K = 1 (times K).
    /// Training takes longer, about K times the input spikes.
    /// </summary>
    public double TrainRateScale { get; init; } = 1;
    /// <summary>Largest <see cref="EvalRateScale"/> and <see cref="TrainRateScale"/>: beyond it most pixels would fire in every step.</summary>
    public const double MaxEvalRateScale = 100;
    /// <summary>
    /// Weights and thresholds to start from instead of the random initial ones, e.g. those of an earlier run; with
    /// <see cref="TrainSamples"/> 0 the network is only labelled and tested.
    /// </summary>
    public DiehlCookState? StartFrom { get; init; }
    /// <summary>
    /// Where the input weights start (ignored with <see cref="StartFrom"/>). <see cref="InitialWeights.Random"/> is
    /// Diehl &amp; Cook's uniform [0, 0.3] nS; <see cref="InitialWeights.Images"/> imprints the first N training
    /// images, one per neuron, each scaled to the weight norm, and trains on the images after them, so that every
    /// training image is still used once and no label is looked at. With random weights a neuron spends its first
    /// wins unlearning noise, and at N = 1,600 one pass gives each neuron only about 37 images.
    /// </summary>
    public InitialWeights InitialWeights { get; init; } = InitialWeights.Random;
    /// <summary>
    /// How the learning rule's traces pair spikes. Diehl &amp; Cook's traces are set to 1 at each spike
    /// (<see cref="SpikePairing.Nearest"/>), so a pre trace averages rτ/(1 + rτ) at rate r: the weights drift toward
    /// a compressed image, bright pixels counting less than their rate. With <see cref="SpikePairing.AllToAll"/> the
    /// traces add 1 per spike and average rτ, so the weights drift toward the rates themselves.
    /// </summary>
    public SpikePairing Pairing { get; init; } = SpikePairing.Nearest;
    /// <summary>The <c>job</c> tag of the training telemetry (<c>distsnn.train.accuracy</c>).</summary>
    public string Job { get; init; } = "train-stdp";

    /// <summary>
    /// Changes the built network before its partitions are made (placing populations on other backends, setting their
    /// options); null: the network as built. Weights set from outside (<see cref="StartFrom"/>, imprinting, rate scales
    /// other than 1) need the plain engines and are refused with it.
    /// </summary>
    public Func<NetworkSpec, NetworkSpec>? Place { get; init; }

    /// <summary>Builds the engines of partitions on backends other than the CPU (see <see cref="PartitionSet"/>).</summary>
    public EngineFactory? Engines { get; init; }
}

/// <summary>Where the input weights of a training run start.</summary>
public enum InitialWeights
{
    /// <summary>Uniform in [0, 0.3] nS (Diehl &amp; Cook).</summary>
    Random,
    /// <summary>Neuron k's weights are training image k scaled to the weight norm (nothing but the pixels is used).</summary>
    Images,
}

/// <summary>
/// The learned state of a Diehl &amp; Cook network: input weights as a dense input-major matrix [pixel * N + neuron]
/// (nS) and each excitatory neuron's adaptive threshold theta (mV).
/// </summary>
public sealed record DiehlCookState(float[] Weights, float[] Theta);

/// <summary>Progress of a training run.</summary>
public sealed record StdpProgress(string Phase, int Done, int Total, double SamplesPerSecond, double? RecentAccuracy, long Retries);

/// <summary>The outcome of a training run.</summary>
public sealed record StdpTrainingResult(
    int Neurons, int TrainSamples, int TestSamples, int Partitions, double TestAccuracy, ConfusionMatrix Confusion,
    IReadOnlyList<(int Samples, double Accuracy)> TrainingAccuracy, double TrainSeconds, double TestSeconds,
    double TrainSamplesPerSecond, float[] Weights, float[] Theta, int[] NeuronClasses, string WeightsChecksum, long Retries)
{
    /// <summary>Training images shown again on the frozen network to label the neurons (0: labelled while learning).</summary>
    public int LabelSamples { get; init; }
    /// <summary>
    /// Training images imprinted as initial weights instead of presented (<see cref="InitialWeights.Images"/>);
    /// <see cref="StdpTrainingResult.TrainSamplesPerSecond"/> counts the presented ones only.
    /// </summary>
    public int ImprintedSamples { get; init; }
    /// <summary>Wall time of the labelling presentations.</summary>
    public double LabelSeconds { get; init; }
    /// <summary>The readout of <see cref="StdpTrainingResult.TestAccuracy"/> and the confusion matrix.</summary>
    public Readout Readout { get; init; }
    /// <summary>Test accuracy under each readout, from the same spike counts.</summary>
    public IReadOnlyDictionary<Readout, double> AccuracyByReadout { get; init; } = new Dictionary<Readout, double>();
    /// <summary>Each neuron's labelling proportion (see <see cref="ClassAssignment.Proportions"/>).</summary>
    public double[] NeuronProportions { get; init; } = [];
    /// <summary>The labelling and test spike counts, with <see cref="StdpTrainingOptions.KeepResponses"/>; else null.</summary>
    public EvaluationResponses? Responses { get; init; }
}

/// <summary>
/// Every labelling and test image's excitatory spike counts, sample-major (<c>[s * Neurons + j]</c>, summed over
/// <see cref="StdpTrainingOptions.EvalPresentations"/>), with the images' classes. Labelling counts are empty when
/// the neurons were labelled while learning.
/// </summary>
public sealed record EvaluationResponses(int Neurons, int[] LabelCounts, byte[] LabelClasses, int[] TestCounts, byte[] TestClasses);

/// <summary>
/// Unsupervised training of the Diehl &amp; Cook (2015) network: each image is presented for 350 ms as Poisson
/// spike trains (rate = pixel / 8 · intensity, intensity starting at 2), followed by 150 ms of silence; if the
/// excitatory neurons fire fewer than 5 spikes the image is shown again with the intensity raised by one. After the
/// training pass, learning and threshold adaptation are frozen, the last <see cref="StdpTrainingOptions.LabelSamples"/>
/// training images are shown again and each neuron is labelled with the class it responds to most; the test set is
/// then classified (<see cref="StdpTrainingOptions.Readout"/>). Where the defaults differ from Diehl &amp; Cook's MNIST
/// values (input rate, lateral inhibition, learning rates, readout) the option says why, with the measurement.
/// </summary>
public sealed class StdpTrainer
{
    private readonly StdpTrainingOptions _options;
    private readonly PartitionSet _net;
    private readonly int _input, _exc;
    private readonly long _presentSteps, _restSteps;
    private readonly double[] _rates;
    // RateEncoding works in float; the engines take double rates.
    private readonly float[] _floatRates;
    // Spike counts of one presentation, and of the rest after it (not used, but Run counts them).
    private readonly int[] _counts, _restCounts;
    // One more presentation's counts when an evaluation image is shown several times.
    private readonly int[] _repeatCounts;
    // TrainRateScale while training, EvalRateScale while labelling and testing.
    private float _rateGain;

    /// <summary>Builds the network for <paramref name="options"/> and images of <paramref name="pixels"/> pixels.</summary>
    public StdpTrainer(StdpTrainingOptions options, int pixels = 784)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (!(options.TrainRateScale is > 0 and <= StdpTrainingOptions.MaxEvalRateScale))
            throw new ArgumentOutOfRangeException(nameof(options), options.TrainRateScale, $"the training rate scale must be > 0 and at most {StdpTrainingOptions.MaxEvalRateScale}");
        var spec = DiehlCookNetwork.Build(options.Neurons, options.Seed, pixels, inhibitionNs: options.InhibitionNs,
            thetaPlusMv: options.ThetaPlusMv, nuPost: options.NuPost, nuPre: options.NuPre,
            weightNormOrder: options.WeightNormOrder, weightNormNs: options.EffectiveWeightNormNs, rateScale: options.TrainRateScale,
            pairing: options.Pairing);
        if (options.Place is { } place)
        {
            if (options.StartFrom is not null || options.InitialWeights != InitialWeights.Random || options.TrainRateScale != 1 || options.EvalRateScale != 1)
                throw new ArgumentException("a placed network holds its weights where it is placed: starting weights, imprinting and rate scales other than 1 are not available with it", nameof(options));
            spec = place(spec);
        }
        _rateGain = (float)options.TrainRateScale;
        _input = spec.PopulationIndex(DiehlCookNetwork.Input);
        _exc = spec.PopulationIndex(DiehlCookNetwork.Excitatory);
        _net = new PartitionSet(spec, options.Partitions, _exc, options.Engines);
        _presentSteps = spec.Run.Grid.Steps(DiehlCookNetwork.PresentMs);
        _restSteps = spec.Run.Grid.Steps(DiehlCookNetwork.RestMs);
        _rates = new double[pixels];
        _floatRates = new float[pixels];
        _counts = new int[options.Neurons];
        _restCounts = new int[options.Neurons];
        _repeatCounts = new int[options.Neurons];
        if (!(options.EvalRateScale is > 0 and <= StdpTrainingOptions.MaxEvalRateScale))
            throw new ArgumentOutOfRangeException(nameof(options), options.EvalRateScale, $"the evaluation rate scale must be > 0 and at most {StdpTrainingOptions.MaxEvalRateScale}");
        if (options.EvalPresentations is < 1 or > StdpTrainingOptions.MaxEvalPresentations)
            throw new ArgumentOutOfRangeException(nameof(options), options.EvalPresentations, $"the evaluation presentations must be 1 to {StdpTrainingOptions.MaxEvalPresentations}");
        if (options.EvalPresentations != 1 && options.LabelSamples == 0)
            throw new ArgumentException("repeated evaluation presentations need labelling on the frozen network (label samples > 0): labels recorded while training saw each image once", nameof(options));
        if (options.EvalRateScale != 1 && options.LabelSamples == 0)
            throw new ArgumentException("an evaluation rate scale needs labelling on the frozen network (label samples > 0): labels recorded while training saw the unscaled input", nameof(options));
        if (options.Readout == Readout.Linear && options.LabelSamples < LinearReadout.MinSamples)
            throw new ArgumentException($"the linear readout is fitted on the frozen network's labelling counts: it needs at least {LinearReadout.MinSamples} label samples, got {options.LabelSamples}", nameof(options));
        if (options.StartFrom is { } start)
        {
            if (start.Weights.Length != pixels * (long)options.Neurons)
                throw new ArgumentException($"the starting weights are {start.Weights.Length} values; {pixels} inputs x {options.Neurons} neurons need {pixels * (long)options.Neurons}", nameof(options));
            if (start.Theta.Length != options.Neurons)
                throw new ArgumentException($"the starting thresholds are {start.Theta.Length} values; {options.Neurons} neurons need as many", nameof(options));
            _net.SetDenseWeights(0, start.Weights);
            if (options.TrainRateScale != 1) _net.ScaleWeights(0, (float)(1 / options.TrainRateScale));
            // Before any step, so theta's residual (see AdaptiveThreshold) is still 0 and theta is exactly the value given.
            _net.Scatter(_exc, "theta", start.Theta);
        }
    }

    /// <summary>The network being trained.</summary>
    public PartitionSet Network => _net;

    /// <summary>Trains on the first TrainSamples images of <paramref name="train"/>, then tests on <paramref name="test"/>.</summary>
    public StdpTrainingResult Run(LabeledImages train, LabeledImages test, Action<StdpProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        int trainN = Math.Min(_options.TrainSamples, train.Count), testN = Math.Min(_options.TestSamples, test.Count);
        int n = _options.Neurons, window = Math.Max(1, Math.Min(_options.ReportEvery, trainN));
        var responses = new int[window * n];
        var labels = new byte[window];
        var history = new List<(int, double)>();
        // The blocks during training are scored by voting: the linear readout is fitted on frozen labelling only.
        var blockReadout = _options.Readout == Readout.Linear ? Readout.Profile : _options.Readout;
        ClassAssignment? assignment = null;
        long retries = 0;
        var clock = Stopwatch.StartNew();

        // Imprinted images are not presented; the report blocks count from the first image that is.
        int first = 0;
        if (_options.InitialWeights == InitialWeights.Images && _options.StartFrom is null && trainN > 0)
        {
            if (trainN <= n)
                throw new ArgumentException($"imprinting the initial weights takes the first {n} training images, one per neuron; {trainN} training images leave none to train on", nameof(train));
            _net.SetDenseWeights(0, ImprintedWeights(train, n, _options));
            first = n;
        }
        _net.Learning = true;
        for (int s = first; s < trainN; s++)
        {
            cancel.ThrowIfCancellationRequested();
            int slot = (s - first) % window;
            if (_options.AnnealStart < 1) _net.ScaleLearningRates(AnnealedRateScale(s, trainN, _options.AnnealStart, _options.AnnealEndScale));
            retries += Present(train.Image(s), responses.AsSpan(slot * n, n));
            labels[slot] = train.Labels[s];
            if (slot == window - 1)
            {
                // Accuracy of the labels from the previous window on this one, then relabel (Diehl & Cook's report).
                if (assignment is not null)
                {
                    history.Add((s + 1, ClassAssignment.Accuracy(assignment.Predict(responses, window, blockReadout), labels)));
                    Telemetry.TrainAccuracy.Record(history[^1].Item2, Telemetry.JobTags(_options.Job, "local"));
                }
                assignment = ClassAssignment.Assign(responses, n, labels);
            }
            if ((s + 1) % 50 == 0 || s + 1 == trainN)
                progress?.Invoke(new StdpProgress("train", s + 1, trainN, (s + 1) / clock.Elapsed.TotalSeconds, history.Count > 0 ? history[^1].Item2 : null, retries));
        }
        double trainSeconds = clock.Elapsed.TotalSeconds;
        int presented = trainN - first, filled = Math.Min(presented, window);
        _net.Learning = false;
        // Back to the units of K = 1 before anything is reported, saved or evaluated.
        if (_options.TrainRateScale != 1) _net.ScaleWeights(0, (float)_options.TrainRateScale);
        _rateGain = 1;
        var learned = (Weights: _net.DenseWeights(0), Theta: _net.Gather(_exc, "theta"),
            Checksum: _net.WeightsChecksum.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        // Labelling and testing run at the evaluation scale; the learned weights are back when Run returns or throws.
        using var scaled = new EvaluationScale(this, learned.Weights);
        // A network that was not trained here (StartFrom) is labelled with the last images of the training set.
        int labelledFrom = trainN > 0 ? trainN : train.Count;
        int labelN = Math.Min(_options.LabelSamples, labelledFrom);
        if (trainN == 0 && labelN == 0) throw new ArgumentException("with no training images there must be images to label the neurons with", nameof(train));
        if (_options.Readout == Readout.Linear && labelN < LinearReadout.MinSamples)
            throw new ArgumentException($"the linear readout needs at least {LinearReadout.MinSamples} labelling images; the training set leaves {labelN}", nameof(train));
        int[] labelCounts = [];
        byte[] labelClasses = [];
        if (labelN > 0)
        {
            // Label on the frozen network, as Diehl & Cook do, with the last training images.
            var frozen = new int[labelN * n];
            var frozenLabels = new byte[labelN];
            for (int k = 0; k < labelN; k++)
            {
                cancel.ThrowIfCancellationRequested();
                int s = labelledFrom - labelN + k;
                retries += PresentForEvaluation(train.Image(s), frozen.AsSpan(k * n, n));
                frozenLabels[k] = train.Labels[s];
                if ((k + 1) % 100 == 0 || k + 1 == labelN)
                    progress?.Invoke(new StdpProgress("label", k + 1, labelN, (k + 1) / (clock.Elapsed.TotalSeconds - trainSeconds), null, retries));
            }
            assignment = ClassAssignment.Assign(frozen, n, frozenLabels);
            (labelCounts, labelClasses) = (frozen, frozenLabels);
        }
        else if (presented % window != 0 || assignment is null)
        {
            // Label with the most recent images if the last window was not complete.
            var recent = new int[filled * n];
            var recentLabels = new byte[filled];
            for (int k = 0; k < filled; k++)
            {
                int s = trainN - filled + k, slot = (s - first) % window;
                responses.AsSpan(slot * n, n).CopyTo(recent.AsSpan(k * n, n));
                recentLabels[k] = labels[slot];
            }
            assignment = ClassAssignment.Assign(recent, n, recentLabels);
        }
        double labelSeconds = clock.Elapsed.TotalSeconds - trainSeconds;

        clock.Restart();
        // The linear readout is fitted on the frozen labelling counts (labelN > 0 means there are some), where there are enough of them.
        var linear = labelN >= LinearReadout.MinSamples ? LinearReadout.Fit(labelCounts, n, labelClasses) : null;
        var readouts = Enum.GetValues<Readout>().Where(r => r != Readout.Linear || linear is not null).ToArray();
        var predictions = readouts.ToDictionary(r => r, _ => new int[testN]);
        var response = new int[n];
        var testCounts = _options.KeepResponses ? new int[testN * n] : null;
        for (int s = 0; s < testN; s++)
        {
            cancel.ThrowIfCancellationRequested();
            retries += PresentForEvaluation(test.Image(s), response);
            if (testCounts is not null) response.CopyTo(testCounts.AsSpan(s * n, n));
            foreach (var r in readouts) predictions[r][s] = r == Readout.Linear ? linear!.Predict(response) : assignment.Predict(response, r);
            if ((s + 1) % 100 == 0 || s + 1 == testN)
                progress?.Invoke(new StdpProgress("test", s + 1, testN, (s + 1) / clock.Elapsed.TotalSeconds, null, retries));
        }
        double testSeconds = clock.Elapsed.TotalSeconds;
        var testLabels = test.Labels.AsSpan(0, testN);
        var predicted = predictions[_options.Readout];
        var confusion = ConfusionMatrix.From(predicted, testLabels);
        var byReadout = new Dictionary<Readout, double>();
        foreach (var (r, p) in predictions) byReadout[r] = ClassAssignment.Accuracy(p, testLabels);
        return new StdpTrainingResult(n, trainN, testN, _net.Plan.Parts, byReadout[_options.Readout], confusion,
            history, trainSeconds, testSeconds, presented / Math.Max(trainSeconds, 1e-9), learned.Weights, learned.Theta,
            assignment.NeuronClasses.ToArray(), learned.Checksum, retries)
        {
            LabelSamples = labelN,
            LabelSeconds = labelSeconds,
            ImprintedSamples = first,
            Readout = _options.Readout,
            AccuracyByReadout = byReadout,
            NeuronProportions = assignment.Proportions.ToArray(),
            Responses = testCounts is null ? null : new EvaluationResponses(n, labelCounts, labelClasses, testCounts, testLabels.ToArray()),
        };
    }

    /// <summary>
    /// The dense input-major weights [pixel * N + neuron] with neuron k holding training image k, scaled so that its
    /// norm is the one normalisation holds (in the units of the training rate scale) and capped at the weight bound.
    /// </summary>
    public static float[] ImprintedWeights(LabeledImages train, int neurons, StdpTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        int pixels = train.Rows * train.Columns;
        double bound = DiehlCookNetwork.WeightBound(options.TrainRateScale);
        double norm = DiehlCookNetwork.HeldWeightNorm(pixels, options.WeightNormOrder, options.EffectiveWeightNormNs, options.TrainRateScale);
        var dense = new float[pixels * (long)neurons];
        for (int j = 0; j < neurons; j++)
        {
            var image = train.Image(j);
            double size = 0;
            foreach (byte v in image) size += options.WeightNormOrder == 1 ? v : (double)v * v;
            if (options.WeightNormOrder == 2) size = Math.Sqrt(size);
            if (size == 0)
                throw new ArgumentException($"training image {j} is black: it cannot be imprinted on neuron {j}", nameof(train));
            double scale = norm / size;
            for (int p = 0; p < pixels; p++) dense[p * (long)neurons + j] = (float)Math.Min(bound, image[p] * scale);
        }
        return dense;
    }

    /// <summary>
    /// Input rates ×K and input weights ÷K (<see cref="StdpTrainingOptions.EvalRateScale"/>) while it lives; on
    /// disposal the learned weights are set back from their copy (exactly, not by multiplying back). Nothing at K = 1.
    /// </summary>
    private sealed class EvaluationScale : IDisposable
    {
        private readonly StdpTrainer _trainer;
        private readonly float[] _learned;

        public EvaluationScale(StdpTrainer trainer, float[] learned)
        {
            (_trainer, _learned) = (trainer, learned);
            double k = trainer._options.EvalRateScale;
            if (k == 1) return;
            trainer._net.ScaleWeights(0, (float)(1 / k));
            trainer._rateGain = (float)k;
        }

        public void Dispose()
        {
            if (_trainer._rateGain == 1) return;
            _trainer._net.SetDenseWeights(0, _learned);
            _trainer._rateGain = 1;
        }
    }

    /// <summary>
    /// The multiple of the learning rates for training image <paramref name="image"/> (0-based) of
    /// <paramref name="count"/>: 1 up to the fraction <paramref name="start"/> of the pass, then falling linearly to
    /// <paramref name="end"/> at the last image.
    /// </summary>
    public static double AnnealedRateScale(int image, int count, double start, double end)
    {
        double first = start * count, last = count - 1;
        if (image <= first || last <= first) return 1;
        return 1 + (end - 1) * Math.Min(1, (image - first) / (last - first));
    }

    /// <summary>Shows a labelling or test image EvalPresentations times; the response is the sum of their counts.</summary>
    private int PresentForEvaluation(ReadOnlySpan<byte> image, Span<int> response)
    {
        int retries = Present(image, response);
        for (int r = 1; r < _options.EvalPresentations; r++)
        {
            retries += Present(image, _repeatCounts);
            for (int j = 0; j < response.Length; j++) response[j] += _repeatCounts[j];
        }
        return retries;
    }

    /// <summary>Shows one image (raising the intensity until the network answers), then rests; returns the retries.</summary>
    private int Present(ReadOnlySpan<byte> image, Span<int> response)
    {
        var counts = _counts;
        for (int retry = 0; ; retry++)
        {
            Array.Clear(counts);
            float intensity = RateEncoding.DiehlCookIntensity(retry);
            if (_options.EuclideanRateHz > 0)
                RateEncoding.EuclideanRatesHz(image, _floatRates, (float)_options.EuclideanRateHz, intensity);
            else if (_options.TotalRateHz > 0)
                RateEncoding.NormalizedRatesHz(image, _floatRates, (float)_options.TotalRateHz, intensity);
            else
                RateEncoding.RatesHz(image, _floatRates, (float)_options.MaxRateHz, intensity);
            for (int i = 0; i < _rates.Length; i++) _rates[i] = _floatRates[i] * _rateGain;
            _net.SetRates(_input, i => _rates[i]);
            _net.Run(_presentSteps, counts, _options.Partitions > 1);
            _net.SetRates(_input, _ => 0);
            _net.Run(_restSteps, _restCounts, _options.Partitions > 1);
            if (counts.Sum() >= RateEncoding.DiehlCookMinimumSpikes || retry >= _options.MaxRetries)
            {
                counts.CopyTo(response);
                return retry;
            }
        }
    }
}
