using System.Numerics;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// FastMath.Exp: its vector and scalar paths must agree bit for bit (the kernels' lane independence rests on it),
/// and it must be accurate enough to stand in for exp in the exponential-Euler and AdEx updates.
/// </summary>
public class FastMathTests
{
    private static float[] Arguments()
    {
        var rng = new System.Random(7);
        var xs = new List<float>
        {
            0f, -0f, 1e-30f, -1e-30f, float.Epsilon, 1f, -1f, 0.5f, -0.5f,
            -87f, -87.5f, -100f, -1e4f, 88f, 88.5f, 100f, 1e4f, float.PositiveInfinity, float.NegativeInfinity,
        };
        // Arguments next to the points where round(x log2 e) changes, where the range reduction switches n.
        for (int n = -126; n <= 127; n++)
        {
            float b = (float)((n + 0.5) * Math.Log(2));
            xs.Add(b);
            xs.Add(MathF.BitDecrement(b));
            xs.Add(MathF.BitIncrement(b));
        }
        for (int k = 0; k < 200_000; k++) xs.Add((float)(-120 + 240 * rng.NextDouble()));
        for (int k = 0; k < 50_000; k++) xs.Add((float)(-1 + 2 * rng.NextDouble()));
        return xs.ToArray();
    }

    [Fact]
    public void VectorPathEqualsScalarPathBitwiseInEveryLane()
    {
        var xs = Arguments();
        int w = Vector<float>.Count;
        var lanes = new float[w];
        // Rotate the arguments through the lanes so that every argument is tried in several lane positions.
        for (int shift = 0; shift < Math.Min(w, 3); shift++)
        {
            for (int start = -shift; start < xs.Length; start += w)
            {
                for (int l = 0; l < w; l++)
                {
                    int idx = start + l;
                    lanes[l] = idx >= 0 && idx < xs.Length ? xs[idx] : 0f;
                }
                var v = FastMath.Exp(new Vector<float>(lanes));
                for (int l = 0; l < w; l++)
                {
                    float s = FastMath.Exp(lanes[l]);
                    if (BitConverter.SingleToInt32Bits(s) != BitConverter.SingleToInt32Bits(v[l]))
                        Assert.Fail($"exp({lanes[l]:R}) lane {l}: scalar {s:R}, vector {v[l]:R}");
                }
            }
        }
    }

    [Fact]
    public void NaNPropagatesOnBothPaths()
    {
        Assert.True(float.IsNaN(FastMath.Exp(float.NaN)));
        Assert.True(float.IsNaN(FastMath.Exp(new Vector<float>(float.NaN))[0]));
    }

    [Theory]
    [InlineData(-80.0, 80.0)]
    [InlineData(-87.0, 88.0)] // the full range the documentation promises
    [InlineData(-0.01, 0.01)]
    public void RelativeErrorBelowTwoTimesTenToMinusSeven(double lo, double hi)
    {
        var rng = new System.Random(11);
        double worst = 0;
        for (int k = 0; k < 300_000; k++)
        {
            float x = (float)(lo + (hi - lo) * rng.NextDouble());
            double exact = Math.Exp(x);
            worst = Math.Max(worst, Math.Abs(FastMath.Exp(x) - exact) / exact);
        }
        foreach (double x in new[] { lo, hi, 0.0 })
        {
            double exact = Math.Exp((float)x);
            worst = Math.Max(worst, Math.Abs(FastMath.Exp((float)x) - exact) / exact);
        }
        Assert.True(worst < 2e-7, $"worst relative error {worst:E3} on [{lo}, {hi}]");
    }

    [Fact]
    public void ArgumentsOutsideTheRangeAreClamped()
    {
        Assert.Equal(FastMath.Exp(88f), FastMath.Exp(1000f));
        Assert.Equal(FastMath.Exp(-87f), FastMath.Exp(-1000f));
        Assert.True(float.IsFinite(FastMath.Exp(float.PositiveInfinity)));
        Assert.True(FastMath.Exp(float.NegativeInfinity) > 0f);
        Assert.Equal(1f, FastMath.Exp(0f));
    }

    [Theory]
    [InlineData(1e-12)]
    [InlineData(-3e-9)]
    [InlineData(1e-5)]
    [InlineData(-0.3)]
    [InlineData(0.7)]
    [InlineData(-50.0)]
    [InlineData(20.0)]
    public void ExpM1IsAccurateIncludingTinyArguments(double x)
    {
        // Reference: Taylor series for small |x|, Math.Exp - 1 where cancellation is harmless.
        double exact = Math.Abs(x) < 1e-3 ? x + x * x / 2 + x * x * x / 6 + x * x * x * x / 24 : Math.Exp(x) - 1;
        Assert.True(Math.Abs(FastMath.ExpM1(x) - exact) <= 1e-15 * Math.Abs(exact), $"expm1({x}) = {FastMath.ExpM1(x):R}, expected {exact:R}");
    }
}
