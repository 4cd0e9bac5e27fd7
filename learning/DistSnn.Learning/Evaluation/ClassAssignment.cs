namespace DistSnn.Learning.Evaluation;

/// <summary>How the labelled neurons' spike counts are turned into a class (see <see cref="ClassAssignment"/>).</summary>
public enum Readout
{
    /// <summary>Diehl &amp; Cook: each class scores the mean count of its neurons.</summary>
    MeanCount,
    /// <summary>
    /// As <see cref="MeanCount"/>, but each neuron's count is weighted by the share of its labelling responses that
    /// belong to its class (1 for a neuron that answers only its class, 0.1 for one that answers all ten alike), so
    /// that unselective neurons count for less.
    /// </summary>
    Proportion,
    /// <summary>
    /// Every neuron votes for every class with its count times its labelling profile for that class (its mean
    /// response to the class over the sum of its mean responses to all classes), so that a neuron that answers both
    /// shirts and T-shirts backs both; a class no labelling image had gets no score.
    /// </summary>
    Profile,
    /// <summary>
    /// Not a rule of the assignment: a softmax regression on the labelling images' spike counts
    /// (<see cref="LinearReadout"/>), which needs the labelling counts rather than the neurons' classes.
    /// </summary>
    Linear,
}

/// <summary>
/// Diehl &amp; Cook (2015) labelling of an unsupervised network's neurons, and the classifier built from it.
/// </summary>
/// <remarks>
/// <para>
/// <b>Assignment.</b> After learning, a set of labelled samples is presented and each neuron's spikes are counted.
/// Each neuron gets the class for which its mean response (spikes per presentation of that class) is highest.
/// Ties go to the lowest class index. A neuron whose mean response is 0 for every class (it never fired) gets
/// <see cref="Unassigned"/> (-1) and takes no part in prediction. Classes absent from the samples are never
/// assigned. This matches Diehl &amp; Cook's code, which starts every assignment at -1 and replaces it only on a
/// strictly larger rate.
/// </para>
/// <para>
/// <b>Prediction.</b> For a sample's spike counts, each class scores the mean count of the neurons assigned to it
/// (<see cref="Readout.MeanCount"/>, Diehl &amp; Cook's rule), or the mean of the counts each weighted by the neuron's
/// proportion (<see cref="Readout.Proportion"/>: its mean response to its class divided by the sum of its mean
/// responses to all classes), or the sum over all neurons of each count times the neuron's profile for the class
/// (<see cref="Readout.Profile"/>: its mean response to that class divided by the same sum); the class with the highest score wins, ties going to the lowest class index. Classes with no neurons are
/// skipped (their score is -∞). A sample with no spikes at all therefore goes to the lowest class that has
/// neurons. If no neuron is assigned at all, the prediction is <see cref="Unassigned"/>.
/// </para>
/// <para>
/// Spike counts are passed flat, sample-major: the count of neuron <c>j</c> for sample <c>s</c> is at
/// <c>s * NeuronCount + j</c>.
/// </para>
/// </remarks>
public sealed class ClassAssignment
{
    /// <summary>Class of a neuron that never fired, and prediction when no neuron has a class.</summary>
    public const int Unassigned = -1;

    private readonly int[] _neuronClasses;
    private readonly int[] _neuronsPerClass;
    private readonly double[] _proportions;
    // Neuron-major profiles [j * ClassCount + c] for Readout.Profile, and each class's total over the neurons.
    private readonly double[] _profiles;
    private readonly double[] _profileMass;

    private ClassAssignment(int[] neuronClasses, int classCount, double[] proportions, double[]? profiles = null)
    {
        _neuronClasses = neuronClasses;
        _proportions = proportions;
        ClassCount = classCount;
        _neuronsPerClass = new int[classCount];
        foreach (int c in neuronClasses)
            if (c != Unassigned) _neuronsPerClass[c]++;
        if (profiles is null)
        {
            // Without labelling responses a neuron's profile is its own class, at its proportion.
            profiles = new double[neuronClasses.Length * classCount];
            for (int j = 0; j < neuronClasses.Length; j++)
                if (neuronClasses[j] != Unassigned) profiles[j * classCount + neuronClasses[j]] = proportions[j];
        }
        _profiles = profiles;
        _profileMass = new double[classCount];
        for (int k = 0; k < profiles.Length; k++) _profileMass[k % classCount] += profiles[k];
    }

