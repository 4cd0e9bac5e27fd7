using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Nodes.Exchange;

/// <summary>One out-neighbour of a partition: it gets the spikes of the sources whose bit is set in <see cref="Filter"/>.</summary>
/// <param name="Target">The receiving partition.</param>
/// <param name="Filter">A bit set over global neuron ids (bit g set when <see cref="Target"/> has a synapse from g).</param>
public sealed record SpikeRoute(int Target, ulong[] Filter)
{
    /// <summary>Whether the route carries the spikes of <paramref name="gid"/>.</summary>
    public bool Carries(long gid) => Carries(Filter, gid);

    /// <summary>Whether bit <paramref name="gid"/> of <paramref name="filter"/> is set.</summary>
    public static bool Carries(ulong[] filter, long gid) => (filter[gid >> 6] & (1UL << (int)(gid & 63))) != 0;

    /// <summary>The spikes of <paramref name="spikes"/> whose source bit is set in <paramref name="filter"/>, as new arrays, in their order.</summary>
    public static (long[] Stamps, long[] Gids) Select(ulong[] filter, SpikeBatch spikes)
    {
        ArgumentNullException.ThrowIfNull(filter);
        int n = 0;
        for (int i = 0; i < spikes.Count; i++)
            if (Carries(filter, spikes.Gids[i])) n++;
        var stamps = new long[n];
        var gids = new long[n];
        int at = 0;
        for (int i = 0; i < spikes.Count; i++)
        {
            long g = spikes.Gids[i];
            if (!Carries(filter, g)) continue;
            stamps[at] = spikes.Stamps[i];
            gids[at++] = g;
        }
        return (stamps, gids);
    }
}

/// <summary>
/// Who sends to whom, made once all partitions are built (as SpiNNaker's multicast keys or NEST's target tables): a
/// source partition sends to every partition that has a synapse from one of its neurons, itself included, and only
/// the spikes of those neurons. Every runtime routes with it.
/// </summary>
public sealed class RoutingTable
{
    private readonly SpikeRoute[][] _out;
    private readonly int[][] _in;

    private RoutingTable(SpikeRoute[][] outRoutes, int[][] inSources)
    {
        _out = outRoutes;
        _in = inSources;
    }

    /// <summary>Number of partitions.</summary>
    public int Parts => _out.Length;

    /// <summary>The out-neighbours of <paramref name="source"/>, by ascending target.</summary>
    public IReadOnlyList<SpikeRoute> Routes(int source) => _out[source];

    /// <summary>The in-neighbours of <paramref name="target"/>, ascending.</summary>
    public IReadOnlyList<int> Sources(int target) => _in[target];

    /// <summary>
    /// The table for partitions that own the neurons <paramref name="owned"/>[q] (bit sets over global ids, see
    /// <see cref="OwnedBits"/>) and receive from <paramref name="receivesFrom"/>[q] (see <see cref="ReceivesFromBits"/>).
    /// </summary>
    public static RoutingTable Build(IReadOnlyList<ulong[]> owned, IReadOnlyList<ulong[]> receivesFrom)
    {
        ArgumentNullException.ThrowIfNull(owned);
        ArgumentNullException.ThrowIfNull(receivesFrom);
        if (owned.Count != receivesFrom.Count) throw new ArgumentException($"{owned.Count} owned sets for {receivesFrom.Count} partitions");
        int n = owned.Count;
        var outRoutes = Enumerable.Range(0, n).Select(_ => new List<SpikeRoute>()).ToArray();
        var inSources = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        for (int target = 0; target < n; target++)
            for (int source = 0; source < n; source++)
            {
                if (!Intersects(receivesFrom[target], owned[source])) continue;
                outRoutes[source].Add(new SpikeRoute(target, receivesFrom[target]));
                inSources[target].Add(source);
            }
        return new RoutingTable(outRoutes.Select(r => r.ToArray()).ToArray(), inSources.Select(s => s.ToArray()).ToArray());
    }

    /// <summary>
    /// The table of the partitions <paramref name="backends"/> of <paramref name="spec"/>, partition q owning
    /// <paramref name="owned"/>[q] (population-local indices per population).
    /// </summary>
    public static RoutingTable Of(NetworkSpec spec, IReadOnlyList<IReadOnlyList<int[]>> owned, IReadOnlyList<IPartitionBackend> backends)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(owned);
        ArgumentNullException.ThrowIfNull(backends);
        if (backends.Select(b => b.Partition).Order().SequenceEqual(Enumerable.Range(0, owned.Count)) is false)
            throw new ArgumentException($"the backends must be partitions 0 to {owned.Count - 1}, one each", nameof(backends));
        var receives = new ulong[owned.Count][];
        foreach (var b in backends) receives[b.Partition] = ReceivesFromBits(b, spec.TotalNeurons);
        return Build(owned.Select(o => OwnedBits(spec, o)).ToArray(), receives);
    }

    /// <summary>The bit set over global ids of the neurons of <paramref name="owned"/> (population-local indices per population).</summary>
    public static ulong[] OwnedBits(NetworkSpec spec, IReadOnlyList<int[]> owned)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(owned);
        var first = spec.FirstGids();
        var bits = new ulong[(spec.TotalNeurons + 63) / 64];
        for (int p = 0; p < owned.Count; p++)
            foreach (var i in owned[p])
            {
                long g = first[p] + i;
                bits[g >> 6] |= 1UL << (int)(g & 63);
            }
        return bits;
    }

    /// <summary>The bit set over the <paramref name="neurons"/> global ids of the sources <paramref name="backend"/> has synapses from.</summary>
    public static ulong[] ReceivesFromBits(IPartitionBackend backend, long neurons)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var bits = new ulong[(neurons + 63) / 64];
        for (long g = 0; g < neurons; g++)
            if (backend.ReceivesFrom(g)) bits[g >> 6] |= 1UL << (int)(g & 63);
        return bits;
    }

    private static bool Intersects(ulong[] a, ulong[] b)
    {
        for (int i = 0; i < a.Length; i++)
            if ((a[i] & b[i]) != 0) return true;
        return false;
    }
}
