using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// Element-wise updates of short rows (a convolution's output channels for one tap, a dense row), inlined where they
/// are called: the connections make hundreds of thousands of them per sample, too short to pay for a library call's
/// checks and dispatch. Each element gets exactly the scalar operation, so results do not depend on the vector width.
/// </summary>
internal static class Lanes
{
    /// <summary>y[i] += x[i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add<T>(ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length != y.Length) throw new ArgumentException($"rows of {x.Length} and {y.Length} values", nameof(x));
        ref T x0 = ref MemoryMarshal.GetReference(x);
        ref T y0 = ref MemoryMarshal.GetReference(y);
        int i = 0, lanes = Vector<T>.Count;
        for (; i <= y.Length - lanes; i += lanes)
            (Vector.LoadUnsafe(ref y0, (nuint)i) + Vector.LoadUnsafe(ref x0, (nuint)i)).StoreUnsafe(ref y0, (nuint)i);
        for (; i < y.Length; i++) Unsafe.Add(ref y0, i) += Unsafe.Add(ref x0, i);
    }

    /// <summary>y[i] += x[i] · a (multiply, then add; not fused).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd<T>(ReadOnlySpan<T> x, T a, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length != y.Length) throw new ArgumentException($"rows of {x.Length} and {y.Length} values", nameof(x));
        ref T x0 = ref MemoryMarshal.GetReference(x);
        ref T y0 = ref MemoryMarshal.GetReference(y);
        var av = Vector.Create(a);
        int i = 0, lanes = Vector<T>.Count;
        for (; i <= y.Length - lanes; i += lanes)
            (Vector.LoadUnsafe(ref x0, (nuint)i) * av + Vector.LoadUnsafe(ref y0, (nuint)i)).StoreUnsafe(ref y0, (nuint)i);
        for (; i < y.Length; i++) Unsafe.Add(ref y0, i) = Unsafe.Add(ref x0, i) * a + Unsafe.Add(ref y0, i);
    }
}