    /// <summary>Number of classes (labels are 0 .. ClassCount - 1).</summary>
    public int ClassCount { get; }

    /// <summary>Number of neurons.</summary>
    public int NeuronCount => _neuronClasses.Length;

    /// <summary>Class of each neuron, or <see cref="Unassigned"/> for neurons that never fired.</summary>
    public IReadOnlyList<int> NeuronClasses => _neuronClasses;

    /// <summary>
    /// Share of each neuron's labelling responses that belongs to its class (0..1; 0 for a neuron that never fired),
    /// the weight of its count under <see cref="Readout.Proportion"/>.
    /// </summary>
    public IReadOnlyList<double> Proportions => _proportions;

    /// <summary>How many neurons are assigned to <paramref name="classIndex"/>.</summary>
    public int NeuronsInClass(int classIndex)
    {
        CheckClass(classIndex, nameof(classIndex));
        return _neuronsPerClass[classIndex];
    }

    /// <summary>Uses a given assignment, for instance one saved from an earlier run.</summary>
    /// <param name="neuronClasses">Class of each neuron, 0 .. classCount - 1 or <see cref="Unassigned"/>.</param>
    /// <param name="classCount">Number of classes (at least 1).</param>
    /// <param name="proportions">Each neuron's proportion (0..1) for <see cref="Readout.Proportion"/>; without
    /// them every assigned neuron weighs 1, and both readouts agree.</param>
    public static ClassAssignment FromClasses(IReadOnlyList<int> neuronClasses, int classCount, IReadOnlyList<double>? proportions = null)
    {
        ArgumentNullException.ThrowIfNull(neuronClasses);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        var classes = neuronClasses.ToArray();
        for (int j = 0; j < classes.Length; j++)
            if (classes[j] < Unassigned || classes[j] >= classCount)
                throw new ArgumentException(
                    $"neuron {j} has class {classes[j]}; expected 0..{classCount - 1} or {Unassigned}",
                    nameof(neuronClasses));
        var weights = proportions?.ToArray() ?? classes.Select(c => c == Unassigned ? 0.0 : 1.0).ToArray();
        if (weights.Length != classes.Length)
            throw new ArgumentException($"{weights.Length} proportions for {classes.Length} neurons", nameof(proportions));
        for (int j = 0; j < weights.Length; j++)
            if (!(weights[j] >= 0 && weights[j] <= 1))
                throw new ArgumentException($"proportion {weights[j]} of neuron {j} is not in 0..1", nameof(proportions));
        return new ClassAssignment(classes, classCount, weights);
    }

