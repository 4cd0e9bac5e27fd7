using DistSnn.Model;
using DistSnn.Nodes.Kernels;
using DistSnn.Partitioner;

namespace DistSnn.Nodes.Tests;

/// <summary>Spike and state recorders against what the engine actually emitted and held.</summary>
public class RecorderTests
{
    private const double Dt = 0.1;

    private static NetworkSpec SmallNetwork(double minDelay, double duration)
    {
        var b = new NetworkBuilder("rec").WithDt(Dt).WithDuration(duration).WithSeed(12);
        var exc = b.Population("exc", 40, new LifExpCurrent { TauM = 10, EL = -70, VTh = -55, VReset = -70, TRef = 2, TauSynExc = 2, TauSynInh = 4 })
            .Initial("v", new UniformValue(-70, -56, Dimension.Voltage));
        var inh = b.Population("inh", 10, new LifDelta { TauM = 10, EL = -70, VTh = -55, VReset = -70, TRef = 2 });
        b.Connect(exc, exc, new FixedProbability(0.2), weight: 1.0, delay: minDelay);
        b.Connect(exc, inh, new FixedProbability(0.3), weight: 1.0, delay: minDelay + 0.4);
        b.Connect(inh, exc, new FixedProbability(0.3), weight: -3.0, delay: minDelay, receptor: Receptor.Inh);
        b.PoissonInput(exc, 100, 100, 1.2);
        b.PoissonInput(inh, 100, 100, 1.0);
        b.Dc(exc, 120, 20, 60, neurons: [1, 2, 3]);
        return b.ToSpec() with { Recording = new RecordingSpec { Spikes = ["exc"] } };
    }

    [Theory]
    [InlineData(1, PartitionStrategy.Contiguous)]
    [InlineData(2, PartitionStrategy.Contiguous)]
    [InlineData(3, PartitionStrategy.RoundRobin)]
    public void SpikeRecorderHoldsExactlyTheEmittedSpikesOfRecordedPopulations(int parts, PartitionStrategy strategy)
    {
        var spec = SmallNetwork(1.0, 200).Validated();
        var engines = Sim.Build(spec, parts, strategy);
        var emitted = new List<(long Stamp, long Gid)>();
        var batches = new SpikeBatch[parts];
        while (!engines[0].Finished)
        {
            for (int q = 0; q < parts; q++)
            {
                var b = engines[q].RunEpoch();
                for (int k = 0; k < b.Count; k++) emitted.Add((b.Stamps[k], b.Gids[k]));
                batches[q] = new SpikeBatch(b.Stamps[..b.Count], b.Gids[..b.Count], b.Count);
                for (int k = 1; k < b.Count; k++)
                    Assert.True((b.Stamps[k - 1], b.Gids[k - 1]).CompareTo((b.Stamps[k], b.Gids[k])) < 0, "batch not sorted by (stamp, gid)");
            }
            foreach (var e in engines) e.Deliver(batches);
        }
        Assert.Equal(emitted.Count, engines.Sum(e => e.SpikesEmitted));
        var excEmitted = emitted.Where(s => s.Gid < 40).Select(s => (s.Stamp, (int)s.Gid)).OrderBy(s => s).ToList();
        Assert.True(excEmitted.Count > 100, $"only {excEmitted.Count} spikes");
        Assert.True(emitted.Any(s => s.Gid >= 40), "inhibitory neurons never fired");

        Assert.Equal(excEmitted, Sim.Spikes(engines, 0));
        foreach (var e in engines)
        {
            Assert.Null(e.SpikeRecords[1]);
            var (stamps, ids) = e.SpikeRecords[0]!.ToArrays();
            Assert.All(ids, id => Assert.Contains(id, e.Owned[0]));
            for (int k = 1; k < stamps.Length; k++) Assert.True((stamps[k - 1], ids[k - 1]).CompareTo((stamps[k], ids[k])) < 0);
        }
    }

