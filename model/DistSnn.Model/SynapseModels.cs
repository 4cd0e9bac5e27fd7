namespace DistSnn.Model;

/// <summary>How a plastic synapse's weight change depends on its weight.</summary>
public enum WeightDependence
{
    /// <summary>Changes independent of the weight, clipped to [w_min, w_max] (hard bounds).</summary>
    Additive,
    /// <summary>Potentiation scales with w_max - w, depression with w - w_min (soft bounds).</summary>
    Multiplicative,
}

/// <summary>Which spike pairs a trace-based rule sums over.</summary>
public enum SpikePairing
{
    /// <summary>Every pre-post pair (traces add 1 per spike).</summary>
    AllToAll,
    /// <summary>Only nearest neighbours (traces are reset to 1 per spike, Morrison et al. 2008).</summary>
    Nearest,
}

/// <summary>What a synapse parameter is measured in: a time, a plain number, or the projection's weight unit.</summary>
public enum SynapseFieldKind
{
    /// <summary>ms.</summary>
    Time,
    /// <summary>A plain number (learning rates).</summary>
    Number,
    /// <summary>The unit of the projection's weight (mV, pA or nS).</summary>
    Weight,
}

/// <summary>One named parameter of a synapse model, with accessors used by the file loader and writer.</summary>
public sealed record SynapseField(string Name, SynapseFieldKind Kind, string Description,
    Func<SynapseModel, double> Get, Func<SynapseModel, double, SynapseModel> Set);

/// <summary>
/// The synapse type of a projection. <see cref="StaticSynapse"/> keeps its weights; the plastic types change them
/// on the partition of their target from pre-synaptic spike times (which arrive in spike packets) and the target's
/// own spikes. As in NEST's <c>stdp_synapse</c>, the whole delay is dendritic: a pre-synaptic spike reaches the
/// synapse when it is emitted and the soma after the delay d; a post-synaptic spike at t reaches the synapse at
/// t + d. The rule therefore sees Δt = t_post + d - t_pre.
/// </summary>
public abstract record SynapseModel
{
    /// <summary>The type's name in files, e.g. <c>stdp</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Whether weights change during a run.</summary>
    public virtual bool IsPlastic => true;

    /// <summary>Parameters settable from files (w_min, w_max and normalisation are common to all plastic types).</summary>
    public abstract IReadOnlyList<SynapseField> Parameters { get; }

    /// <summary>Lower weight bound (weight unit).</summary>
    public double WMin { get; init; }

    /// <summary>Upper weight bound (weight unit).</summary>
    public double WMax { get; init; } = 1;

    /// <summary>
    /// If set, after each <see cref="NormalizeInterval"/> the plastic weights onto every target neuron are scaled so
    /// that they sum to this (weight unit): synaptic normalisation as in Diehl &amp; Cook 2015.
    /// </summary>
    public double? NormalizeTotal { get; init; }

    /// <summary>
    /// Which norm of the weights onto each target <see cref="NormalizeTotal"/> holds: 1, their sum (Diehl &amp; Cook), or
    /// 2, their Euclidean norm (the root of the sum of squares), under which a neuron's drive by an input of fixed
    /// Euclidean norm is proportional to the cosine between its weights and that input.
    /// </summary>
    public double NormalizeOrder { get; init; } = 1;

    /// <summary>Time between normalisations (ms); 0 = at every epoch boundary.</summary>
    public double NormalizeInterval { get; init; }

    /// <summary>Looks up a type by name with default parameters; null when unknown.</summary>
    public static SynapseModel? Create(string kind) => kind switch
    {
        "static" => StaticSynapse.Instance,
        "stdp" => new StdpSynapse(),
        "stdp_triplet" => new TripletStdpSynapse(),
        "stdp_reward" => new RewardStdpSynapse(),
        _ => null,
    };

    /// <summary>All type names known to <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["static", "stdp", "stdp_triplet", "stdp_reward"];

