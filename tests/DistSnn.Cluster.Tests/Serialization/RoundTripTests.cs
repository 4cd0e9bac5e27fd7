using Akka.Actor;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using DistSnn.Partitioner;
using FsCheck.Xunit;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>Every cluster message survives serialization through the actor system unchanged.</summary>
public class RoundTripTests : SerializationSpec
{
    [Property(MaxTest = 60)]
    public void Every_message_kind_round_trips_with_random_contents(int seed)
    {
        foreach (var message in new WireSamples(seed).Messages())
            WireAssert.Equal(message, RoundTrip(message));
    }

    [Property(MaxTest = 200)]
    public void Spike_packets_round_trip(int seed)
    {
        var samples = new WireSamples(seed);
        var packet = samples.SpikePacket();
        var part = samples.SpikePacketPart();

        WireAssert.Equal(packet, RoundTrip(packet));
        WireAssert.Equal(part, RoundTrip(part));
    }

    [Property(MaxTest = 40)]
    public void Start_run_and_routes_keep_their_actor_references(int seed)
    {
        var samples = new WireSamples(seed);
        IActorRef[] refs = [TestActor, Partition, ActorRefs.Nobody];
        var start = samples.StartRun(refs);
        var route = samples.Route(refs);

        var startBack = (StartRun)RoundTrip(start);

        WireAssert.Equal(start, startBack);
        WireAssert.Equal(route, RoundTrip(route));
        if (ReferenceEquals(start.Coordinator, TestActor))
        {
            // The resolved reference reaches the same actor.
            startBack.Coordinator.Tell("ping");
            ExpectMsg("ping");
        }
    }

    private IActorRef Partition => _partition ??= Sys.ActorOf(Props.Empty, "partition-7");

    private IActorRef? _partition;

    [Fact]
    public void Extreme_values_round_trip()
    {
        long[] stamps = [0, 0, 1, long.MaxValue - 1, long.MaxValue, long.MaxValue];
        long[] gids = [long.MaxValue, 0, 5, 0, 0, long.MaxValue];
        object[] messages =
        [
            new SpikePacket("", long.MaxValue, WireLimits.MaxPartitions - 1, stamps, gids),
            new SpikePacket("j", 0, 0, [], []),
            new SpikePacketPart("j", long.MaxValue, 0, WireLimits.MaxParts - 1, WireLimits.MaxParts, stamps, gids),
            new PartitionBuilt("j", 0, long.MaxValue, 0, long.MaxValue, double.NaN, [ulong.MaxValue, 0, ulong.MaxValue]),
            new PartitionBuilt("j", 0, 0, 0, 0, -0.0, []),
            new RecordedSpikes(int.MaxValue, [0, long.MaxValue], [int.MaxValue, 0]),
            new RecordedState(int.MaxValue, 0, "v", [], long.MaxValue, []),
            new RecordedState(0, int.MaxValue, "g_exc", [int.MaxValue, 0], 1, [float.NaN, -0f, float.PositiveInfinity, float.Epsilon]),
            new JobStatus(new string('j', 200), JobState.Cancelled, 0, long.MaxValue, 0, double.Epsilon, double.PositiveInfinity, null),
            new PartitionProgress("j", int.MaxValue, long.MaxValue),
            new SubmitJob("j", WireSamples.SmallSpec(), 0, PartitionStrategy.Graph),
        ];
        foreach (var message in messages) WireAssert.Equal(message, RoundTrip(message));
    }

    [Fact]
    public void Large_packets_and_results_round_trip()
    {
        var rng = new Random(3);
        const int n = 1_000_000;
        var stamps = new long[n];
        var gids = new long[n];
        for (int i = 0; i < n; i++)
        {
            stamps[i] = 1000 + i / 5000;
            gids[i] = (i % 5000) * 3L + rng.Next(3);
        }
        var packet = new SpikePacket("large", 12, 3, stamps, gids);
        var state = new RecordedState(0, 1, "v", Enumerable.Range(0, 100).ToArray(), 1,
            Enumerable.Range(0, 500_000).Select(i => (float)Math.Sin(i)).ToArray());

        WireAssert.Equal(packet, RoundTrip(packet));
        WireAssert.Equal(state, RoundTrip(state));
    }

    [Fact]
    public void Contiguous_and_round_robin_slices_take_a_few_bytes()
    {
        var spec = DistSnn.Model.ModelLoader.LoadFile(Tests.Runtime.Repo.Example("brunel.yaml"));
        foreach (var strategy in new[] { PartitionStrategy.Contiguous, PartitionStrategy.RoundRobin })
        {
            var plan = PartitionPlan.Create(spec, 4, strategy);
            var build = new BuildPartition("brunel", spec, 1, plan.Owned(1));
            var (bytes, _) = Encode(build);
            var modelBytes = System.Text.Encoding.UTF8.GetByteCount(DistSnn.Model.ModelWriter.ToYaml(spec));

            // 3,125 owned neurons travel as one (start, stride, count) run per population.
            Assert.True(bytes.Length < modelBytes + 64, $"{strategy}: {bytes.Length} bytes for a {modelBytes}-byte model");
            WireAssert.Equal(build, RoundTrip(build));
        }
    }

    [Fact]
    public void Dense_receive_sets_compress_to_a_few_bytes()
    {
        var bits = new ulong[12_500 / 64 + 1];
        Array.Fill(bits, ulong.MaxValue);
        var built = new PartitionBuilt("brunel", 0, 6250, 7_800_000, 31_000_000, 0.2, bits);

        var (bytes, _) = Encode(built);

        Assert.True(bytes.Length < 64, $"{bytes.Length} bytes");
        WireAssert.Equal(built, RoundTrip(built));
    }
}
