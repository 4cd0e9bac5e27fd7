using DistSnn.Model;

namespace DistSnn.Partitioner;

/// <summary>How neurons are spread over partitions.</summary>
public enum PartitionStrategy
{
    /// <summary>Each population is cut into contiguous blocks, one per partition, sized by capacity (default).</summary>
    Contiguous,
    /// <summary>
    /// Neuron with global id g goes to partition g mod N (NEST's scheme); with unequal capacities, a smooth
    /// weighted round robin over global ids.
    /// </summary>
    RoundRobin,
    /// <summary>
    /// Balances load (neurons plus incoming synapses) while keeping strongly connected populations together, so
    /// that few synapses cross partitions; see <see cref="GraphPartitioner"/>.
    /// </summary>
    Graph,
}

/// <summary>Optional inputs of <see cref="PartitionPlan.Create(NetworkSpec, int, PartitionStrategy, PartitionOptions?)"/>.</summary>
public sealed record PartitionOptions
{
    /// <summary>
    /// Default <see cref="SynapseCost"/>: 1/16, the ratio of the 4 bytes a static synapse takes to the ~64 bytes of
    /// a neuron's state and buffers (see <see cref="PartitionReport"/>). A partition's load is then proportional to
    /// its memory, the quantity that decides whether a partition fits a node, and it also follows the delivery
    /// work, since every synapse is touched once per spike of its source.
    /// </summary>
    public const double DefaultSynapseCost = 1.0 / 16;

    /// <summary>
    /// Relative capacity of each partition (one positive number per partition): a partition with capacity 2 gets
    /// twice the load of one with capacity 1. Null means equal capacities.
    /// </summary>
    public IReadOnlyList<double>? Capacities { get; init; }

    /// <summary>Load of one incoming synapse relative to a neuron's update (which costs 1).</summary>
    public double SynapseCost { get; init; } = DefaultSynapseCost;

    /// <summary>
    /// Largest accepted max load / target load − 1 when the graph strategy moves partition borders to keep
    /// populations whole (default 3%).
    /// </summary>
    public double MaxImbalance { get; init; } = 0.03;
}

/// <summary>
/// An immutable assignment of every neuron to a partition, and of every partition to a backend.
/// <see cref="Owned"/>(part)[p] lists the population-local indices of population p that partition <c>part</c> owns,
/// ascending; <see cref="Backend"/>(part) is the backend that hosts it. A partition never mixes backends: when the
/// model's populations name several (<see cref="PopulationSpec.Backend"/>), each backend gets partitions of its own, at
/// least one, in proportion to its neurons, and the strategy places each backend's populations on its partitions.
/// </summary>
public sealed class PartitionPlan
{
    private readonly int[][][] _owned;
    private readonly double[] _capacities;
    private readonly string[] _backends;

    private PartitionPlan(int parts, PartitionStrategy strategy, PartitionOptions options, double[] capacities, int[][][] owned,
        string[] backends)
    {
        Parts = parts;
        Strategy = strategy;
        Options = options;
        _capacities = capacities;
        _owned = owned;
        _backends = backends;
    }

    /// <summary>Number of partitions.</summary>
    public int Parts { get; }
    /// <summary>Strategy that made the plan.</summary>
    public PartitionStrategy Strategy { get; }
    /// <summary>Options the plan was made with.</summary>
    public PartitionOptions Options { get; }
    /// <summary>Relative capacity of each partition (all 1 unless given).</summary>
    public IReadOnlyList<double> Capacities => _capacities;

    /// <summary>
    /// Owned population-local indices per population for one partition. The arrays belong to the plan: callers
    /// read them and must not modify them.
    /// </summary>
    public IReadOnlyList<int[]> Owned(int part) => _owned[part];

    /// <summary>The backend that hosts partition <paramref name="part"/>.</summary>
    public string Backend(int part) => _backends[part];

    /// <summary>The backend of every partition.</summary>
    public IReadOnlyList<string> Backends => _backends;

    /// <summary>Neurons owned by a partition.</summary>
    public long NeuronCount(int part) => _owned[part].Sum(o => (long)o.Length);

