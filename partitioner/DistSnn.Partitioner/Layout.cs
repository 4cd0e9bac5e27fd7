namespace DistSnn.Partitioner;

/// <summary>
/// Where the neurons of each population are, in the form the traffic estimates need: how many neurons of a
/// population a partition holds, which partition holds a given neuron, and how index-aligned pairs (i of one
/// population, i of another) fall across partitions.
/// </summary>
internal abstract class Layout
{
    protected Layout(int parts) => Parts = parts;

    public int Parts { get; }

    /// <summary>Neurons of population <paramref name="pop"/> on partition <paramref name="part"/>.</summary>
    public abstract int Count(int pop, int part);

    /// <summary>The partition holding neuron <paramref name="index"/> of population <paramref name="pop"/>.</summary>
    public abstract int PartOf(int pop, int index);

    /// <summary>
    /// Adds to <paramref name="into"/>[a, b] the number of indices i &lt; <paramref name="limit"/> whose neuron of
    /// population <paramref name="s"/> is on partition a and whose neuron of population <paramref name="t"/> is on b.
    /// </summary>
    public abstract void Coincide(int s, int t, int limit, double[,] into);

    /// <summary>The trace of <see cref="Coincide"/>: indices below the limit whose two neurons share a partition.</summary>
    public abstract long Aligned(int s, int t, int limit);

    /// <summary>Load of every partition.</summary>
    public abstract double[] Loads(Connectivity c);
}

/// <summary>
/// Each partition holds one contiguous index range per population, in partition order: partition q owns
/// [Cuts[p][q], Cuts[p][q + 1]) of population p. The contiguous and graph strategies produce this shape, which
/// lets every estimate run in time proportional to populations × partitions rather than to neurons.
/// </summary>
internal sealed class RangeLayout : Layout
{
    public RangeLayout(int[][] cuts) : base(cuts[0].Length - 1) => Cuts = cuts;

    public int[][] Cuts { get; }

    public override int Count(int pop, int part) => Cuts[pop][part + 1] - Cuts[pop][part];

    public override int PartOf(int pop, int index)
    {
        // The last q with Cuts[q] <= index; empty ranges share a cut, so search for the upper bound.
        var c = Cuts[pop];
        int lo = 0, hi = Parts - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (c[mid] <= index) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    public override void Coincide(int s, int t, int limit, double[,] into)
    {
        // Merge the two sorted cut lists; each step covers one maximal run of indices with a fixed (a, b).
        var cs = Cuts[s];
        var ct = Cuts[t];
        int a = 0, b = 0, at = 0;
        while (at < limit)
        {
            while (a < Parts - 1 && cs[a + 1] <= at) a++;
            while (b < Parts - 1 && ct[b + 1] <= at) b++;
            int end = Math.Min(limit, Math.Min(cs[a + 1], ct[b + 1]));
            if (end <= at) break;
            into[a, b] += end - at;
            at = end;
        }
    }

    public override long Aligned(int s, int t, int limit)
    {
        long n = 0;
        for (int q = 0; q < Parts; q++)
        {
            int lo = Math.Max(Cuts[s][q], Cuts[t][q]);
            int hi = Math.Min(limit, Math.Min(Cuts[s][q + 1], Cuts[t][q + 1]));
            if (hi > lo) n += hi - lo;
        }
        return n;
    }

    public override double[] Loads(Connectivity c)
    {
        var loads = new double[Parts];
        for (int p = 0; p < Cuts.Length; p++)
            for (int q = 0; q < Parts; q++)
                loads[q] += c.RangeLoad(p, Cuts[p][q], Cuts[p][q + 1]);
        return loads;
    }
}

/// <summary>Any plan, held as the partition of every neuron (one int per neuron).</summary>
internal sealed class ExplicitLayout : Layout
{
    private readonly int[][] _partOf;
    private readonly int[][] _counts;

    public ExplicitLayout(PartitionPlan plan, IReadOnlyList<int> sizes) : base(plan.Parts)
    {
        _partOf = sizes.Select(n => new int[n]).ToArray();
        _counts = sizes.Select(_ => new int[plan.Parts]).ToArray();
        for (int q = 0; q < plan.Parts; q++)
        {
            var owned = plan.Owned(q);
            for (int p = 0; p < sizes.Count; p++)
            {
                if (owned[p].Length > 0 && (owned[p][0] < 0 || owned[p][^1] >= sizes[p]))
                    throw new ArgumentException($"the plan places neurons outside population {p} of this network", nameof(plan));
                foreach (int i in owned[p]) _partOf[p][i] = q;
                _counts[p][q] = owned[p].Length;
            }
        }
    }

    public override int Count(int pop, int part) => _counts[pop][part];

    public override int PartOf(int pop, int index) => _partOf[pop][index];

    public override void Coincide(int s, int t, int limit, double[,] into)
    {
        var a = _partOf[s];
        var b = _partOf[t];
        for (int i = 0; i < limit; i++) into[a[i], b[i]]++;
    }

    public override long Aligned(int s, int t, int limit)
    {
        var a = _partOf[s];
        var b = _partOf[t];
        long n = 0;
        for (int i = 0; i < limit; i++) if (a[i] == b[i]) n++;
        return n;
    }

    public override double[] Loads(Connectivity c)
    {
        var loads = new double[Parts];
        for (int p = 0; p < _partOf.Length; p++)
        {
            var part = _partOf[p];
            for (int i = 0; i < part.Length; i++) loads[part[i]] += c.NeuronLoad(p, i);
        }
        return loads;
    }
}
