using DistSnn.Model;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// <c>lif_alpha_current</c> against closed-form solutions of NEST's <c>iaf_psc_alpha</c> and against a double-precision
/// reference of its discretisation. A spike stamped S with a delay of d steps arrives at t₀ = (S + d) dt: from then on
/// its receptor's current is w e / tau_syn (t − t₀) exp(−(t − t₀) / tau_syn), a PSC that peaks at w at t₀ + tau_syn.
/// </summary>
public class LifAlphaCurrentTests
{
    private const double Dt = 0.1;

    /// <summary>The PSC of one input of weight w (pA) at time s after its arrival.</summary>
    private static double Psc(double w, double tauS, double s) => s <= 0 ? 0 : w * Math.E / tauS * s * Math.Exp(-s / tauS);

    /// <summary>
    /// The membrane's response (mV) to that PSC, the convolution of the PSC with exp(−t/tau_m) / C_m:
    /// w e / (tau_s C_m) [(exp(−s/tau_m) − exp(−s/tau_s)) / a² − s exp(−s/tau_s) / a] with a = 1/tau_s − 1/tau_m, and
    /// w e / (tau C_m) s² / 2 exp(−s/tau) where the two time constants are equal.
    /// </summary>
    private static double Psp(double w, double tauS, double tauM, double cM, double s)
    {
        if (s <= 0) return 0;
        double k = w * Math.E / (tauS * cM);
        if (tauS == tauM) return k * s * s / 2 * Math.Exp(-s / tauM);
        double a = 1 / tauS - 1 / tauM;
        return k * ((Math.Exp(-s / tauM) - Math.Exp(-s / tauS)) / (a * a) - s * Math.Exp(-s / tauS) / a);
    }

    /// <summary>One spike source per receptor, each with its own spike times, onto one neuron whose v, i_exc and i_inh are recorded every step.</summary>
    private static (PartitionEngine[] Engines, double[] ExcArrivals, double[] InhArrivals) RunInputs(LifAlphaCurrent model,
        double[] excTimes, double wExc, double[] inhTimes, double wInh, double delay, double duration)
    {
        var b = new NetworkBuilder("alpha").WithDt(Dt).WithDuration(duration).WithSeed(5);
        var gen = b.Population("gen", 2, new SpikeGenerator { SpikeTimes = [excTimes, inhTimes] });
        var n = b.Population("n", 1, model);
        b.Connect(gen, n, new FromList([new ListedSynapse(0, 0)]), ValueSpec.Of(wExc, Dimension.Current), ValueSpec.Of(delay, Dimension.Time));
        b.Connect(gen, n, new FromList([new ListedSynapse(1, 0)]), ValueSpec.Of(wInh, Dimension.Current), ValueSpec.Of(delay, Dimension.Time), Receptor.Inh);
        b.RecordSpikes(n);
        b.RecordState(n, ["v", "i_exc", "i_inh"], [0]);
        var engines = Sim.Run(b.Build());
        var grid = new TimeGrid(Dt);
        long d = grid.Steps(delay);
        double[] Arrivals(double[] times) => times.Select(t => (grid.Steps(t) + d) * Dt).ToArray();
        return (engines, Arrivals(excTimes), Arrivals(inhTimes));
    }

    [Theory]
    [InlineData(2.0, 3.5)]
    [InlineData(0.5, 10.0)]
    public void PscOfOneInputPeaksAtItsWeightTauSynAfterArrival(double tauE, double tauI)
    {
        const double wE = 120, wI = -80;
        var model = new LifAlphaCurrent { TauSynExc = tauE, TauSynInh = tauI, VTh = 0 };
        var (engines, exc, inh) = RunInputs(model, [2.0], wE, [2.0], wI, delay: 1.0, duration: 40);
        Assert.Empty(Sim.Spikes(engines, 1));
        var ie = Sim.Trace(engines, 0, "i_exc", 0); // ie[k] is I_e at stamp k + 1
        var ii = Sim.Trace(engines, 0, "i_inh", 0);

        // Arrival at stamp 30 (3.0 ms); the peak tau_syn / dt steps later, at w to float precision.
        Assert.Equal(3.0, exc[0], 12);
        Assert.Equal(30 + (int)Math.Round(tauE / Dt) - 1, Array.IndexOf(ie, ie.Max()));
        Assert.Equal(30 + (int)Math.Round(tauI / Dt) - 1, Array.IndexOf(ii, ii.Min()));
        Assert.InRange(ie.Max(), wE * (1 - 2e-6), wE * (1 + 2e-6));
        Assert.InRange(ii.Min(), wI * (1 + 2e-6), wI * (1 - 2e-6));
        // Nothing before the arrival, and at the arrival only the drive has jumped; then the alpha function throughout.
        for (int k = 0; k < ie.Length; k++)
        {
            double t = (k + 1) * Dt;
            Assert.True(Math.Abs(ie[k] - Psc(wE, tauE, t - exc[0])) <= 2e-6 * wE, $"I_e at {t} ms: {ie[k]}, expected {Psc(wE, tauE, t - exc[0])}");
            Assert.True(Math.Abs(ii[k] - Psc(wI, tauI, t - inh[0])) <= 2e-6 * -wI, $"I_i at {t} ms: {ii[k]}, expected {Psc(wI, tauI, t - inh[0])}");
        }
    }

