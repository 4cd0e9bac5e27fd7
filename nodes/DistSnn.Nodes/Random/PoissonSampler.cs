using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DistSnn.Nodes.Random;

/// <summary>
/// Exact Poisson sampler for one fixed mean, driven by counter-based uniforms. Small means (up to 40) use
/// inversion on a precomputed cumulative table (a handful of comparisons per draw); larger means use Hörmann's
/// PTRS transformed rejection (1993), consuming counters 0, 1, 2, ... of the key until a draw is accepted.
/// <para>
/// Inversion is sped up by a guide table over the top 16 bits of the uniform: a bucket that lies wholly between two
/// cumulative probabilities maps straight to its count; only buckets that straddle one (a handful of 65,536) fall
/// back to the scan. The result is exactly the inversion of the 53-bit uniform, just without its branch misses.
/// </para>
/// </summary>
public sealed class PoissonSampler
{
    private const double InversionLimit = 40;
    private readonly double _mean;
    private const byte Straddles = byte.MaxValue;
    private readonly double[] _cdf = [];
    private readonly byte[] _guide = [];
    private readonly double _b, _a, _invAlpha, _vr, _logMean;

    /// <summary>Creates a sampler of Poisson(<paramref name="mean"/>).</summary>
    public PoissonSampler(double mean)
    {
        if (!(mean >= 0) || double.IsInfinity(mean))
            throw new ArgumentOutOfRangeException(nameof(mean), mean, "Poisson mean must be finite and >= 0");
        _mean = mean;
        if (mean <= InversionLimit)
        {
            var cdf = new List<double>();
            double p = Math.Exp(-mean), c = p;
            cdf.Add(c);
            for (int k = 1; c < 1.0 - 1e-17 && k < 1000; k++)
            {
                p *= mean / k;
                double next = c + p;
                if (next == c && k > mean) break;
                c = next;
                cdf.Add(c);
            }
            _cdf = cdf.ToArray();
            if (_cdf.Length < Straddles) _guide = BuildGuide(_cdf);
        }
        else
        {
            double smu = Math.Sqrt(mean);
            _b = 0.931 + 2.53 * smu;
            _a = -0.059 + 0.02483 * _b;
            _invAlpha = 1.1239 + 1.1328 / (_b - 3.4);
            _vr = 0.9277 - 3.6224 / (_b - 2);
            _logMean = Math.Log(mean);
        }
    }

    /// <summary>The mean of the distribution.</summary>
    public double Mean => _mean;

    /// <summary>One draw for (stream key, id, counter base); uses counters counterBase*8 .. as needed.</summary>
    public int Sample(ulong streamKey, ulong id, ulong counterBase)
    {
        if (_guide.Length > 0)
        {
            ulong bits = CounterRng.Bits(streamKey, id, counterBase);
            byte k = _guide[(int)(bits >> 48)];
            if (k != Straddles) return k;
            return Scan((bits >> 11) * (1.0 / (1UL << 53)));
        }
        if (_cdf.Length > 0)
        {
            double u = CounterRng.Uniform(streamKey, id, counterBase);
            var cdf = _cdf;
            int k = 0;
            while (k < cdf.Length && u >= cdf[k]) k++;
            return k;
        }
        return SamplePtrs(streamKey, id, counterBase);
    }

    /// <summary>
    /// Adds <c>Sample(streamKey, ids[i], counter) × weights[i]</c> into <paramref name="target"/>[i] for every i (a
    /// draw of 0 adds nothing): the counts of one step for a run of neurons. Where the machine has 512-bit vectors and
    /// the mean is small enough for the guide table, eight keys are mixed at once; every count is the one
    /// <see cref="Sample"/> returns for the same key, so results never depend on the path taken.
    /// </summary>
    public void AddWeighted(ulong streamKey, ReadOnlySpan<long> ids, ulong counter, ReadOnlySpan<float> weights, Span<float> target)
    {
        if (weights.Length != ids.Length || target.Length < ids.Length)
            throw new ArgumentException("ids, weights and target must have one element per neuron");
        int i = _guide.Length > 0 && Vector512.IsHardwareAccelerated && Avx2.IsSupported
            ? AddWeightedByEights(streamKey, ids, counter, weights, target)
            : 0;
        for (; i < ids.Length; i++)
        {
            int k = Sample(streamKey, (ulong)ids[i], counter);
            if (k != 0) target[i] += k * weights[i];
        }
    }

