using System.Numerics;
using System.Runtime.InteropServices;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// The values of one layer's units at every step of one sample, with the indices of the non-zero values of each
/// step, so that sparse spikes cost only their number. Layout: <c>Values[t · Size + i]</c>. A static activity holds
/// one row that stands for every step (an analog input held for the whole presentation).
/// </summary>
public sealed class Activity<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _nonZero;
    private readonly int[] _nonZeroEnd;

    /// <summary>Room for <paramref name="steps"/> steps of <paramref name="size"/> units.</summary>
    public Activity(int steps, int size)
    {
        Steps = steps;
        Size = size;
        Values = new T[steps * size];
        _nonZero = new int[steps * size];
        _nonZeroEnd = new int[steps];
    }

    /// <summary>Steps held.</summary>
    public int Steps { get; }

    /// <summary>Units per step.</summary>
    public int Size { get; }

    /// <summary>The values, step-major.</summary>
    public T[] Values { get; }

    /// <summary>True when row 0 stands for every step.</summary>
    public bool Static { get; set; }

    /// <summary>The values of step <paramref name="t"/>.</summary>
    public Span<T> Row(int t) => Values.AsSpan((Static ? 0 : t) * Size, Size);

    /// <summary>The indices of the non-zero values of step <paramref name="t"/>, ascending (valid after <see cref="Index"/>).</summary>
    public ReadOnlySpan<int> NonZero(int t)
    {
        int row = Static ? 0 : t;
        int start = row * Size;
        return _nonZero.AsSpan(start, _nonZeroEnd[row] - start);
    }

    /// <summary>Sets every value to zero and the activity to non-static.</summary>
    public void Clear()
    {
        Array.Clear(Values);
        Static = false;
        for (int t = 0; t < Steps; t++) _nonZeroEnd[t] = t * Size;
    }

    /// <summary>Recomputes the non-zero indices of step <paramref name="t"/> from its values.</summary>
    public void IndexRow(int t)
    {
        var row = Row(t);
        int start = (Static ? 0 : t) * Size, end = start, i = 0, lanes = Vector<T>.Count;
        ref T row0 = ref MemoryMarshal.GetReference(row);
        // Whole vectors first: a vector of zeros (most of a spike row) costs one compare.
        for (; i <= row.Length - lanes; i += lanes)
        {
            if (Vector.EqualsAll(Vector.LoadUnsafe(ref row0, (nuint)i), Vector<T>.Zero)) continue;
            for (int k = i; k < i + lanes; k++)
                if (row[k] != T.Zero) _nonZero[end++] = k;
        }
        for (; i < row.Length; i++)
            if (row[i] != T.Zero) _nonZero[end++] = i;
        _nonZeroEnd[Static ? 0 : t] = end;
    }

    /// <summary>Recomputes the non-zero indices of every step.</summary>
    public void Index()
    {
        int rows = Static ? 1 : Steps;
        for (int t = 0; t < rows; t++) IndexRow(t);
    }
}
