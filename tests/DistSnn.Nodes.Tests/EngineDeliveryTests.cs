using DistSnn.Model;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Random;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// Spike delivery through the ring buffers, injected currents, weight units and initial values, observed through
/// the engine. Most tests use a lif_delta "probe" with tau_m = 1 ns: its P22 is 0 in float, so V at the end of a
/// step equals exactly what that step consumed (input weights plus injected current times P20).
/// </summary>
public class EngineDeliveryTests
{
    private const double Dt = 0.1;

    private static LifDelta Probe => new() { TauM = 1e-6, CM = 250, EL = 0, VReset = 0, VTh = 1e9, TRef = 0 };

    [Theory]
    [InlineData(new[] { 0.1, 0.5, 1.0, 2.3 }, "separate")] // one-step epochs
    [InlineData(new[] { 1.0, 1.5, 2.3, 3.0 }, "separate")] // ten-step epochs, several epochs in flight
    [InlineData(new[] { 0.1, 0.5, 1.0, 2.3 }, "one")]      // per-synapse weights and delays in one projection
    [InlineData(new[] { 1.0, 1.5, 2.3, 3.0 }, "one")]
    [InlineData(new[] { 0.1, 0.5, 1.0, 2.3 }, "delays")]   // per-synapse delays, one weight for the projection
    [InlineData(new[] { 1.0, 1.5, 2.3, 3.0 }, "delays")]
    public void EachSpikeArrivesExactlyDelayStepsAfterItsStamp(double[] delays, string layout)
    {
        var rng = new System.Random(5);
        var t0 = Enumerable.Range(0, 60).Select(_ => Math.Round(0.1 + 40 * rng.NextDouble(), 1)).Distinct().Order().ToArray();
        var t1 = Enumerable.Range(0, 60).Select(_ => Math.Round(0.1 + 40 * rng.NextDouble(), 1)).Distinct().Order().ToArray();
        const int steps = 500;
        var b = new NetworkBuilder("delivery").WithDt(Dt).WithDuration(steps * Dt).WithSeed(3);
        var gen = b.Population("gen", 2, new SpikeGenerator { SpikeTimes = [t0, t1] });
        var n = b.Population("n", delays.Length, Probe);
        // A second source, onto neuron 0 only, with the longest delay: sums of 1 and 0.5 are exact in float.
        if (layout == "delays")
        {
            b.Connect(gen, n, new FromList(delays.Select((d, j) => new ListedSynapse(0, j, null, d)).ToList()), weight: 1.0, delay: 5.0);
            b.Connect(gen, n, new FromList([new ListedSynapse(1, 0)]), weight: 0.5, delay: delays[^1]);
        }
        else if (layout == "one")
        {
            var list = delays.Select((d, j) => new ListedSynapse(0, j, 1.0, d)).Append(new ListedSynapse(1, 0, 0.5, delays[^1]));
            // Every synapse lists its own weight and delay, so the projection's 7 mV and 5 ms are never used.
            b.Connect(gen, n, new FromList(list.ToList()), weight: 7.0, delay: 5.0);
        }
        else
        {
            for (int j = 0; j < delays.Length; j++)
                b.Connect(gen, n, new FromList([new ListedSynapse(0, j)]), weight: 1.0, delay: delays[j]);
            b.Connect(gen, n, new FromList([new ListedSynapse(1, 0)]), weight: 0.5, delay: delays[^1]);
        }
        b.RecordState(n, ["v"], Enumerable.Range(0, delays.Length).ToList());
        var engines = Sim.Run(b.Build());
        // Exchange lag 2 (minimum delays of 2 steps or more): epochs of half the minimum delay, so spikes are
        // delivered after later epochs have run.
        long minDelay = new TimeGrid(Dt).Steps(delays[0]);
        Assert.Equal(minDelay >= 2 ? minDelay / 2 : 1, engines[0].EpochSteps);

        var s0 = t0.Select(t => new TimeGrid(Dt).Steps(t)).ToArray();
        var s1 = t1.Select(t => new TimeGrid(Dt).Steps(t)).ToArray();
        for (int j = 0; j < delays.Length; j++)
        {
            long d = new TimeGrid(Dt).Steps(delays[j]), dLong = new TimeGrid(Dt).Steps(delays[^1]);
            var v = Sim.Trace(engines, 0, "v", j);
            for (long stamp = 1; stamp <= steps; stamp++)
            {
                float expected = s0.Count(s => s + d == stamp);
                if (j == 0) expected += 0.5f * s1.Count(s => s + dLong == stamp);
                Assert.True(expected == v[stamp - 1], $"neuron {j} (delay {delays[j]} ms), stamp {stamp}: expected {expected}, got {v[stamp - 1]}");
            }
        }
        Assert.Equal(s0.Length + s1.Length, engines.Sum(e => e.SpikesEmitted));
    }

