using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>
/// <see cref="PartitionActor"/> against a scripted in-neighbour: partition 0 runs as an actor, partition 1 is a
/// plain engine driven by the test, which plays the network — delaying, reordering and duplicating packets.
/// Whatever the order of arrival, partition 0 must produce exactly the spikes of an in-memory reference run.
/// </summary>
public class PartitionActorSpecs : TestKit
{
    private const string Job = "spec-job";

    /// <summary>The scripts below play the network for lag 1 (one epoch per minimum delay) unless told otherwise.</summary>
    private static NetworkSpec Spec(int lag = 1)
    {
        var b = new NetworkBuilder("actor-spec").WithDt(0.1).WithDuration(20).WithSeed(3).WithExchangeLag(lag);
        var src = b.Population("src", 40, new PoissonGenerator { Rate = 200 });
        var n = b.Population("n", 30, new LifDelta { TauM = 10, EL = 0, VTh = 15, VReset = 0, TRef = 2 });
        b.Connect(src, n, new FixedProbability(0.5), weight: 4, delay: 1.0);
        b.Connect(n, n, new FixedProbability(0.3), weight: 2, delay: 1.0);
        b.RecordSpikes(src);
        b.RecordSpikes(n);
        return b.Build();
    }

    private static (long[] Stamps, int[] Ids)[] Reference(NetworkSpec spec, PartitionPlan plan)
    {
        var engines = Enumerable.Range(0, plan.Parts).Select(q => new PartitionEngine(spec, q, plan.Owned(q))).ToArray();
        DistSnn.Nodes.Exchange.InProcessRunner.Run(spec, engines);
        return engines[0].SpikeRecords.Select(r => r!.ToArrays()).ToArray();
    }

    private static ulong[] AllBits(long n)
    {
        var bits = new ulong[(n + 63) / 64];
        Array.Fill(bits, ulong.MaxValue);
        return bits;
    }

    private static SpikePacket Packet(long epoch, int source, SpikeBatch b) =>
        new(Job, epoch, source, b.Stamps[..b.Count], b.Gids[..b.Count]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ProducesTheReferenceSpikesWhetherPacketsArriveInOrderOrNot(bool scramble)
    {
        var spec = Spec();
        var plan = PartitionPlan.Create(spec, 2);
        var expected = Reference(spec, plan);

        var actor = Sys.ActorOf(Props.Create(() => new PartitionActor()));
        actor.Tell(new BuildPartition(Job, spec, 0, plan.Owned(0)), TestActor);
        var built = ExpectMsg<PartitionBuilt>();
        Assert.Equal(0, built.Partition);
        var all = AllBits(spec.TotalNeurons);
        // Partition 0 sends to itself and to the test (partition 1); it hears from itself and from partition 1.
        var coordinator = CreateTestProbe();
        actor.Tell(new StartRun(Job, [new OutRoute(0, actor, all), new OutRoute(1, TestActor, all)], [0, 1], coordinator));

        var other = new PartitionEngine(spec, 1, plan.Owned(1));
        long epochs = other.Epochs;
        // The actor sends its epoch-e packet once it has our packet for e - 1; ours for e needs its packet for e - 1.
        var mine = Packet(0, 1, other.RunEpoch());
        long e = 0;
        while (e < epochs - 1)
        {
            var fromActor = ExpectSpikePacket();
            Assert.Equal(e, fromActor.Epoch);
            if (scramble && e % 3 == 0 && e + 1 < epochs - 1)
            {
                // Send epoch e + 1 first (twice), then epoch e.
                other.Deliver([ToBatch(fromActor), ToBatch(mine)]);
                var next = Packet(e + 1, 1, other.RunEpoch());
                actor.Tell(next);
                actor.Tell(next);
                actor.Tell(mine);
                var fromActor2 = ExpectSpikePacket();
                Assert.Equal(e + 1, fromActor2.Epoch);
                other.Deliver([ToBatch(fromActor2), ToBatch(next)]);
                mine = Packet(e + 2, 1, other.RunEpoch());
                e += 2;
                continue;
            }
            actor.Tell(mine);
            other.Deliver([ToBatch(fromActor), ToBatch(mine)]);
            mine = Packet(e + 1, 1, other.RunEpoch());
            e++;
        }
        var finished = coordinator.FishForMessage<PartitionFinished>(_ => true, TimeSpan.FromSeconds(10));
        var result = finished.Result;
        Assert.Equal(2, result.RecordedSpikes.Count);
        for (int p = 0; p < 2; p++)
        {
            Assert.Equal(expected[p].Stamps, result.RecordedSpikes[p].Stamps);
            Assert.Equal(expected[p].Ids, result.RecordedSpikes[p].Ids);
        }
        Assert.True(result.RecordedSpikes[1].Stamps.Length > 5, "the network must actually spike");
        if (scramble) Assert.True(result.DuplicatePackets > 0, "the duplicate packet was counted");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void WaitsForAMissingInNeighbourAndDropsLatePackets(int lag)
    {
        var spec = Spec(lag);
        var plan = PartitionPlan.Create(spec, 2);
        var actor = Sys.ActorOf(Props.Create(() => new PartitionActor(false)));
        actor.Tell(new BuildPartition(Job, spec, 0, plan.Owned(0)), TestActor);
        ExpectMsg<PartitionBuilt>();
        var all = AllBits(spec.TotalNeurons);
        actor.Tell(new StartRun(Job, [new OutRoute(1, TestActor, all)], [1], CreateTestProbe()));
        // Epochs 0 .. lag - 1 need no packet; epoch lag needs partition 1's packet for epoch 0.
        for (int e = 0; e < lag; e++) Assert.Equal(e, ExpectSpikePacket().Epoch);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        // A packet for an unknown job changes nothing either.
        actor.Tell(new SpikePacket("other-job", 0, 1, [], []));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        actor.Tell(new SpikePacket(Job, 0, 1, [], []));
        Assert.Equal(lag, ExpectSpikePacket().Epoch);
        // Epoch 0 again is late now: dropped, and the partition still waits for epoch 1.
        actor.Tell(new SpikePacket(Job, 0, 1, [], []));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        actor.Tell(new SpikePacket(Job, 1, 1, [], []));
        Assert.Equal(lag + 1, ExpectSpikePacket().Epoch);
    }

    [Fact]
    public void ABuildFailureIsReportedNotThrown()
    {
        var spec = Spec();
        var actor = Sys.ActorOf(Props.Create(() => new PartitionActor()));
        // Owned indices out of order are rejected by the engine.
        actor.Tell(new BuildPartition(Job, spec, 0, [[3, 1], []]), TestActor);
        var failed = ExpectMsg<PartitionFailed>();
        Assert.Contains("ascending", failed.Reason);
    }

    [Fact]
    public async Task ACancelledJobEndsItsCompletion()
    {
        var spec = ModelLoader.LoadFile(Repo.Example("brunel.yaml"));
        using var cts = new CancellationTokenSource();
        var run = LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2 }, step => { if (step > 0) cts.Cancel(); }, cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    private static SpikeBatch ToBatch(SpikePacket p) => new(p.Stamps, p.Gids, p.Stamps.Length);

    private SpikePacket ExpectSpikePacket() =>
        ExpectMsg<SpikePacket>(TimeSpan.FromSeconds(5));
}
