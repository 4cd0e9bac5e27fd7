using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using DistSnn.Cluster.Tests.Serialization;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>
/// Packets for unknown jobs, for epochs already done and for epochs after the end of the run reach a running
/// <see cref="PartitionActor"/>: each is dropped, counted by kind, logged once per kind, and the run produces
/// exactly the spikes it produces without them.
/// </summary>
public class HostilePacketSpecs : TestKit
{
    private const string Job = "hostile-job";

    private static NetworkSpec Spec()
    {
        // The script below plays the network for one epoch per minimum delay.
        var b = new NetworkBuilder("hostile").WithDt(0.1).WithDuration(20).WithSeed(5).WithExchangeLag(1);
        var src = b.Population("src", 40, new PoissonGenerator { Rate = 300 });
        var n = b.Population("n", 30, new LifDelta { TauM = 10, EL = 0, VTh = 15, VReset = 0, TRef = 2 });
        b.Connect(src, n, new FixedProbability(0.5), weight: 4, delay: 1.0);
        b.RecordSpikes(n);
        return b.Build();
    }

    [Theory]
    [InlineData("other", 5, 1, 5, WireRejection.UnknownJob)]
    [InlineData(Job, 4, 1, 5, WireRejection.PastEpoch)]
    [InlineData(Job, 19, 1, 5, WireRejection.FutureEpoch)] // the last epoch's spikes are never exchanged
    [InlineData(Job, 20, 1, 5, WireRejection.FutureEpoch)]
    [InlineData(Job, long.MaxValue, 1, 5, WireRejection.FutureEpoch)]
    [InlineData(Job, 5, 2, 5, WireRejection.UnknownSource)]
    [InlineData(Job, 18, 1, 5, null)]
    [InlineData(Job, 5, 1, 5, null)]
    [InlineData(Job, 0, 0, 0, null)]
    public void The_gate_and_the_exchange_accept_only_the_run_s_epochs_from_its_in_neighbours(string job, long epoch, int source,
        long delivered, WireRejection? expected)
    {
        // 200 steps of 10 with lag 1: epochs 0 to 19, packets for epochs 0 to 18, from partitions 0 and 1.
        var packet = new SpikePacket(job, epoch, source, [], []);
        var exchange = new DistSnn.Nodes.Exchange.EpochExchange<SpikePacket>([0, 1], 1, 20);
        var rejected = PacketGate.CheckJob(packet, Job) ?? PacketGate.Of(exchange.Offer(packet.Epoch, packet.Source, packet, delivered));
        Assert.Equal(expected, rejected);
        Assert.Equal(WireRejection.UnknownJob, PacketGate.CheckJob(packet, null));
    }

    /// <summary>
    /// Runs the whole network as partition 0, with the test playing a second in-neighbour that sends empty packets, and
    /// optionally hostile packets after epoch 1 (carrying a spike of source 0, which would change the run if it were
    /// delivered); returns the recorded spikes and the late-packet count.
    /// </summary>
    private (long[] Stamps, int[] Ids, long Late) Run(bool hostile)
    {
        var spec = Spec();
        var plan = PartitionPlan.Create(spec, 1);
        var actor = Sys.ActorOf(Props.Create(() => new PartitionActor(false)));
        actor.Tell(new BuildPartition(Job, spec, 0, plan.Owned(0)), TestActor);
        ExpectMsg<PartitionBuilt>();
        var bits = new ulong[(spec.TotalNeurons + 63) / 64];
        Array.Fill(bits, ulong.MaxValue);
        var coordinator = CreateTestProbe();
        // Local spikes travel as packets to itself, as in a real run; the test is the second in-neighbour.
        actor.Tell(new StartRun(Job, [new OutRoute(0, actor, bits), new OutRoute(1, TestActor, bits)], [0, 1], coordinator));
        long epochs = 200 / 10;
        for (long e = 0; e < epochs - 1; e++)
        {
            Assert.Equal(e, ExpectMsg<SpikePacket>(TimeSpan.FromSeconds(5)).Epoch);
            actor.Tell(new SpikePacket(Job, e, 1, [], []));
            if (!hostile || e != 1) continue;
            // Each kind three times; the next packet from the partition proves they were all processed.
            EventFilter.Warning(contains: "unknown job 'intruder'").ExpectOne(() =>
                EventFilter.Warning(contains: "late packet for epoch").ExpectOne(() =>
                    EventFilter.Warning(contains: "after the last epoch of the run").ExpectOne(() =>
                    {
                        for (int k = 0; k < 3; k++)
                        {
                            actor.Tell(new SpikePacket("intruder", e + 1, 1, [e * 10 + 10], [0]));
                            actor.Tell(new SpikePacket(Job, e - 1 - k % 2, 1, [0], [0]));
                            actor.Tell(new SpikePacket(Job, new[] { epochs, 1000, long.MaxValue }[k], 1, [], []));
                        }
                        Assert.Equal(e + 1, ExpectMsg<SpikePacket>(TimeSpan.FromSeconds(5)).Epoch);
                        actor.Tell(new SpikePacket(Job, e + 1, 1, [], []));
                    })));
            e++;
        }
        var result = coordinator.FishForMessage<PartitionFinished>(_ => true, TimeSpan.FromSeconds(10)).Result;
        return (result.RecordedSpikes[0].Stamps, result.RecordedSpikes[0].Ids, result.LatePackets);
    }

    [Fact]
    public void Hostile_packets_are_dropped_counted_and_logged_once_and_the_run_is_unchanged()
    {
        var clean = Run(hostile: false);
        using var listener = new RejectionListener(thisThreadOnly: false);

        var attacked = Run(hostile: true);

        Assert.True(clean.Stamps.Length > 5, $"the network must spike ({clean.Stamps.Length} spikes, ids {string.Join(",", clean.Ids.Take(5))})");
        Assert.Equal(clean.Stamps, attacked.Stamps);
        Assert.Equal(clean.Ids, attacked.Ids);
        Assert.Equal(0, clean.Late);
        Assert.Equal(3, attacked.Late);
        // Other tests may drop packets at the same time, so at least these.
        Assert.True(listener["unknown_job"] >= 3, $"unknown_job: {listener["unknown_job"]}");
        Assert.True(listener["past_epoch"] >= 3, $"past_epoch: {listener["past_epoch"]}");
        Assert.True(listener["future_epoch"] >= 3, $"future_epoch: {listener["future_epoch"]}");
        // The node keeps answering.
        var probe = CreateTestProbe();
        Sys.ActorSelection(probe.Ref.Path).Tell(new Identify(7), TestActor);
        Assert.Equal(7, ExpectMsg<ActorIdentity>().MessageId);
    }
}
