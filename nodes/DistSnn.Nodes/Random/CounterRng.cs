using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DistSnn.Nodes.Random;

/// <summary>
/// What a random number is for. Part of every key, so streams for different purposes never overlap even when
/// the other key parts coincide.
/// </summary>
public enum RngPurpose : ulong
{
    /// <summary>Initial value of a state variable (key: variable index, gid).</summary>
    Initial = 1,
    /// <summary>Connectivity of a projection (key: projection index, target or source gid or synapse index).</summary>
    Connect = 2,
    /// <summary>Synaptic weight draw.</summary>
    Weight = 3,
    /// <summary>Synaptic delay draw.</summary>
    Delay = 4,
    /// <summary>Poisson input count (key: input index, gid, step).</summary>
    PoissonInput = 5,
    /// <summary>Poisson generator spike (key: gid, step).</summary>
    PoissonSource = 6,
    /// <summary>A modelled device's fixed draws: variation, faults, drift exponent (key: projection and sign, cell).</summary>
    Device = 7,
    /// <summary>A modelled device's programming pulses (key: projection and sign, cell, pulse).</summary>
    DevicePulse = 8,
    /// <summary>A modelled array's read noise (key: projection and row tile, column, step).</summary>
    DeviceRead = 9,
    /// <summary>A trained network's initial parameters (key: parameter block, index).</summary>
    TrainInit = 10,
    /// <summary>The order in which training samples are visited (key: epoch, position).</summary>
    TrainShuffle = 11,
    /// <summary>Stochastic input encoding of a training or evaluation sample (key: epoch, sample and input, step).</summary>
    TrainInput = 12,
    /// <summary>A neuron parameter drawn per neuron (key: population and parameter index, gid).</summary>
    Parameter = 13,
    /// <summary>Augmentation of a training sample: shift and mirroring (key: epoch, sample, draw).</summary>
    TrainAugment = 14,
}

/// <summary>
/// Counter-based random numbers: every value is a pure function of (seed, purpose, stream, id, counter), so the
/// number drawn for a neuron or synapse is the same whichever partition, thread or process draws it. This is what
/// makes spike trains independent of partitioning (ARCHITECTURE: Determinism, rule 1).
/// The mixer is a chain of 64-bit finalisers (Stafford's variant 13 of the SplitMix64/MurmurHash3 finaliser),
/// each absorbing one key word; it passes as a hash for simulation purposes and costs a few nanoseconds.
/// </summary>
public static class CounterRng
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL, CounterMul = 0xD1B54A32D192ED03UL;
    private const ulong Mix1 = 0xBF58476D1CE4E5B9UL, Mix2 = 0x94D049BB133111EBUL;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * Mix1;
        z = (z ^ (z >> 27)) * Mix2;
        return z ^ (z >> 31);
    }

    /// <summary>Key prefix for (seed, purpose, stream); computing it once per stream saves work per draw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong StreamKey(ulong seed, RngPurpose purpose, ulong stream) =>
        Mix(Mix(Mix(seed + Golden) + (ulong)purpose * Golden) + stream * Golden);

    /// <summary>64 random bits for (stream key, id, counter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Bits(ulong streamKey, ulong id, ulong counter) =>
        Mix(Mix(streamKey ^ (id * Golden)) + counter * CounterMul);

    /// <summary>Eight ids at once: lane j holds <c>Bits(streamKey, ids[j], counter)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Bits(ulong streamKey, Vector512<ulong> ids, ulong counter) =>
        Mix(Mix(Vector512.Create(streamKey) ^ ids * Vector512.Create(Golden)) + Vector512.Create(counter * CounterMul));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(Mix1);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(Mix2);
        return z ^ Vector512.ShiftRightLogical(z, 31);
    }

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Uniform(ulong streamKey, ulong id, ulong counter) =>
        (Bits(streamKey, id, counter) >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in (0, 1]: safe to take the logarithm of.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double UniformOpenZero(ulong streamKey, ulong id, ulong counter) =>
        ((Bits(streamKey, id, counter) >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n) without modulo bias worth speaking of (Lemire's multiply-shift).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Below(ulong streamKey, ulong id, ulong counter, long n) =>
        (long)Math.BigMul(Bits(streamKey, id, counter), (ulong)n, out _);

    /// <summary>Standard normal variate (Box-Muller) using counters 2c and 2c+1.</summary>
    public static double Normal(ulong streamKey, ulong id, ulong counter)
    {
        double u1 = UniformOpenZero(streamKey, id, 2 * counter);
        double u2 = Uniform(streamKey, id, 2 * counter + 1);
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
