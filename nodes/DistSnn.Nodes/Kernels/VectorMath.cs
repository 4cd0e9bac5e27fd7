using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DistSnn.Nodes.Kernels;

/// <summary>Element-wise vector helpers whose results are bit for bit those of the plain loops they replace.</summary>
public static class VectorMath
{
    /// <summary>
    /// <c>destination[i] += values[i]</c> for every i. Each element gets one IEEE float addition, as in the scalar
    /// loop, so vector width changes nothing in the result.
    /// </summary>
    public static void AddInPlace(Span<float> destination, ReadOnlySpan<float> values)
    {
        if (values.Length != destination.Length)
            throw new ArgumentException($"{values.Length} values for {destination.Length} destinations", nameof(values));
        ref float d = ref MemoryMarshal.GetReference(destination);
        ref float v = ref MemoryMarshal.GetReference(values);
        int n = destination.Length, i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            for (; i <= n - width; i += width)
            {
                ref float di = ref Unsafe.Add(ref d, i);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref di) + Vector.LoadUnsafe(ref Unsafe.Add(ref v, i)), ref di);
            }
        }
        for (; i < n; i++) Unsafe.Add(ref d, i) += Unsafe.Add(ref v, i);
    }

    /// <summary>
    /// The triplet rule's depression of one row followed by its transmission, for every i:
    /// <c>if (trace[i] != 0) weights[i] = (float)Math.Max(weights[i] - trace[i] * loss, wMin); input[i] += weights[i]</c>.
    /// The lanes do the same double operations on the same values and keep the old weight where the trace is 0; a
    /// float widened to double and back is unchanged. Vector and scalar maxima could differ only in the sign of a
    /// zero, so a block holding a weight of -0 is left to the scalar loop.
    /// </summary>
    public static void DepressAndAdd(Span<float> weights, ReadOnlySpan<double> trace, double loss, double wMin, Span<float> input)
    {
        int n = weights.Length;
        if (trace.Length != n || input.Length != n)
            throw new ArgumentException($"{weights.Length} weights, {trace.Length} traces and {input.Length} inputs must be as many");
        ref float w = ref MemoryMarshal.GetReference(weights);
        ref double y = ref MemoryMarshal.GetReference(trace);
        ref float x = ref MemoryMarshal.GetReference(input);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count, half = Vector<double>.Count;
            var vLoss = new Vector<double>(loss);
            var vMin = new Vector<double>(wMin);
            var negativeZero = new Vector<int>(int.MinValue);
            for (; i <= n - width; i += width)
            {
                ref float wi = ref Unsafe.Add(ref w, i);
                var wv = Vector.LoadUnsafe(ref wi);
                if (Vector.EqualsAny(Vector.AsVectorInt32(wv), negativeZero)) break;
                Vector.Widen(wv, out var lo, out var hi);
                var y0 = Vector.LoadUnsafe(ref Unsafe.Add(ref y, i));
                var y1 = Vector.LoadUnsafe(ref Unsafe.Add(ref y, i + half));
                var d0 = Vector.ConditionalSelect(Vector.Equals(y0, Vector<double>.Zero), lo, Vector.Max(lo - y0 * vLoss, vMin));
                var d1 = Vector.ConditionalSelect(Vector.Equals(y1, Vector<double>.Zero), hi, Vector.Max(hi - y1 * vLoss, vMin));
                var nw = Vector.Narrow(d0, d1);
                Vector.StoreUnsafe(nw, ref wi);
                ref float xi = ref Unsafe.Add(ref x, i);
                Vector.StoreUnsafe(Vector.LoadUnsafe(ref xi) + nw, ref xi);
            }
        }
        for (; i < n; i++)
        {
            ref float wi = ref Unsafe.Add(ref w, i);
            double yi = Unsafe.Add(ref y, i);
            if (yi != 0) wi = (float)Math.Max(wi - yi * loss, wMin);
            Unsafe.Add(ref x, i) += wi;
        }
    }
}
