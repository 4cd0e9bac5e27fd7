using DistSnn.Model;
using DistSnn.Nodes.Random;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// The Poisson sampler's distribution, the poisson_input driver (events land in the slot of the current step, with
/// the right count and weight), and poisson_generator sources.
/// </summary>
public class PoissonTests
{
    private const double Dt = 0.1;

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(20.0)]
    [InlineData(40.0)]  // last mean served by the inversion table
    [InlineData(40.5)]  // first mean served by PTRS
    [InlineData(100.0)]
    [InlineData(1000.0)]
    public void SamplerMatchesPoissonMomentsAndProbabilities(double lambda)
    {
        const int n = 200_000;
        var sampler = new PoissonSampler(lambda);
        Assert.Equal(lambda, sampler.Mean);
        ulong key = CounterRng.StreamKey(99, RngPurpose.PoissonInput, 3);
        var counts = new Dictionary<int, int>();
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++)
        {
            int k = sampler.Sample(key, (ulong)(i % 1000), (ulong)(i / 1000));
            Assert.True(k >= 0);
            counts[k] = counts.GetValueOrDefault(k) + 1;
            sum += k;
            sumSq += (double)k * k;
        }
        double mean = sum / n, variance = (sumSq - n * mean * mean) / (n - 1);
        double meanTol = 4 * Math.Sqrt(lambda / n);
        // Variance of the sample variance of a Poisson variable: (mu4 - sigma^4) / n = (lambda + 2 lambda^2) / n.
        double varTol = 4 * Math.Sqrt((lambda + 2 * lambda * lambda) / n);
        Assert.InRange(mean, lambda - meanTol, lambda + meanTol);
        Assert.InRange(variance, lambda - varTol, lambda + varTol);

        // Per-value frequencies, for every value with a reasonable expected count; 4.5 sigma because up to a
        // hundred or so values are checked at once.
        int checkedValues = 0;
        for (int k = 0; k < lambda * 3 + 20; k++)
        {
            double p = Math.Exp(-lambda + k * Math.Log(lambda) - LogFactorial(k));
            double expected = n * p;
            if (expected < 30) continue;
            double sd = Math.Sqrt(n * p * (1 - p));
            Assert.InRange(counts.GetValueOrDefault(k), expected - 4.5 * sd, expected + 4.5 * sd);
            checkedValues++;
        }
        Assert.True(checkedValues >= 2);
    }

    private static double LogFactorial(int k)
    {
        double r = 0;
        for (int i = 2; i <= k; i++) r += Math.Log(i);
        return r;
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    [InlineData(17.0)]
    [InlineData(40.0)]
    public void SmallMeansAreTheExactInversionOfTheUniform(double lambda)
    {
        // Whatever lookup structure speeds it up, a small-mean draw must be the first k with U < F(k), where U is
        // the 53-bit uniform of the same (key, id, counter) and F the Poisson distribution function.
        var cdf = new List<double>();
        double p = Math.Exp(-lambda), c = p;
        cdf.Add(c);
        for (int k = 1; k < 200; k++)
        {
            p *= lambda / k;
            c += p;
            cdf.Add(c);
        }
        var sampler = new PoissonSampler(lambda);
        ulong key = CounterRng.StreamKey(8, RngPurpose.PoissonInput, 1);
        for (int i = 0; i < 300_000; i++)
        {
            ulong id = (ulong)(i % 977), counter = (ulong)(i / 977);
            double u = CounterRng.Uniform(key, id, counter);
            int expected = 0;
            while (expected < cdf.Count && u >= cdf[expected]) expected++;
            // Only a uniform within round-off of a table entry could be classified differently.
            if (expected > 0 && u - cdf[expected - 1] < 1e-13 || expected < cdf.Count && cdf[expected] - u < 1e-13) continue;
            Assert.Equal(expected, sampler.Sample(key, id, counter));
        }
    }

    [Theory]
    [InlineData(2.0)]    // guide table (vector path where the machine has 512-bit vectors)
    [InlineData(0.05)]   // guide table, mostly zeros
    [InlineData(39.0)]   // guide table with many straddling buckets
    [InlineData(100.0)]  // PTRS: scalar only
    public void WeightedBatchAddsTheScalarDrawOfEveryNeuron(double lambda)
    {
        // Odd lengths and offsets exercise the vector body and the scalar tail; ids are not consecutive.
        var sampler = new PoissonSampler(lambda);
        ulong key = CounterRng.StreamKey(8, RngPurpose.PoissonInput, 3);
        foreach (int n in new[] { 1, 7, 8, 9, 23, 1001 })
        {
            var ids = Enumerable.Range(0, n).Select(i => 5L + 3L * i + (i % 4 == 0 ? 100_000 : 0)).ToArray();
            var weights = Enumerable.Range(0, n).Select(i => 0.25f + 0.01f * i).ToArray();
            for (ulong step = 0; step < 40; step++)
            {
                var got = Enumerable.Range(0, n + 2).Select(i => 1.5f * i).ToArray();
                var want = (float[])got.Clone();
                sampler.AddWeighted(key, ids, step, weights, got);
                for (int i = 0; i < n; i++)
                {
                    int k = sampler.Sample(key, (ulong)ids[i], step);
                    if (k != 0) want[i] += k * weights[i];
                }
                Assert.Equal(want, got);
            }
        }
        Assert.Throws<ArgumentException>(() => sampler.AddWeighted(key, new long[3], 0, new float[2], new float[3]));
    }

    [Fact]
    public void EightKeysAtOnceGiveTheBitsOfEachKey()
    {
        ulong key = CounterRng.StreamKey(99, RngPurpose.PoissonInput, 2);
        var ids = new ulong[] { 0, 1, 2, 12_345, ulong.MaxValue, 1UL << 40, 7, 77_777_777 };
        foreach (ulong counter in new ulong[] { 0, 1, 9_999, ulong.MaxValue })
        {
            var bits = CounterRng.Bits(key, System.Runtime.Intrinsics.Vector512.Create(ids), counter);
            for (int j = 0; j < ids.Length; j++) Assert.Equal(CounterRng.Bits(key, ids[j], counter), bits[j]);
        }
    }

    [Fact]
    public void ZeroMeanAlwaysGivesZero()
    {
        var sampler = new PoissonSampler(0);
        for (ulong i = 0; i < 1000; i++) Assert.Equal(0, sampler.Sample(5, i, i));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PoissonSampler(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PoissonSampler(double.PositiveInfinity));
    }

    [Theory]
    [InlineData(100, 50.0, 0.5, Receptor.Exc)]      // mean 0.5 per step
    [InlineData(1000, 20.0, 0.5, Receptor.Exc)]     // mean 2
    [InlineData(1000, 200.0, -0.25, Receptor.Inh)]  // mean 20
    [InlineData(10000, 100.0, 0.5, Receptor.Exc)]   // mean 100 (PTRS)
    public void PoissonInputDepositsTheDrawnCountIntoTheCurrentStep(int sources, double rate, double weight, Receptor receptor)
    {
        // With tau_m = 1 ns the membrane forgets everything within a step (P22 = 0 in float), so V at the end of
        // step u is exactly the input consumed by step u: count * weight. The threshold is out of reach.
        const int size = 50, steps = 400;
        const ulong seed = 21;
        var b = new NetworkBuilder("poisson").WithDt(Dt).WithDuration(steps * Dt).WithSeed(seed);
        b.Population("other", 3, new LifDelta()); // shifts gids: the draw is keyed by gid
        var n = b.Population("n", size, new LifDelta { TauM = 1e-6, EL = 0, VReset = 0, VTh = 1e9, TRef = 0 });
        b.PoissonInput(n, sources, rate, weight, receptor);
        b.RecordState(n, ["v"], Enumerable.Range(0, size).ToList());
        var engines = Sim.Run(b.Build());
        Assert.Equal(0f, (float)Kernels.Propagators.Decay(Dt, 1e-6));

        double lambda = sources * rate * Dt * 1e-3;
        var sampler = new PoissonSampler(lambda);
        ulong key = CounterRng.StreamKey(seed, RngPurpose.PoissonInput, 0);
        var counts = new List<double>();
        for (int i = 0; i < size; i++)
        {
            var v = Sim.Trace(engines, 0, "v", i);
            Assert.Equal(steps, v.Length);
            for (int u = 0; u < steps; u++)
            {
                int k = sampler.Sample(key, (ulong)(3 + i), (ulong)u);
                Assert.Equal((float)(k * (float)weight), v[u]);
                counts.Add(v[u] / weight);
            }
        }
        double mean = counts.Average(), variance = counts.Sum(c => (c - mean) * (c - mean)) / (counts.Count - 1);
        double meanTol = 4 * Math.Sqrt(lambda / counts.Count);
        double varTol = 4 * Math.Sqrt((lambda + 2 * lambda * lambda) / counts.Count);
        Assert.InRange(mean, lambda - meanTol, lambda + meanTol);
        Assert.InRange(variance, lambda - varTol, lambda + varTol);
        // The input goes to its target population only.
        Assert.All(engines[0].Group(0)!.State("v").Take(3), x => Assert.Equal(-70f, x));
    }

    [Fact]
    public void PoissonGeneratorFiresAtItsRateInsideItsWindow()
    {
        const int size = 200;
        var b = new NetworkBuilder("gen").WithDt(Dt).WithDuration(1000).WithSeed(4);
        var g = b.Population("g", size, new PoissonGenerator { Rate = 100, Start = 100, Stop = 900 });
        b.RecordSpikes(g);
        var engines = Sim.Run(b.Build());
        var spikes = Sim.Spikes(engines, 0);
        // Steps whose start time lies in [100, 900) ms: steps 1000..8999, so stamps 1001..9000.
        Assert.All(spikes, s => Assert.InRange(s.Stamp, 1001, 9000));
        Assert.Equal(spikes.Count, spikes.Distinct().Count()); // at most one spike per source and step
        double p = 1 - Math.Exp(-100 * Dt * 1e-3);
        double trials = 8000.0 * size, mean = trials * p, sd = Math.Sqrt(trials * p * (1 - p));
        Assert.InRange(spikes.Count, mean - 4 * sd, mean + 4 * sd);
        // Every source takes part: per-source counts are binomial(8000, p), mean 79.6, sd 8.9.
        var perSource = spikes.GroupBy(s => s.Id).ToDictionary(x => x.Key, x => x.Count());
        Assert.Equal(size, perSource.Count);
        Assert.All(perSource.Values, c => Assert.InRange(c, 79.6 - 5 * 8.9, 79.6 + 5 * 8.9));
    }
}
