using DistSnn.Model;

namespace DistSnn.Partitioner;

/// <summary>
/// The expected synapses of one projection as a density over (source index i, target index j) pairs, derived from
/// the connector alone. Every connector but <c>from_list</c> is uniform within a projection: a pair off the
/// "diagonal" carries <see cref="Off"/> expected synapses and a diagonal pair (i, i) carries <see cref="Diag"/>.
/// The diagonal only means something where <see cref="HasDiag"/> holds: when source and target are the same
/// population (self-connections) and for <c>one_to_one</c>. Listed synapses are kept as explicit (pre, post) pairs.
/// </summary>
internal sealed class ProjectionDensity
{
    public required int Source { get; init; }
    public required int Target { get; init; }
    public required int SourceSize { get; init; }
    public required int TargetSize { get; init; }
    /// <summary>Expected synapses per (i, j) pair with i != j, or per any pair when the diagonal is not special.</summary>
    public required double Off { get; init; }
    /// <summary>Expected synapses per diagonal pair (i, i); equals <see cref="Off"/> when the diagonal is not special.</summary>
    public required double Diag { get; init; }
    /// <summary>Whether diagonal pairs differ from the rest (same population or one_to_one).</summary>
    public required bool HasDiag { get; init; }
    /// <summary>Explicit source indices of a from_list projection (self-connections already removed), else null.</summary>
    public int[]? ListedPre { get; init; }
    /// <summary>Explicit target indices, parallel to <see cref="ListedPre"/>.</summary>
    public int[]? ListedPost { get; init; }
    /// <summary>Bytes one synapse of this projection takes in the engine's synapse store.</summary>
    public required double BytesPerSynapse { get; init; }

    /// <summary>Number of diagonal pairs (i, i) with i valid in both populations.</summary>
    public int DiagLength => Math.Min(SourceSize, TargetSize);

    /// <summary>Whether the diagonal needs separate counting (its density differs from the off-diagonal one).</summary>
    public bool DiagMatters => HasDiag && Diag != Off;

    /// <summary>Expected total number of synapses.</summary>
    public double Total => ListedPre is { } l
        ? l.Length
        : Off * ((double)SourceSize * TargetSize - (HasDiag ? DiagLength : 0)) + (HasDiag ? Diag * DiagLength : 0);

    /// <summary>Expected in-degree of every target neuron (uniform connectors only; 0 for listed ones).</summary>
    public double UniformInDegree => ListedPre is not null || TargetSize == 0 ? 0 : Total / TargetSize;
}

/// <summary>
/// What the partitioner knows about a network, computed analytically from the specification without generating
/// a single synapse: per projection its pair density, and per neuron its expected in-degree and load.
/// <para>
/// The load of a neuron is <c>1 + SynapseCost × expected incoming synapses</c>: one unit for its state update plus
/// a share for the synapses it owns (synapses live with their target). Spike sources have no incoming synapses.
/// </para>
/// </summary>
internal sealed class Connectivity
{
    private readonly double[] _uniformInDegree;
    private readonly long[]?[] _listedPrefix;

    public Connectivity(NetworkSpec spec, double synapseCost)
    {
        Spec = spec;
        SynapseCost = synapseCost;
        int pops = spec.Populations.Count;
        Sizes = spec.Populations.Select(p => p.Size).ToArray();
        var projections = new ProjectionDensity[spec.Projections.Count];
        _uniformInDegree = new double[pops];
        var listedCounts = new long[pops][];
        for (int k = 0; k < projections.Length; k++)
        {
            var d = Density(spec, k);
            projections[k] = d;
            if (d.ListedPost is { } posts)
            {
                var counts = listedCounts[d.Target] ??= new long[d.TargetSize];
                foreach (int j in posts) counts[j]++;
            }
            else
            {
                _uniformInDegree[d.Target] += d.UniformInDegree;
            }
        }
        Projections = projections;
        // Prefix sums make the load of any index range O(1), which the graph strategy needs to slice populations.
        _listedPrefix = new long[]?[pops];
        for (int p = 0; p < pops; p++)
        {
            if (listedCounts[p] is not { } counts) continue;
            var prefix = new long[counts.Length + 1];
            for (int i = 0; i < counts.Length; i++) prefix[i + 1] = prefix[i] + counts[i];
            _listedPrefix[p] = prefix;
        }
        PopulationLoads = Enumerable.Range(0, pops).Select(p => RangeLoad(p, 0, Sizes[p])).ToArray();
        TotalLoad = PopulationLoads.Sum();
    }

    public NetworkSpec Spec { get; }
    public double SynapseCost { get; }
    public int[] Sizes { get; }
    public IReadOnlyList<ProjectionDensity> Projections { get; }
    public double[] PopulationLoads { get; }
    public double TotalLoad { get; }