    /// <summary>Consistency checks: (parameter name, reason) for each problem.</summary>
    public virtual IEnumerable<(string Field, string Reason)> Check()
    {
        foreach (var p in Parameters)
        {
            double v = p.Get(this);
            if (p.Name == "normalize_total" && double.IsNaN(v)) continue;
            if (!double.IsFinite(v)) yield return (p.Name, $"must be finite, got {v}");
            else if (p.Name.StartsWith("tau", StringComparison.Ordinal) && !(v > 0)) yield return (p.Name, $"must be > 0 ms, got {v} ms");
            else if (p.Kind == SynapseFieldKind.Number && v < 0) yield return (p.Name, $"must be >= 0, got {v}");
            else if (p.Name is "normalize_interval" && v < 0) yield return (p.Name, $"must be >= 0 ms, got {v} ms");
            else if (p.Name is "normalize_total" && !(v > 0)) yield return (p.Name, $"must be > 0, got {v}");
            else if (p.Name is "normalize_order" && v is not (1 or 2)) yield return (p.Name, $"must be 1 (sum) or 2 (Euclidean norm), got {v}");
        }
        if (IsPlastic && !(WMax > WMin)) yield return ("w_max", $"must be above w_min ({WMin}), got {WMax}");
    }

    private protected static SynapseField F<T>(string name, SynapseFieldKind kind, string doc, Func<T, double> get, Func<T, double, T> set)
        where T : SynapseModel => new(name, kind, doc, m => get((T)m), (m, v) => set((T)m, v));

    /// <summary>The parameters every plastic type has.</summary>
    private protected static IEnumerable<SynapseField> Common<T>() where T : SynapseModel =>
    [
        F<T>("w_min", SynapseFieldKind.Weight, "lower weight bound", m => m.WMin, (m, v) => m with { WMin = v }),
        F<T>("w_max", SynapseFieldKind.Weight, "upper weight bound", m => m.WMax, (m, v) => m with { WMax = v }),
        F<T>("normalize_total", SynapseFieldKind.Weight, "sum of weights onto each target kept at this value",
            m => m.NormalizeTotal ?? double.NaN, (m, v) => m with { NormalizeTotal = double.IsNaN(v) ? null : v }),
        F<T>("normalize_interval", SynapseFieldKind.Time, "time between normalisations (0: every epoch)",
            m => m.NormalizeInterval, (m, v) => m with { NormalizeInterval = v }),
        F<T>("normalize_order", SynapseFieldKind.Number, "norm held at normalize_total: 1 the sum of the weights, 2 their Euclidean norm",
            m => m.NormalizeOrder, (m, v) => m with { NormalizeOrder = v }),
    ];
}

/// <summary>Fixed weights (the default).</summary>
public sealed record StaticSynapse : SynapseModel
{
    /// <summary>The one instance.</summary>
    public static StaticSynapse Instance { get; } = new();

    /// <inheritdoc />
    public override string Kind => "static";
    /// <inheritdoc />
    public override bool IsPlastic => false;
    /// <inheritdoc />
    public override IReadOnlyList<SynapseField> Parameters => [];
}

/// <summary>
/// Pair-based STDP with exponential traces (Morrison et al. 2008). A pre-synaptic trace x (time constant
/// <see cref="TauPlus"/>) and a post-synaptic trace y (<see cref="TauMinus"/>) jump at each spike. At a post spike
/// reaching the synapse: w += A+ · x · F+(w); at a pre spike: w -= A- · y · F-(w), where F+ = F- = w_max - w_min
/// (additive, then clipped) or F+ = w_max - w, F- = w - w_min (multiplicative). A single pair with
/// Δt = t_post + d - t_pre &gt; 0 thus changes w by A+ · F+ · exp(-Δt/τ+), with Δt &lt; 0 by -A- · F- · exp(Δt/τ-).
/// Pre and post spikes reaching the synapse in the same step do not pair.
/// </summary>
public sealed record StdpSynapse : SynapseModel
{
    private static readonly SynapseField[] Fields =
    [
        F<StdpSynapse>("tau_plus", SynapseFieldKind.Time, "pre-synaptic trace time constant", m => m.TauPlus, (m, v) => m with { TauPlus = v }),
        F<StdpSynapse>("tau_minus", SynapseFieldKind.Time, "post-synaptic trace time constant", m => m.TauMinus, (m, v) => m with { TauMinus = v }),
        F<StdpSynapse>("a_plus", SynapseFieldKind.Number, "potentiation per pair, as a fraction of the weight range", m => m.APlus, (m, v) => m with { APlus = v }),
        F<StdpSynapse>("a_minus", SynapseFieldKind.Number, "depression per pair, as a fraction of the weight range", m => m.AMinus, (m, v) => m with { AMinus = v }),
        .. Common<StdpSynapse>(),
    ];

