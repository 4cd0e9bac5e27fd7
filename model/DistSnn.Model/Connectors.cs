namespace DistSnn.Model;

/// <summary>
/// How a projection picks its (pre, post) pairs. Every connector is generated per target neuron (or, for
/// <see cref="FixedNumberPost"/> and <see cref="FixedTotalNumber"/>, per source neuron or per synapse index) from
/// counter-based random numbers keyed by that id, so the synapses do not depend on partitioning.
/// </summary>
public abstract record Connector
{
    /// <summary>Name in model files.</summary>
    public abstract string Type { get; }

    /// <summary>Whether a neuron may connect to itself when source and target are the same population.</summary>
    public bool AllowSelfConnections { get; init; } = true;
}

/// <summary>Every source to every target.</summary>
public sealed record AllToAll : Connector
{
    /// <inheritdoc />
    public override string Type => "all_to_all";
}

/// <summary>
/// A convolution: the source is an image of <see cref="Channels"/> × <see cref="Height"/> × <see cref="Width"/>
/// neurons stored channel-last (neuron (y · W + x) · C + c), the target one of <see cref="OutChannels"/> ×
/// <see cref="OutHeight"/> × <see cref="OutWidth"/>. Target (oy, ox, o) receives from every source (oy · S + ky − P,
/// ox · S + kx − P, c) inside the image, for kernel offsets ky, kx in 0 … K−1 and every channel c. Weights given as
/// data are the kernels, shared by all positions: [C, K, K, C_out], index ((c · K + ky) · K + kx) · C_out + o.
/// </summary>
public sealed record Conv(int Channels, int Height, int Width, int Kernel, int Stride, int Padding, int OutChannels) : Connector
{
    /// <inheritdoc />
    public override string Type => "conv";
    /// <summary>Output height, (H + 2P − K) / S + 1.</summary>
    public int OutHeight => (Height + 2 * Padding - Kernel) / Stride + 1;
    /// <summary>Output width.</summary>
    public int OutWidth => (Width + 2 * Padding - Kernel) / Stride + 1;
    /// <summary>Neurons the source must have.</summary>
    public long SourceSize => (long)Channels * Height * Width;
    /// <summary>Neurons the target must have.</summary>
    public long TargetSize => (long)OutChannels * OutHeight * OutWidth;
    /// <summary>Kernel weights: C × K × K × C_out.</summary>
    public long KernelWeights => (long)Channels * Kernel * Kernel * OutChannels;
}

/// <summary>Source i to target i; both populations must have the same size.</summary>
public sealed record OneToOne : Connector
{
    /// <inheritdoc />
    public override string Type => "one_to_one";
}

/// <summary>Each (source, target) pair independently with probability <see cref="P"/>.</summary>
public sealed record FixedProbability(double P) : Connector
{
    /// <inheritdoc />
    public override string Type => "fixed_probability";
}

/// <summary>
/// Each target receives exactly <see cref="N"/> sources drawn uniformly (NEST <c>fixed_indegree</c>). Without
/// <see cref="WithReplacement"/> the N sources are distinct.
/// </summary>
public sealed record FixedNumberPre(int N, bool WithReplacement = false) : Connector
{
    /// <inheritdoc />
    public override string Type => "fixed_number_pre";

    /// <summary>
    /// The sources given instead of drawn: <c>Sources[t · N + k]</c> is target t's k-th source, and synapse t · N + k is
    /// element t · N + k of weights and delays given as data. Null: the sources are drawn.
    /// </summary>
    public IReadOnlyList<int>? Sources { get; init; }

    /// <inheritdoc />
    public bool Equals(FixedNumberPre? other) => other is not null && N == other.N && WithReplacement == other.WithReplacement &&
                                                AllowSelfConnections == other.AllowSelfConnections &&
                                                (Sources is null ? other.Sources is null : other.Sources is not null && Sources.SequenceEqual(other.Sources));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(N, WithReplacement, Sources?.Count ?? -1);
}

/// <summary>Each source projects to exactly <see cref="N"/> targets drawn uniformly (NEST <c>fixed_outdegree</c>).</summary>
public sealed record FixedNumberPost(int N, bool WithReplacement = false) : Connector
{
    /// <inheritdoc />
    public override string Type => "fixed_number_post";
}

/// <summary>
/// Exactly <see cref="N"/> synapses in total, each with a uniformly drawn source and target (multiple synapses
/// between one pair are possible, as with NEST <c>fixed_total_number</c>).
/// </summary>
public sealed record FixedTotalNumber(long N) : Connector
{
    /// <inheritdoc />
    public override string Type => "fixed_total_number";
}

/// <summary>One explicit synapse of a <see cref="FromList"/> connector; weight and delay override the projection's.</summary>
public readonly record struct ListedSynapse(int Pre, int Post, double? Weight = null, double? Delay = null);

/// <summary>Explicit synapses given as (pre index, post index[, weight, delay]).</summary>
public sealed record FromList(IReadOnlyList<ListedSynapse> Synapses) : Connector
{
    /// <inheritdoc />
    public override string Type => "from_list";

    /// <inheritdoc />
    public bool Equals(FromList? other) => other is not null && Synapses.SequenceEqual(other.Synapses) &&
                                           AllowSelfConnections == other.AllowSelfConnections;

    /// <inheritdoc />
    public override int GetHashCode() => Synapses.Count;
}
