namespace DistSnn.Partitioner;

/// <summary>
/// Expected synapses and spike traffic between partitions, from the projections' pair densities and a layout.
/// For a uniform projection the expected number of synapses from a set A of sources to a set B of targets is
/// <c>Off × (|A||B| − C) + Diag × C</c>, where C counts the diagonal pairs (i, i) with i in A and in B; listed
/// synapses are counted one by one. Nothing here generates synapses.
/// </summary>
internal static class Traffic
{
    /// <summary>
    /// Expected synapses whose source and target are on different partitions. Cheaper than
    /// <see cref="Matrix"/>: per uniform projection only the same-partition terms are summed, O(partitions).
    /// </summary>
    public static double Cut(Connectivity c, Layout layout)
    {
        double cut = 0;
        foreach (var d in c.Projections)
        {
            if (d.ListedPre is { } pre)
            {
                var post = d.ListedPost!;
                long crossing = 0;
                for (int k = 0; k < pre.Length; k++)
                    if (layout.PartOf(d.Source, pre[k]) != layout.PartOf(d.Target, post[k])) crossing++;
                cut += crossing;
                continue;
            }
            if (d.Off != 0)
            {
                double local = 0;
                for (int q = 0; q < layout.Parts; q++)
                    local += (double)layout.Count(d.Source, q) * layout.Count(d.Target, q);
                cut += d.Off * ((double)d.SourceSize * d.TargetSize - local);
            }
            if (d.DiagMatters)
                cut += (d.Diag - d.Off) * (d.DiagLength - layout.Aligned(d.Source, d.Target, d.DiagLength));
        }
        return cut;
    }

    /// <summary>Expected synapses from partition a (source side) to partition b (target side), per projection summed.</summary>
    public static double[,] Matrix(Connectivity c, Layout layout, out double[] bytesInto)
    {
        int k = layout.Parts;
        var m = new double[k, k];
        bytesInto = new double[k];
        var one = new double[k, k];
        foreach (var d in c.Projections)
        {
            Array.Clear(one);
            if (d.ListedPre is { } pre)
            {
                var post = d.ListedPost!;
                for (int s = 0; s < pre.Length; s++) one[layout.PartOf(d.Source, pre[s]), layout.PartOf(d.Target, post[s])]++;
            }
            else
            {
                if (d.Off != 0)
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++)
                            one[a, b] = d.Off * layout.Count(d.Source, a) * layout.Count(d.Target, b);
                if (d.DiagMatters)
                {
                    var diag = new double[k, k];
                    layout.Coincide(d.Source, d.Target, d.DiagLength, diag);
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++)
                            one[a, b] += (d.Diag - d.Off) * diag[a, b];
                }
            }
            for (int a = 0; a < k; a++)
                for (int b = 0; b < k; b++)
                {
                    m[a, b] += one[a, b];
                    bytesInto[b] += one[a, b] * d.BytesPerSynapse;
                }
        }
        return m;
    }

    /// <summary>
    /// Expected number of (source neuron, other partition) pairs such that the neuron has at least one synapse on
    /// that partition, weighted by the neuron's spikes per epoch: the spikes partition a must send to partition b
    /// each epoch when a spike goes only where it has targets (result[a, b], zero diagonal). Unweighted, the same
    /// pairs give <paramref name="senders"/>[a, b]: the expected number of neurons on a that send to b.
    /// <para>
    /// For uniform projections a source reaches a partition holding m of its targets unless every one of the m
    /// pairs is empty: probability ∏ (1 − Off)^m over the projections leaving its population (independent pairs;
    /// exact for fixed_probability, a close approximation for the fixed-number connectors). Links that are known
    /// per neuron (listed synapses, one_to_one between different populations) are counted exactly.
    /// </para>
    /// </summary>
    public static double[,] SpikesPerEpoch(Connectivity c, Layout layout, double[] spikesPerNeuronPerEpoch, out double[,] senders)
    {
        int k = layout.Parts, pops = c.Sizes.Length;
        var result = new double[k, k];
        senders = new double[k, k];
        for (int s = 0; s < pops; s++)
        {
            // log P(no synapse onto b) for one neuron of s, from the uniform projections leaving s.
            var logNone = new double[k];
            var exact = new HashSet<long>();
            bool any = false;
            foreach (var d in c.Projections)
            {
                if (d.Source != s) continue;
                any = true;
                if (d.ListedPre is { } pre)
                {
                    var post = d.ListedPost!;
                    for (int x = 0; x < pre.Length; x++) exact.Add((long)pre[x] * k + layout.PartOf(d.Target, post[x]));
                    continue;
                }
                if (d.Off > 0)
                    for (int b = 0; b < k; b++)
                    {
                        int m = layout.Count(d.Target, b);
                        if (m > 0) logNone[b] += d.Off >= 1 ? double.NegativeInfinity : m * double.LogP1(-d.Off);
                    }
                // Within one population the diagonal pair (i, i) never crosses partitions; across populations
                // (one_to_one) neuron i is linked to the partition of target i.
                if (d.DiagMatters && d.Source != d.Target && d.Diag > 0)
                    for (int i = 0; i < d.DiagLength; i++) exact.Add((long)i * k + layout.PartOf(d.Target, i));
            }
            if (!any) continue;
            var exactCount = new double[k, k];
            foreach (long key in exact)
            {
                int i = (int)(key / k), b = (int)(key % k);
                exactCount[layout.PartOf(s, i), b]++;
            }
            double spikes = spikesPerNeuronPerEpoch[s];
            for (int a = 0; a < k; a++)
            {
                int n = layout.Count(s, a);
                for (int b = 0; b < k; b++)
                {
                    if (a == b) continue;
                    double reach = exactCount[a, b] + (n - exactCount[a, b]) * (1 - Math.Exp(logNone[b]));
                    result[a, b] += reach * spikes;
                    senders[a, b] += reach;
                }
            }
        }
        return result;
    }

    /// <summary>Largest relative excess of a partition's load over its capacity share: max_q load_q / target_q − 1.</summary>
    public static double Imbalance(double[] loads, double[] fractions)
    {
        double total = loads.Sum();
        if (total <= 0) return 0;
        double worst = double.NegativeInfinity;
        for (int q = 0; q < loads.Length; q++) worst = Math.Max(worst, loads[q] / (fractions[q] * total) - 1);
        return worst;
    }
}
