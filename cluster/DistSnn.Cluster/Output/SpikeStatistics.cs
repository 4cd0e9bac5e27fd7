namespace DistSnn.Cluster.Output;

/// <param name="RateHz">Mean firing rate per neuron; 0 for a population without neurons.</param>
/// <param name="CvIsi">
/// Mean over neurons with at least two inter-spike intervals of std(ISI)/mean(ISI), using the
/// population standard deviation; NaN when no neuron qualifies.
/// </param>
/// <param name="NeuronsWithIsi">How many neurons entered <paramref name="CvIsi"/>.</param>
public sealed record PopulationStatistics(
    string Name,
    int Size,
    long Spikes,
    double RateHz,
    double CvIsi,
    int NeuronsWithIsi);

public static class SpikeStatistics
{
    public static PopulationStatistics Compute(PopulationSpikes pop, double durationMs, double dtMs)
    {
        ArgumentNullException.ThrowIfNull(pop);
        OutputChecks.Dt(dtMs);
        if (!(durationMs > 0) || double.IsInfinity(durationMs))
        {
            throw new ArgumentOutOfRangeException(nameof(durationMs), durationMs, "Duration must be a positive, finite number of milliseconds.");
        }
        pop.Validate();

        double rateHz = pop.Size == 0 ? 0.0 : pop.Count / (double)pop.Size / (durationMs / 1000.0);

        // One streaming pass with per-neuron running ISI moments (Welford), indexed by local id, so
        // no per-neuron lists are needed even though spikes arrive in time order. ISIs are kept in
        // whole steps: they are exact integers there, and CV is scale-free, so dt cancels out.
        var spikeCount = new int[pop.Size];
        var lastStep = new long[pop.Size];
        var meanIsi = new double[pop.Size];
        var m2Isi = new double[pop.Size];

        var steps = pop.Steps;
        var ids = pop.LocalIds;
        for (int i = 0; i < steps.Length; i++)
        {
            int n = ids[i];
            int seen = spikeCount[n]++;
            if (seen > 0)
            {
                double isi = steps[i] - lastStep[n];
                double delta = isi - meanIsi[n];
                meanIsi[n] += delta / seen;
                m2Isi[n] += delta * (isi - meanIsi[n]);
            }
            lastStep[n] = steps[i];
        }

        double cvSum = 0;
        int qualifying = 0;
        for (int n = 0; n < pop.Size; n++)
        {
            int intervals = spikeCount[n] - 1;
            if (intervals >= 2)
            {
                cvSum += Math.Sqrt(m2Isi[n] / intervals) / meanIsi[n];
                qualifying++;
            }
        }

        double cv = qualifying > 0 ? cvSum / qualifying : double.NaN;
        return new PopulationStatistics(pop.Name, pop.Size, pop.Count, rateHz, cv, qualifying);
    }
}
