using MessagePack;

namespace DistSnn.Cluster.Serialization;

/// <summary>
/// The compact encodings of the bulky fields: spike lists, bit sets over global ids and owned neuron indices.
/// </summary>
/// <remarks>
/// <para><b>Spikes</b> (sorted by stamp; many share a step): <c>count, [run, run, ...]</c> where each run is the
/// array <c>[stampDelta, id0, d1, d2, ...]</c> holding every spike of one stamp. <c>stampDelta</c> is the stamp
/// minus the previous run's stamp (the first run's is the stamp itself), so it is never negative: a decreasing
/// stamp is refused on both ends. Within a run the ids are delta-encoded: the first absolute, then the difference
/// to the previous id. All numbers are MessagePack integers, which take one byte from -32 to 127, so a sorted
/// run of nearby ids costs about one byte per spike. Ids need not be sorted within a run (a negative delta is
/// allowed) but must stay non-negative.</para>
/// <para><b>Bit sets</b>: <c>words, [repeat, word, repeat, word, ...]</c>: runs of equal 64-bit words, so the
/// all-ones and all-zeros sets of dense and sparse connectivity take a few bytes.</para>
/// <para><b>Owned indices</b> (ascending per population): <c>[start, stride, count, ...]</c> arithmetic runs, so a
/// contiguous block or a round-robin slice is three numbers.</para>
/// </remarks>
internal static class SpikeCodec
{
    /// <summary>
    /// Writes spikes; <paramref name="stampsField"/>/<paramref name="idsField"/> name the fields in errors. Throws
    /// <see cref="WireFormatException"/> for unequal lengths, negative values or decreasing stamps.
    /// </summary>
    public static void Write(ref MessagePackWriter w, ReadOnlySpan<long> stamps, ReadOnlySpan<long> ids, string message,
        string stampsField, string idsField)
    {
        if (stamps.Length != ids.Length)
            throw new WireFormatException(message, idsField, $"has {ids.Length} entries but {stampsField} has {stamps.Length}");
        int n = stamps.Length;
        if (n > WireLimits.MaxSpikes)
            throw new WireFormatException(message, stampsField, $"{n} spikes is over the limit of {WireLimits.MaxSpikes}; split the packet");
        int runs = 0;
        for (int i = 0; i < n; i++)
        {
            if (ids[i] < 0) throw new WireFormatException(message, idsField, $"id {ids[i]} at index {i} is negative");
            if (i > 0 && stamps[i] == stamps[i - 1]) continue;
            if (i == 0 ? stamps[0] < 0 : stamps[i] < stamps[i - 1])
                throw new WireFormatException(message, stampsField,
                    i == 0 ? $"stamp {stamps[0]} at index 0 is negative" : $"stamp {stamps[i]} at index {i} is before {stamps[i - 1]}; spikes must be sorted by stamp");
            runs++;
        }
        w.Write(n);
        w.WriteArrayHeader(runs);
        long previousStamp = 0;
        for (int i = 0; i < n;)
        {
            int j = i + 1;
            while (j < n && stamps[j] == stamps[i]) j++;
            w.WriteArrayHeader(1 + j - i);
            w.Write(stamps[i] - previousStamp);
            previousStamp = stamps[i];
            long previousId = 0;
            for (int k = i; k < j; k++)
            {
                w.Write(ids[k] - previousId);
                previousId = ids[k];
            }
            i = j;
        }
    }

    /// <summary>
    /// The bytes <see cref="Write"/> produces for these spikes, counted without writing them (telemetry sizes every
    /// packet, most of which never cross the network). The spikes must be valid for <see cref="Write"/>.
    /// </summary>
    public static long Length(ReadOnlySpan<long> stamps, ReadOnlySpan<long> ids)
    {
        int n = Math.Min(stamps.Length, ids.Length), runs = 0;
        long bytes = 0, previousStamp = 0;
        for (int i = 0; i < n;)
        {
            int j = i + 1;
            while (j < n && stamps[j] == stamps[i]) j++;
            bytes += ArrayHeaderLength(1 + j - i) + IntegerLength(stamps[i] - previousStamp);
            previousStamp = stamps[i];
            long previousId = 0;
            for (int k = i; k < j; k++)
            {
                bytes += IntegerLength(ids[k] - previousId);
                previousId = ids[k];
            }
            runs++;
            i = j;
        }
        return IntegerLength(n) + ArrayHeaderLength(runs) + bytes;
    }

