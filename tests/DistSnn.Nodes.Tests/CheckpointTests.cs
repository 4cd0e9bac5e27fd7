using DistSnn.Model;
using DistSnn.Nodes.Checkpoints;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// Engine checkpoints: state saved at an epoch boundary and restored into freshly built engines continues exactly as
/// the engines that were never stopped — same spikes, same recordings and bit-identical state, for every neuron model,
/// Poisson inputs and sources, currents, adaptive thresholds and plastic synapses.
/// </summary>
public class CheckpointTests
{
    /// <summary>Brunel-like network with pair, triplet and reward STDP, a reward schedule, state recording and sources.</summary>
    internal static NetworkSpec Plastic()
    {
        var b = new NetworkBuilder("plastic").WithDt(0.1).WithDuration(200).WithSeed(99);
        var model = new LifDelta { TauM = 20, CM = 250, EL = 0, VTh = 20, VReset = 10, TRef = 2, ThetaPlus = 0.2, TauTheta = 100 };
        var exc = b.Population("exc", 300, model).Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        var inh = b.Population("inh", 80, model).Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        var ext = b.Population("ext", 40, new PoissonGenerator { Rate = 30 });
        var pair = new StdpSynapse { TauPlus = 16.8, TauMinus = 33.7, APlus = 0.01, AMinus = 0.012, WMin = 0, WMax = 0.5 };
        var triplet = TripletStdpSynapse.VisualCortexAllToAll with { WMin = 0, WMax = 0.5 };
        var reward = new RewardStdpSynapse { APlus = 0.5, AMinus = 0.6, TauC = 200, LearningRate = 0.05, WMin = 0, WMax = 0.5 };
        b.Connect(exc, exc, new FixedProbability(0.1) { AllowSelfConnections = false }, weight: 0.2, delay: 1.5, synapse: pair);
        b.Connect(exc, inh, new FixedProbability(0.1), weight: 0.2, delay: 1.5, synapse: triplet);
        b.Connect(ext, exc, new FixedNumberPre(5), weight: 0.3, delay: 2.0, synapse: reward);
        b.Connect(inh, exc, new FixedProbability(0.1), weight: -1.0, delay: 1.5);
        b.Connect(inh, inh, new FixedProbability(0.1) { AllowSelfConnections = false }, weight: -1.0, delay: 1.5);
        b.PoissonInput(exc, 40, 200, 0.2);
        b.PoissonInput(inh, 40, 200, 0.2);
        b.WithReward([0, 60, 120], [0.5, -0.3, 1.0]);
        b.RecordAllSpikes();
        b.RecordState(exc, ["v", "theta"], [0, 7, 150, 299], intervalMs: 0.5);
        return b.Build();
    }

    public static TheoryData<string> Networks => new() { "brunel", "coba", "adaptive", "alpha", "plastic" };

    private static NetworkSpec Spec(string name) => name switch
    {
        "brunel" => DeterminismTests.Brunel(),
        "coba" => DeterminismTests.Coba(),
        "adaptive" => DeterminismTests.Adaptive(),
        "alpha" => DeterminismTests.Alpha(),
        _ => Plastic(),
    };

    [Theory, MemberData(nameof(Networks))]
    public void RestoredEnginesContinueBitForBit(string name)
    {
        var spec = Spec(name);
        const int parts = 2;
        var uninterrupted = Sim.Run(spec, parts);

        var first = Sim.Build(spec, parts);
        long epoch = first[0].EpochSteps;
        long at = first[0].TotalSteps * 2 / 5 / epoch * epoch;
        var inTransit = new Queue<SpikeBatch[]>();
        Advance(first, at, inTransit);
        Assert.Equal(at, first[0].CurrentStep);
        var saved = first.Select(Save).ToArray();
        var savedInTransit = inTransit.ToArray();
        Advance(first, long.MaxValue, inTransit);

        var resumed = Sim.Build(spec, parts);
        for (int q = 0; q < parts; q++) resumed[q].RestoreState(new MemoryStream(saved[q]));
        Assert.All(resumed, e => Assert.Equal(at, e.CurrentStep));
        Assert.True(resumed.Sum(e => e.SpikesEmitted) > 0, "the checkpoint is taken after spikes happened");
        Advance(resumed, long.MaxValue, new Queue<SpikeBatch[]>(savedInTransit));

        var pops = spec.Populations;
        for (int p = 0; p < pops.Count; p++)
        {
            var expected = Sim.Spikes(uninterrupted, p);
            Assert.True(expected.Count > 0, $"{pops[p].Name} spikes");
            Assert.Equal(expected, Sim.Spikes(first, p)); // saving does not disturb the run
            Assert.Equal(expected, Sim.Spikes(resumed, p));
            if (pops[p].Model.IsSource) continue;
            foreach (var v in pops[p].Model.StateVariables)
                Assert.True(Sim.FinalState(uninterrupted, p, pops[p].Size, v.Name).AsSpan()
                    .SequenceEqual(Sim.FinalState(resumed, p, pops[p].Size, v.Name)), $"final {v.Name} of {pops[p].Name}");
        }
        for (int q = 0; q < parts; q++)
        {
            // Every state array, ring buffer, trace, log and recording, bit for bit.
            Assert.Equal(Save(uninterrupted[q]), Save(resumed[q]));
            Assert.Equal(uninterrupted[q].SynapticEvents, resumed[q].SynapticEvents);
            Assert.Equal(uninterrupted[q].SpikesEmitted, resumed[q].SpikesEmitted);
            Assert.Equal(uninterrupted[q].WeightsChecksum, resumed[q].WeightsChecksum);
        }
        if (name == "plastic")
        {
            Assert.NotEqual(Sim.Build(spec, parts).Sum(e => (decimal)e.WeightsChecksum), uninterrupted.Sum(e => (decimal)e.WeightsChecksum));
            var trace = Sim.Trace(uninterrupted, 0, "theta", 7);
            Assert.Equal(trace, Sim.Trace(resumed, 0, "theta", 7));
            Assert.Equal(400, trace.Length);
        }
    }