    /// <summary>Pre-synaptic trace time constant (ms).</summary>
    public double TauPlus { get; init; } = 20;
    /// <summary>Post-synaptic trace time constant (ms).</summary>
    public double TauMinus { get; init; } = 20;
    /// <summary>Potentiation per pair (fraction of the weight range).</summary>
    public double APlus { get; init; } = 0.01;
    /// <summary>Depression per pair (fraction of the weight range).</summary>
    public double AMinus { get; init; } = 0.0105;
    /// <summary>Additive (hard bounds) or multiplicative (soft bounds).</summary>
    public WeightDependence Dependence { get; init; } = WeightDependence.Additive;
    /// <summary>All-to-all or nearest-neighbour spike pairing.</summary>
    public SpikePairing Pairing { get; init; } = SpikePairing.AllToAll;

    /// <inheritdoc />
    public override string Kind => "stdp";
    /// <inheritdoc />
    public override IReadOnlyList<SynapseField> Parameters => Fields;
}

/// <summary>
/// Triplet STDP (Pfister &amp; Gerstner 2006): pre traces r1 (τ+), r2 (τx), post traces o1 (τ-), o2 (τy). At a pre
/// spike: w -= o1 · (A2- + A3- · r2) · (w_max - w_min); at a post spike: w += r1 · (A2+ + A3+ · o2) · (w_max - w_min),
/// each trace read just before its own neuron's jump; weights clipped to [w_min, w_max]. Defaults: the visual
/// cortex all-to-all minimal model of the paper (Table 4).
/// </summary>
public sealed record TripletStdpSynapse : SynapseModel
{
    private static readonly SynapseField[] Fields =
    [
        F<TripletStdpSynapse>("tau_plus", SynapseFieldKind.Time, "fast pre trace r1", m => m.TauPlus, (m, v) => m with { TauPlus = v }),
        F<TripletStdpSynapse>("tau_minus", SynapseFieldKind.Time, "fast post trace o1", m => m.TauMinus, (m, v) => m with { TauMinus = v }),
        F<TripletStdpSynapse>("tau_x", SynapseFieldKind.Time, "slow pre trace r2", m => m.TauX, (m, v) => m with { TauX = v }),
        F<TripletStdpSynapse>("tau_y", SynapseFieldKind.Time, "slow post trace o2", m => m.TauY, (m, v) => m with { TauY = v }),
        F<TripletStdpSynapse>("a2_plus", SynapseFieldKind.Number, "pair potentiation", m => m.A2Plus, (m, v) => m with { A2Plus = v }),
        F<TripletStdpSynapse>("a3_plus", SynapseFieldKind.Number, "triplet potentiation", m => m.A3Plus, (m, v) => m with { A3Plus = v }),
        F<TripletStdpSynapse>("a2_minus", SynapseFieldKind.Number, "pair depression", m => m.A2Minus, (m, v) => m with { A2Minus = v }),
        F<TripletStdpSynapse>("a3_minus", SynapseFieldKind.Number, "triplet depression", m => m.A3Minus, (m, v) => m with { A3Minus = v }),
        .. Common<TripletStdpSynapse>(),
    ];

    /// <summary>Visual cortex, all-to-all interactions, minimal model (Pfister &amp; Gerstner 2006, Table 4).</summary>
    public static TripletStdpSynapse VisualCortexAllToAll { get; } = new();

    /// <summary>Visual cortex, nearest-spike interactions, minimal model (Pfister &amp; Gerstner 2006, Table 4).</summary>
    public static TripletStdpSynapse VisualCortexNearest { get; } = new()
    {
        TauX = 714, TauY = 40, A2Plus = 8.8e-11, A3Plus = 5.3e-2, A2Minus = 6.6e-3, A3Minus = 3.1e-3, Pairing = SpikePairing.Nearest,
    };

