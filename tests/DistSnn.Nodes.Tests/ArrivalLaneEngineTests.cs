using DistSnn.Model;
using Xunit;

namespace DistSnn.Nodes.Tests;

/// <summary>Tests that change <see cref="PartitionEngine.ArrivalLanes"/>, which every engine built meanwhile reads: run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EngineSettingsCollection
{
    public const string Name = "engine settings";
}

/// <summary>
/// Whole engines with and without arrival lanes: the same spikes, events and final state bit for bit, for networks
/// that mix per-synapse and constant delays onto one input, Poisson inputs and several neuron models, on 1 and 3
/// partitions; plastic inputs never take lanes; checkpoints carry the runs on their way.
/// </summary>
[Collection(EngineSettingsCollection.Name)]
public class ArrivalLaneEngineTests
{
    public static TheoryData<string, int> Cases => new() { { "brunel", 1 }, { "brunel", 3 }, { "coba", 3 }, { "heterogeneous", 2 }, { "alpha", 2 } };

    private static NetworkSpec Spec(string name) => name switch
    {
        "brunel" => DeterminismTests.Brunel(),
        "coba" => DeterminismTests.Coba(),
        "heterogeneous" => DeterminismTests.Heterogeneous(),
        _ => DeterminismTests.Alpha(),
    };

    private static PartitionEngine[] RunWith(PartitionEngine.LaneMode mode, NetworkSpec spec, int parts)
    {
        var saved = PartitionEngine.ArrivalLanes;
        PartitionEngine.ArrivalLanes = mode;
        try
        {
            return Sim.Run(spec, parts);
        }
        finally
        {
            PartitionEngine.ArrivalLanes = saved;
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public void LanesChangeNoSpikeAndNoState(string name, int parts)
    {
        var spec = Spec(name);
        var direct = RunWith(PartitionEngine.LaneMode.Never, spec, parts);
        var laned = RunWith(PartitionEngine.LaneMode.Always, spec, parts);
        Assert.All(direct, e => Assert.Equal(0, e.ArrivalLaneCount));
        Assert.True(laned.Sum(e => e.ArrivalLaneCount) > 0, "lanes are used");
        Assert.Equal(direct.Sum(e => e.SynapseCount), laned.Sum(e => e.SynapseCount));
        Assert.Equal(direct.Sum(e => e.SynapticEvents), laned.Sum(e => e.SynapticEvents));
        for (int p = 0; p < spec.Populations.Count; p++)
        {
            var pop = spec.Populations[p];
            Assert.Equal(Sim.Spikes(direct, p), Sim.Spikes(laned, p));
            if (pop.Model.IsSource) continue;
            foreach (var v in pop.Model.StateVariables)
                Assert.True(Sim.FinalState(direct, p, pop.Size, v.Name).AsSpan().SequenceEqual(Sim.FinalState(laned, p, pop.Size, v.Name)),
                    $"final {v.Name} of {pop.Name}");
        }
        Assert.True(Sim.Spikes(direct, 0).Count > 0, "spikes happen");
    }

    [Fact]
    public void PlasticInputsKeepTheRing()
    {
        // Per-synapse delays everywhere but onto the plastic projection's input, which keeps the ring for all its synapses.
        var b = new NetworkBuilder("mixed").WithDt(0.1).WithDuration(100).WithSeed(5);
        var model = new LifDelta { TauM = 20, CM = 250, EL = 0, VTh = 20, VReset = 10, TRef = 2 };
        var a = b.Population("a", 200, model).Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        var c = b.Population("c", 100, model).Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        var delays = new UniformValue(1.0, 3.0, Dimension.Time);
        b.Connect(a, a, new FixedProbability(0.1), ValueSpec.Of(0.3, Dimension.Voltage), delays);
        b.Connect(a, c, new FixedProbability(0.1), ValueSpec.Of(0.3, Dimension.Voltage), delays);
        b.Connect(c, c, new FixedProbability(0.1), weight: 0.2, delay: 1.0, synapse: new StdpSynapse { WMax = 1 });
        b.PoissonInput(a, 40, 200, 0.3);
        b.RecordAllSpikes();
        var spec = b.Build();
        var direct = RunWith(PartitionEngine.LaneMode.Never, spec, 2);
        var laned = RunWith(PartitionEngine.LaneMode.Always, spec, 2);
        Assert.All(laned, e => Assert.Equal(1, e.ArrivalLaneCount)); // a's input only
        for (int p = 0; p < 2; p++) Assert.Equal(Sim.Spikes(direct, p), Sim.Spikes(laned, p));
        Assert.Equal(direct.Sum(e => (decimal)e.WeightsChecksum), laned.Sum(e => (decimal)e.WeightsChecksum));
    }

    [Fact]
    public void StateOfAnEngineWithoutLanesIsRefusedByOneWithLanesNamingTheSwitch()
    {
        var spec = DeterminismTests.Brunel();
        var saved = PartitionEngine.ArrivalLanes;
        try
        {
            PartitionEngine.ArrivalLanes = PartitionEngine.LaneMode.Never;
            var direct = Sim.Build(spec, 2)[0];
            direct.RunEpoch();
            using var state = new MemoryStream();
            direct.SaveState(state);
            PartitionEngine.ArrivalLanes = PartitionEngine.LaneMode.Always;
            var laned = Sim.Build(spec, 2)[0];
            var error = Assert.Throws<Checkpoints.CheckpointFormatException>(() => laned.RestoreState(new MemoryStream(state.ToArray())));
            Assert.Contains("DISTSNN_ARRIVAL_LANES=never", error.Message);
            Assert.Contains("arrival_lanes", error.Message);
        }
        finally
        {
            PartitionEngine.ArrivalLanes = saved;
        }
    }

    [Theory]
    [InlineData("brunel")]
    [InlineData("coba")]
    public void CheckpointsCarryTheRunsOnTheirWay(string name)
    {
        var saved = PartitionEngine.ArrivalLanes;
        PartitionEngine.ArrivalLanes = PartitionEngine.LaneMode.Always;
        try
        {
            Assert.True(Sim.Build(DeterminismTests.Brunel(), 2).All(e => e.ArrivalLaneCount > 0));
            new CheckpointTests().RestoredEnginesContinueBitForBit(name);
        }
        finally
        {
            PartitionEngine.ArrivalLanes = saved;
        }
    }
}