    /// <summary>Bytes of a MessagePack integer as <see cref="MessagePackWriter"/> writes it: the smallest form that holds it.</summary>
    private static int IntegerLength(long v) => v switch
    {
        >= -32 and <= 127 => 1,
        >= sbyte.MinValue and <= byte.MaxValue => 2,
        >= short.MinValue and <= ushort.MaxValue => 3,
        >= int.MinValue and <= uint.MaxValue => 5,
        _ => 9,
    };

    /// <summary>Bytes of a MessagePack array header for <paramref name="count"/> elements.</summary>
    private static int ArrayHeaderLength(int count) => count <= 15 ? 1 : count <= ushort.MaxValue ? 3 : 5;

    /// <summary>Reads spikes written by <see cref="Write"/>; ids above <paramref name="maxId"/> are refused.</summary>
    public static (long[] Stamps, long[] Ids) Read(ref FrameReader r, string stampsField, string idsField, long maxId)
    {
        int n = r.Int(stampsField, 0, WireLimits.MaxSpikes);
        // Every spike takes at least one byte, so a count beyond the bytes left is a lie told to make us allocate.
        if (n > r.Remaining) throw r.Fail($"claims {n} spikes but only {r.Remaining} bytes follow", kind: r.Beyond(n));
        int runs = r.Array(stampsField, n);
        if (n > 0 && runs == 0) throw r.Fail($"claims {n} spikes but has no stamp runs");
        var stamps = new long[n];
        var ids = new long[n];
        int at = 0;
        long stamp = 0;
        for (int k = 0; k < runs; k++)
        {
            r.Field = stampsField;
            int length = r.ArrayHere();
            if (length < 2) throw r.Fail($"stamp run {k} holds no spike");
            if (length - 1 > n - at) throw r.Fail($"stamp runs hold more than the {n} spikes announced");
            long delta = r.LongHere();
            if (delta < 0) throw r.Fail($"stamp run {k} goes back by {-delta} steps; stamps must not decrease");
            stamp = checked(stamp + delta);
            r.Field = idsField;
            long id = 0;
            for (int i = 1; i < length; i++)
            {
                id = checked(id + r.LongHere());
                if (id < 0 || id > maxId) throw r.Fail($"id {id} at index {at} is out of range [0, {maxId}]");
                stamps[at] = stamp;
                ids[at++] = id;
            }
        }
        if (at != n) throw r.Fail($"stamp runs hold {at} spikes but {n} were announced");
        return (stamps, ids);
    }

    public static void WriteBitSet(ref MessagePackWriter w, ulong[] words, string message, string field)
    {
        if (words.Length > WireLimits.MaxBitSetWords)
            throw new WireFormatException(message, field, $"{words.Length} words is over the limit of {WireLimits.MaxBitSetWords}");
        int runs = 0;
        for (int i = 0; i < words.Length; i++)
            if (i == 0 || words[i] != words[i - 1]) runs++;
        w.Write(words.Length);
        w.WriteArrayHeader(2 * runs);
        for (int i = 0; i < words.Length;)
        {
            int j = i + 1;
            while (j < words.Length && words[j] == words[i]) j++;
            w.Write(j - i);
            w.Write(words[i]);
            i = j;
        }
    }

