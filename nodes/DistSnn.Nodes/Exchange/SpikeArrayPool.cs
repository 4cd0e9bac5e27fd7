using System.Numerics;

namespace DistSnn.Nodes.Exchange;

/// <summary>
/// Arrays for in-memory packets, reused once their packet is delivered, so that a steady in-process run allocates
/// nothing. Sizes are powers of two (at least 16); a partition's thread rents while it sends and another returns
/// while it delivers, hence the lock (held for a push or a pop). At most <see cref="MaxPerSize"/> arrays of a size
/// are kept.
/// </summary>
internal sealed class SpikeArrayPool
{
    /// <summary>Arrays kept per size at most.</summary>
    public const int MaxPerSize = 256;

    private readonly Stack<long[]>[] _free = Enumerable.Range(0, 32).Select(_ => new Stack<long[]>()).ToArray();
    private readonly Lock _lock = new();

    /// <summary>An array of at least <paramref name="length"/> elements (the empty array for 0).</summary>
    public long[] Rent(int length)
    {
        if (length == 0) return [];
        int bucket = Bucket(length);
        lock (_lock)
            if (_free[bucket].TryPop(out var array)) return array;
        return new long[1 << bucket];
    }

    /// <summary>Gives back an array this pool rented out (other arrays, and the empty one, are left alone).</summary>
    public void Return(long[] array)
    {
        int n = array.Length;
        if (n < 16 || !BitOperations.IsPow2(n)) return;
        int bucket = BitOperations.Log2((uint)n);
        lock (_lock)
            if (_free[bucket].Count < MaxPerSize) _free[bucket].Push(array);
    }

    private static int Bucket(int length) => Math.Max(4, BitOperations.Log2((uint)length - 1) + 1);
}
