using DistSnn.Model;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// Spike times of single neurons against closed-form solutions, and the timing and refractory conventions:
/// a spike stamped S with delay d steps is consumed by the update of step S + d - 1, so its effect is visible at
/// stamp S + d; input consumed while a lif_delta neuron is refractory is lost; lif_exp_current synaptic currents keep
/// integrating while the membrane is clamped.
/// </summary>
public class AnalyticSpikeTests
{
    private const double Dt = 0.1;

    [Theory]
    [InlineData(400.0, false)]
    [InlineData(500.0, true)]
    [InlineData(800.0, false)]
    [InlineData(1500.0, true)]
    public void LifDeltaUnderConstantCurrentFiresAtTheAnalyticTimes(double current, bool viaDcSource)
    {
        const double tauM = 10, cM = 250, eL = -70, vTh = -55, vReset = -65, tRef = 2;
        var b = new NetworkBuilder("dc").WithDt(Dt).WithDuration(300).WithSeed(3);
        var n = b.Population("n", 3, new LifDelta { TauM = tauM, CM = cM, EL = eL, VTh = vTh, VReset = vReset, TRef = tRef, IE = viaDcSource ? 0 : current });
        if (viaDcSource) b.Dc(n, current);
        b.RecordSpikes(n);
        var engines = Sim.Run(b.Build());

        // R I - (V - E_L) decays exponentially with tau_m, so the time from V0 to V_th is tau_m ln((RI-(V0-E_L))/(RI-(V_th-E_L))).
        double ri = tauM / cM * current;
        double first = tauM * Math.Log(ri / (ri - (vTh - eL)));
        double charge = tauM * Math.Log((ri - (vReset - eL)) / (ri - (vTh - eL)));
        double period = tRef + charge;
        // The parameters keep both crossings well inside a step, so float rounding cannot move a spike by a step.
        foreach (double x in new[] { first / Dt, charge / Dt })
            Assert.InRange(x - Math.Floor(x), 0.02, 0.98);

        // Spikes are detected at the end of the first step at or after the crossing; the reset and the refractory
        // period start from that grid time, so each interval is t_ref plus the charging time rounded up to the grid.
        long refSteps = new TimeGrid(Dt).Steps(tRef);
        var expected = new List<long> { (long)Math.Ceiling(first / Dt) };
        while (true)
        {
            long next = expected[^1] + refSteps + (long)Math.Ceiling(charge / Dt);
            if (next > 3000) break;
            expected.Add(next);
        }
        Assert.True(expected.Count >= 8);

        var trains = Sim.SpikeTrains(engines, 0, 3);
        foreach (var train in trains)
        {
            Assert.Equal(expected, train);
            Assert.InRange(train[0] * Dt - first, 0, Dt);
            for (int k = 1; k < train.Count; k++)
            {
                Assert.InRange(train[k] * Dt - (train[k - 1] * Dt + period), -1e-9, Dt);
                Assert.True(Math.Abs((train[k] - train[k - 1]) * Dt - period) < Dt);
            }
        }
    }

    [Fact]
    public void LifExpCurrentDrivenByRegularSpikesFiresFirstWhenTheExactSolutionCrossesThreshold()
    {
        const double tauM = 10, tauS = 2, eL = -70, vTh = -55, delay = 1.0;
        double[] weights = [14, 16, 22, 30];
        var times = Enumerable.Range(1, 29).Select(k => 2.0 * k).ToArray(); // 500 Hz from 2 ms
        var b = new NetworkBuilder("regular").WithDt(Dt).WithDuration(60).WithSeed(5);
        var gen = b.Population("gen", 1, new SpikeGenerator { SpikeTimes = [times] });
        var n = b.Population("n", weights.Length, new LifExpCurrent { TauM = tauM, CM = 250, EL = eL, VTh = vTh, VReset = eL, TRef = 2, TauSynExc = tauS });
        b.Connect(gen, n, new FromList(weights.Select((w, i) => new ListedSynapse(0, i, w)).ToList()), weight: 1, delay: delay);
        b.RecordSpikes(gen, n);
        var engines = Sim.Run(b.Build());

        var genSpikes = Sim.Spikes(engines, 0);
        Assert.Equal(times.Select(new TimeGrid(Dt).Steps), genSpikes.Select(s => s.Stamp));
        // The synaptic variable jumps when the spike arrives: at (stamp + delay steps) * dt.
        long d = new TimeGrid(Dt).Steps(delay);
        var arrivals = genSpikes.Select(s => (s.Stamp + d) * Dt).ToArray();
        var trains = Sim.SpikeTrains(engines, 1, weights.Length);

        for (int i = 0; i < weights.Length; i++)
        {
            double w = weights[i];
            // Exact membrane response to y(t) = sum w exp(-(t - t_k)/tau_s): V - E_L = sum w P21(t - t_k).
            double V(double t)
            {
                double v = 0;
                foreach (var tk in arrivals)
                    if (tk < t) v += w * tauS / (tauS - tauM) * (Math.Exp(-(t - tk) / tauS) - Math.Exp(-(t - tk) / tauM));
                return v;
            }
            long firstGrid = -1;
            for (long k = 1; k <= 600; k++)
                if (V(k * Dt) >= vTh - eL) { firstGrid = k; break; }
            if (firstGrid < 0)
            {
                Assert.Empty(trains[i]);
                continue;
            }
            // Crossing time of the continuous solution, to 1e-4 ms.
            double crossing = double.NaN;
            for (double t = 0; t <= firstGrid * Dt + 1e-9; t += 1e-4)
                if (V(t) >= vTh - eL) { crossing = t; break; }
            Assert.True(Math.Abs(V(firstGrid * Dt) - (vTh - eL)) > 1e-3, "threshold margin too small for a float simulation");
            Assert.NotEmpty(trains[i]);
            Assert.Equal(firstGrid, trains[i][0]);
            Assert.InRange(trains[i][0] * Dt - crossing, -1e-4, Dt);
        }
        Assert.Empty(trains[0]);
        Assert.True(trains[1].Count > 0 && trains[3].Count > 0);
    }

