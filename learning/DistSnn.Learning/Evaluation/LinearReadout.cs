namespace DistSnn.Learning.Evaluation;

/// <summary>
/// A supervised linear readout of an unsupervised network's spike counts: multinomial logistic (softmax) regression
/// on the square roots of the labelling images' counts, with an L2 penalty chosen on held-out labelling images.
/// </summary>
/// <remarks>
/// <para>
/// Diehl &amp; Cook's labelling gives each neuron one class and lets neurons vote; this readout instead learns how
/// much each neuron's count is evidence for or against each class, from the same labelled presentations, so it can
/// use a neuron that answers shirts and coats alike as evidence against T-shirts. It is the readout the unsupervised
/// learning literature reports next to the voting one (a classifier trained on the frozen network's responses).
/// </para>
/// <para>
/// <b>Features.</b> The square root of each count: Poisson counts have a variance equal to their mean, and the square
/// root makes it about constant, so a neuron that fires 9 spikes does not weigh 9 times one that fires 1.
/// </para>
/// <para>
/// <b>Fit.</b> Scores are <c>b_c + Σ_j W[j, c] √count_j</c>; the loss is the mean cross-entropy plus λ/2 ‖W‖² (the
/// biases are not penalised). It is convex; <see cref="Iterations"/> steps of Nesterov-accelerated gradient descent
/// (FISTA) with step 1/L minimise it, L = λ_max(F̃ᵀF̃)/(2m) + λ bounding the curvature (F̃: the m × (N + 1) features
/// with a column of ones; the Hessian of the softmax cross-entropy is at most 1/2 per sample), λ_max from power
/// iteration. Counts are sparse (a few neurons fire for each image), so the features are kept as sparse rows and a
/// step costs a few multiply-adds per spike-carrying neuron and class. Every sum runs in a fixed order, so the same
/// counts always give the same weights, bit for bit.
/// </para>
/// <para>
/// <b>Regularisation.</b> Every tenth labelling image (index 9, 19, …) is held out; λ is chosen from
/// <see cref="RegularizationGrid"/> by the accuracy on them (ties: the larger λ), and the readout is then fitted
/// again on all labelling images with that λ. Test images are never seen.
/// </para>
/// </remarks>
public sealed class LinearReadout
{
    /// <summary>The λ values tried, largest first.</summary>
    public static IReadOnlyList<double> RegularizationGrid { get; } = [1e-2, 3e-3, 1e-3, 3e-4, 1e-4];

    /// <summary>Gradient steps per fit.</summary>
    public const int Iterations = 500;

    /// <summary>Fewest labelling images a fit accepts (a tenth are held out to choose λ).</summary>
    public const int MinSamples = 20;

    /// <summary>Power-iteration steps for λ_max of F̃ᵀF̃.</summary>
    public const int PowerIterations = 50;

    /// <summary>
    /// Factor on the power-iteration λ_max in L: power iteration approaches λ_max from below, and the margin keeps
    /// the step under 1/L.
    /// </summary>
    public const double CurvatureMargin = 1.1;

    private readonly double[] _weights; // neuron-major [j * ClassCount + c]
    private readonly double[] _biases;

    private LinearReadout(int neurons, int classCount, double[] weights, double[] biases, double regularization, double validationAccuracy)
    {
        NeuronCount = neurons;
        ClassCount = classCount;
        _weights = weights;
        _biases = biases;
        Regularization = regularization;
        ValidationAccuracy = validationAccuracy;
    }

