namespace DistSnn.Learning.Encoding;

/// <summary>
/// Turns pixel intensities into Poisson firing rates, one input neuron per pixel.
/// </summary>
/// <remarks>
/// <para>
/// The convention is Diehl &amp; Cook (2015, "Unsupervised learning of digit recognition using spike-timing-dependent
/// plasticity"): a pixel of intensity <c>p</c> (0..255) drives a Poisson spike train of rate <c>p / 4</c> Hz, so a
/// full-intensity pixel fires at 63.75 Hz (<see cref="DiehlCookMaxRateHz"/>). Here that is
/// <c>rate = p / 255 × maxRate × intensity</c> with <c>intensity = 1</c>.
/// </para>
/// <para>
/// When an excitatory neuron fires fewer than five spikes (<see cref="DiehlCookMinimumSpikes"/>) during a
/// presentation, Diehl &amp; Cook show the same image again with a higher input rate. Their code keeps an
/// <c>input_intensity</c> that starts at 2, uses <c>rate = p / 8 × input_intensity</c>, and adds 1 per retry,
/// i.e. 31.875 Hz more at full intensity each time (the paper's "increased by 32 Hz"). In terms of the
/// multiplier used here, <c>intensity = input_intensity / 2</c>; <see cref="DiehlCookIntensity"/> gives it for a
/// number of retries.
/// </para>
/// </remarks>
public static class RateEncoding
{
    /// <summary>Largest pixel value.</summary>
    public const float MaxPixel = 255f;

    /// <summary>Rate of a full-intensity pixel in Diehl &amp; Cook (255 / 4 Hz).</summary>
    public const float DiehlCookMaxRateHz = 63.75f;

    /// <summary>Diehl &amp; Cook's starting <c>input_intensity</c> (rate = pixel / 8 × input_intensity).</summary>
    public const int DiehlCookStartIntensity = 2;

    /// <summary>Fewer spikes than this over all excitatory neurons make Diehl &amp; Cook repeat a presentation.</summary>
    public const int DiehlCookMinimumSpikes = 5;

    /// <summary>
    /// Firing rate in Hz for one pixel: <c>pixel / 255 × maxRateHz × intensity</c>.
    /// </summary>
    /// <param name="pixel">Intensity, 0 (background) to 255.</param>
    /// <param name="maxRateHz">Rate of a full-intensity pixel at <c>intensity</c> 1 (finite, ≥ 0).</param>
    /// <param name="intensity">Multiplier on all rates (finite, ≥ 0); see <see cref="DiehlCookIntensity"/>.</param>
    public static float RateHz(byte pixel, float maxRateHz = DiehlCookMaxRateHz, float intensity = 1f)
    {
        CheckScale(maxRateHz, intensity);
        return Scale(maxRateHz, intensity) * pixel;
    }

    /// <summary>Firing rates in Hz for every pixel of an image, in the image's order (row-major).</summary>
    /// <inheritdoc cref="RateHz" path="/param[@name='maxRateHz']"/>
    /// <inheritdoc cref="RateHz" path="/param[@name='intensity']"/>
    public static float[] RatesHz(ReadOnlySpan<byte> image, float maxRateHz = DiehlCookMaxRateHz, float intensity = 1f)
    {
        var rates = new float[image.Length];
        RatesHz(image, rates, maxRateHz, intensity);
        return rates;
    }

    /// <summary>
    /// Writes the firing rate of each pixel of <paramref name="image"/> to <paramref name="ratesHz"/>, which must
    /// have the same length. Does not allocate, for use once per presentation.
    /// </summary>
    public static void RatesHz(
        ReadOnlySpan<byte> image, Span<float> ratesHz, float maxRateHz = DiehlCookMaxRateHz, float intensity = 1f)
    {
        CheckScale(maxRateHz, intensity);
        WriteScaled(image, ratesHz, Scale(maxRateHz, intensity));
    }