    [Fact]
    public void LifDeltaInputConsumedDuringRefractorinessIsDiscarded()
    {
        var p = new LifDelta { TauM = 10, CM = 250, EL = -70, VTh = -55, VReset = -70, TRef = 2 };
        var g = new LifDeltaGroup(p, 1, 1, Dt);
        g.InputSlot(0, 0)[0] = 20f;
        Assert.Equal(1, g.Update(0));
        Assert.Equal(-70f, g.V[0]);
        Assert.Equal(20, g.Refractory[0]);
        for (long u = 1; u <= 20; u++)
        {
            g.InputSlot(0, u)[0] = 5f;
            Assert.Equal(0, g.Update(u));
            Assert.Equal(-70f, g.V[0]);
            Assert.Equal(0f, g.InputSlot(0, u)[0]);
        }
        Assert.Equal(0, g.Refractory[0]);
        // Twenty steps (t_ref / dt) were held; the next input counts in full.
        g.InputSlot(0, 21)[0] = 5f;
        g.Update(21);
        Assert.Equal(-65f, g.V[0]);
    }

    [Fact]
    public void LifDeltaSpikeTimingAndRefractorinessThroughTheEngine()
    {
        // Source 0 (20 mV at 1.0 ms) makes the target fire; source 1 (2 mV) keeps arriving during and after t_ref.
        double[] train1 = [1.1, 2.9, 3.0, 3.1, 3.5];
        var b = new NetworkBuilder("refractory").WithDt(Dt).WithDuration(6).WithSeed(9);
        var gen = b.Population("gen", 2, new SpikeGenerator { SpikeTimes = [[1.0], train1] });
        var n = b.Population("n", 1, new LifDelta { TauM = 10, CM = 250, EL = -70, VTh = -55, VReset = -70, TRef = 2 });
        b.Connect(gen, n, new FromList([new ListedSynapse(0, 0, 20), new ListedSynapse(1, 0, 2)]), weight: 1, delay: 1.0);
        b.RecordSpikes(n);
        b.RecordState(n, ["v"], [0]);
        var engines = Sim.Run(b.Build());

        // Stamp 10 + 10 steps of delay: consumed by step 19, so V jumps to -50 at stamp 20 and the neuron fires.
        Assert.Equal([(20L, 0)], Sim.Spikes(engines, 1));
        var v = Sim.Trace(engines, 0, "v", 0); // v[k] is V at stamp k + 1
        for (int stamp = 1; stamp <= 40; stamp++)
            Assert.True(v[stamp - 1] == -70f, $"V at stamp {stamp} is {v[stamp - 1]}");
        // Arrivals at stamps 21, 39 and 40 fall in steps 20..39 (refractory) and are lost; the one at stamp 41
        // (consumed by step 40, the first free step) lifts V by exactly 2 mV.
        Assert.Equal(-68f, v[40]);
        // Afterwards V decays, and the arrival at stamp 45 adds 2 mV on top.
        var reference = new LifDeltaReference(new LifDelta { TauM = 10, CM = 250, EL = -70, VTh = -55, VReset = -70, TRef = 2 }, 1, Dt);
        reference.V[0] = -68f;
        for (int stamp = 42; stamp <= 60; stamp++)
        {
            reference.Step(0, stamp == 45 ? 2f : 0f, 0f);
            Assert.Equal(reference.V[0], v[stamp - 1]);
        }
        Assert.True(v[44] > v[43] + 1.9f);
    }

    [Fact]
    public void LifExpCurrentSynapticCurrentKeepsIntegratingWhileRefractory()
    {
        var p = new LifExpCurrent { TauM = 10, CM = 250, EL = -70, VTh = -55, VReset = -70, TRef = 2, TauSynExc = 2 };
        float p11 = (float)Propagators.Decay(Dt, 2), p21 = (float)Propagators.ExpSynapseOnMembrane(Dt, 10, 2);
        float p22 = (float)Propagators.Decay(Dt, 10);

        float RunWith(float refractoryInput)
        {
            var g = new LifExpCurrentGroup(p, 1, 1, Dt);
            g.V[0] = -54.9f; // with this synaptic drive the neuron crosses threshold in step 0
            g.IExc[0] = 20f;
            Assert.Equal(1, g.Update(0));
            float y = 20f * p11;
            Assert.Equal(y, g.IExc[0]);
            for (long u = 1; u <= 20; u++)
            {
                g.InputSlot(0, u)[0] = refractoryInput;
                g.Update(u);
                y = y * p11 + refractoryInput;
                Assert.Equal(-70f, g.V[0]);
                Assert.Equal(y, g.IExc[0]);
            }
            Assert.Equal(0, g.Refractory[0]);
            g.Update(21);
            // The first free step integrates the current accumulated during refractoriness; the terms are those of
            // the kernel in its order (V - E_L = 0, no inhibitory current, no injected current).
            Assert.Equal(-70f + 0f * p22 + y * p21 + 0f * p21 + 0f, g.V[0]);
            return g.V[0];
        }

        float withInput = RunWith(1.5f), without = RunWith(0f);
        Assert.True(withInput - without > 0.1f, $"V after refractoriness: {withInput} with input, {without} without");
    }
}