    /// <summary>
    /// The whole groups of eight of <see cref="AddWeighted"/>; returns how many neurons it did. Eight keys are mixed
    /// at once and their guide entries gathered at once; when none straddles, k × w is added to the eight inputs
    /// together — per input the same conversion, product and sum as one at a time, so the same result.
    /// </summary>
    private unsafe int AddWeightedByEights(ulong streamKey, ReadOnlySpan<long> ids, ulong counter, ReadOnlySpan<float> weights, Span<float> target)
    {
        const int Eight = 8;
        ref long id0 = ref MemoryMarshal.GetReference(ids);
        ref float w0 = ref MemoryMarshal.GetReference(weights);
        ref float t0 = ref MemoryMarshal.GetReference(target);
        var straddles = Vector256.Create((int)Straddles);
        var lowByte = Vector256.Create(0xFF);
        Span<ulong> lanes = stackalloc ulong[Eight];
        ref ulong lane0 = ref MemoryMarshal.GetReference(lanes);
        int i = 0;
        fixed (byte* guide = _guide)
        {
            for (; i <= ids.Length - Eight; i += Eight)
            {
                var id = Vector512.LoadUnsafe(ref Unsafe.As<long, ulong>(ref Unsafe.Add(ref id0, i)));
                var mixed = CounterRng.Bits(streamKey, id, counter);
                // Buckets are the top 16 bits; four bytes are gathered at each (the guide has three to spare at its
                // end) and the low one kept.
                var bucket = Vector512.Narrow(Vector512.ShiftRightLogical(mixed, 48).AsInt64(), Vector512<long>.Zero).GetLower();
                var counts = Avx2.GatherVector256((int*)guide, bucket, 1) & lowByte;
                ref float t = ref Unsafe.Add(ref t0, i);
                if (!Vector256.EqualsAny(counts, straddles))
                {
                    // Adding 0 × w changes no sum (an input slot is never -0), so zero counts need no mask.
                    (Vector256.LoadUnsafe(ref t) + Vector256.ConvertToSingle(counts) * Vector256.LoadUnsafe(ref Unsafe.Add(ref w0, i))).StoreUnsafe(ref t);
                    continue;
                }
                mixed.StoreUnsafe(ref lane0);
                for (int j = 0; j < Eight; j++)
                {
                    ulong bits = Unsafe.Add(ref lane0, j);
                    int k = guide[bits >> 48];
                    if (k == Straddles) k = Scan((bits >> 11) * (1.0 / (1UL << 53)));
                    Unsafe.Add(ref t, j) += k * Unsafe.Add(ref w0, i + j);
                }
            }
        }
        return i;
    }

    private int Scan(double u)
    {
        var cdf = _cdf;
        int k = 0;
        while (k < cdf.Length && u >= cdf[k]) k++;
        return k;
    }

    private static byte[] BuildGuide(double[] cdf)
    {
        // Bucket b holds the uniforms [b, b + 1) / 65536; the inversion answer is the first k with cdf[k] > u.
        // Three bytes past the end, so that a four-byte gather at the last bucket stays inside the array.
        var guide = new byte[(1 << 16) + 3];
        int k = 0;
        for (int b = 0; b < 1 << 16; b++)
        {
            double lo = b / 65536.0, hi = (b + 1) / 65536.0;
            while (k < cdf.Length && lo >= cdf[k]) k++;
            // Every u in the bucket maps to k when the bucket ends at or before cdf[k] (or k is past the table).
            guide[b] = k >= cdf.Length || hi <= cdf[k] ? (byte)k : Straddles;
        }
        return guide;
    }

    private int SamplePtrs(ulong streamKey, ulong id, ulong counterBase)
    {
        // Counters counterBase*64 + j for j = 0, 2, 4, ...: each rejection round consumes two uniforms. After 32
        // rounds (probability < 1e-20 with acceptance > 0.8) the key space would be exhausted; fall back to the mode.
        ulong c = counterBase * 64;
        for (int round = 0; round < 32; round++, c += 2)
        {
            double u = CounterRng.Uniform(streamKey, id, c) - 0.5;
            double v = CounterRng.UniformOpenZero(streamKey, id, c + 1);
            double us = 0.5 - Math.Abs(u);
            double k = Math.Floor((2 * _a / us + _b) * u + _mean + 0.43);
            if (us >= 0.07 && v <= _vr) return (int)k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            double lhs = Math.Log(v * _invAlpha / (_a / (us * us) + _b));
            double rhs = -_mean + k * _logMean - LogFactorial(k);
            if (lhs <= rhs) return (int)k;
        }
        return (int)Math.Floor(_mean);
    }

    /// <summary>log(k!) exact for small k, Stirling series beyond.</summary>
    internal static double LogFactorial(double k)
    {
        if (k < 16)
        {
            double r = 0;
            for (int i = 2; i <= (int)k; i++) r += Math.Log(i);
            return r;
        }
        double x = k + 1;
        return (x - 0.5) * Math.Log(x) - x + 0.5 * Math.Log(2 * Math.PI) + 1.0 / (12 * x) - 1.0 / (360 * x * x * x);
    }
}