    /// <summary>
    /// Writes rates proportional to the pixels but scaled so that they add up to <paramref name="totalHz"/> ×
    /// <paramref name="intensity"/>, whatever the image's brightness: every image then drives the network with as
    /// many input spikes. An all-black image gets rate 0 everywhere.
    /// </summary>
    /// <param name="image">Pixels, 0 (background) to 255.</param>
    /// <param name="ratesHz">Destination, as long as the image.</param>
    /// <param name="totalHz">Summed rate of all pixels at <paramref name="intensity"/> 1 (finite, ≥ 0).</param>
    /// <param name="intensity">Multiplier on all rates (finite, ≥ 0); see <see cref="DiehlCookIntensity"/>.</param>
    public static void NormalizedRatesHz(ReadOnlySpan<byte> image, Span<float> ratesHz, float totalHz, float intensity = 1f)
    {
        if (!float.IsFinite(totalHz) || totalHz < 0)
            throw new ArgumentOutOfRangeException(nameof(totalHz), totalHz, "total rate must be a finite number of Hz, 0 or more");
        CheckIntensity(intensity);
        long sum = 0;
        foreach (byte p in image) sum += p;
        WriteScaled(image, ratesHz, sum == 0 ? 0f : (float)((double)totalHz * intensity / sum));
    }

    /// <summary>
    /// Writes rates proportional to the pixels but scaled so that their Euclidean norm (the root of the sum of their
    /// squares) is <paramref name="normHz"/> × <paramref name="intensity"/>. An all-black image gets rate 0 everywhere.
    /// </summary>
    public static void EuclideanRatesHz(ReadOnlySpan<byte> image, Span<float> ratesHz, float normHz, float intensity = 1f)
    {
        if (!float.IsFinite(normHz) || normHz < 0)
            throw new ArgumentOutOfRangeException(nameof(normHz), normHz, "the rate norm must be a finite number of Hz, 0 or more");
        CheckIntensity(intensity);
        long squares = 0;
        foreach (byte p in image) squares += p * p;
        WriteScaled(image, ratesHz, squares == 0 ? 0f : (float)((double)normHz * intensity / Math.Sqrt(squares)));
    }

    /// <summary>
    /// The intensity multiplier after <paramref name="retries"/> repeated presentations in Diehl &amp; Cook's scheme:
    /// <c>(2 + retries) / 2</c>, so 1 for the first presentation, 1.5 after one retry (95.625 Hz at full
    /// intensity), 2 after two.
    /// </summary>
    public static float DiehlCookIntensity(int retries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        return (DiehlCookStartIntensity + retries) / (float)DiehlCookStartIntensity;
    }

    // Rates are scale × pixel with the scale computed once, so a whole image costs one multiply per pixel and
    // pixel 255 at the defaults gives exactly 63.75.
    private static float Scale(float maxRateHz, float intensity) => maxRateHz * intensity / MaxPixel;

    /// <summary>Writes <c>scale × pixel</c> for every pixel; the destination must be as long as the image.</summary>
    private static void WriteScaled(ReadOnlySpan<byte> image, Span<float> ratesHz, float scale)
    {
        if (ratesHz.Length != image.Length)
            throw new ArgumentException(
                $"destination holds {ratesHz.Length} rates but the image has {image.Length} pixels", nameof(ratesHz));
        for (int i = 0; i < image.Length; i++)
            ratesHz[i] = scale * image[i];
    }

    private static void CheckScale(float maxRateHz, float intensity)
    {
        if (!float.IsFinite(maxRateHz) || maxRateHz < 0)
            throw new ArgumentOutOfRangeException(nameof(maxRateHz), maxRateHz,
                "maximum rate must be a finite number of Hz, 0 or more");
        CheckIntensity(intensity);
    }

    private static void CheckIntensity(float intensity)
    {
        if (!float.IsFinite(intensity) || intensity < 0)
            throw new ArgumentOutOfRangeException(nameof(intensity), intensity,
                "intensity must be a finite multiplier, 0 or more");
    }
}
