using System.Numerics;
using System.Runtime.CompilerServices;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// Single-precision exp with a vector and a scalar path that perform the same IEEE operations in the same order,
/// so both give bit-identical results on every machine and vector width. Library exp functions do not promise
/// that (their vector and scalar paths differ, and so do their AVX2 and AVX-512 paths), and a lane-dependent
/// result would make spikes depend on where a neuron sits in a partition. Relative error below 2e-7 on
/// [-87, 88] (Cephes expf polynomial); arguments outside are clamped.
/// </summary>
public static class FastMath
{
    private const float Log2E = 1.44269504088896341f;
    private const float C1 = 0.693359375f;
    private const float C2 = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    private const float Lo = -87.0f, Hi = 88.0f;

    /// <summary>exp(x) lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Exp(Vector<float> x)
    {
        x = Vector.Min(Vector.Max(x, new Vector<float>(Lo)), new Vector<float>(Hi));
        var fx = Vector.Floor(x * new Vector<float>(Log2E) + new Vector<float>(0.5f));
        x = x - fx * new Vector<float>(C1);
        x = x - fx * new Vector<float>(C2);
        var z = x * x;
        var y = new Vector<float>(P0);
        y = y * x + new Vector<float>(P1);
        y = y * x + new Vector<float>(P2);
        y = y * x + new Vector<float>(P3);
        y = y * x + new Vector<float>(P4);
        y = y * x + new Vector<float>(P5);
        y = y * z + x + Vector<float>.One;
        var n = Vector.ConvertToInt32(fx);
        var pow2 = Vector.ShiftLeft(n + new Vector<int>(127), 23);
        return y * Vector.AsVectorSingle(pow2);
    }

    /// <summary>exp(x), the same operations as the vector path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        x = MathF.Min(MathF.Max(x, Lo), Hi);
        float fx = MathF.Floor(x * Log2E + 0.5f);
        x = x - fx * C1;
        x = x - fx * C2;
        float z = x * x;
        float y = P0;
        y = y * x + P1;
        y = y * x + P2;
        y = y * x + P3;
        y = y * x + P4;
        y = y * x + P5;
        y = y * z + x + 1f;
        int n = (int)fx;
        return y * BitConverter.Int32BitsToSingle((n + 127) << 23);
    }

    /// <summary>exp(x) - 1 accurate for small x (Kahan's trick), in double.</summary>
    public static double ExpM1(double x)
    {
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        return um1 * x / Math.Log(u);
    }
}