    public static ulong[] ReadBitSet(ref FrameReader r, string field)
    {
        int count = r.Int(field, 0, WireLimits.MaxBitSetWords);
        r.Expand(count);
        int items = r.Array(field, 2 * count);
        if (items % 2 != 0) throw r.Fail($"has {items} items; expected (repeat, word) pairs");
        var words = new ulong[count];
        int at = 0;
        for (int k = 0; k < items / 2; k++)
        {
            long repeat = r.LongHere();
            if (repeat < 1 || repeat > count - at) throw r.Fail($"run {k} repeats a word {repeat} times; {count - at} words are left");
            words.AsSpan(at, (int)repeat).Fill(r.ULongHere());
            at += (int)repeat;
        }
        if (at != count) throw r.Fail($"runs cover {at} of {count} words");
        return words;
    }

    /// <summary>Writes owned indices; each array must be strictly ascending and non-negative (as partition plans are).</summary>
    public static void WriteOwned(ref MessagePackWriter w, IReadOnlyList<int[]> owned, string message)
    {
        w.WriteArrayHeader(owned.Count);
        var runs = new List<(int Start, int Stride, int Count)>();
        for (int p = 0; p < owned.Count; p++)
        {
            var a = owned[p];
            runs.Clear();
            for (int i = 0; i < a.Length;)
            {
                if (a[i] < 0 || (i > 0 && a[i] <= a[i - 1]))
                    throw new WireFormatException(message, $"Owned[{p}]", $"index {a[i]} at {i} is negative or not above the previous one; indices must be ascending");
                // In long arithmetic: the difference of two ints can overflow an int.
                long stride = i + 1 < a.Length ? (long)a[i + 1] - a[i] : 1;
                int j = i + 1;
                if (stride >= 1)
                    while (j < a.Length && (long)a[j] - a[j - 1] == stride) j++;
                runs.Add((a[i], stride < 1 ? 1 : (int)stride, j - i));
                i = j;
            }
            w.WriteArrayHeader(3 * runs.Count);
            foreach (var (start, stride, count) in runs)
            {
                w.Write(start);
                w.Write(stride);
                w.Write(count);
            }
        }
    }

    /// <summary>
    /// Reads owned indices, one array per population of the job's model: every index must lie in its population
    /// (<paramref name="sizes"/>) and the arrays must be ascending, which bounds what can be allocated by the model.
    /// </summary>
    public static int[][] ReadOwned(ref FrameReader r, IReadOnlyList<int> sizes)
    {
        int pops = r.Array("Owned", sizes.Count);
        if (pops != sizes.Count) throw r.Fail($"has {pops} populations; the model has {sizes.Count}");
        var owned = new int[pops][];
        long total = 0;
        var runs = new List<(long Start, long Stride, long Count)>();
        for (int p = 0; p < pops; p++)
        {
            int items = r.Array($"Owned[{p}]", int.MaxValue);
            if (items % 3 != 0) throw r.Fail($"has {items} items; expected (start, stride, count) triples");
            runs.Clear();
            long next = 0, count = 0;
            for (int k = 0; k < items / 3; k++)
            {
                long start = r.LongHere(), stride = r.LongHere(), n = r.LongHere();
                if (start < next || stride < 1 || stride > int.MaxValue || n < 1 || n > sizes[p])
                    throw r.Fail($"run {k} (start {start}, stride {stride}, count {n}) is not ascending after index {next - 1} or has a bad stride or count");
                long last = start + stride * (n - 1);
                if (last >= sizes[p]) throw r.Fail($"index {last} is outside the population of {sizes[p]} neurons");
                runs.Add((start, stride, n));
                next = last + 1;
                count += n;
            }
            total += count;
            if (total > WireLimits.MaxOwnedNeurons) throw r.Fail($"more than {WireLimits.MaxOwnedNeurons} owned neurons", kind: WireRejection.Oversized);
            r.Expand(count);
            var a = owned[p] = new int[count];
            int at = 0;
            foreach (var (start, stride, n) in runs)
                for (long i = 0; i < n; i++) a[at++] = (int)(start + stride * i);
        }
        return owned;
    }
}
