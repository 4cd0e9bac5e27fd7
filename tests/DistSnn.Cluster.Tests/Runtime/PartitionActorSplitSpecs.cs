using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>
/// A sharded <see cref="PartitionActor"/> on a node whose remoting frame holds only about 160 spikes: it must split
/// its large packets into parts, and put the in-neighbour's parts — arriving reversed and duplicated — back
/// together, so that its spikes still equal an in-memory reference run.
/// </summary>
public class PartitionActorSplitSpecs() : TestKit("akka.remote.dot-netty.tcp.maximum-frame-size = 12000b")
{
    private const string Job = "split-job";

    private static NetworkSpec Spec(bool recordSources)
    {
        var b = new NetworkBuilder("split-spec").WithDt(0.1).WithDuration(10).WithSeed(5).WithExchangeLag(1);
        var src = b.Population("src", 1000, new PoissonGenerator { Rate = 800 });
        var n = b.Population("n", 60, new LifDelta { TauM = 10, EL = 0, VTh = 15, VReset = 0, TRef = 2 });
        b.Connect(src, n, new FixedProbability(0.1), weight: 2, delay: 1.0);
        b.Connect(n, n, new FixedProbability(0.3), weight: 2, delay: 1.0);
        if (recordSources) b.RecordSpikes(src);
        b.RecordSpikes(n);
        return b.Build();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SplitsLargePacketsAndReassemblesPartsInAnyOrder(bool recordSources)
    {
        var spec = Spec(recordSources);
        var plan = PartitionPlan.Create(spec, 2, PartitionStrategy.RoundRobin);
        var engines = Enumerable.Range(0, 2).Select(q => new PartitionEngine(spec, q, plan.Owned(q))).ToArray();
        DistSnn.Nodes.Exchange.InProcessRunner.Run(spec, engines);
        var expected = engines[0].SpikeRecords.Where(r => r is not null).Select(r => r!.ToArrays()).ToArray();

        int perPart = SpikePacketSplitter.MaxSpikesPerPart(12000, Job);
        var actor = Sys.ActorOf(Props.Create(() => new PartitionActor(true)));
        actor.Tell(new BuildPartition(Job, spec, 0, plan.Owned(0)), TestActor);
        ExpectMsg<PartitionBuilt>();
        var all = new ulong[(spec.TotalNeurons + 63) / 64];
        Array.Fill(all, ulong.MaxValue);
        var coordinator = CreateTestProbe();
        // It sends to itself (through parts too) and to the test, which plays partition 1.
        actor.Tell(new StartRun(Job, [new OutRoute(0, actor, all), new OutRoute(1, TestActor, all)], [0, 1], coordinator));

        var other = new PartitionEngine(spec, 1, plan.Owned(1));
        long epochs = other.Epochs;
        var assembler = new SpikePacketAssembler();
        int partsReceived = 0;
        var first = other.RunEpoch();
        var mine = new SpikePacket(Job, 0, 1, first.Stamps[..first.Count], first.Gids[..first.Count]);
        for (long e = 0; e < epochs - 1; e++)
        {
            SpikePacket? fromActor = null;
            while (fromActor is null)
            {
                var part = ExpectMsg<SpikePacketPart>(TimeSpan.FromSeconds(10));
                Assert.True(part.Stamps.Length <= perPart, $"a part of {part.Stamps.Length} spikes exceeds {perPart}");
                partsReceived++;
                fromActor = assembler.Add(part);
            }
            Assert.Equal(e, fromActor.Epoch);
            var parts = SpikePacketSplitter.Split(mine, 7);
            foreach (var part in parts.Reverse()) actor.Tell(part);
            actor.Tell(parts[0]);
            other.Deliver([new SpikeBatch(fromActor.Stamps, fromActor.Gids, fromActor.Stamps.Length),
                new SpikeBatch(mine.Stamps, mine.Gids, mine.Stamps.Length)]);
            var batch = other.RunEpoch();
            mine = new SpikePacket(Job, e + 1, 1, batch.Stamps[..batch.Count], batch.Gids[..batch.Count]);
        }
        Assert.True(partsReceived > 2 * (epochs - 1), $"the actor's packets were split ({partsReceived} parts for {epochs - 1} packets)");
        if (recordSources)
        {
            // 8,000 recorded source spikes cannot travel in a 12,000-byte frame: the job fails with the figures.
            var failed = coordinator.FishForMessage<PartitionFailed>(_ => true, TimeSpan.FromSeconds(10));
            Assert.Contains("more than the remoting frame", failed.Reason);
            Assert.Contains("MaxFrameBytes", failed.Reason);
            return;
        }
        var last = coordinator.FishForMessage<object>(m => m is PartitionFinished or PartitionFailed, TimeSpan.FromSeconds(10));
        Assert.True(last is PartitionFinished, last is PartitionFailed f ? f.Reason : "");
        var result = ((PartitionFinished)last).Result;
        var recorded = Assert.Single(result.RecordedSpikes);
        Assert.Equal(expected[0].Stamps, recorded.Stamps);
        Assert.Equal(expected[0].Ids, recorded.Ids);
        Assert.True(recorded.Stamps.Length > 20, "the network must actually spike");
    }
}
