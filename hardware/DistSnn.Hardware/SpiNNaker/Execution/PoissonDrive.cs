using DistSnn.Model;
using DistSnn.Nodes.Random;

namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// One <c>poisson_inputs</c> entry onto one core: the Poisson source core placed next to it sends, for the update of
/// step t, count(gid, t) packets per neuron (the same keyed draws as the CPU's Poisson input, so both see the same
/// drive) during tick t − 1; each reaches its neuron through the router and the master population table with a
/// one-synapse row. <see cref="Reachable"/> marks the neurons whose key really arrives there.
/// </summary>
public sealed class PoissonDrive
{
    private readonly PoissonSampler _sampler;
    private readonly ulong _key;

    /// <summary>The drive of input <paramref name="input"/> onto the neurons <paramref name="gids"/> of one core (all of them, in slice order).</summary>
    public PoissonDrive(NetworkSpec spec, int input, MachineVertex source, long[] gids, double[] weights, int[] groupIndex)
    {
        GroupIndex = groupIndex;
        var pi = spec.PoissonInputs[input];
        Input = input;
        Source = source;
        Gids = gids;
        Weights = weights;
        Receptor = pi.Receptor;
        _sampler = new PoissonSampler(pi.Sources * pi.Rate * spec.Run.Dt * 1e-3);
        _key = CounterRng.StreamKey(spec.Run.Seed, RngPurpose.PoissonInput, (ulong)input);
        Reachable = new bool[gids.Length];
    }

    /// <summary>The group index of each neuron of the slice (−1: another partition's).</summary>
    public int[] GroupIndex { get; }
    /// <summary>The <c>poisson_inputs</c> index.</summary>
    public int Input { get; }
    /// <summary>The Poisson source core.</summary>
    public MachineVertex Source { get; }
    /// <summary>Global ids of the core's neurons, in slice order.</summary>
    public long[] Gids { get; }
    /// <summary>Each neuron's weight in the model's input unit (signed as written).</summary>
    public double[] Weights { get; }
    /// <summary>The receptor the events feed.</summary>
    public Receptor Receptor { get; }
    /// <summary>Whether neuron i's key reaches it (through the router tables and the master population table).</summary>
    public bool[] Reachable { get; }
    /// <summary>The core the drive feeds.</summary>
    public HostedCore? Core { get; set; }
    /// <summary>Each neuron's weight as a 16-bit ring word (fixed-point runs; 0 for a weight of the wrong sign).</summary>
    public int[]? Words { get; set; }
    /// <summary>Whether the drive sends anything at all.</summary>
    public bool Active => _sampler.Mean > 0;

    /// <summary>The count of neuron <paramref name="i"/> (slice order) for the update of <paramref name="step"/>.</summary>
    public int Count(int i, long step) => _sampler.Sample(_key, (ulong)Gids[i], (ulong)step);

    /// <summary>Weights of <paramref name="input"/> onto <paramref name="gids"/>, drawn as the CPU draws them, times <paramref name="scale"/>.</summary>
    public static double[] DrawWeights(NetworkSpec spec, int input, long[] gids, double scale)
    {
        var wKey = CounterRng.StreamKey(spec.Run.Seed, RngPurpose.Weight, 1UL << 32 | (uint)input);
        // Rounded through float as the CPU stores them, so that both add the same numbers.
        return gids.Select(g => (double)(float)(ValueDraw.Draw(spec.PoissonInputs[input].Weight, wKey, (ulong)g, 0) * scale)).ToArray();
    }
}