    [Fact]
    public void StateRecorderSamplesTheGroupStateEveryHalfMillisecond()
    {
        // A 0.1 ms delay makes every epoch one step long, so the group's state can be read after each step.
        const int steps = 600;
        int[] neurons = [1, 4, 7, 9, 33];
        var spec = SmallNetwork(0.1, steps * Dt) with
        {
            Recording = new RecordingSpec { State = [new StateRecorderSpec("exc", ["v", "i_exc", "i_inh"], neurons) { Interval = 0.5 }] },
        };
        var engines = Sim.Build(spec.Validated(), 2);
        Assert.All(engines, e => Assert.Equal(1, e.EpochSteps));
        var seen = new Dictionary<(string Variable, int Neuron), List<float>>();
        var batches = new SpikeBatch[2];
        while (!engines[0].Finished)
        {
            for (int q = 0; q < 2; q++)
            {
                var b = engines[q].RunEpoch();
                batches[q] = new SpikeBatch(b.Stamps[..b.Count], b.Gids[..b.Count], b.Count);
            }
            if (engines[0].CurrentStep % 5 == 0)
                foreach (var e in engines)
                    foreach (var variable in new[] { "v", "i_exc", "i_inh" })
                        foreach (var n in neurons)
                        {
                            int k = Array.IndexOf(e.Owned[0], n);
                            if (k < 0) continue;
                            var list = seen.TryGetValue((variable, n), out var l) ? l : seen[(variable, n)] = [];
                            list.Add(e.Group(0)!.State(variable)[k]);
                        }
            foreach (var e in engines) e.Deliver(batches);
        }

        var records = engines.SelectMany(e => e.StateRecords).ToList();
        Assert.Equal(3 * 2, records.Count);
        Assert.All(records, r => Assert.Equal(5, r.IntervalSteps));
        Assert.All(records, r => Assert.Equal(steps / 5, r.Samples));
        // Each partition records the listed neurons it owns, and both own some.
        foreach (var e in engines)
        {
            var mine = neurons.Where(x => e.Owned[0].Contains(x)).ToArray();
            Assert.NotEmpty(mine);
            Assert.All(e.StateRecords, r => Assert.Equal(mine, r.Neurons));
        }
        foreach (var ((variable, n), expected) in seen)
            Assert.Equal(expected, Sim.Trace(engines, 0, variable, n));
        // The recorded traces move: spikes and synaptic input show up in the samples.
        Assert.True(Sim.Trace(engines, 0, "i_exc", 4).Distinct().Count() > 20);
        Assert.Contains(Sim.Trace(engines, 0, "v", 7), x => x == -70f);
    }

    [Fact]
    public void StateRecorderSamplesInsideLongEpochsAtTheRightStamps()
    {
        // No projections: epochs are 1 ms (10 steps) long, and samples every 0.5 ms fall inside epochs. The
        // membrane under a constant current follows the scalar recursion, different at every step.
        const double current = 300;
        var model = new LifDelta { TauM = 10, CM = 250, EL = -70, VTh = -55, VReset = -70, TRef = 2 };
        var b = new NetworkBuilder("trace").WithDt(Dt).WithDuration(30).WithSeed(1).WithExchangeLag(1);
        var n = b.Population("n", 2, model);
        b.Dc(n, current, startMs: 1.0, neurons: [1]);
        b.RecordState(n, ["v"], [0, 1], intervalMs: 0.5);
        var engines = Sim.Run(b.Build());
        Assert.Equal(10, engines[0].EpochSteps);

        var reference = new LifDeltaReference(model, 1, Dt);
        reference.V[0] = -70f;
        var expected = new List<float>();
        for (int step = 0; step < 300; step++)
        {
            reference.Current[0] = step >= 10 ? (float)current : 0f;
            reference.Step(0, 0f, 0f);
            if ((step + 1) % 5 == 0) expected.Add(reference.V[0]);
        }
        Assert.Equal(expected, Sim.Trace(engines, 0, "v", 1));
        Assert.All(Sim.Trace(engines, 0, "v", 0), x => Assert.Equal(-70f, x));
        Assert.True(expected.Distinct().Count() > 40);
    }
}
