using DistSnn.Model;

namespace DistSnn.Partitioner;

/// <summary>
/// Expected synapse counts between blocks of neurons, from the connectors alone (no synapse is generated): what a
/// mapper needs to size synaptic matrices and decide which blocks talk to which. Exact for <c>from_list</c>,
/// <c>all_to_all</c> and <c>one_to_one</c>; expectations for the random connectors.
/// </summary>
public static class ExpectedSynapses
{
    /// <summary>
    /// Expected synapses of projection <paramref name="projection"/> from each block of its source population to each
    /// block of its target: block i of a population is the indices [cuts[i], cuts[i + 1]); the result is
    /// [source block, target block].
    /// </summary>
    public static double[,] Between(NetworkSpec spec, int projection, IReadOnlyList<int> sourceCuts, IReadOnlyList<int> targetCuts)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(sourceCuts);
        ArgumentNullException.ThrowIfNull(targetCuts);
        var d = new Connectivity(spec, 0).Projections[projection];
        int ns = sourceCuts.Count - 1, nt = targetCuts.Count - 1;
        if (ns < 1 || nt < 1 || sourceCuts[^1] != d.SourceSize || targetCuts[^1] != d.TargetSize)
            throw new ArgumentException($"projections[{projection}]: the cuts must end at the population sizes {d.SourceSize} and {d.TargetSize}");
        var result = new double[ns, nt];
        if (d.ListedPre is { } pre)
        {
            for (int k = 0; k < pre.Length; k++) result[Block(sourceCuts, pre[k]), Block(targetCuts, d.ListedPost![k])]++;
            return result;
        }
        for (int i = 0; i < ns; i++)
            for (int j = 0; j < nt; j++)
            {
                int a0 = sourceCuts[i], a1 = sourceCuts[i + 1], b0 = targetCuts[j], b1 = targetCuts[j + 1];
                double pairs = (double)(a1 - a0) * (b1 - b0);
                double diagonal = d.HasDiag ? Math.Max(0, Math.Min(a1, b1) - Math.Max(a0, b0)) : 0;
                result[i, j] = d.Off * (pairs - diagonal) + d.Diag * diagonal;
            }
        return result;
    }

    private static int Block(IReadOnlyList<int> cuts, int index)
    {
        int lo = 0, hi = cuts.Count - 2;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (cuts[mid] <= index) lo = mid; else hi = mid - 1;
        }
        return lo;
    }
}