    /// <summary>Whether <paramref name="other"/> puts every neuron on the same partition as this plan.</summary>
    public bool HasSameAssignment(PartitionPlan other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Parts != Parts || other._owned[0].Length != _owned[0].Length || !other._backends.SequenceEqual(_backends)) return false;
        for (int q = 0; q < Parts; q++)
            for (int p = 0; p < _owned[q].Length; p++)
                if (!_owned[q][p].AsSpan().SequenceEqual(other._owned[q][p])) return false;
        return true;
    }

    /// <summary>Share of the total load each partition should carry: capacities normalised to sum 1.</summary>
    internal double[] Fractions() => Normalise(_capacities);

    /// <summary>
    /// Partitions <paramref name="spec"/> into <paramref name="parts"/> partitions. A pure function of its inputs.
    /// </summary>
    public static PartitionPlan Create(NetworkSpec spec, int parts, PartitionStrategy strategy = PartitionStrategy.Contiguous) =>
        Create(spec, parts, strategy, options: null);

    /// <summary>Partitions with relative node capacities (one positive number per partition).</summary>
    public static PartitionPlan Create(NetworkSpec spec, int parts, PartitionStrategy strategy, IReadOnlyList<double> capacities) =>
        Create(spec, parts, strategy, new PartitionOptions { Capacities = capacities });

    /// <summary>
    /// Partitions <paramref name="spec"/> into <paramref name="parts"/> partitions (at least one per backend the model
    /// names). A pure function of its inputs: the same arguments always give the same plan (every choice is
    /// deterministic, ties go to the lowest index).
    /// </summary>
    public static PartitionPlan Create(NetworkSpec spec, int parts, PartitionStrategy strategy, PartitionOptions? options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (parts < 1) throw new ArgumentOutOfRangeException(nameof(parts), parts, "at least one partition is needed");
        options ??= new PartitionOptions();
        var groups = spec.Populations.Select((p, i) => (p.BackendName, Index: i)).GroupBy(x => x.BackendName)
            .Select(g => (Backend: g.Key, Populations: g.Select(x => x.Index).ToHashSet())).ToArray();
        if (groups.Length <= 1)
        {
            var one = Assign(spec, parts, strategy, options);
            return new PartitionPlan(parts, strategy, options, one.Capacities, one.Owned,
                Enumerable.Repeat(groups.Length == 0 ? PopulationSpec.DefaultBackend : groups[0].Backend, parts).ToArray());
        }
        int total = Math.Max(parts, groups.Length);
        var allCapacities = CheckCapacities(options.Capacities, total);
        var shares = Shares(total, groups.Select(g => g.Populations.Sum(p => (long)spec.Populations[p].Size)).ToArray());
        var owned = new List<int[][]>();
        var backends = new List<string>();
        for (int g = 0; g < groups.Length; g++)
        {
            // The strategy places this backend's populations alone: the others shrink to no neurons, indices stay aligned.
            var masked = spec with
            {
                Populations = spec.Populations.Select((p, i) => groups[g].Populations.Contains(i) ? p : p with { Size = 0 }).ToArray(),
            };
            var sub = Assign(masked, shares[g], strategy, options with { Capacities = allCapacities[owned.Count..(owned.Count + shares[g])] });
            owned.AddRange(sub.Owned);
            backends.AddRange(Enumerable.Repeat(groups[g].Backend, shares[g]));
        }
        return new PartitionPlan(total, strategy, options, allCapacities, owned.ToArray(), backends.ToArray());
    }

    /// <summary>
    /// <paramref name="total"/> partitions shared out in proportion to <paramref name="weights"/>, at least one each
    /// (largest remainders first, ties to the lower index).
    /// </summary>
    private static int[] Shares(int total, long[] weights)
    {
        int n = weights.Length;
        var shares = Enumerable.Repeat(1, n).ToArray();
        // Deficits total × w / sum − share, compared exactly as total × w − share × sum (in 128 bits).
        Int128 sum = Math.Max(1, weights.Sum());
        Int128 Deficit(int i) => (Int128)total * weights[i] - shares[i] * sum;
        for (int left = total - n; left > 0; left--)
        {
            int best = 0;
            for (int i = 1; i < n; i++)
                if (Deficit(i) > Deficit(best)) best = i;
            shares[best]++;
        }
        return shares;
    }

    /// <summary>Places every neuron of <paramref name="spec"/> on <paramref name="parts"/> partitions of one backend.</summary>
    private static (double[] Capacities, int[][][] Owned) Assign(NetworkSpec spec, int parts, PartitionStrategy strategy, PartitionOptions options)
    {
        var capacities = CheckCapacities(options.Capacities, parts);
        if (!(options.SynapseCost >= 0) || double.IsInfinity(options.SynapseCost))
            throw new ArgumentOutOfRangeException(nameof(options), options.SynapseCost, "synapse cost must be a finite number >= 0");
        if (!(options.MaxImbalance >= 0) || double.IsInfinity(options.MaxImbalance))
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxImbalance, "max imbalance must be a finite number >= 0");
        bool equal = capacities.All(c => c == capacities[0]);
        var fractions = Normalise(capacities);
        int[][][] owned = strategy switch
        {
            PartitionStrategy.Contiguous => FromLayout(Contiguous(spec, fractions, equal), spec),
            PartitionStrategy.RoundRobin => RoundRobin(spec, fractions, equal),
            PartitionStrategy.Graph => FromLayout(
                GraphPartitioner.Partition(new Connectivity(spec, options.SynapseCost), fractions, options.MaxImbalance,
                    Contiguous(spec, fractions, equal)), spec),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown strategy"),
        };
        return (capacities, owned);
    }

    private static double[] CheckCapacities(IReadOnlyList<double>? capacities, int parts)
    {
        if (capacities is null) return Enumerable.Repeat(1.0, parts).ToArray();
        if (capacities.Count != parts)
            throw new ArgumentException($"{capacities.Count} capacities given for {parts} partitions; give one per partition", nameof(capacities));
        for (int q = 0; q < parts; q++)
            if (!(capacities[q] > 0) || double.IsInfinity(capacities[q]))
                throw new ArgumentException($"capacity {q} must be a finite number > 0, got {capacities[q]}", nameof(capacities));
        return capacities.ToArray();
    }

    private static double[] Normalise(double[] capacities)
    {
        double sum = capacities.Sum();
        return capacities.Select(c => c / sum).ToArray();
    }

    /// <summary>
    /// Population p split at size × (cumulative capacity share). With equal capacities the cut points are
    /// size × q / parts in integer arithmetic, the blocks the engine has always used.
    /// </summary>
    internal static RangeLayout Contiguous(NetworkSpec spec, double[] fractions, bool equal)
    {
        int parts = fractions.Length;
        var cumulative = new double[parts + 1];
        for (int q = 0; q < parts; q++) cumulative[q + 1] = cumulative[q] + fractions[q];
        var cuts = new int[spec.Populations.Count][];
        for (int p = 0; p < cuts.Length; p++)
        {
            int size = spec.Populations[p].Size;
            var c = cuts[p] = new int[parts + 1];
            for (int q = 1; q < parts; q++)
                c[q] = equal
                    ? (int)((long)size * q / parts)
                    : Math.Clamp((int)Math.Floor(size * cumulative[q] + 1e-9), c[q - 1], size);
            c[parts] = size;
        }
        return new RangeLayout(cuts);
    }

    private static int[][][] FromLayout(RangeLayout layout, NetworkSpec spec)
    {
        int parts = layout.Parts, pops = spec.Populations.Count;
        var owned = new int[parts][][];
        for (int q = 0; q < parts; q++)
        {
            owned[q] = new int[pops][];
            for (int p = 0; p < pops; p++)
            {
                int lo = layout.Cuts[p][q], hi = layout.Cuts[p][q + 1];
                var a = owned[q][p] = new int[hi - lo];
                for (int i = 0; i < a.Length; i++) a[i] = lo + i;
            }
        }
        return owned;
    }

    /// <summary>
    /// Global id g to partition g mod parts. With unequal capacities the ids are dealt by smooth weighted round
    /// robin: each partition's credit grows by its share per id, the id goes to the largest credit (ties to the
    /// lowest partition), whose credit then drops by 1. Every prefix of ids is then split in proportion to the
    /// capacities to within about one neuron per partition, so neighbouring ids still land on different partitions.
    /// </summary>
    private static int[][][] RoundRobin(NetworkSpec spec, double[] fractions, bool equal)
    {
        int parts = fractions.Length, pops = spec.Populations.Count;
        var first = spec.FirstGids();
        var lists = new List<int>[parts][];
        for (int q = 0; q < parts; q++) lists[q] = Enumerable.Range(0, pops).Select(_ => new List<int>()).ToArray();
        var credit = new double[parts];
        for (int p = 0; p < pops; p++)
        {
            int size = spec.Populations[p].Size;
            for (int i = 0; i < size; i++)
            {
                int target;
                if (equal)
                {
                    target = (int)((first[p] + i) % parts);
                }
                else
                {
                    target = 0;
                    for (int q = 0; q < parts; q++)
                    {
                        credit[q] += fractions[q];
                        if (credit[q] > credit[target]) target = q;
                    }
                    credit[target] -= 1;
                }
                lists[target][p].Add(i);
            }
        }
        return lists.Select(l => l.Select(x => x.ToArray()).ToArray()).ToArray();
    }
}

/// <summary>The names strategies have on the command line and in reports.</summary>
public static class PartitionStrategyNames
{
    /// <summary>Every name, in <see cref="PartitionStrategy"/> order.</summary>
    public static IReadOnlyList<string> All { get; } = ["contiguous", "round_robin", "graph"];

    /// <summary>The name of <paramref name="strategy"/>, e.g. <c>round_robin</c>.</summary>
    public static string Name(this PartitionStrategy strategy) => strategy switch
    {
        PartitionStrategy.Contiguous => "contiguous",
        PartitionStrategy.RoundRobin => "round_robin",
        PartitionStrategy.Graph => "graph",
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown strategy"),
    };

    /// <summary>Parses a strategy name (exact, lower case).</summary>
    public static bool TryParse(string? name, out PartitionStrategy strategy)
    {
        int i = name is null ? -1 : All.ToList().IndexOf(name);
        strategy = i < 0 ? PartitionStrategy.Contiguous : (PartitionStrategy)i;
        return i >= 0;
    }
}