    [Fact]
    public void FrozenLearningAndRunSetRatesAreRestored()
    {
        var spec = Plastic();
        var a = Sim.Build(spec, 1)[0];
        a.Learning = false;
        a.SetPoissonRates(2, i => 5.0 * i);
        a.RewardOverride = 0.25;
        var inTransit = new Queue<SpikeBatch[]>();
        Advance([a], 600, inTransit);
        var blob = Save(a);
        var b = Sim.Build(spec, 1)[0];
        b.RestoreState(new MemoryStream(blob));
        Assert.False(b.Learning);
        Assert.Equal(0.25, b.RewardOverride);
        var copy = new Queue<SpikeBatch[]>(inTransit);
        Advance([a], long.MaxValue, inTransit);
        Advance([b], long.MaxValue, copy);
        Assert.Equal(Save(a), Save(b));
        Assert.Equal(Sim.Spikes([a], 2), Sim.Spikes([b], 2));
    }

    [Fact]
    public void StateThatDoesNotFitTheEngineIsRefusedNamingTheField()
    {
        var spec = DeterminismTests.Brunel();
        var engines = Sim.Build(spec, 2);
        Advance(engines, 100);
        var blob = Save(engines[0]);

        var wrongPartition = Assert.Throws<CheckpointFormatException>(() => Sim.Build(spec, 2)[1].RestoreState(new MemoryStream(blob)));
        Assert.Contains("'partition' is 0 in the checkpoint but 1", wrongPartition.Message);

        var longer = spec with { Run = spec.Run with { Duration = 300 } };
        var wrongModel = Assert.Throws<CheckpointFormatException>(() => Sim.Build(longer, 2)[0].RestoreState(new MemoryStream(blob)));
        Assert.Contains("'total_steps' is 2000 in the checkpoint but 3000", wrongModel.Message);

        var truncated = Assert.Throws<CheckpointFormatException>(() => Sim.Build(spec, 2)[0].RestoreState(new MemoryStream(blob[..(blob.Length / 2)])));
        Assert.Contains("truncated", truncated.Message);
        Assert.Contains("population 'exc' (lif_delta)", truncated.Message);

        var notState = Assert.Throws<CheckpointFormatException>(() => Sim.Build(spec, 2)[0].RestoreState(new MemoryStream(new byte[64])));
        Assert.Contains("bad magic", notState.Message);
    }

    /// <summary>Runs epochs with the in-memory exchange until <paramref name="until"/> (an epoch boundary) or the end.</summary>
    /// <summary>
    /// Runs the engines as <see cref="DistSnn.Nodes.Exchange.InProcessRunner"/> does, stopping at step <paramref name="until"/>; the epochs
    /// run but not yet delivered (with exchange lag k > 1) stay in <paramref name="inTransit"/>, as the partitions
    /// keep their own and send them again after a restore.
    /// </summary>
    internal static void Advance(PartitionEngine[] engines, long until, Queue<SpikeBatch[]>? inTransit = null)
    {
        inTransit ??= new Queue<SpikeBatch[]>();
        var first = engines[0];
        while (!first.Finished && first.CurrentStep < until)
        {
            while (first.NextEpoch - first.DeliveredEpochs >= first.Lag)
            {
                var epoch = inTransit.Dequeue();
                foreach (var e in engines) e.Deliver(epoch);
            }
            var batches = new SpikeBatch[engines.Length];
            for (int q = 0; q < engines.Length; q++)
            {
                var b = engines[q].RunEpoch();
                batches[q] = new SpikeBatch(b.Stamps[..b.Count], b.Gids[..b.Count], b.Count);
            }
            inTransit.Enqueue(batches);
        }
    }

    internal static byte[] Save(PartitionEngine engine)
    {
        var ms = new MemoryStream();
        engine.SaveState(ms);
        return ms.ToArray();
    }
}