    /// <summary>Fast pre trace time constant (ms).</summary>
    public double TauPlus { get; init; } = 16.8;
    /// <summary>Fast post trace time constant (ms).</summary>
    public double TauMinus { get; init; } = 33.7;
    /// <summary>Slow pre trace time constant (ms).</summary>
    public double TauX { get; init; } = 101;
    /// <summary>Slow post trace time constant (ms).</summary>
    public double TauY { get; init; } = 125;
    /// <summary>Pair potentiation amplitude.</summary>
    public double A2Plus { get; init; } = 5e-10;
    /// <summary>Triplet potentiation amplitude.</summary>
    public double A3Plus { get; init; } = 6.2e-3;
    /// <summary>Pair depression amplitude.</summary>
    public double A2Minus { get; init; } = 7e-3;
    /// <summary>Triplet depression amplitude.</summary>
    public double A3Minus { get; init; } = 2.3e-4;
    /// <summary>All-to-all or nearest-spike interactions.</summary>
    public SpikePairing Pairing { get; init; } = SpikePairing.AllToAll;

    /// <inheritdoc />
    public override string Kind => "stdp_triplet";
    /// <inheritdoc />
    public override IReadOnlyList<SynapseField> Parameters => Fields;
}

/// <summary>
/// Reward-modulated STDP (Izhikevich 2007; Florian 2007): pair STDP as in <see cref="StdpSynapse"/> (additive),
/// but each pair changes a per-synapse eligibility trace c (time constant <see cref="TauC"/>) instead of the weight.
/// At every epoch boundary, with the reward r of that epoch (the network's reward schedule or a value set by the
/// run), w += <see cref="LearningRate"/> · r · c · T_epoch (seconds) · (w_max - w_min), clipped. No reward, no change;
/// the sign of the change follows the sign of r.
/// </summary>
public sealed record RewardStdpSynapse : SynapseModel
{
    private static readonly SynapseField[] Fields =
    [
        F<RewardStdpSynapse>("tau_plus", SynapseFieldKind.Time, "pre-synaptic trace time constant", m => m.TauPlus, (m, v) => m with { TauPlus = v }),
        F<RewardStdpSynapse>("tau_minus", SynapseFieldKind.Time, "post-synaptic trace time constant", m => m.TauMinus, (m, v) => m with { TauMinus = v }),
        F<RewardStdpSynapse>("a_plus", SynapseFieldKind.Number, "eligibility per causal pair", m => m.APlus, (m, v) => m with { APlus = v }),
        F<RewardStdpSynapse>("a_minus", SynapseFieldKind.Number, "eligibility per anti-causal pair", m => m.AMinus, (m, v) => m with { AMinus = v }),
        F<RewardStdpSynapse>("tau_c", SynapseFieldKind.Time, "eligibility trace time constant", m => m.TauC, (m, v) => m with { TauC = v }),
        F<RewardStdpSynapse>("learning_rate", SynapseFieldKind.Number, "weight change per unit reward, eligibility and second", m => m.LearningRate, (m, v) => m with { LearningRate = v }),
        .. Common<RewardStdpSynapse>(),
    ];

    /// <summary>Pre-synaptic trace time constant (ms).</summary>
    public double TauPlus { get; init; } = 20;
    /// <summary>Post-synaptic trace time constant (ms).</summary>
    public double TauMinus { get; init; } = 20;
    /// <summary>Eligibility per causal pair.</summary>
    public double APlus { get; init; } = 1;
    /// <summary>Eligibility per anti-causal pair.</summary>
    public double AMinus { get; init; } = 1.5;
    /// <summary>Eligibility trace time constant (ms); Izhikevich 2007 uses 1 s.</summary>
    public double TauC { get; init; } = 1000;
    /// <summary>Weight change (fraction of the range) per unit reward, eligibility and second.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <inheritdoc />
    public override string Kind => "stdp_reward";
    /// <inheritdoc />
    public override IReadOnlyList<SynapseField> Parameters => Fields;
}

/// <summary>
/// The reward signal of a run for <see cref="RewardStdpSynapse"/> projections: piecewise constant, Values[k] from
/// Times[k] (ms) on, 0 before Times[0]. Every partition reads the same schedule, so the reward is applied
/// identically at every epoch boundary whatever the partitioning.
/// </summary>
public sealed record RewardSchedule(IReadOnlyList<double> Times, IReadOnlyList<double> Values)
{
    /// <inheritdoc />
    public bool Equals(RewardSchedule? other) =>
        other is not null && Times.SequenceEqual(other.Times) && Values.SequenceEqual(other.Values);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Times.Count, Values.Count);

    /// <summary>The reward in force at time <paramref name="timeMs"/>.</summary>
    public double At(double timeMs)
    {
        double r = 0;
        for (int k = 0; k < Times.Count && Times[k] <= timeMs; k++) r = Values[k];
        return r;
    }
}
