using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistSnn.Backends.Testing;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Tests.Serialization;
using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Exchange;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>
/// One scripted packet sequence — out of order, a duplicate, an early packet, packets for a past and a future epoch
/// and from a stranger — reaches an echo partition through each of the three runtimes: a partition actor, the
/// in-process runner pumped as <c>distsnn run</c> pumps it, and the in-process runner stopped block by block as the
/// trainer stops it. All three deliver the same packets at the same points of the same sequence of epochs (the echo
/// backend logs every call) and refuse the same packets, at lag 1 and 2; none keeps packets of its own.
/// </summary>
public class ScriptedExchangeSpecs : TestKit
{
    private const string Job = "scripted";
    private const int Epochs = 10;

    /// <summary>Parrots (partition 0, echo) hear two source populations that partitions 1 and 2 play in the script.</summary>
    private static NetworkSpec Spec(int lag, bool listening = true)
    {
        long epochSteps = 10 / lag;
        var b = new NetworkBuilder("scripted").WithDt(0.1).WithDuration(Epochs * epochSteps * 0.1).WithSeed(3).WithExchangeLag(lag);
        var a = b.Population("src_a", 4, new LifDelta());
        var c = b.Population("src_b", 4, new LifDelta());
        var parrot = b.Population("parrot", 4, new LifDelta()).OnBackend(EchoBackend.Name);
        if (listening)
        {
            b.Connect(a, parrot, new OneToOne(), weight: 1, delay: 1.0);
            b.Connect(c, parrot, new OneToOne(), weight: 1, delay: 1.0);
        }
        else b.Connect(a, c, new OneToOne(), weight: 1, delay: 1.0);
        b.RecordSpikes(parrot);
        return b.Build();
    }

    private static readonly IReadOnlyList<int[]> Owned = [[], [], [0, 1, 2, 3]];

    /// <summary>A packet of the script, or a point where the script waits for the partition to settle.</summary>
    private sealed record Packet(long Epoch, int Source)
    {
        public SpikeBatch Spikes(long epochSteps) => Source == 1
            ? new([Epoch * epochSteps + 1], [Epoch % 4], 1)
            : new([Epoch * epochSteps + epochSteps], [4 + (Epoch + 1) % 4], 1);
    }

    /// <summary>
    /// Block b hands over the packets of epoch b − lag + 1 (source 2 before source 1), so each is in before the epoch
    /// that needs it runs, and the packets of an epoch arrive only after it ran everywhere.
    /// </summary>
    private static List<List<Packet>> Script(int lag)
    {
        long last = Epochs - lag - 1;
        var blocks = new List<List<Packet>>();
        for (int b = 0; b < Epochs; b++)
        {
            long j = b - lag + 1;
            var block = new List<Packet>();
            if (j >= 0 && j <= last)
            {
                block.Add(new Packet(j, 2));
                if (b == 1) block.Add(new Packet(j, 2));                       // a duplicate
                if (b != 3) block.Add(new Packet(j, 1));                       // source 1's was sent early, in block 2
                if (b == 2) block.Add(new Packet(j + 1, 1));                   // early: for the next block's epoch
            }
            if (b == 3)
            {
                // For an epoch no runtime has delivered yet, whatever it has done with the packets before.
                block.Insert(0, new Packet(j + 1, 3));                         // from a partition that is no in-neighbour
                block.Add(new Packet(last + 1, 1));                            // after the last exchanged epoch
            }
            if (b == lag + 2) block.Add(new Packet(0, 1));                     // long delivered
            blocks.Add(block);
        }
        return blocks;
    }

    private static (InProcessRunner Runner, List<string> Log) Runner(NetworkSpec spec)
    {
        var log = new List<string>();
        var echo = new EchoBackend(spec, 0, Owned, log);
        var receives = new[] { RoutingTable.ReceivesFromBits(echo, spec.TotalNeurons), new ulong[1], new ulong[1] };
        var owned = new[] { RoutingTable.OwnedBits(spec, Owned), RoutingTable.OwnedBits(spec, [[0, 1, 2, 3], [], []]),
            RoutingTable.OwnedBits(spec, [[], [0, 1, 2, 3], []]) };
        return (new InProcessRunner([echo], RoutingTable.Build(owned, receives)), log);
    }

    private static List<string> Snapshot(List<string> log)
    {
        lock (log) return log.ToList();
    }

    /// <summary>The in-process runner pumped to a standstill after each block; returns the log, the verdicts and the log length after each block.</summary>
    private static (List<string> Log, List<PacketVerdict> Verdicts, List<int> Marks) Pumped(int lag, bool listening = true)
    {
        var spec = Spec(lag, listening);
        var (runner, log) = Runner(spec);
        var verdicts = new List<PacketVerdict>();
        var marks = new List<int>();
        foreach (var block in listening ? Script(lag) : new List<List<Packet>>())
        {
            foreach (var p in block) verdicts.Add(runner.Offer(0, p.Epoch, p.Source, p.Spikes(spec.EpochSteps())));
            while (runner.Pump()) { }
            marks.Add(Snapshot(log).Count);
        }
        runner.Run();
        return (Snapshot(log), verdicts, marks);
    }

