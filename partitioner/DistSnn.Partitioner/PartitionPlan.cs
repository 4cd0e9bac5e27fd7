using DistSnn.Model;

namespace DistSnn.Partitioner;

/// <summary>How neurons are spread over partitions.</summary>
public enum PartitionStrategy
{
    /// <summary>Each population is cut into equal contiguous blocks, one per partition (default).</summary>
    Contiguous,
    /// <summary>Neuron with global id g goes to partition g mod N (NEST's scheme).</summary>
    RoundRobin,
}

/// <summary>
/// An immutable assignment of every neuron to a partition. <see cref="Owned"/>(part)[p] lists the population-local
/// indices of population p that partition <c>part</c> owns, ascending.
/// </summary>
public sealed class PartitionPlan
{
    private readonly int[][][] _owned;

    private PartitionPlan(int parts, PartitionStrategy strategy, int[][][] owned)
    {
        Parts = parts;
        Strategy = strategy;
        _owned = owned;
    }

    /// <summary>Number of partitions.</summary>
    public int Parts { get; }
    /// <summary>Strategy that made the plan.</summary>
    public PartitionStrategy Strategy { get; }

    /// <summary>Owned population-local indices per population for one partition.</summary>
    public IReadOnlyList<int[]> Owned(int part) => _owned[part];

    /// <summary>Neurons owned by a partition.</summary>
    public long NeuronCount(int part) => _owned[part].Sum(o => (long)o.Length);

    /// <summary>
    /// Partitions <paramref name="spec"/> into <paramref name="parts"/> partitions. A pure function of its inputs.
    /// </summary>
    public static PartitionPlan Create(NetworkSpec spec, int parts, PartitionStrategy strategy = PartitionStrategy.Contiguous)
    {
        if (parts < 1) throw new ArgumentOutOfRangeException(nameof(parts), parts, "at least one partition is needed");
        var first = spec.FirstGids();
        var owned = new int[parts][][];
        for (int q = 0; q < parts; q++) owned[q] = new int[spec.Populations.Count][];
        for (int p = 0; p < spec.Populations.Count; p++)
        {
            int size = spec.Populations[p].Size;
            for (int q = 0; q < parts; q++)
            {
                owned[q][p] = strategy switch
                {
                    PartitionStrategy.Contiguous => Block(size, parts, q),
                    PartitionStrategy.RoundRobin => Strided(first[p], size, parts, q),
                    _ => throw new ArgumentOutOfRangeException(nameof(strategy)),
                };
            }
        }
        return new PartitionPlan(parts, strategy, owned);
    }

    private static int[] Block(int size, int parts, int q)
    {
        long begin = (long)size * q / parts, end = (long)size * (q + 1) / parts;
        var a = new int[end - begin];
        for (int i = 0; i < a.Length; i++) a[i] = (int)(begin + i);
        return a;
    }

    private static int[] Strided(long firstGid, int size, int parts, int q)
    {
        // Local index i has gid firstGid + i; it belongs to q when (firstGid + i) mod parts == q.
        int start = (int)(((q - firstGid) % parts + parts) % parts);
        var list = new List<int>();
        for (int i = start; i < size; i += parts) list.Add(i);
        return list.ToArray();
    }
}
