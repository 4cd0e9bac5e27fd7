namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// The fixed-point arithmetic of a SpiNNaker core as sPyNNaker 7 uses it for neuron state. <c>accum</c> (s16.15) is
/// an int holding value × 2^15 (range ±65536, resolution 2^-15 ≈ 3.05e-5); decay constants are u0.32 fractions held
/// in a uint (value × 2^32). Every operation rounds as named:
/// <list type="bullet">
/// <item><see cref="FromDouble"/> (host-side parameter encoding): to nearest, halves away from zero, saturated.</item>
/// <item><see cref="Multiply"/> (accum × accum, sPyNNaker's <c>MULT_ROUND_NEAREST_ACCUM</c>): the 64-bit product plus
/// 2^14, shifted right 15 (round to nearest, halves up), saturated to the accum range.</item>
/// <item><see cref="Decay"/> (accum × u0.32, sPyNNaker's <c>decay_s1615</c>): the 64-bit product shifted right 32
/// arithmetically, i.e. truncated towards minus infinity.</item>
/// <item><see cref="Add"/>: saturating 32-bit addition (the ARM's <c>qadd</c>, as stdfix's saturating accum types).</item>
/// </list>
/// </summary>
public static class FixedPoint
{
    /// <summary>The scale of s16.15: 2^15.</summary>
    public const int One = 1 << 15;

    /// <summary>Encodes <paramref name="value"/> as s16.15 (to nearest, halves away from zero, saturated).</summary>
    public static int FromDouble(double value)
    {
        if (double.IsNaN(value)) throw new ArgumentException("NaN has no fixed-point value", nameof(value));
        double scaled = Math.Round(value * One, MidpointRounding.AwayFromZero);
        return scaled >= int.MaxValue ? int.MaxValue : scaled <= int.MinValue ? int.MinValue : (int)scaled;
    }

    /// <summary>The value an s16.15 number stands for.</summary>
    public static double ToDouble(int accum) => accum / (double)One;

    /// <summary>Encodes a fraction in [0, 1) as u0.32 (to nearest; 1 and above saturate to 2^32 − 1).</summary>
    public static uint FractionFromDouble(double value)
    {
        if (!(value >= 0)) throw new ArgumentOutOfRangeException(nameof(value), value, "a u0.32 fraction is at least 0");
        double scaled = Math.Round(value * 4294967296.0, MidpointRounding.AwayFromZero);
        return scaled >= uint.MaxValue ? uint.MaxValue : (uint)scaled;
    }

    /// <summary>accum × accum, rounded to nearest (halves up) and saturated.</summary>
    public static int Multiply(int a, int b) => Saturate(((long)a * b + (1L << 14)) >> 15);

    /// <summary>accum × u0.32 fraction, truncated towards minus infinity.</summary>
    public static int Decay(int x, uint fraction) => (int)(((long)x * fraction) >> 32);

    /// <summary>Saturating addition.</summary>
    public static int Add(int a, int b) => Saturate((long)a + b);

    /// <summary>Saturating subtraction.</summary>
    public static int Subtract(int a, int b) => Saturate((long)a - b);

    /// <summary>A 64-bit intermediate clamped to the accum range.</summary>
    public static int Saturate(long value) => value > int.MaxValue ? int.MaxValue : value < int.MinValue ? int.MinValue : (int)value;
}