    /// <summary>The in-process runner stopped at the end of every block, as the trainer stops it between presentations.</summary>
    private static (List<string> Log, List<PacketVerdict> Verdicts) Stopped(int lag, bool listening = true)
    {
        var spec = Spec(lag, listening);
        var (runner, log) = Runner(spec);
        var verdicts = new List<PacketVerdict>();
        var blocks = listening ? Script(lag) : new List<List<Packet>>();
        for (int b = 0; b < blocks.Count; b++)
        {
            foreach (var p in blocks[b]) verdicts.Add(runner.Offer(0, p.Epoch, p.Source, p.Spikes(spec.EpochSteps())));
            runner.RunUntil((b + 1) * spec.EpochSteps());
        }
        runner.Run();
        return (Snapshot(log), verdicts);
    }

    /// <summary>A partition actor, given the script's packets; after each block it is waited for until it stands where the pumped runner stood.</summary>
    private (List<string> Log, PartitionResult Result) OnActor(int lag, IReadOnlyList<int> marks, bool listening = true)
    {
        var spec = Spec(lag, listening);
        var log = new List<string>();
        var registry = EchoBackend.Registry(log);
        var actor = Sys.ActorOf(Props.Create(() => new PartitionActor(false, registry)));
        actor.Tell(new BuildPartition(Job, spec, 0, Owned) { Backend = EchoBackend.Name }, TestActor);
        ExpectMsg<PartitionBuilt>();
        var coordinator = CreateTestProbe();
        actor.Tell(new StartRun(Job, [], listening ? [1, 2] : [], coordinator));
        var blocks = listening ? Script(lag) : new List<List<Packet>>();
        for (int b = 0; b < blocks.Count; b++)
        {
            foreach (var p in blocks[b])
            {
                var s = p.Spikes(spec.EpochSteps());
                actor.Tell(new SpikePacket(Job, p.Epoch, p.Source, s.Stamps, s.Gids));
            }
            int mark = marks[b];
            AwaitCondition(() => Snapshot(log).Count >= mark, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(5));
            Assert.Equal(mark, Snapshot(log).Count);
        }
        var finished = coordinator.FishForMessage<PartitionFinished>(_ => true, TimeSpan.FromSeconds(10));
        return (Snapshot(log), finished.Result);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Every_runtime_delivers_and_refuses_the_same_packets_at_the_same_points(int lag)
    {
        using var listener = new RejectionListener(thisThreadOnly: false);
        var (pumped, verdicts, marks) = Pumped(lag);
        var (stopped, stoppedVerdicts) = Stopped(lag);
        var (onActor, result) = OnActor(lag, marks);

        // The run: every epoch ran, and epochs 0 to Epochs - lag - 1 were delivered, each with its two packets.
        Assert.Equal(Epochs, pumped.Count(l => l.StartsWith("p0 run", StringComparison.Ordinal)));
        var deliveries = pumped.Where(l => l.StartsWith("p0 deliver", StringComparison.Ordinal)).ToList();
        Assert.Equal(Epochs - lag, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(2, d.Split(' ').Length - 3));
        // Epoch e runs right after epoch e - lag is delivered, never before.
        for (int e = lag; e < Epochs; e++)
            Assert.Equal($"p0 deliver {e - lag}:", string.Join(' ', pumped[pumped.FindIndex(l => l.StartsWith($"p0 run {e}:", StringComparison.Ordinal)) - 1].Split(' ')[..3]));
        Assert.Equal(pumped, stopped);
        Assert.Equal(pumped, onActor);

        var expected = Script(lag).SelectMany(b => b).Select((p, i) => p switch
        {
            { Source: 3 } => PacketVerdict.UnknownSource,
            { Epoch: var e } when e > Epochs - lag - 1 => PacketVerdict.FutureEpoch,
            _ => PacketVerdict.Accepted,
        }).ToArray();
        // The duplicate (second packet of block 1) and the long-delivered packet (last of block lag + 2).
        var script = Script(lag);
        expected[script[0].Count + 1] = PacketVerdict.Duplicate;
        expected[script.Take(lag + 3).Sum(b => b.Count) - 1] = PacketVerdict.PastEpoch;
        Assert.Equal(expected, verdicts);
        Assert.Equal(expected, stoppedVerdicts);
        Assert.Equal(1, result.DuplicatePackets);
        Assert.Equal(1, result.LatePackets);
        Assert.True(listener["future_epoch"] >= 1 && listener["unknown_source"] >= 1);
        // What the parrots echoed is what was delivered to them.
        Assert.Equal(deliveries.Sum(d => d.Split(' ').Length - 3), result.Spikes);
    }

    [Fact]
    public void A_partition_without_in_neighbours_runs_to_the_end_alike_everywhere()
    {
        var (pumped, _, _) = Pumped(1, listening: false);
        var (stopped, _) = Stopped(1, listening: false);
        var (onActor, result) = OnActor(1, [], listening: false);
        Assert.Equal(Enumerable.Range(0, Epochs).SelectMany(e => e < Epochs - 1 ? new[] { $"p0 run {e}:", $"p0 deliver {e}:" } : [$"p0 run {e}:"]), pumped);
        Assert.Equal(pumped, stopped);
        Assert.Equal(pumped, onActor);
        Assert.Equal(0, result.Spikes);
    }
}