    [Fact]
    public void InjectedCurrentsFollowTheirScheduleStepByStep()
    {
        const int steps = 40;
        var b = new NetworkBuilder("currents").WithDt(Dt).WithDuration(steps * Dt).WithSeed(3);
        var n = b.Population("n", 3, Probe);
        b.Dc(n, 100, startMs: 1.0, stopMs: 2.0, neurons: [0, 2]);
        b.StepCurrent(n, [0.5, 1.5, 2.5], [10, -20, 0]);
        b.RecordState(n, ["v"], [0, 1, 2]);
        var engines = Sim.Run(b.Build());

        float p20 = (float)Propagators.ConstantCurrent(Dt, 1e-6, 250);
        for (int i = 0; i < 3; i++)
        {
            var v = Sim.Trace(engines, 0, "v", i);
            for (int u = 0; u < steps; u++)
            {
                // The current of step u is that of the step's start time u * dt; sources are summed in spec order.
                float cur = 0f;
                if (i != 1 && u >= 10 && u < 20) cur += 100f;
                float step = u >= 25 ? 0f : u >= 15 ? -20f : u >= 5 ? 10f : 0f;
                if (step != 0) cur += step;
                Assert.True((cur + 0f) * p20 == v[u], $"neuron {i}, step {u}: expected current {cur} pA");
            }
        }
    }

    [Fact]
    public void WeightsReachTheRightPortInTheModelsUnit()
    {
        var b = new NetworkBuilder("ports").WithDt(Dt).WithDuration(5).WithSeed(3);
        var gen = b.Population("gen", 1, new SpikeGenerator { SpikeTimes = [[1.0]] });
        var cuba = b.Population("cuba", 1, new LifExpCurrent { TauM = 12.5, CM = 250, TauSynExc = 2, TauSynInh = 4 });
        var cond = b.Population("cond", 1, new LifExpCond());
        b.Connect(gen, cuba, new AllToAll(), ValueSpec.Of(100, Dimension.Current), ValueSpec.Of(1.0, Dimension.Time));
        b.Connect(gen, cuba, new AllToAll(), ValueSpec.Of(-1.5, Dimension.Voltage), ValueSpec.Of(1.0, Dimension.Time), Receptor.Inh);
        b.Connect(gen, cond, new AllToAll(), weight: 7.0, delay: 0.5, receptor: Receptor.Inh);
        b.RecordState(cuba, ["i_exc", "i_inh"], [0]);
        b.RecordState(cond, ["g_exc", "g_inh"], [0]);
        var engines = Sim.Run(b.Build());

        // A pA weight becomes a jump of the synaptic variable by w * tau_m / c_m (mV); an mV weight is used as is.
        var iExc = Sim.Trace(engines, 0, "i_exc", 0);
        var iInh = Sim.Trace(engines, 0, "i_inh", 0);
        Assert.All(iExc.Take(19), x => Assert.Equal(0f, x));
        Assert.Equal((float)(100 * 12.5 / 250), iExc[19]); // stamp 20 = 10 + 10 steps
        Assert.Equal(-1.5f, iInh[19]);
        Assert.Equal(iExc[19] * (float)Propagators.Decay(Dt, 2), iExc[20]);
        Assert.Equal(iInh[19] * (float)Propagators.Decay(Dt, 4), iInh[20]);

        var gExc = Sim.Trace(engines, 1, "g_exc", 0);
        var gInh = Sim.Trace(engines, 1, "g_inh", 0);
        Assert.All(gExc, x => Assert.Equal(0f, x));
        Assert.All(gInh.Take(14), x => Assert.Equal(0f, x));
        Assert.Equal(7f, gInh[14]); // stamp 15 = 10 + 5 steps
    }

