using DistSnn.Nodes.Random;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// How a sample's pixels become input, shared by the simulator's data-set input and the trainer, so that a trained
/// network sees in the simulator exactly what it saw in training. Poisson draws are keyed by (seed, stream, sample,
/// pixel, step of the presentation).
/// </summary>
public static class SampleEncoder
{
    /// <summary>The stream of evaluation and simulation (training epochs use their own numbers).</summary>
    public const ulong EvaluationStream = ulong.MaxValue;

    /// <summary>Pixel intensity 0 … 1.</summary>
    public static double Intensity(byte pixel) => pixel / 255.0;

    /// <summary>The analog input of a pixel (its intensity as a float).</summary>
    public static float Analog(byte pixel) => (float)Intensity(pixel);

    /// <summary>Key of the Poisson draws of <paramref name="stream"/>.</summary>
    public static ulong PoissonKey(ulong seed, ulong stream) => CounterRng.StreamKey(seed, RngPurpose.TrainInput, stream);

    /// <summary>Probability that a pixel fires in one step at <paramref name="maxRateHz"/> for white.</summary>
    public static double PoissonProbability(byte pixel, double maxRateHz, double dtMs) => Intensity(pixel) * maxRateHz * dtMs / 1000.0;

    /// <summary>Whether pixel <paramref name="pixel"/> of sample <paramref name="sample"/> fires at step <paramref name="phase"/> of its presentation.</summary>
    public static bool PoissonSpike(ulong key, long sample, int pixels, int pixel, long phase, double probability) =>
        probability > 0 && CounterRng.Uniform(key, (ulong)sample * (ulong)pixels + (ulong)pixel, (ulong)phase) < probability;

    /// <summary>
    /// Latency encoding: the step of the presentation at which a pixel of intensity <paramref name="x"/> fires (white at
    /// 0, one at <paramref name="threshold"/> at <paramref name="window"/> − 1), or −1 below the threshold.
    /// </summary>
    public static int LatencyStep(double x, double threshold, int window) =>
        x < threshold ? -1 : (int)Math.Round((1 - x) / (1 - threshold) * (window - 1), MidpointRounding.AwayFromZero);
}
