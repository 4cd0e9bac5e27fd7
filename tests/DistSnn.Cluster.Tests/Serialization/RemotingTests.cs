using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>A frame to send as is, under a manifest of the DistSnn serializer.</summary>
public sealed record CorruptFrame(byte[] Bytes, string Manifest);

/// <summary>
/// Plays a broken or hostile sender: it claims the DistSnn serializer id and writes <see cref="CorruptFrame"/>s
/// as they are; real spike packets it encodes correctly, so that the same association carries both.
/// </summary>
public sealed class CorruptingSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    private readonly DistSnnSerializer _real = new(system);

    public override int Identifier => DistSnnSerializer.SerializerId;

    public override string Manifest(object o) => o is CorruptFrame c ? c.Manifest : _real.Manifest(o);

    public override byte[] ToBinary(object obj) => obj is CorruptFrame c ? c.Bytes : _real.ToBinary(obj);

    public override object FromBinary(byte[] bytes, string manifest) => _real.FromBinary(bytes, manifest);
}

/// <summary>Forwards everything to the test actor.</summary>
public sealed class Inbox : ReceiveActor
{
    public Inbox(IActorRef target) => ReceiveAny(m => target.Forward(m));
}

/// <summary>
/// Two actor systems over real remoting: malformed frames reach the receiving node, are logged as errors and
/// dropped, and the association keeps carrying good packets.
/// </summary>
public class RemotingTests() : TestKit(Remote().WithFallback(DistSnnSerializer.Config))
{
    private static Config Remote() => ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.loglevel = INFO
        """);

    private static Config SenderConfig()
    {
        var corrupting = typeof(CorruptingSerializer);
        string Bind(Type t) => $"\"{t.FullName}, {t.Assembly.GetName().Name}\" = corrupting";
        return ConfigurationFactory.ParseString($$"""
            akka.actor.serializers.corrupting = "{{corrupting.FullName}}, {{corrupting.Assembly.GetName().Name}}"
            akka.actor.serialization-bindings {
              {{Bind(typeof(CorruptFrame))}}
              {{Bind(typeof(SpikePacket))}}
            }
            """).WithFallback(Remote());
    }

    [Fact]
    public async Task Malformed_frames_are_dropped_and_the_association_survives()
    {
        Sys.ActorOf(Props.Create(() => new Inbox(TestActor)), "inbox");
        var address = ((ExtendedActorSystem)Sys).Provider.DefaultAddress;
        var sender = ActorSystem.Create("sender", SenderConfig());
        try
        {
            var inbox = sender.ActorSelection(new RootActorPath(address) / "user" / "inbox");
            var good = new SpikePacket("job", 3, 1, [10, 10, 11], [4, 9, 2]);

            inbox.Tell(good);
            WireAssert.Equal(good, ExpectMsg<SpikePacket>(TimeSpan.FromSeconds(20)));

            var bytes = new DistSnnSerializer((ExtendedActorSystem)sender).ToBinary(good);
            CorruptFrame[] frames =
            [
                new([0xFF, 0x00, 0x13], "sp"),
                new(bytes[..^2], "sp"),
                new(bytes, "pb"),
                new([0x95, 0xA1, 0x6A, 0x01, 0x01, 0xCE, 0x04, 0x00, 0x00, 0x01, 0x90], "sp"),
                new(bytes, "no-such-manifest"),
            ];
            using var rejections = new RejectionListener(thisThreadOnly: false);
            // Logged once per kind (malformed, truncated, manifest), counted every time.
            EventFilter.Error(contains: "rejected a").Expect(3, TimeSpan.FromSeconds(20), () =>
            {
                foreach (var frame in frames) inbox.Tell(frame);
            });

            var after = good with { Epoch = 4 };
            inbox.Tell(after);
            WireAssert.Equal(after, ExpectMsg<SpikePacket>(TimeSpan.FromSeconds(20)));
            ExpectNoMsg(TimeSpan.FromMilliseconds(200));
            // Other tests may reject frames at the same time, so at least these.
            Assert.True(rejections["malformed"] >= 3 && rejections["truncated"] >= 1 && rejections["manifest"] >= 1,
                string.Join(", ", rejections.Counts.Select(kv => $"{kv.Key} {kv.Value}")));
            Assert.False(Sys.WhenTerminated.IsCompleted);
        }
        finally
        {
            await sender.Terminate().WaitAsync(TimeSpan.FromSeconds(60));
        }
    }
}
