using DistSnn.Learning.Evaluation;

namespace DistSnn.Learning.Tests;

public class LinearReadoutTests
{
    /// <summary>Sparse Poisson-like counts: each sample fires a few of the neurons its class prefers, and noise.</summary>
    private static (int[] Counts, byte[] Labels) Synthetic(int samples, int neurons, int classes, ulong seed)
    {
        var rng = new Random((int)seed);
        var counts = new int[samples * neurons];
        var labels = new byte[samples];
        for (int s = 0; s < samples; s++)
        {
            int c = rng.Next(classes);
            labels[s] = (byte)c;
            for (int k = 0; k < 4; k++)
            {
                // Neurons c, c + classes, ... prefer class c; one spike in four goes anywhere.
                int j = rng.Next(4) == 0 ? rng.Next(neurons) : (c + classes * rng.Next(neurons / classes)) % neurons;
                counts[s * neurons + j] += 1 + rng.Next(3);
            }
        }
        return (counts, labels);
    }

    /// <summary>The same fit written densely and plainly: F̃ᵀF̃ as a matrix, the gradient as full sums.</summary>
    private static (double[] W, double[] B) DenseReference(int[] counts, int n, byte[] labels, int classes, double lambda, int iterations)
    {
        int m = labels.Length, d = n + 1;
        var f = new double[m, d];
        for (int s = 0; s < m; s++)
        {
            for (int j = 0; j < n; j++) f[s, j] = Math.Sqrt(counts[s * n + j]);
            f[s, n] = 1;
        }
        var a = new double[d, d];
        for (int p = 0; p < d; p++)
            for (int q = 0; q < d; q++)
                for (int s = 0; s < m; s++) a[p, q] += f[s, p] * f[s, q];
        var v = Enumerable.Repeat(1 / Math.Sqrt(d), d).ToArray();
        double eigen = 0;
        for (int it = 0; it < LinearReadout.PowerIterations; it++)
        {
            var next = new double[d];
            for (int p = 0; p < d; p++)
                for (int q = 0; q < d; q++) next[p] += a[p, q] * v[q];
            eigen = Math.Sqrt(next.Sum(x => x * x));
            v = next.Select(x => x / eigen).ToArray();
        }
        double step = 1 / (LinearReadout.CurvatureMargin * eigen / (2.0 * m) + lambda);
        // theta[p, c]: rows 0..n-1 are the weights, row n the biases (not penalised).
        var x = new double[d, classes];
        var y = new double[d, classes];
        double t = 1;
        for (int it = 0; it < iterations; it++)
        {
            var g = Gradient(f, labels, y, lambda, n);
            double tNext = (1 + Math.Sqrt(1 + 4 * t * t)) / 2;
            for (int p = 0; p < d; p++)
                for (int c = 0; c < classes; c++)
                {
                    double next = y[p, c] - step * g[p, c];
                    y[p, c] = next + (t - 1) / tNext * (next - x[p, c]);
                    x[p, c] = next;
                }
            t = tNext;
        }
        var w = new double[n * classes];
        var b = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            for (int j = 0; j < n; j++) w[j * classes + c] = x[j, c];
            b[c] = x[n, c];
        }
        return (w, b);
    }

    /// <summary>Gradient of the mean cross-entropy plus λ/2 ‖W‖² (the last row, the biases, unpenalised).</summary>
    private static double[,] Gradient(double[,] f, byte[] labels, double[,] theta, double lambda, int n)
    {
        int m = labels.Length, d = n + 1, classes = theta.GetLength(1);
        var g = new double[d, classes];
        for (int s = 0; s < m; s++)
        {
            var z = new double[classes];
            for (int c = 0; c < classes; c++)
                for (int p = 0; p < d; p++) z[c] += f[s, p] * theta[p, c];
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            for (int c = 0; c < classes; c++)
            {
                double r = Math.Exp(z[c] - max) / sum - (labels[s] == c ? 1 : 0);
                for (int p = 0; p < d; p++) g[p, c] += f[s, p] * r / m;
            }
        }
        for (int p = 0; p < n; p++)
            for (int c = 0; c < classes; c++) g[p, c] += lambda * theta[p, c];
        return g;
    }

    [Fact]
    public void The_sparse_fit_takes_the_steps_of_a_plain_dense_reference()
    {
        var (counts, labels) = Synthetic(120, 12, 3, 5);
        foreach (double lambda in new[] { 0.0, 1e-3, 0.1 })
        {
            var fast = LinearReadout.Fit(counts, 12, labels, 3, lambda, 60);
            var (w, b) = DenseReference(counts, 12, labels, 3, lambda, 60);
            for (int j = 0; j < 12; j++)
                for (int c = 0; c < 3; c++) Assert.Equal(w[j * 3 + c], fast.Weight(j, c), 1e-9);
            for (int c = 0; c < 3; c++) Assert.Equal(b[c], fast.Bias(c), 1e-9);
            Assert.Contains(w, v => Math.Abs(v) > 1e-3); // the steps moved the weights
        }
    }

    [Fact]
    public void Enough_steps_reach_the_minimum_of_the_penalised_cross_entropy()
    {
        var (counts, labels) = Synthetic(150, 10, 3, 11);
        const double lambda = 1e-2;
        var fit = LinearReadout.Fit(counts, 10, labels, 3, lambda, 3000);
        var f = new double[labels.Length, 11];
        for (int s = 0; s < labels.Length; s++)
        {
            for (int j = 0; j < 10; j++) f[s, j] = Math.Sqrt(counts[s * 10 + j]);
            f[s, 10] = 1;
        }
        var theta = new double[11, 3];
        for (int c = 0; c < 3; c++)
        {
            for (int j = 0; j < 10; j++) theta[j, c] = fit.Weight(j, c);
            theta[10, c] = fit.Bias(c);
        }
        var g = Gradient(f, labels, theta, lambda, 10);
        foreach (double v in g) Assert.InRange(v, -1e-7, 1e-7);
    }

    [Fact]
    public void A_neuron_shared_by_two_classes_counts_against_the_third_where_voting_ties()
    {
        // Class 0 fires neuron 0, class 1 neurons 0 and 1, class 2 neuron 1: voting ties class 2 images with class 1.
        const int perClass = 10;
        var counts = new int[3 * perClass * 2];
        var labels = new byte[3 * perClass];
        for (int s = 0; s < labels.Length; s++)
        {
            int c = s % 3;
            labels[s] = (byte)c;
            if (c is 0 or 1) counts[s * 2] = 4;
            if (c is 1 or 2) counts[s * 2 + 1] = 4;
        }
        var assignment = ClassAssignment.Assign(counts, 2, labels, 3);
        var voted = assignment.Predict(counts, labels.Length, Readout.Profile);
        Assert.Equal(2.0 / 3, ClassAssignment.Accuracy(voted, labels), 12);
        Assert.Equal(1, assignment.Predict([0, 4], Readout.Profile));
        var linear = LinearReadout.Fit(counts, 2, labels, 3);
        Assert.Equal(1.0, ClassAssignment.Accuracy(linear.Predict(counts, labels.Length), labels));
        Assert.Equal([0, 1, 2], new[] { linear.Predict([4, 0]), linear.Predict([4, 4]), linear.Predict([0, 4]) });
        Assert.Equal(1.0, linear.ValidationAccuracy);
        Assert.Contains(linear.Regularization, LinearReadout.RegularizationGrid);
    }

    [Fact]
    public void Regularisation_is_chosen_on_held_out_images_and_the_fit_is_repeatable_bit_for_bit()
    {
        var (counts, labels) = Synthetic(400, 30, 5, 3);
        var a = LinearReadout.Fit(counts, 30, labels, 5);
        var b = LinearReadout.Fit(counts, 30, labels, 5);
        Assert.Contains(a.Regularization, LinearReadout.RegularizationGrid);
        Assert.Equal(a.Regularization, b.Regularization);
        for (int j = 0; j < 30; j++)
            for (int c = 0; c < 5; c++) Assert.Equal(BitConverter.DoubleToInt64Bits(a.Weight(j, c)), BitConverter.DoubleToInt64Bits(b.Weight(j, c)));
        // The held-out accuracy is that of a fit without every tenth image, at the chosen λ.
        var kept = Enumerable.Range(0, 400).Where(s => s % 10 != 9).ToArray();
        var held = Enumerable.Range(0, 400).Where(s => s % 10 == 9).ToArray();
        int[] Rows(int[] idx) => idx.SelectMany(s => counts.AsSpan(s * 30, 30).ToArray()).ToArray();
        var withoutHeld = LinearReadout.Fit(Rows(kept), 30, kept.Select(s => labels[s]).ToArray(), 5, a.Regularization, LinearReadout.Iterations);
        var heldLabels = held.Select(s => labels[s]).ToArray();
        Assert.Equal(a.ValidationAccuracy, ClassAssignment.Accuracy(withoutHeld.Predict(Rows(held), held.Length), heldLabels));
        // Well above the 20% of chance on these counts.
        Assert.True(a.ValidationAccuracy > 0.6, $"held-out accuracy {a.ValidationAccuracy:P1}");
    }

    [Fact]
    public void Bad_counts_labels_and_shapes_are_refused_by_name()
    {
        var (counts, labels) = Synthetic(30, 4, 2, 1);
        Assert.Contains("at least 20 labelling images", Assert.Throws<ArgumentException>(() => LinearReadout.Fit(counts.AsSpan(0, 19 * 4), 4, labels.AsSpan(0, 19), 2)).Message);
        var negative = (int[])counts.Clone();
        negative[2 * 4 + 3] = -1;
        Assert.Contains("spike count -1 for sample 2, neuron 3 is negative", Assert.Throws<ArgumentException>(() => LinearReadout.Fit(negative, 4, labels, 2)).Message);
        var badLabel = (byte[])labels.Clone();
        badLabel[7] = 2;
        Assert.Contains("label 2 of sample 7 is not a class index (expected 0..1)", Assert.Throws<ArgumentException>(() => LinearReadout.Fit(counts, 4, badLabel, 2)).Message);
        Assert.Contains("do not make 30 samples × 5 neurons", Assert.Throws<ArgumentException>(() => LinearReadout.Fit(counts, 5, labels, 2)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LinearReadout.Fit(counts, 4, labels, 2, double.NaN, 10));
        var fit = LinearReadout.Fit(counts, 4, labels, 2);
        Assert.Contains("3 spike counts but the readout has 4 neurons", Assert.Throws<ArgumentException>(() => fit.Predict([1, 2, 3])).Message);
        Assert.Contains("spike count -2 of neuron 1 is negative", Assert.Throws<ArgumentException>(() => fit.Predict([1, -2, 3, 0])).Message);
        // The voting assignment names the linear readout as one it cannot score.
        var assignment = ClassAssignment.Assign(counts, 4, labels, 2);
        Assert.Contains("fitted on the labelling counts by LinearReadout.Fit", Assert.Throws<ArgumentException>(() => assignment.Predict(counts.AsSpan(0, 4), Readout.Linear)).Message);
    }
}