    [Fact]
    public void InitialValuesAreDrawnPerNeuronIndependentlyOfPartitioning()
    {
        var b = new NetworkBuilder("init").WithDt(Dt).WithDuration(0.1).WithSeed(31);
        b.Population("pad", 5, new LifDelta());
        b.Population("n", 1000, new LifDelta { VTh = 1e9 }).Initial("v", new UniformValue(-70, -50, Dimension.Voltage));
        b.Population("izh", 20, new Izhikevich { B = 0.25 }).Initial("v", new NormalValue(-65, 4, Dimension.Voltage));
        var spec = b.ToSpec() with { Run = new RunSettings { Dt = Dt, Duration = 0, Seed = 31 } };
        var one = Sim.Build(spec, 1);
        var v = Sim.FinalState(one, 1, 1000, "v");
        Assert.All(v, x => Assert.InRange(x, -70f, -50f));
        double sd = 20 / Math.Sqrt(12) / Math.Sqrt(1000);
        Assert.InRange(v.Average(x => (double)x), -60 - 4 * sd, -60 + 4 * sd);
        Assert.True(v.Distinct().Count() > 990);

        foreach (var strategy in new[] { Partitioner.PartitionStrategy.Contiguous, Partitioner.PartitionStrategy.RoundRobin })
        {
            var split = Sim.Build(spec, 4, strategy);
            Assert.Equal(v, Sim.FinalState(split, 1, 1000, "v"));
            Assert.Equal(Sim.FinalState(one, 2, 20, "u"), Sim.FinalState(split, 2, 20, "u"));
        }
        // The value of neuron i is the draw keyed by its gid.
        var key = CounterRng.StreamKey(31, RngPurpose.Initial, 1UL << 8 | 0);
        Assert.Equal((float)(-70 + 20 * CounterRng.Uniform(key, 5 + 17, 0)), v[17]);
        // Izhikevich u starts at b * v when only v is given.
        var iv = Sim.FinalState(one, 2, 20, "v");
        var iu = Sim.FinalState(one, 2, 20, "u");
        for (int i = 0; i < 20; i++) Assert.Equal(0.25f * iv[i], iu[i]);
    }

    [Fact]
    public void ALastPartialEpochIsRunAndRecorded()
    {
        // 10-step epochs and 103 steps: the last epoch has 3 steps.
        var b = new NetworkBuilder("tail").WithDt(Dt).WithDuration(10.3).WithSeed(3);
        var gen = b.Population("gen", 1, new SpikeGenerator { SpikeTimes = [[10.2, 10.3]] });
        var n = b.Population("n", 1, Probe);
        b.Connect(gen, n, new AllToAll(), weight: 1.0, delay: 1.0);
        b.RecordSpikes(gen);
        b.RecordState(n, ["v"], [0], intervalMs: 0.5);
        var engines = Sim.Run(b.Build());
        Assert.Equal(103, engines[0].CurrentStep);
        Assert.True(engines[0].Finished);
        Assert.Equal([(102L, 0), (103L, 0)], Sim.Spikes(engines, 0));
        Assert.Equal(20, Sim.Trace(engines, 0, "v", 0).Length);
    }

    [Fact]
    public void ReceivesFromReportsSourcesWithSynapsesHere()
    {
        var b = new NetworkBuilder("rx").WithDt(Dt).WithDuration(1).WithSeed(3);
        var a = b.Population("a", 4, new LifDelta());
        var t = b.Population("t", 4, new LifDelta());
        b.Connect(a, t, new FromList([new ListedSynapse(1, 0), new ListedSynapse(3, 3)]), weight: 1, delay: 1);
        var engines = Sim.Build(b.Build(), 2);
        foreach (var e in engines)
        {
            // Source gid 1 feeds t[0], gid 3 feeds t[3]; nothing else has synapses.
            var expected = Enumerable.Range(0, 8).Select(g => g == 1 && e.Owned[1].Contains(0) || g == 3 && e.Owned[1].Contains(3));
            Assert.Equal(expected, Enumerable.Range(0, 8).Select(g => e.ReceivesFrom(g)));
        }
        Assert.Equal(2, engines.Sum(e => Enumerable.Range(0, 8).Count(g => e.ReceivesFrom(g))));
    }

    [Fact]
    public void SpikeGeneratorRoundsTimesToStampsAndMergesDuplicates()
    {
        var g = new SpikeGeneratorGroup(new SpikeGenerator { SpikeTimes = [[0.3, 0.14, 0.06, 0.26], [0.1]] }, [0, 1], Dt);
        var emitted = new List<(long Stamp, int Local)>();
        for (long u = 0; u < 5; u++)
        {
            int count = g.Update(u);
            for (int k = 0; k < count; k++) emitted.Add((u + 1, g.Spiked[k]));
        }
        // 0.06 and 0.14 round to stamp 1, 0.26 and 0.3 to stamp 3.
        Assert.Equal([(1L, 0), (1L, 1), (3L, 0)], emitted);
        Assert.Throws<ArgumentException>(() => new SpikeGeneratorGroup(new SpikeGenerator { SpikeTimes = [[0.04]] }, [0], Dt));
    }
}
