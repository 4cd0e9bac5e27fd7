using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// The exchange lag k lets a partition run up to k epochs ahead of the spikes it has received. Static networks
/// must give the same spikes for every lag and every delivery schedule; plastic ones the same spikes and weights
/// for every delivery schedule and partitioning at a given lag.
/// </summary>
public class ExchangeLagTests
{
    /// <summary>
    /// Delivers each epoch's spikes as soon as every engine has run it (as with no transit time), rather than as
    /// late as the lag allows like <see cref="DistSnn.Nodes.Exchange.InProcessRunner"/> and the partitions; like them it skips the last
    /// lag epochs, whose spikes would arrive after the end.
    /// </summary>
    private static PartitionEngine[] Eager(NetworkSpec spec, int parts)
    {
        var engines = Sim.Build(spec, parts, PartitionStrategy.RoundRobin);
        var first = engines[0];
        long epochs = first.Epochs;
        while (!first.Finished)
        {
            long epoch = first.NextEpoch;
            var batches = new SpikeBatch[engines.Length];
            for (int q = 0; q < engines.Length; q++)
            {
                var b = engines[q].RunEpoch();
                batches[q] = new SpikeBatch(b.Stamps[..b.Count], b.Gids[..b.Count], b.Count);
            }
            if (epoch + first.Lag < epochs)
                foreach (var e in engines) e.Deliver(batches);
        }
        return engines;
    }

    private static NetworkSpec WithLag(NetworkSpec spec, int? lag) => spec with { Run = spec.Run with { ExchangeLag = lag } };

    /// <summary>Recurrent exc→exc STDP with normalisation, inhibitory feedback, Poisson drive; min delay 1.5 ms.</summary>
    private static NetworkSpec Plastic(int lag)
    {
        var b = new NetworkBuilder("plastic").WithDuration(150).WithSeed(5).WithExchangeLag(lag);
        var model = new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10, TRef = 2 };
        var exc = b.Population("exc", 200, model).Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        var inh = b.Population("inh", 50, model).Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        var stdp = new StdpSynapse { APlus = 0.01, AMinus = 0.012, WMin = 0, WMax = 0.6, NormalizeTotal = 4, NormalizeInterval = 20 };
        b.Connect(exc, exc, new FixedProbability(0.1) { AllowSelfConnections = false }, weight: 0.2, delay: 1.5, synapse: stdp);
        b.Connect(exc, inh, new FixedProbability(0.1), weight: 0.2, delay: 2.0);
        b.Connect(inh, exc, new FixedProbability(0.1), weight: -1.0, delay: 1.7);
        b.PoissonInput(exc, 40, 180, 0.2);
        b.PoissonInput(inh, 40, 160, 0.2);
        b.RecordAllSpikes();
        return b.Build();
    }

    [Fact]
    public void StaticSpikesAndStateDoNotDependOnTheLagOrOnWhenSpikesAreDelivered()
    {
        var brunel = DeterminismTests.Brunel(); // min delay 1 ms = 10 steps
        Assert.Equal(2, brunel.ExchangeLag());
        var reference = Sim.Run(WithLag(brunel, 1), 1);
        var pops = brunel.Populations;
        foreach (var lag in new[] { 2, 3, 10 })
        {
            var spec = WithLag(brunel, lag);
            Assert.Equal(10 / lag, spec.EpochSteps());
            foreach (var engines in new[] { Sim.Run(spec, 3, PartitionStrategy.RoundRobin), Eager(spec, 3) })
            {
                for (int p = 0; p < pops.Count; p++)
                    Assert.Equal(Sim.Spikes(reference, p), Sim.Spikes(engines, p));
                var v = Sim.FinalState(engines, 0, pops[0].Size, "v");
                Assert.True(Sim.FinalState(reference, 0, pops[0].Size, "v").AsSpan().SequenceEqual(v), $"lag {lag}: final v differs");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void PlasticSpikesAndWeightsDoNotDependOnDeliveryOrPartitioning(int lag)
    {
        var spec = Plastic(lag);
        var reference = Sim.Run(spec, 1);
        ulong weights = reference[0].WeightsChecksum;
        var spikes = Sim.Spikes(reference, 0);
        Assert.InRange(spikes.Count, 200 * 0.150 * 2, 200 * 0.150 * 100); // active, not saturated
        foreach (var engines in new[] { Eager(spec, 1), Eager(spec, 3), Sim.Run(spec, 3, PartitionStrategy.RoundRobin) })
        {
            Assert.Equal(spikes, Sim.Spikes(engines, 0));
            Assert.Equal(weights, engines.Aggregate(0UL, (sum, e) => unchecked(sum + e.WeightsChecksum)));
        }
    }

    [Fact]
    public void PlasticityDoesChangeWeights()
    {
        // Guards the test above: a checksum that never moved would prove nothing.
        var spec = Plastic(2);
        var untrained = Sim.Build(spec with { Run = spec.Run with { Duration = 0 } }, 1)[0].WeightsChecksum;
        Assert.NotEqual(untrained, Sim.Run(spec, 1)[0].WeightsChecksum);
    }

    [Fact]
    public void AnEpochCannotRunAheadOfTheLagNorBeDeliveredBeforeItRan()
    {
        var engine = Sim.Build(WithLag(DeterminismTests.Brunel(), 2), 1)[0];
        var none = new[] { new SpikeBatch([], [], 0) };
        Assert.Throws<InvalidOperationException>(() => engine.Deliver(none));
        engine.RunEpoch();
        engine.RunEpoch();
        var e = Assert.Throws<InvalidOperationException>(() => engine.RunEpoch());
        Assert.Contains("epoch 2 cannot run before epoch 0 is delivered", e.Message, StringComparison.Ordinal);
        engine.Deliver(none);
        engine.RunEpoch();
        Assert.Equal(1, engine.DeliveredEpochs);
        Assert.Equal(3, engine.NextEpoch);
    }
}
