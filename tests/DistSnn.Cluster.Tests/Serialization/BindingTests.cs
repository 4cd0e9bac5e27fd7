using System.Reflection;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>The configuration binds every cluster message to the serializer, which no general serializer can take over.</summary>
public class BindingTests : SerializationSpec
{
    /// <summary>Records of the runtime namespace that are results of in-process runs, never messages.</summary>
    private static readonly Type[] NotMessages = [typeof(RunOptions), typeof(RunReport), typeof(MemoryPhases)];

    [Fact]
    public void Every_bound_type_finds_the_serializer_with_its_stable_id()
    {
        foreach (var (type, _) in DistSnnSerializer.Messages)
        {
            var serializer = Sys.Serialization.FindSerializerForType(type);

            Assert.IsType<DistSnnSerializer>(serializer);
            Assert.Equal(4711, serializer.Identifier);
        }
    }

    [Fact]
    public void Manifests_are_short_and_distinct()
    {
        var manifests = DistSnnSerializer.Messages.Select(m => m.Manifest).ToList();

        Assert.Equal(manifests.Count, manifests.Distinct().Count());
        Assert.All(manifests, m => Assert.InRange(m.Length, 1, 4));
    }

    [Fact]
    public void Every_runtime_message_type_is_bound()
    {
        // Public records and singleton messages of the runtime namespace: anything new that may travel between
        // nodes must get a manifest (or be declared local-only) before it can be sent.
        var messages = typeof(SpikePacket).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == typeof(SpikePacket).Namespace && t.IsClass && !t.IsAbstract)
            .Where(t => t.GetMethod("<Clone>$") is not null || t.GetField("Instance", BindingFlags.Public | BindingFlags.Static) is not null)
            .Except(NotMessages);
        var bound = DistSnnSerializer.Messages.Select(m => m.Type).Append(typeof(RunJob)).ToHashSet();

        Assert.Empty(messages.Where(t => !bound.Contains(t)).Select(t => t.Name));
        Assert.Contains(typeof(SpikePacketPart), bound);
    }

    [Fact]
    public void The_config_names_every_type_by_assembly_qualified_name()
    {
        var hocon = DistSnnSerializer.Hocon;

        Assert.Contains("distsnn = \"DistSnn.Cluster.Serialization.DistSnnSerializer, DistSnn.Cluster\"", hocon);
        foreach (var type in DistSnnSerializer.Messages.Select(m => m.Type).Append(typeof(RunJob)))
            Assert.Contains($"\"{type.FullName}, DistSnn.Cluster\" = distsnn", hocon);
    }

    [Fact]
    public void Run_job_is_bound_but_refused_because_it_is_local_only()
    {
        var run = new RunJob(new SubmitJob("j", WireSamples.SmallSpec(), 1, DistSnn.Partitioner.PartitionStrategy.Contiguous),
            new TaskCompletionSource<JobResult>(), null);
        var serializer = Sys.Serialization.FindSerializerFor(run);

        Assert.IsType<DistSnnSerializer>(serializer);
        var e = Assert.Throws<WireFormatException>(() => serializer.ToBinary(run));
        Assert.Contains("local-only", e.Message);
        Assert.Throws<WireFormatException>(() => ((DistSnnSerializer)serializer).Manifest(run));
    }

    [Fact]
    public void Only_a_serializer_for_the_network_counts_what_it_encodes()
    {
        var packet = new SpikePacket("counted-job", 3, 1, [10, 12, 12], [4, 9, 20]);
        long Counted() => WireCounters.Snapshot().TryGetValue(nameof(SpikePacket), out var t) ? t.Spikes : 0;

        long before = Counted();
        Sys.Serialization.FindSerializerFor(packet).ToBinary(packet);
        Assert.True(Counted() - before >= 3, "the node's serializer counts the packet's spikes");

        using var quiet = Akka.Actor.ActorSystem.Create("uncounted", Akka.Configuration.ConfigurationFactory
            .ParseString($"{DistSnnSerializer.UncountedSetting} = on").WithFallback(DistSnnSerializer.Config));
        var serializer = quiet.Serialization.FindSerializerFor(packet);
        long between = Counted();
        var bytes = serializer.ToBinary(packet);
        Assert.Equal(between, Counted());
        var back = (SpikePacket)((DistSnnSerializer)serializer).FromBinary(bytes, ((DistSnnSerializer)serializer).Manifest(packet));
        Assert.Equal(packet.Gids, back.Gids);
    }

    [Fact]
    public void Singletons_stay_singletons()
    {
        Assert.Same(ListJobs.Instance, RoundTrip(ListJobs.Instance));
        Assert.Same(PartitionHandOff.Instance, RoundTrip(PartitionHandOff.Instance));
        Assert.Single(Encode(ListJobs.Instance).Bytes);
    }
}
