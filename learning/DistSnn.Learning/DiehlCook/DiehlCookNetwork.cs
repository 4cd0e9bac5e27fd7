using DistSnn.Model;

namespace DistSnn.Learning.DiehlCook;

/// <summary>
/// The network of Diehl &amp; Cook (2015), "Unsupervised learning of digit recognition using spike-timing-dependent
/// plasticity", with the parameters of their published code: 784 Poisson inputs → N excitatory conductance LIF
/// neurons (all-to-all, plastic, adaptive thresholds) → N inhibitory neurons (one-to-one), which inhibit every
/// excitatory neuron but their own (lateral inhibition, winner-take-all).
/// </summary>
/// <remarks>
/// Mapping of their Brian model: membranes with g_l = 1 nS, so their dimensionless conductances are nS here;
/// excitatory v_rest = v_reset = -65 mV, threshold -52 mV + theta (their offset of 20 mV folded in, theta starting at
/// 0), tau 100 ms, refractory 5 ms, E_inh -100 mV; inhibitory v_rest -60, reset -45, threshold -40 mV, tau 10 ms,
/// refractory 2 ms, E_inh -85 mV; tau_ge 1 ms, tau_gi 2 ms. Their learning rule (pre: w -= 0.0001·post1; post:
/// w += 0.01·pre·post2 before its jump; traces set to 1 at spikes; τ_pre = τ_post1 = 20 ms, τ_post2 = 40 ms) is the
/// nearest-spike triplet rule with A2- = 0.0001, A3+ = 0.01, A2+ = A3- = 0. Weights start uniform in [0, 0.3] nS,
/// are bounded by 1 nS, and the weights onto each excitatory neuron are normalised to sum to 78 nS after each
/// presentation. Delays are one step everywhere: their lateral connections have none, and inhibition that arrives
/// later lets more excitatory neurons fire per image, which raises thresholds faster and makes images need more
/// presentations at higher input rates (several times slower training, no better accuracy). The plastic projection
/// needs one constant delay; theirs are
/// drawn from 0-10 ms.
/// </remarks>
public static class DiehlCookNetwork
{
    /// <summary>Input population name.</summary>
    public const string Input = "input";
    /// <summary>Excitatory population name.</summary>
    public const string Excitatory = "exc";
    /// <summary>Inhibitory population name.</summary>
    public const string Inhibitory = "inh";

    /// <summary>Presentation time of one image (ms).</summary>
    public const double PresentMs = 350;
    /// <summary>Rest between images (ms), inputs silent, so that the network returns to rest.</summary>
    public const double RestMs = 150;

    /// <summary>Diehl &amp; Cook's weight of each inhibitory → excitatory synapse (nS).</summary>
    public const double DiehlCookInhibitionNs = 17;

    /// <summary>Diehl &amp; Cook's threshold increment per excitatory spike (mV).</summary>
    public const double DiehlCookThetaPlusMv = 0.05;

    /// <summary>Diehl &amp; Cook's learning rate at a post-synaptic spike (nu_ee_post).</summary>
    public const double DiehlCookNuPost = 0.01;

    /// <summary>Diehl &amp; Cook's learning rate at a pre-synaptic spike (nu_ee_pre).</summary>
    public const double DiehlCookNuPre = 0.0001;

    /// <summary>The bound of each input weight (nS) in a network built for <paramref name="rateScale"/> times the input rates.</summary>
    public static double WeightBound(double rateScale) => 1 / rateScale;

    /// <summary>
    /// The norm (order 1: sum, 2: Euclidean) that normalisation holds for each excitatory neuron's input weights (nS):
    /// <paramref name="normNs"/> for 784 inputs, scaled with the number of <paramref name="inputs"/> so that the mean
    /// weight stays the same, and 1/<paramref name="rateScale"/> as <see cref="Build"/> scales every input weight.
    /// </summary>
    public static double HeldWeightNorm(int inputs, int order, double normNs, double rateScale) =>
        (order == 1 ? normNs * inputs / 784 : normNs * Math.Sqrt(inputs / 784.0)) / rateScale;