    /// <summary>Number of neurons (features).</summary>
    public int NeuronCount { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The λ chosen on the held-out labelling images.</summary>
    public double Regularization { get; }

    /// <summary>Accuracy on the held-out labelling images at the chosen λ (fitted without them).</summary>
    public double ValidationAccuracy { get; }

    /// <summary>Weight of neuron <paramref name="neuron"/>'s √count for class <paramref name="classIndex"/>.</summary>
    public double Weight(int neuron, int classIndex) => _weights[neuron * ClassCount + classIndex];

    /// <summary>Bias of class <paramref name="classIndex"/>.</summary>
    public double Bias(int classIndex) => _biases[classIndex];

    /// <summary>
    /// Fits the readout on labelling spike counts (flat, sample-major: neuron <c>j</c> of sample <c>s</c> at
    /// <c>s * neuronCount + j</c>), choosing λ on every tenth sample.
    /// </summary>
    public static LinearReadout Fit(ReadOnlySpan<int> spikeCounts, int neuronCount, ReadOnlySpan<byte> labels, int classCount = 10)
    {
        var data = SparseFeatures.From(spikeCounts, neuronCount, labels, classCount);
        if (data.Samples < MinSamples)
            throw new ArgumentException(
                $"the linear readout needs at least {MinSamples} labelling images (a tenth are held out to choose its regularisation); got {data.Samples}",
                nameof(labels));
        var training = data.Select(s => s % 10 != 9);
        var held = data.Select(s => s % 10 == 9);
        double bestLambda = RegularizationGrid[0], bestAccuracy = -1;
        foreach (double lambda in RegularizationGrid)
        {
            var (w, b) = Train(training, lambda, Iterations);
            double accuracy = Accuracy(held, w, b);
            if (accuracy > bestAccuracy)
            {
                bestAccuracy = accuracy;
                bestLambda = lambda;
            }
        }
        var (weights, biases) = Train(data, bestLambda, Iterations);
        return new LinearReadout(neuronCount, classCount, weights, biases, bestLambda, bestAccuracy);
    }

    /// <summary>
    /// Fits with a given λ and number of steps on all the samples, without holding any out (for tests and for
    /// comparing with a reference).
    /// </summary>
    public static LinearReadout Fit(ReadOnlySpan<int> spikeCounts, int neuronCount, ReadOnlySpan<byte> labels, int classCount, double regularization, int iterations)
    {
        if (!(regularization >= 0) || double.IsInfinity(regularization))
            throw new ArgumentOutOfRangeException(nameof(regularization), regularization, "expected a finite λ ≥ 0");
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        var data = SparseFeatures.From(spikeCounts, neuronCount, labels, classCount);
        var (weights, biases) = Train(data, regularization, iterations);
        return new LinearReadout(neuronCount, classCount, weights, biases, regularization, double.NaN);
    }

    /// <summary>The class with the highest score (ties: the lowest index).</summary>
    public int Predict(ReadOnlySpan<int> sampleCounts)
    {
        // Called once per test image while it is presented, so the scores stay off the heap.
        Span<double> scores = ClassCount <= 256 ? stackalloc double[ClassCount] : new double[ClassCount];
        Scores(sampleCounts, scores);
        return ClassAssignment.ArgMax(scores);
    }

    /// <summary>Predicted class of each sample of flat, sample-major counts.</summary>
    public int[] Predict(ReadOnlySpan<int> spikeCounts, int sampleCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        ClassAssignment.CheckShape(spikeCounts, NeuronCount, sampleCount);
        var predicted = new int[sampleCount];
        var scores = new double[ClassCount];
        for (int s = 0; s < sampleCount; s++)
        {
            Scores(spikeCounts.Slice(s * NeuronCount, NeuronCount), scores);
            predicted[s] = ClassAssignment.ArgMax(scores);
        }
        return predicted;
    }

    private void Scores(ReadOnlySpan<int> sampleCounts, Span<double> scores)
    {
        if (sampleCounts.Length != NeuronCount)
            throw new ArgumentException($"{sampleCounts.Length} spike counts but the readout has {NeuronCount} neurons", nameof(sampleCounts));
        _biases.CopyTo(scores);
        for (int j = 0; j < sampleCounts.Length; j++)
        {
            int count = sampleCounts[j];
            if (count < 0) throw new ArgumentException($"spike count {count} of neuron {j} is negative", nameof(sampleCounts));
            if (count == 0) continue;
            double f = Math.Sqrt(count);
            var w = _weights.AsSpan(j * ClassCount, ClassCount);
            for (int c = 0; c < scores.Length; c++) scores[c] += w[c] * f;
        }
    }

    private static double Accuracy(SparseFeatures data, double[] weights, double[] biases)
    {
        if (data.Samples == 0) return 0;
        int classes = data.ClassCount, correct = 0;
        var z = new double[classes];
        for (int s = 0; s < data.Samples; s++)
        {
            data.Scores(s, weights, biases, z);
            if (ClassAssignment.ArgMax(z) == data.Labels[s]) correct++;
        }
        return (double)correct / data.Samples;
    }

    /// <summary>FISTA on the penalised cross-entropy, from zero weights.</summary>
    private static (double[] Weights, double[] Biases) Train(SparseFeatures data, double lambda, int iterations)
    {
        int n = data.Neurons, classes = data.ClassCount, m = data.Samples;
        var x = new double[n * classes];
        var xb = new double[classes];
        if (m == 0 || iterations == 0) return (x, xb);
        double step = 1 / (CurvatureMargin * data.LargestEigenvalue(PowerIterations) / (2.0 * m) + lambda);
        var y = new double[x.Length]; // the extrapolated point, also from zero
        var yb = new double[classes];
        var grad = new double[n * classes];
        var gradB = new double[classes];
        var z = new double[classes];
        double t = 1;
        for (int it = 0; it < iterations; it++)
        {
            Array.Clear(grad);
            Array.Clear(gradB);
            for (int s = 0; s < m; s++)
            {
                data.Scores(s, y, yb, z);
                Softmax(z);
                z[data.Labels[s]] -= 1; // now p - onehot, the gradient of the cross-entropy w.r.t. the scores
                for (int c = 0; c < classes; c++) gradB[c] += z[c];
                for (int k = data.RowStart[s]; k < data.RowStart[s + 1]; k++)
                {
                    var g = grad.AsSpan(data.Columns[k] * classes, classes);
                    double f = data.Values[k];
                    for (int c = 0; c < classes; c++) g[c] += f * z[c];
                }
            }
            double tNext = (1 + Math.Sqrt(1 + 4 * t * t)) / 2, momentum = (t - 1) / tNext;
            for (int i = 0; i < x.Length; i++)
            {
                double next = y[i] - step * (grad[i] / m + lambda * y[i]);
                y[i] = next + momentum * (next - x[i]);
                x[i] = next;
            }
            for (int c = 0; c < classes; c++)
            {
                double next = yb[c] - step * gradB[c] / m;
                yb[c] = next + momentum * (next - xb[c]);
                xb[c] = next;
            }
            t = tNext;
        }
        return (x, xb);
    }

    private static void Softmax(Span<double> z)
    {
        double max = double.NegativeInfinity;
        foreach (double v in z) max = Math.Max(max, v);
        double sum = 0;
        for (int c = 0; c < z.Length; c++)
        {
            z[c] = Math.Exp(z[c] - max);
            sum += z[c];
        }
        for (int c = 0; c < z.Length; c++) z[c] /= sum;
    }

    /// <summary>√counts as compressed sparse rows (the neurons that fired, per sample), with the labels.</summary>
    private sealed class SparseFeatures
    {
        public required int Neurons { get; init; }
        public required int ClassCount { get; init; }
        public required int[] RowStart { get; init; }
        public required int[] Columns { get; init; }
        public required double[] Values { get; init; }
        public required byte[] Labels { get; init; }
        public int Samples => Labels.Length;

        public static SparseFeatures From(ReadOnlySpan<int> counts, int neurons, ReadOnlySpan<byte> labels, int classCount)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(neurons);
            ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
            ClassAssignment.CheckShape(counts, neurons, labels.Length);
            ClassAssignment.CheckLabels(labels, classCount);
            var rowStart = new int[labels.Length + 1];
            var columns = new List<int>();
            var values = new List<double>();
            for (int s = 0; s < labels.Length; s++)
            {
                var row = counts.Slice(s * neurons, neurons);
                for (int j = 0; j < neurons; j++)
                {
                    if (row[j] < 0) throw new ArgumentException($"spike count {row[j]} for sample {s}, neuron {j} is negative", nameof(counts));
                    if (row[j] == 0) continue;
                    columns.Add(j);
                    values.Add(Math.Sqrt(row[j]));
                }
                rowStart[s + 1] = columns.Count;
            }
            return new SparseFeatures
            {
                Neurons = neurons, ClassCount = classCount, RowStart = rowStart,
                Columns = columns.ToArray(), Values = values.ToArray(), Labels = labels.ToArray(),
            };
        }

        public SparseFeatures Select(Func<int, bool> keep)
        {
            var rowStart = new List<int> { 0 };
            var columns = new List<int>();
            var values = new List<double>();
            var labels = new List<byte>();
            for (int s = 0; s < Samples; s++)
            {
                if (!keep(s)) continue;
                for (int k = RowStart[s]; k < RowStart[s + 1]; k++)
                {
                    columns.Add(Columns[k]);
                    values.Add(Values[k]);
                }
                rowStart.Add(columns.Count);
                labels.Add(Labels[s]);
            }
            return new SparseFeatures
            {
                Neurons = Neurons, ClassCount = ClassCount, RowStart = rowStart.ToArray(),
                Columns = columns.ToArray(), Values = values.ToArray(), Labels = labels.ToArray(),
            };
        }

        /// <summary>z = b + the sample's features times the weights.</summary>
        public void Scores(int s, double[] weights, double[] biases, Span<double> z)
        {
            biases.CopyTo(z);
            for (int k = RowStart[s]; k < RowStart[s + 1]; k++)
            {
                var w = weights.AsSpan(Columns[k] * ClassCount, ClassCount);
                double f = Values[k];
                for (int c = 0; c < z.Length; c++) z[c] += w[c] * f;
            }
        }

        /// <summary>λ_max of F̃ᵀF̃ (features with a column of ones) by power iteration from the all-ones vector.</summary>
        public double LargestEigenvalue(int iterations)
        {
            var v = new double[Neurons + 1];
            Array.Fill(v, 1 / Math.Sqrt(v.Length));
            var next = new double[v.Length];
            double eigen = 0;
            for (int it = 0; it < iterations; it++)
            {
                Array.Clear(next);
                for (int s = 0; s < Samples; s++)
                {
                    double dot = v[Neurons]; // the ones column
                    for (int k = RowStart[s]; k < RowStart[s + 1]; k++) dot += Values[k] * v[Columns[k]];
                    next[Neurons] += dot;
                    for (int k = RowStart[s]; k < RowStart[s + 1]; k++) next[Columns[k]] += Values[k] * dot;
                }
                double norm = 0;
                foreach (double e in next) norm += e * e;
                norm = Math.Sqrt(norm);
                if (norm == 0) return 0;
                eigen = norm; // ‖Av‖ for a unit v: the eigenvalue once v has converged, and never above λ_max
                for (int i = 0; i < v.Length; i++) v[i] = next[i] / norm;
            }
            return eigen;
        }
    }
}
