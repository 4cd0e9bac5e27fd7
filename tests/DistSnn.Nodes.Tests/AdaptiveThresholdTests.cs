using DistSnn.Model;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// The adaptive threshold (theta_plus, tau_theta, state theta) of the three LIF models against closed forms: theta
/// is the sum of decaying increments of the neuron's own spikes, the intervals follow the LIF period with threshold
/// V_th + theta, theta decays with tau_theta while the neuron is silent or refractory, refractoriness is unchanged,
/// and within a step theta decays before the threshold test and grows after it.
/// </summary>
public class AdaptiveThresholdTests
{
    private const double Dt = 0.1;
    private const double TauM = 10, CM = 250, EL = -70, VTh = -55, VReset = -65, TRef = 2;
    private const int RefSteps = 20;

    public static TheoryData<string> Kinds => new() { "lif_delta", "lif_exp_current", "lif_exp_cond" };

    public static TheoryData<string, double> KindsAndTaus => new()
    {
        { "lif_delta", 50 }, { "lif_exp_current", 50 }, { "lif_exp_cond", 50 },
        { "lif_delta", 1e7 }, { "lif_exp_current", 1e7 }, { "lif_exp_cond", 1e7 },
    };

    /// <summary>
    /// One model of each kind with the same membrane: tau_m = 10 ms, R = tau_m / C_m = 1 / g_L = 0.04 GOhm, so a
    /// constant current I charges V towards E_L + R I exactly as in lif_delta.
    /// </summary>
    private static NeuronModel Model(string kind, double thetaPlus, double tauTheta, double ie) => kind switch
    {
        "lif_delta" => new LifDelta { TauM = TauM, CM = CM, EL = EL, VTh = VTh, VReset = VReset, TRef = TRef, IE = ie, ThetaPlus = thetaPlus, TauTheta = tauTheta },
        "lif_exp_current" => new LifExpCurrent { TauM = TauM, CM = CM, EL = EL, VTh = VTh, VReset = VReset, TRef = TRef, IE = ie, ThetaPlus = thetaPlus, TauTheta = tauTheta },
        "lif_exp_cond" => new LifExpCond { CM = CM, GL = CM / TauM, EL = EL, VTh = VTh, VReset = VReset, TRef = TRef, IE = ie, ThetaPlus = thetaPlus, TauTheta = tauTheta },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Runs one neuron recording spikes and v, theta at every step; samples[k] is the value at stamp k + 1.</summary>
    private static (List<long> Spikes, float[] V, float[] Theta) RunOne(NeuronModel model, double durationMs, double initialTheta = 0)
    {
        var b = new NetworkBuilder("theta").WithDt(Dt).WithDuration(durationMs).WithSeed(1);
        var n = b.Population("n", 1, model);
        if (initialTheta != 0) n.Initial("theta", initialTheta);
        b.RecordSpikes(n);
        b.RecordState(n, ["v", "theta"], [0], Dt);
        var engines = Sim.Run(b.Build());
        return (Sim.SpikeTrains(engines, 0, 1)[0], Sim.Trace(engines, 0, "v", 0), Sim.Trace(engines, 0, "theta", 0));
    }

    private static void AssertRelative(double expected, double actual, double tolerance, string what) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected),
            $"{what}: expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / Math.Abs(expected):E2})");

    [Theory, MemberData(nameof(KindsAndTaus))]
    public void ThetaIsTheSumOfDecayingIncrementsOfTheNeuronsOwnSpikes(string kind, double tauTheta)
    {
        const double thetaPlus = 0.5;
        var (spikes, _, theta) = RunOne(Model(kind, thetaPlus, tauTheta, ie: 600), 400);
        Assert.True(spikes.Count >= 8, $"{spikes.Count} spikes");

        // theta(t) = sum over spikes t_m <= t of theta_plus exp(-(t - t_m) / tau_theta); the sample at stamp s
        // includes the increment of a spike stamped s.
        for (int k = 0; k < theta.Length; k++)
        {
            long stamp = k + 1;
            double expected = spikes.Where(s => s <= stamp).Sum(s => thetaPlus * Math.Exp(-(stamp - s) * Dt / tauTheta));
            if (expected == 0) Assert.True(theta[k] == 0f, $"theta at stamp {stamp} before the first spike: {theta[k]}");
            else AssertRelative(expected, theta[k], 1e-6, $"theta at stamp {stamp}");
        }
        if (tauTheta > 1e6)
        {
            // One step decays theta by 1e-8 of itself, below float resolution; the decay must still add up.
            double undecayed = thetaPlus * spikes.Count;
            Assert.True(theta[^1] < undecayed * (1 - 5e-6), $"theta {theta[^1]:R} has not decayed from {undecayed}");
        }
    }

    [Theory, MemberData(nameof(Kinds))]
    public void IntervalsFollowTheLifPeriodWithThresholdVthPlusTheta(string kind)
    {
        const double thetaPlus = 0.5, current = 600;
        // tau_theta at its default (1e7 ms): theta changes by less than 1e-5 of itself within an interval.
        var (spikes, _, theta) = RunOne(Model(kind, thetaPlus, DefaultTauTheta, current), 400);
        double ri = TauM / CM * current;

        double Charge(double th) => TauM * Math.Log((ri - (VReset - EL)) / (ri - (VTh + th - EL)));
        Assert.True(spikes.Count >= 10, $"{spikes.Count} spikes");
        var intervals = new List<long>();
        for (int k = 1; k < spikes.Count; k++)
        {
            // theta just after the previous spike (its sample includes the increment) sets this interval's threshold.
            double th = theta[spikes[k - 1] - 1];
            double period = TRef + Charge(th);
            long interval = spikes[k] - spikes[k - 1];
            Assert.True(Math.Abs(interval * Dt - period) < Dt, $"interval {k}: {interval * Dt} ms, analytic period {period} ms with theta = {th} mV");
            // The spike is detected at the end of the first step at or after the crossing of V_th + theta.
            double steps = Charge(th) / Dt;
            if (steps - Math.Floor(steps) is > 0.05 and < 0.95)
                Assert.Equal(RefSteps + (long)Math.Ceiling(steps), interval);
            intervals.Add(interval);
        }
        for (int k = 1; k < intervals.Count; k++)
            Assert.True(intervals[k] >= intervals[k - 1], $"interval {k} shrank: {intervals[k - 1]} -> {intervals[k]} steps");
        // Without adaptation every interval would be the first one; by the end theta has stretched it clearly.
        Assert.True((intervals[^1] - (RefSteps + Math.Ceiling(Charge(0) / Dt))) * Dt > 5, $"last interval {intervals[^1] * Dt} ms");
    }

    [Theory, MemberData(nameof(KindsAndTaus))]
    public void ThetaDecaysWithTauThetaWhileTheNeuronIsSilent(string kind, double tauTheta)
    {
        const float initial = 2f;
        var (spikes, v, theta) = RunOne(Model(kind, thetaPlus: 0.5, tauTheta, ie: 0), 300, initial);

        Assert.Empty(spikes);
        Assert.All(v, x => Assert.Equal((float)EL, x));
        for (int k = 0; k < theta.Length; k++)
            AssertRelative(initial * Math.Exp(-(k + 1) * Dt / tauTheta), theta[k], 1e-6, $"theta at stamp {k + 1}");
        if (tauTheta > 1e6) Assert.True(theta[^1] < initial * (1 - 1e-5), $"theta {theta[^1]:R} has not decayed");
    }

    [Theory, MemberData(nameof(Kinds))]
    public void RefractorinessIsUnchangedAndThetaKeepsDecayingThroughIt(string kind)
    {
        const double tauTheta = 50;
        var plain = RunOne(Model(kind, 0, tauTheta, ie: 900), 200);
        var adaptive = RunOne(Model(kind, 1.5, tauTheta, ie: 900), 200);

        // Before its first spike the adaptive neuron has theta = 0 and follows the plain one exactly.
        Assert.Equal(plain.Spikes[0], adaptive.Spikes[0]);
        Assert.Equal(plain.V[..(int)(plain.Spikes[0] + RefSteps + 1)], adaptive.V[..(int)(plain.Spikes[0] + RefSteps + 1)]);
        Assert.All(plain.Theta, x => Assert.Equal(0f, x));
        Assert.True(adaptive.Spikes.Count >= 5 && adaptive.Spikes.Count < plain.Spikes.Count,
            $"{adaptive.Spikes.Count} spikes with adaptation, {plain.Spikes.Count} without");

        foreach (var (spikes, v, theta) in new[] { plain, adaptive })
            foreach (long s in spikes.Where(s => s + RefSteps + 1 < v.Length))
            {
                // V is reset at stamp s and held for t_ref: stamps s .. s + t_ref/dt; the next step integrates again.
                for (long stamp = s; stamp <= s + RefSteps; stamp++)
                    Assert.True(v[stamp - 1] == (float)VReset, $"V at stamp {stamp} after the spike at {s}: {v[stamp - 1]}");
                Assert.True(v[s + RefSteps] > (float)VReset, $"V still held at stamp {s + RefSteps + 1}");
                if (ReferenceEquals(theta, adaptive.Theta))
                    for (long stamp = s + 1; stamp <= s + RefSteps; stamp++)
                        AssertRelative(theta[stamp - 2] * Math.Exp(-Dt / tauTheta), theta[stamp - 1], 1e-6, $"theta at stamp {stamp} while refractory");
            }
    }

    [Theory, MemberData(nameof(Kinds))]
    public void WithinAStepThetaDecaysBeforeTheTestAndGrowsAfterIt(string kind)
    {
        // V rests at E_L = -54.05 mV, between V_th + theta·exp(-dt/tau_theta) = -54.095 mV and V_th + theta = -54 mV:
        // the neuron fires in the first step only because theta decays before the test.
        const double tauTheta = 1, thetaPlus = 0.25;
        var g = RestingGroup(kind, -54.05, thetaPlus, tauTheta);
        g.State("theta")[0] = 1f;

        Assert.Equal(1, g.Update(0));
        double decay = Math.Exp(-Dt / tauTheta);
        double theta = 1 * decay + thetaPlus;
        AssertRelative(theta, g.State("theta")[0], 1e-7, "theta after the spike");
        // Through the refractory period and after, theta only decays.
        for (long u = 1; u <= 40; u++)
        {
            g.Update(u);
            theta *= decay;
            AssertRelative(theta, g.State("theta")[0], 1e-6, $"theta after step {u}");
        }
    }

    [Theory, MemberData(nameof(Kinds))]
    public void WithoutAdaptationThetaStaysZeroAndTheThresholdIsVth(string kind)
    {
        // Resting 1 uV above V_th fires at once; without spikes-driven growth theta stays +0 to the bit.
        var g = RestingGroup(kind, VTh + 1e-3, thetaPlus: 0, tauTheta: 1e7);
        Assert.Equal(1, g.Update(0));
        for (long u = 1; u < 100; u++) g.Update(u);
        Assert.All(g.State("theta"), x => Assert.Equal(0, BitConverter.SingleToInt32Bits(x)));
    }

    /// <summary>One neuron without input whose membrane rests at <paramref name="el"/> (V starts there too).</summary>
    private static NeuronGroup RestingGroup(string kind, double el, double thetaPlus, double tauTheta) => kind switch
    {
        "lif_delta" => new LifDeltaGroup(new LifDelta { EL = el, VTh = VTh, VReset = -70, ThetaPlus = thetaPlus, TauTheta = tauTheta }, 1, 1, Dt),
        "lif_exp_current" => new LifExpCurrentGroup(new LifExpCurrent { EL = el, VTh = VTh, VReset = -70, ThetaPlus = thetaPlus, TauTheta = tauTheta }, 1, 1, Dt),
        "lif_exp_cond" => new LifExpCondGroup(new LifExpCond { EL = el, VTh = VTh, VReset = -70, ThetaPlus = thetaPlus, TauTheta = tauTheta }, 1, 1, Dt),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static double DefaultTauTheta => new LifDelta().TauTheta;
}