    [Theory]
    [InlineData(10.0, 2.0, 5.0)]
    [InlineData(20.0, 0.5, 20.0)] // inhibition with tau_syn == tau_m
    [InlineData(5.0, 5.0, 5.0)]   // both receptors in the singular case
    public void MembraneFollowsTheClosedFormAlphaSolution(double tauM, double tauE, double tauI)
    {
        const double cM = 250, eL = -65;
        var model = new LifAlphaCurrent { TauM = tauM, CM = cM, EL = eL, VTh = -30, VReset = -65, TauSynExc = tauE, TauSynInh = tauI };
        double[] excTimes = [1.0, 4.0, 4.5, 12.0, 30.0], inhTimes = [6.0, 15.0, 15.1];
        const double wE = 400, wI = -250;
        var (engines, exc, inh) = RunInputs(model, excTimes, wE, inhTimes, wI, delay: 0.5, duration: 60);
        var v = Sim.Trace(engines, 0, "v", 0);

        double worst = 0, deflection = 0;
        for (int k = 0; k < v.Length; k++)
        {
            double t = (k + 1) * Dt;
            double exact = eL + exc.Sum(a => Psp(wE, tauE, tauM, cM, t - a)) + inh.Sum(a => Psp(wI, tauI, tauM, cM, t - a));
            worst = Math.Max(worst, Math.Abs(v[k] - exact));
            deflection = Math.Max(deflection, Math.Abs(exact - eL));
        }
        // Float precision: the propagators are stored as floats (relative rounding up to 6e-8), and a PSP lasts hundreds
        // of steps, so the response is exact to about 1e-5 of its size, on top of a few roundings of V itself.
        Assert.True(deflection > 3, $"largest deflection {deflection} mV");
        Assert.True(worst < 1e-5 * deflection + 2e-5, $"largest difference from the closed form: {worst} mV (largest deflection {deflection} mV)");
    }

    [Theory]
    [InlineData(400.0, false)]
    [InlineData(500.0, true)]
    [InlineData(800.0, false)]
    [InlineData(1500.0, true)]
    public void ConstantCurrentFiresAtTheAnalyticTimes(double current, bool viaDcSource)
    {
        const double tauM = 10, cM = 250, eL = -70, vTh = -55, vReset = -65, tRef = 2;
        var b = new NetworkBuilder("dc").WithDt(Dt).WithDuration(300).WithSeed(3);
        var model = new LifAlphaCurrent { TauM = tauM, CM = cM, EL = eL, VTh = vTh, VReset = vReset, TRef = tRef, IE = viaDcSource ? 0 : current };
        var n = b.Population("n", 3, model);
        if (viaDcSource) b.Dc(n, current);
        b.RecordSpikes(n);
        var trains = Sim.SpikeTrains(Sim.Run(b.Build()), 0, 3);

        // From E_L: t = −tau_m ln(1 − (V_th − E_L) / (R I)); from V_reset after t_ref: tau_m ln((RI − (V_reset − E_L)) / (RI − (V_th − E_L))).
        double ri = tauM / cM * current;
        double first = -tauM * Math.Log(1 - (vTh - eL) / ri);
        double charge = tauM * Math.Log((ri - (vReset - eL)) / (ri - (vTh - eL)));
        foreach (double x in new[] { first / Dt, charge / Dt })
            Assert.InRange(x - Math.Floor(x), 0.02, 0.98);
        long refSteps = new TimeGrid(Dt).Steps(tRef);
        var expected = new List<long> { (long)Math.Ceiling(first / Dt) };
        while (expected[^1] + refSteps + (long)Math.Ceiling(charge / Dt) <= 3000)
            expected.Add(expected[^1] + refSteps + (long)Math.Ceiling(charge / Dt));
        foreach (var train in trains)
        {
            Assert.InRange(train[0] * Dt - first, 0, Dt);
            Assert.Equal(expected, train);
        }
    }