    /// <summary>
    /// Builds the network with <paramref name="neurons"/> excitatory (and as many inhibitory) neurons for
    /// <paramref name="inputs"/> pixels. The run's duration is only a bound; the trainer drives it image by image.
    /// <paramref name="inhibitionNs"/> (lateral inhibition), <paramref name="thetaPlusMv"/> (threshold step) and the
    /// learning rates <paramref name="nuPost"/> and <paramref name="nuPre"/> default to Diehl &amp; Cook's values, and so
    /// does the normalisation: the weights onto each excitatory neuron sum to <paramref name="weightNormNs"/> (78 nS for
    /// 784 inputs) with <paramref name="weightNormOrder"/> 1, or have that Euclidean norm with 2.
    /// <paramref name="rateScale"/> K builds the network for input rates K times Diehl &amp; Cook's: input weights, their
    /// bound and their norm are 1/K (the same mean drive), the pre trace's time constant is 1/K (at K times the rate
    /// its value at a post spike has the same distribution) and the depression rate per pre spike is 1/K (K times as
    /// many pre spikes); potentiation scales with the weight bound by itself. <paramref name="pairing"/> is how the
    /// traces pair spikes: Diehl &amp; Cook's nearest (a trace is set to 1 at a spike) or all-to-all (it adds 1).
    /// </summary>
    public static NetworkSpec Build(int neurons, ulong seed, int inputs = 784, double dt = 0.5, double durationMs = 1e9,
        double inhibitionNs = DiehlCookInhibitionNs, double thetaPlusMv = DiehlCookThetaPlusMv,
        double nuPost = DiehlCookNuPost, double nuPre = DiehlCookNuPre, int weightNormOrder = 1, double weightNormNs = 78,
        double rateScale = 1, SpikePairing pairing = SpikePairing.Nearest)
    {
        if (!(rateScale > 0) || double.IsInfinity(rateScale))
            throw new ArgumentOutOfRangeException(nameof(rateScale), rateScale, "the input rate scale must be finite and > 0");
        if (!(nuPost >= 0) || double.IsInfinity(nuPost))
            throw new ArgumentOutOfRangeException(nameof(nuPost), nuPost, "the learning rate must be finite and >= 0");
        if (!(nuPre >= 0) || double.IsInfinity(nuPre))
            throw new ArgumentOutOfRangeException(nameof(nuPre), nuPre, "the learning rate must be finite and >= 0");
        if (weightNormOrder is not (1 or 2))
            throw new ArgumentOutOfRangeException(nameof(weightNormOrder), weightNormOrder, "the weight norm is 1 (sum) or 2 (Euclidean)");
        if (!(weightNormNs > 0) || double.IsInfinity(weightNormNs))
            throw new ArgumentOutOfRangeException(nameof(weightNormNs), weightNormNs, "the weight norm must be a finite weight > 0 nS");
        ArgumentOutOfRangeException.ThrowIfLessThan(neurons, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        if (!(inhibitionNs >= 0) || double.IsInfinity(inhibitionNs))
            throw new ArgumentOutOfRangeException(nameof(inhibitionNs), inhibitionNs, "lateral inhibition must be a finite weight >= 0 nS");
        if (!(thetaPlusMv >= 0) || double.IsInfinity(thetaPlusMv))
            throw new ArgumentOutOfRangeException(nameof(thetaPlusMv), thetaPlusMv, "the threshold step must be finite and >= 0 mV");
        var b = new NetworkBuilder("diehl_cook").WithDt(dt).WithDuration(durationMs).WithSeed(seed);
        var input = b.Population(Input, inputs, new PoissonGenerator { Rate = 0 });
        var exc = b.Population(Excitatory, neurons, new LifExpCond
        {
            CM = 100, GL = 1, EL = -65, VReset = -65, VTh = -52, TRef = 5,
            EExc = 0, EInh = -100, TauSynExc = 1, TauSynInh = 2,
            ThetaPlus = thetaPlusMv, TauTheta = 1e7,
        }).Initial("v", ValueSpec.Of(-65, Dimension.Voltage));
        var inh = b.Population(Inhibitory, neurons, new LifExpCond
        {
            CM = 10, GL = 1, EL = -60, VReset = -45, VTh = -40, TRef = 2,
            EExc = 0, EInh = -85, TauSynExc = 1, TauSynInh = 2,
        }).Initial("v", ValueSpec.Of(-60, Dimension.Voltage));

        var rule = new TripletStdpSynapse
        {
            TauPlus = 20 / rateScale, TauMinus = 20, TauX = 20, TauY = 40,
            A2Plus = 0, A3Plus = nuPost, A2Minus = nuPre / rateScale, A3Minus = 0,
            Pairing = pairing, WMin = 0, WMax = WeightBound(rateScale),
            NormalizeTotal = HeldWeightNorm(inputs, weightNormOrder, weightNormNs, rateScale),
            NormalizeOrder = weightNormOrder, NormalizeInterval = PresentMs + RestMs,
        };
        b.Connect(input, exc, new AllToAll(), new UniformValue(0, 0.3 / rateScale, Dimension.Conductance), ValueSpec.Of(dt, Dimension.Time),
            Receptor.Exc, "input_exc", rule);
        b.Connect(exc, inh, new OneToOne(), weight: 10.4, delay: dt, Receptor.Exc, "exc_inh");
        var others = new List<ListedSynapse>(neurons * (neurons - 1));
        for (int i = 0; i < neurons; i++)
            for (int j = 0; j < neurons; j++)
                if (i != j) others.Add(new ListedSynapse(i, j));
        b.Connect(inh, exc, new FromList(others), weight: inhibitionNs, delay: dt, Receptor.Inh, "inh_exc");
        b.RecordSpikes(exc);
        return b.Build();
    }
}