    /// <summary>
    /// Assigns each neuron the class of its highest mean response over the given samples.
    /// </summary>
    /// <param name="spikeCounts">Spikes per sample and neuron, sample-major (samples × <paramref name="neuronCount"/>); not negative.</param>
    /// <param name="neuronCount">Number of neurons (at least 1).</param>
    /// <param name="labels">Class of each sample, 0 .. <paramref name="classCount"/> - 1.</param>
    /// <param name="classCount">Number of classes (at least 1; 10 for Fashion-MNIST).</param>
    public static ClassAssignment Assign(
        ReadOnlySpan<int> spikeCounts, int neuronCount, ReadOnlySpan<byte> labels, int classCount = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(neuronCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        int samples = CheckShape(spikeCounts, neuronCount, labels.Length);
        CheckLabels(labels, classCount);

        // Sums per class and neuron, class-major; long because 60,000 samples of a busy neuron can pass 2^31.
        var sums = new long[classCount * neuronCount];
        var samplesPerClass = new int[classCount];
        for (int s = 0; s < samples; s++)
        {
            int c = labels[s];
            samplesPerClass[c]++;
            var row = spikeCounts.Slice(s * neuronCount, neuronCount);
            var classSums = sums.AsSpan(c * neuronCount, neuronCount);
            for (int j = 0; j < neuronCount; j++)
            {
                if (row[j] < 0)
                    throw new ArgumentException(
                        $"spike count {row[j]} for sample {s}, neuron {j} is negative", nameof(spikeCounts));
                classSums[j] += row[j];
            }
        }

        var classes = new int[neuronCount];
        var proportions = new double[neuronCount];
        var profiles = new double[neuronCount * classCount];
        for (int j = 0; j < neuronCount; j++)
        {
            int best = Unassigned;
            double bestMean = 0, total = 0; // a class must beat 0 spikes, so silent neurons stay unassigned
            var profile = profiles.AsSpan(j * classCount, classCount);
            for (int c = 0; c < classCount; c++)
            {
                if (samplesPerClass[c] == 0) continue;
                double mean = (double)sums[c * neuronCount + j] / samplesPerClass[c];
                profile[c] = mean;
                total += mean;
                if (mean > bestMean)
                {
                    bestMean = mean;
                    best = c;
                }
            }
            classes[j] = best;
            proportions[j] = total > 0 ? bestMean / total : 0;
            for (int c = 0; c < classCount; c++) profile[c] = total > 0 ? profile[c] / total : 0;
        }
        return new ClassAssignment(classes, classCount, proportions, profiles);
    }

    /// <summary>Assigns from a samples × neurons matrix of spike counts.</summary>
    public static ClassAssignment Assign(int[,] spikeCounts, ReadOnlySpan<byte> labels, int classCount = 10)
    {
        ArgumentNullException.ThrowIfNull(spikeCounts);
        return Assign(Flatten(spikeCounts), spikeCounts.GetLength(1), labels, classCount);
    }

    /// <summary>
    /// Score of each class for one sample under <paramref name="readout"/>: the (weighted) mean spike count of the
    /// neurons assigned to it, or <see cref="double.NegativeInfinity"/> for a class with no neurons.
    /// </summary>
    /// <param name="sampleCounts">Spike count of each neuron for one sample (length <see cref="NeuronCount"/>).</param>
    /// <param name="readout">The scoring rule.</param>
    public double[] ClassScores(ReadOnlySpan<int> sampleCounts, Readout readout = Readout.MeanCount)
    {
        var scores = new double[ClassCount];
        Scores(sampleCounts, scores, readout);
        return scores;
    }

    /// <summary>Predicted class for one sample (see the class remarks for the rule and ties).</summary>
    /// <param name="sampleCounts">Spike count of each neuron for one sample (length <see cref="NeuronCount"/>).</param>
    /// <param name="readout">The scoring rule.</param>
    public int Predict(ReadOnlySpan<int> sampleCounts, Readout readout = Readout.MeanCount)
    {
        Span<double> scores = ClassCount <= 256 ? stackalloc double[ClassCount] : new double[ClassCount];
        Scores(sampleCounts, scores, readout);
        return ArgMax(scores);
    }

    /// <summary>Predicted class for each sample of flat, sample-major spike counts.</summary>
    public int[] Predict(ReadOnlySpan<int> spikeCounts, int sampleCount, Readout readout = Readout.MeanCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        CheckShape(spikeCounts, NeuronCount, sampleCount);
        var predictions = new int[sampleCount];
        var scores = new double[ClassCount];
        for (int s = 0; s < sampleCount; s++)
        {
            Scores(spikeCounts.Slice(s * NeuronCount, NeuronCount), scores, readout);
            predictions[s] = ArgMax(scores);
        }
        return predictions;
    }

    /// <summary>Predicted class for each row of a samples × neurons matrix of spike counts.</summary>
    public int[] Predict(int[,] spikeCounts, Readout readout = Readout.MeanCount)
    {
        ArgumentNullException.ThrowIfNull(spikeCounts);
        if (spikeCounts.GetLength(1) != NeuronCount)
            throw new ArgumentException(
                $"spike counts have {spikeCounts.GetLength(1)} columns but the assignment has {NeuronCount} neurons",
                nameof(spikeCounts));
        return Predict(Flatten(spikeCounts), spikeCounts.GetLength(0), readout);
    }

    /// <summary>
    /// Fraction of samples whose prediction equals the label (0..1); <see cref="Unassigned"/> predictions count as
    /// wrong.
    /// </summary>
    public static double Accuracy(ReadOnlySpan<int> predicted, ReadOnlySpan<byte> labels)
    {
        if (predicted.Length != labels.Length)
            throw new ArgumentException(
                $"{predicted.Length} predictions but {labels.Length} labels", nameof(labels));
        if (predicted.Length == 0)
            throw new ArgumentException("accuracy of no samples is undefined", nameof(predicted));
        int correct = 0;
        for (int i = 0; i < predicted.Length; i++)
            if (predicted[i] == labels[i]) correct++;
        return (double)correct / predicted.Length;
    }

    private void Scores(ReadOnlySpan<int> sampleCounts, Span<double> scores, Readout readout)
    {
        if (readout == Readout.Linear)
            throw new ArgumentException("the linear readout is fitted on the labelling counts by LinearReadout.Fit, not read from a class assignment", nameof(readout));
        if (readout is not (Readout.MeanCount or Readout.Proportion or Readout.Profile))
            throw new ArgumentOutOfRangeException(nameof(readout), readout, "unknown readout");
        if (sampleCounts.Length != NeuronCount)
            throw new ArgumentException(
                $"{sampleCounts.Length} spike counts but the assignment has {NeuronCount} neurons",
                nameof(sampleCounts));
        scores.Clear();
        for (int j = 0; j < sampleCounts.Length; j++)
        {
            int count = sampleCounts[j];
            if (count < 0)
                throw new ArgumentException($"spike count {count} of neuron {j} is negative", nameof(sampleCounts));
            if (readout == Readout.Profile)
            {
                var profile = _profiles.AsSpan(j * ClassCount, ClassCount);
                for (int c = 0; c < scores.Length; c++) scores[c] += count * profile[c];
                continue;
            }
            int own = _neuronClasses[j];
            if (own != Unassigned) scores[own] += readout == Readout.Proportion ? count * _proportions[j] : count;
        }
        // Profile scores are sums over all neurons; the others are means over a class's neurons.
        for (int c = 0; c < scores.Length; c++)
            scores[c] = readout == Readout.Profile
                ? _profileMass[c] == 0 ? double.NegativeInfinity : scores[c]
                : _neuronsPerClass[c] == 0 ? double.NegativeInfinity : scores[c] / _neuronsPerClass[c];
    }

    /// <summary>Lowest index of the highest finite score; <see cref="Unassigned"/> when every score is -∞.</summary>
    internal static int ArgMax(ReadOnlySpan<double> scores)
    {
        int best = Unassigned;
        double bestScore = double.NegativeInfinity;
        for (int c = 0; c < scores.Length; c++)
        {
            if (scores[c] > bestScore)
            {
                bestScore = scores[c];
                best = c;
            }
        }
        return best;
    }

    /// <summary>Refuses flat counts that are not <paramref name="sampleCount"/> rows of <paramref name="neuronCount"/>.</summary>
    internal static int CheckShape(ReadOnlySpan<int> spikeCounts, int neuronCount, int sampleCount)
    {
        if ((long)sampleCount * neuronCount != spikeCounts.Length)
            throw new ArgumentException(
                $"{spikeCounts.Length} spike counts do not make {sampleCount} samples × {neuronCount} neurons " +
                $"(expected {(long)sampleCount * neuronCount})",
                nameof(spikeCounts));
        return sampleCount;
    }

    /// <summary>Refuses a label that is not a class index below <paramref name="classCount"/>.</summary>
    internal static void CheckLabels(ReadOnlySpan<byte> labels, int classCount)
    {
        for (int s = 0; s < labels.Length; s++)
            if (labels[s] >= classCount)
                throw new ArgumentException(
                    $"label {labels[s]} of sample {s} is not a class index (expected 0..{classCount - 1})",
                    nameof(labels));
    }

    private void CheckClass(int classIndex, string name)
    {
        if (classIndex < 0 || classIndex >= ClassCount)
            throw new ArgumentOutOfRangeException(name, classIndex, $"expected a class index 0..{ClassCount - 1}");
    }

    private static int[] Flatten(int[,] matrix)
    {
        var flat = new int[matrix.Length];
        int k = 0;
        foreach (int value in matrix) flat[k++] = value; // a rectangular array enumerates row-major
        return flat;
    }
}