    [Fact]
    public void CurrentsKeepEvolvingWhileRefractoryAndDriveTheFirstFreeStep()
    {
        var p = new LifAlphaCurrent { TauM = 10, CM = 250, EL = -70, VTh = -55, VReset = -70, TRef = 2, TauSynExc = 2 };

        float RunWith(float refractoryInput)
        {
            var g = new LifAlphaCurrentGroup(p, 1, 1, Dt);
            var r = new LifAlphaCurrentReference(p, 1, Dt);
            g.V[0] = r.V[0] = -55.01f; // with this current the neuron crosses threshold in step 0
            g.IExc[0] = r.IExc[0] = 1000f;
            Assert.Equal(1, g.Update(0));
            Assert.True(r.Step(0, 0f, 0f));
            for (long u = 1; u <= 21; u++)
            {
                g.InputSlot(0, u)[0] = refractoryInput;
                Assert.Equal(0, g.Update(u));
                Assert.False(r.Step(0, refractoryInput, 0f));
                Assert.Equal(r.IExc[0], g.IExc[0]);
                Assert.Equal(r.DIExc[0], g.DIExc[0]);
                Assert.Equal(r.V[0], g.V[0]);
                // Twenty steps (t_ref / dt) are held at V_reset; step 21 is the first free one.
                if (u <= 20) Assert.Equal(-70f, g.V[0]);
            }
            Assert.Equal(0, g.Refractory[0]);
            return g.V[0];
        }

        float withInput = RunWith(50f), without = RunWith(0f);
        Assert.True(withInput - without > 0.05f, $"V after refractoriness: {withInput} with input, {without} without");
    }

    [Theory]
    [InlineData(10.0, 2.0, 5.0)]
    [InlineData(5.0, 5.0, 5.0)]
    public void KernelFollowsTheDoublePrecisionReference(double tauM, double tauE, double tauI)
    {
        const int count = 64, steps = 5000;
        var p = new LifAlphaCurrent { TauM = tauM, CM = 250, EL = -65, VTh = -50, VReset = -65, TRef = 2, TauSynExc = tauE, TauSynInh = tauI, IE = 50 };
        var g = new LifAlphaCurrentGroup(p, count, 1, Dt);
        var d = new LifAlphaCurrentDoubleReference(p, count, Dt);
        var rng = new System.Random(17);
        for (int i = 0; i < count; i++) d.V[i] = g.V[i] = (float)(-70 + 18 * rng.NextDouble());

        double worstV = 0, worstI = 0;
        int spikes = 0, resyncs = 0;
        var fired = new bool[count];
        for (int u = 0; u < steps; u++)
        {
            if (u % 50 == 0)
                for (int i = 0; i < count; i++) d.Current[i] = g.CurrentPa[i] = (float)(-100 + 500 * rng.NextDouble());
            var in0 = g.InputSlot(0, u);
            var in1 = g.InputSlot(1, u);
            for (int i = 0; i < count; i++)
            {
                in0[i] = rng.NextDouble() < 0.3 ? (float)(100 * rng.NextDouble()) : 0f;
                in1[i] = rng.NextDouble() < 0.3 ? (float)(-10 * rng.NextDouble()) : 0f;
            }
            float[] e = in0.ToArray(), h = in1.ToArray();
            int n = g.Update(u);
            Array.Clear(fired);
            foreach (int i in g.Spiked.AsSpan(0, n)) fired[i] = true;
            spikes += n;
            for (int i = 0; i < count; i++)
            {
                var (vBefore, spiked) = d.Step(i, e[i], h[i]);
                if (spiked != fired[i])
                {
                    // Rounding may decide a crossing within a hair of the threshold either way; then follow the kernel.
                    Assert.True(Math.Abs(vBefore - p.VTh) < 1e-4, $"step {u}, neuron {i}: V = {vBefore} mV in double, spike {spiked} vs {fired[i]}");
                    (d.V[i], d.IExc[i], d.IInh[i], d.DIExc[i], d.DIInh[i], d.Refractory[i]) =
                        (g.V[i], g.IExc[i], g.IInh[i], g.DIExc[i], g.DIInh[i], g.Refractory[i]);
                    resyncs++;
                    continue;
                }
                Assert.Equal(d.Refractory[i], g.Refractory[i]);
                worstV = Math.Max(worstV, Math.Abs(g.V[i] - d.V[i]));
                worstI = Math.Max(worstI, Math.Max(Math.Abs(g.IExc[i] - d.IExc[i]) / (1 + Math.Abs(d.IExc[i])),
                    Math.Abs(g.IInh[i] - d.IInh[i]) / (1 + Math.Abs(d.IInh[i]))));
            }
        }
        Assert.True(spikes > 10 * count, $"{spikes} spikes");
        Assert.True(resyncs <= 2, $"{resyncs} spike decisions differ from double precision");
        Assert.True(worstV < 1e-4, $"V differs from double precision by up to {worstV} mV");
        Assert.True(worstI < 1e-5, $"currents differ from double precision by up to {worstI} of their size");
    }
}