    /// <summary>Expected incoming synapses of neuron <paramref name="index"/> of population <paramref name="pop"/>.</summary>
    public double InDegree(int pop, int index) =>
        _uniformInDegree[pop] + (_listedPrefix[pop] is { } pre ? pre[index + 1] - pre[index] : 0);

    /// <summary>Load of one neuron.</summary>
    public double NeuronLoad(int pop, int index) => 1 + SynapseCost * InDegree(pop, index);

    /// <summary>Total load of the neurons [lo, hi) of a population.</summary>
    public double RangeLoad(int pop, int lo, int hi)
    {
        if (hi <= lo) return 0;
        double n = hi - lo;
        double listed = _listedPrefix[pop] is { } pre ? pre[hi] - pre[lo] : 0;
        return n * (1 + SynapseCost * _uniformInDegree[pop]) + SynapseCost * listed;
    }

    /// <summary>The number of leading neurons of a population whose load is at most <paramref name="load"/>.</summary>
    public int CountWithin(int pop, double load)
    {
        int lo = 0, hi = Sizes[pop];
        while (lo < hi)
        {
            int mid = lo + (hi - lo + 1) / 2;
            if (RangeLoad(pop, 0, mid) <= load) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    private static ProjectionDensity Density(NetworkSpec spec, int k)
    {
        var proj = spec.Projections[k];
        int s = spec.PopulationIndex(proj.Source), t = spec.PopulationIndex(proj.Target);
        if (s < 0 || t < 0) throw new ArgumentException($"projections[{k}]: unknown population");
        int ns = spec.Populations[s].Size, nt = spec.Populations[t].Size;
        bool same = s == t;
        // The engine only honours allow_self_connections = false within one population.
        bool noSelf = same && !proj.Connector.AllowSelfConnections;
        double bytes = 4 + (proj.Weight is ConstantValue ? 0 : 4) + (proj.Delay is ConstantValue ? 0 : 2);

        ProjectionDensity Uniform(double perPair, bool? diagonal = null) => new()
        {
            Source = s, Target = t, SourceSize = ns, TargetSize = nt, Off = perPair,
            Diag = noSelf ? 0 : perPair, HasDiag = diagonal ?? same, BytesPerSynapse = bytes,
        };
        // Per-pair probability when every target (or source) draws n partners from `range` candidates, itself
        // excluded when self-connections are off.
        static double Share(double n, int range, bool noSelf) => range - (noSelf ? 1 : 0) is var m and > 0 ? n / m : 0;

        switch (proj.Connector)
        {
            case AllToAll:
                return Uniform(1);
            case OneToOne:
                return new ProjectionDensity
                {
                    Source = s, Target = t, SourceSize = ns, TargetSize = nt, Off = 0, Diag = noSelf ? 0 : 1,
                    HasDiag = true, BytesPerSynapse = bytes,
                };
            case FixedProbability fp:
                return Uniform(Math.Clamp(fp.P, 0, 1));
            case FixedNumberPre fn:
                return Uniform(Share(fn.N, ns, noSelf));
            case FixedNumberPost fn:
                // Source i picks n of the nt targets, so target j receives from each source with probability n / nt.
                return Uniform(Share(fn.N, nt, noSelf));
            case Conv cv:
                // Each target draws from C·K² of the ns sources (fewer at the borders).
                return Uniform(ns == 0 ? 0 : Math.Min(1.0, (double)cv.Channels * cv.Kernel * cv.Kernel / ns));
            case FixedTotalNumber ft:
            {
                // Endpoints are uniform over all allowed (pre, post) pairs (self pairs are redrawn).
                double pairs = (double)ns * nt - (noSelf ? ns : 0);
                return Uniform(pairs > 0 ? ft.N / pairs : 0);
            }
            case FromList fl:
            {
                var pre = new List<int>(fl.Synapses.Count);
                var post = new List<int>(fl.Synapses.Count);
                foreach (var syn in fl.Synapses)
                {
                    if (syn.Pre < 0 || syn.Pre >= ns || syn.Post < 0 || syn.Post >= nt)
                        throw new ArgumentException($"projections[{k}].connector.synapses: index out of range");
                    if (noSelf && syn.Pre == syn.Post) continue;
                    pre.Add(syn.Pre);
                    post.Add(syn.Post);
                }
                bool listedWeights = fl.Synapses.Any(x => x.Weight is not null);
                bool listedDelays = fl.Synapses.Any(x => x.Delay is not null);
                double listedBytes = 4 + (proj.Weight is ConstantValue && !listedWeights ? 0 : 4) +
                                     (proj.Delay is ConstantValue && !listedDelays ? 0 : 2);
                return new ProjectionDensity
                {
                    Source = s, Target = t, SourceSize = ns, TargetSize = nt, Off = 0, Diag = 0, HasDiag = false,
                    ListedPre = pre.ToArray(), ListedPost = post.ToArray(), BytesPerSynapse = listedBytes,
                };
            }
            default:
                throw new ArgumentException($"projections[{k}].connector: unsupported {proj.Connector.Type}");
        }
    }
}
