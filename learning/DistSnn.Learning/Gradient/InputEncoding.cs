using System.Numerics;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Learning.Gradient;

/// <summary>How a sample's pixels become the first layer's input.</summary>
public enum EncodingKind
{
    /// <summary>Each pixel's intensity (0 … 1) is an analog input held for the whole presentation.</summary>
    Direct,
    /// <summary>Each pixel fires as a Poisson process at intensity × the maximum rate.</summary>
    Poisson,
    /// <summary>Time to first spike: each pixel at or above the threshold fires once, brighter ones earlier.</summary>
    Latency,
}

/// <summary>
/// An input encoding. Poisson draws are keyed by (seed, epoch, sample, pixel, step), so a sample is encoded the same
/// wherever and whenever it is (a rolled-back run draws the same spikes).
/// </summary>
public sealed record InputEncoding
{
    /// <summary>The kind.</summary>
    public EncodingKind Kind { get; init; } = EncodingKind.Direct;
    /// <summary>Poisson rate of a white pixel (Hz).</summary>
    public double MaxRateHz { get; init; } = 200;
    /// <summary>Step (ms), for the Poisson probability per step.</summary>
    public double Dt { get; init; } = 1.0;
    /// <summary>Latency: the darkest pixel that still fires (0 … 1).</summary>
    public double LatencyThreshold { get; init; } = 0.2;

    /// <summary>Parses <c>direct</c>, <c>poisson</c> or <c>latency</c>.</summary>
    public static EncodingKind ParseKind(string text, string option = "--encoding") => text switch
    {
        "direct" => EncodingKind.Direct,
        "poisson" => EncodingKind.Poisson,
        "latency" => EncodingKind.Latency,
        _ => throw new FormatException($"{option} '{text}': expected direct, poisson or latency"),
    };

    /// <summary>The name <see cref="ParseKind"/> reads.</summary>
    public string Name => Kind.ToString().ToLowerInvariant();

    /// <summary>
    /// Latency encoding: the step of a presentation of <paramref name="steps"/> steps at which a pixel of intensity
    /// <paramref name="x"/> fires (white at the first, one at the threshold at the last), or −1 for none.
    /// </summary>
    public int LatencyStep(double x, int steps) => SampleEncoder.LatencyStep(x, LatencyThreshold, steps);

    /// <summary>Writes the input of <paramref name="image"/> for every step of <paramref name="into"/>.</summary>
    public void Encode<T>(ReadOnlySpan<byte> image, Activity<T> into, ulong seed, ulong epoch, long sample)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (image.Length != into.Size)
            throw new ArgumentException($"the image has {image.Length} pixels, the input layer {into.Size} units", nameof(image));
        into.Clear();
        switch (Kind)
        {
            case EncodingKind.Direct:
                into.Static = true;
                var row = into.Row(0);
                for (int i = 0; i < image.Length; i++) row[i] = T.CreateTruncating(SampleEncoder.Intensity(image[i]));
                break;
            case EncodingKind.Poisson:
                ulong key = SampleEncoder.PoissonKey(seed, epoch);
                for (int i = 0; i < image.Length; i++)
                {
                    double p = SampleEncoder.PoissonProbability(image[i], MaxRateHz, Dt);
                    if (p <= 0) continue;
                    for (int t = 0; t < into.Steps; t++)
                        if (SampleEncoder.PoissonSpike(key, sample, image.Length, i, t, p)) into.Row(t)[i] = T.One;
                }
                break;
            default:
                for (int i = 0; i < image.Length; i++)
                {
                    int t = LatencyStep(SampleEncoder.Intensity(image[i]), into.Steps);
                    if (t >= 0 && t < into.Steps) into.Row(t)[i] = T.One;
                }
                break;
        }
        into.Index();
    }
}
