using System.Buffers.Binary;
using System.Security.Cryptography;

namespace DistSnn.Cluster.Output;

/// <summary>
/// A fingerprint of a spike raster that does not depend on how the network was partitioned or in
/// which order populations are listed: SHA-256 over every spike as (step: int64 LE, global id:
/// int64 LE), ordered by step and then global id.
/// </summary>
public static class SpikeHash
{
    private const int PairBytes = 16;
    private const int BufferPairs = 4096;

    public static string Sha256Hex(IReadOnlyList<PopulationSpikes> pops)
    {
        ArgumentNullException.ThrowIfNull(pops);
        foreach (var pop in pops)
        {
            ArgumentNullException.ThrowIfNull(pop, nameof(pops));
            pop.Validate();
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[PairBytes * BufferPairs];
        int filled = 0;

        // Each population is already sorted by (step, global id) because global ids are a fixed
        // offset of local ids, so a k-way merge yields the global order. A dequeued population emits
        // its whole run up to the next-best head, which with disjoint gid ranges is one heap
        // operation per (step, population) rather than per spike.
        var heap = new PriorityQueue<int, (long Step, long Gid)>(pops.Count);
        var cursor = new int[pops.Count];
        for (int p = 0; p < pops.Count; p++)
        {
            if (pops[p].Count > 0)
            {
                heap.Enqueue(p, (pops[p].Steps[0], pops[p].FirstGid + pops[p].LocalIds[0]));
            }
        }

        while (heap.TryDequeue(out int p, out _))
        {
            bool bounded = heap.TryPeek(out _, out var limit);
            var pop = pops[p];
            int i = cursor[p];
            while (i < pop.Count)
            {
                var key = (Step: pop.Steps[i], Gid: pop.FirstGid + pop.LocalIds[i]);
                if (bounded && key.CompareTo(limit) > 0)
                {
                    heap.Enqueue(p, key);
                    break;
                }
                if (filled == buffer.Length)
                {
                    hash.AppendData(buffer);
                    filled = 0;
                }
                BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(filled, 8), key.Step);
                BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(filled + 8, 8), key.Gid);
                filled += PairBytes;
                i++;
            }
            cursor[p] = i;
        }

        hash.AppendData(buffer, 0, filled);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
