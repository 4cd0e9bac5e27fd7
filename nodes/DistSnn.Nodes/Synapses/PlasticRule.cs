using DistSnn.Model;

namespace DistSnn.Nodes.Synapses;

/// <summary>Which family of learning rule a <see cref="PlasticBlock"/> runs.</summary>
public enum PlasticKind
{
    /// <summary>Pair-based STDP (additive or multiplicative).</summary>
    Pair,
    /// <summary>Triplet STDP (Pfister &amp; Gerstner 2006).</summary>
    Triplet,
    /// <summary>Pair STDP into an eligibility trace, turned into weight change by a reward.</summary>
    Reward,
}

/// <summary>
/// A plastic synapse type's parameters in the engine's units: times in steps (as decay factors), weights in the
/// target model's input unit. Built once per projection from a <see cref="SynapseModel"/>.
/// </summary>
public sealed class PlasticRule
{
    /// <summary>
    /// Most entries of a decay table. A table covers gaps up to the one where exp underflows to 0 (745 time
    /// constants) or this many steps; longer gaps are computed with the same formula, so results are identical.
    /// </summary>
    private const int MaxTableSteps = 1 << 17;

    /// <summary>exp(-x) is exactly 0 in double beyond this x.</summary>
    private const double Underflow = 746;

    private readonly double[] _decayPlus, _decayMinus, _decayX, _decayY, _decayC;
    private readonly double _tauPlus, _tauMinus, _tauX, _tauY, _tauC, _dt;

    /// <summary>Builds the rule of <paramref name="model"/> for step <paramref name="dt"/> (ms); weights scaled by <paramref name="weightScale"/>.</summary>
    public PlasticRule(SynapseModel model, double dt, double weightScale)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsPlastic) throw new ArgumentException("a static synapse has no plasticity rule", nameof(model));
        _dt = dt;
        WMin = model.WMin * weightScale;
        WMax = model.WMax * weightScale;
        Range = WMax - WMin;
        NormalizeTotal = model.NormalizeTotal * weightScale;
        NormalizeIntervalSteps = Math.Max(0, new TimeGrid(dt).Steps(model.NormalizeInterval));
        EuclideanNormalize = model.NormalizeOrder == 2;
        switch (model)
        {
            case StdpSynapse s:
                Kind = PlasticKind.Pair;
                (_tauPlus, _tauMinus, _tauX, _tauY, _tauC) = (s.TauPlus, s.TauMinus, 1, 1, 1);
                (APlus, AMinus) = (s.APlus, s.AMinus);
                Multiplicative = s.Dependence == WeightDependence.Multiplicative;
                Nearest = s.Pairing == SpikePairing.Nearest;
                break;
            case TripletStdpSynapse t:
                Kind = PlasticKind.Triplet;
                (_tauPlus, _tauMinus, _tauX, _tauY, _tauC) = (t.TauPlus, t.TauMinus, t.TauX, t.TauY, 1);
                (A2Plus, A3Plus, A2Minus, A3Minus) = (t.A2Plus, t.A3Plus, t.A2Minus, t.A3Minus);
                Nearest = t.Pairing == SpikePairing.Nearest;
                break;
            case RewardStdpSynapse r:
                Kind = PlasticKind.Reward;
                (_tauPlus, _tauMinus, _tauX, _tauY, _tauC) = (r.TauPlus, r.TauMinus, 1, 1, r.TauC);
                (APlus, AMinus) = (r.APlus, r.AMinus);
                LearningRate = r.LearningRate;
                break;
            default:
                throw new ArgumentException($"unsupported synapse type {model.Kind}", nameof(model));
        }
        _decayPlus = Table(_tauPlus);
        _decayMinus = Table(_tauMinus);
        _decayX = Table(_tauX);
        _decayY = Table(_tauY);
        _decayC = Table(_tauC);
    }

    /// <summary>The rule family.</summary>
    public PlasticKind Kind { get; }
    /// <summary>Lower and upper weight bounds and their difference (input unit).</summary>
    public double WMin { get; }
    /// <inheritdoc cref="WMin" />
    public double WMax { get; }
    /// <inheritdoc cref="WMin" />
    public double Range { get; }
    /// <summary>Pair amplitudes (fractions of the range).</summary>
    public double APlus { get; }
    /// <inheritdoc cref="APlus" />
    public double AMinus { get; }
    /// <summary>Triplet amplitudes.</summary>
    public double A2Plus { get; }
    /// <inheritdoc cref="A2Plus" />
    public double A3Plus { get; }
    /// <inheritdoc cref="A2Plus" />
    public double A2Minus { get; }
    /// <inheritdoc cref="A2Plus" />
    public double A3Minus { get; }
    /// <summary>Reward rule: weight change per unit reward, eligibility and second (fraction of the range).</summary>
    public double LearningRate { get; }
    /// <summary>Soft bounds (pair rule only).</summary>
    public bool Multiplicative { get; }
    /// <summary>Traces reset to 1 instead of adding 1.</summary>
    public bool Nearest { get; }
    /// <summary>Sum of weights onto each target after normalisation, or null.</summary>
    public double? NormalizeTotal { get; }
    /// <summary>Normalisation holds the Euclidean norm of each target's weights at <see cref="NormalizeTotal"/>, not their sum.</summary>
    public bool EuclideanNormalize { get; }
    /// <summary>Steps between normalisations; 0 = every epoch.</summary>
    public long NormalizeIntervalSteps { get; }

    /// <summary>exp(-steps·dt/τ+).</summary>
    public double DecayPlus(long steps) => Decay(_decayPlus, _tauPlus, steps);
    /// <summary>exp(-steps·dt/τ-).</summary>
    public double DecayMinus(long steps) => Decay(_decayMinus, _tauMinus, steps);
    /// <summary>exp(-steps·dt/τx).</summary>
    public double DecayX(long steps) => Decay(_decayX, _tauX, steps);
    /// <summary>exp(-steps·dt/τy).</summary>
    public double DecayY(long steps) => Decay(_decayY, _tauY, steps);
    /// <summary>exp(-steps·dt/τc).</summary>
    public double DecayC(long steps) => Decay(_decayC, _tauC, steps);

    // Traces of neurons that have not spiked for a long time are read often (every event of their synapses): they
    // must cost a table lookup, or nothing once the factor is 0, never an exp call per synapse.
    private double Decay(double[] table, double tau, long steps)
    {
        if (steps < table.Length) return table[steps];
        double x = steps * _dt / tau;
        return x >= Underflow ? 0 : Math.Exp(-x);
    }

    private double[] Table(double tau)
    {
        long size = Math.Min(MaxTableSteps, (long)Math.Ceiling(Underflow * tau / _dt) + 1);
        var t = new double[size];
        for (int k = 0; k < t.Length; k++) t[k] = Math.Exp(-(k * _dt / tau));
        return t;
    }
}
