using System.Buffers;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.Serialization;
using MessagePack;

namespace DistSnn.Cluster.Serialization;

/// <summary>
/// The Akka serializer for every DistSnn message that crosses the network: hand-written MessagePack (see
/// <see cref="MessageCodec"/> for the layout of each message and <see cref="SpikeCodec"/> for the spike, bit set
/// and index encodings), one short string manifest per message type, and a fixed <see cref="Identifier"/>. Merge
/// <see cref="Config"/> into the actor system's configuration to bind the messages; nothing then falls back to
/// JSON or Hyperion.
/// </summary>
/// <remarks>
/// Frames are untrusted input: a frame that is malformed, truncated, over a <see cref="WireLimits"/> limit or
/// that breaks an invariant is rejected with a <see cref="WireFormatException"/> naming the message type and field,
/// counted in <see cref="WireRejections"/> (the <c>distsnn.wire.rejected</c> counter) and logged here as an error,
/// once per kind of rejection, so that a flood of bad frames cannot flood the log. Akka's remoting treats a deserialization failure as transient: it drops that
/// message and keeps the association, so a bad frame never takes a node down. Messages that cannot be encoded
/// (e.g. spikes not sorted by stamp) fail with the same exception at their sender.
/// <para>MessagePack's <c>MessagePackSecurity.UntrustedData</c> mode guards what <c>MessagePackSerializer</c> builds
/// from data: hash tables keyed by wire values and object graphs nested as deep as the data says. This codec uses
/// neither: it reads a fixed schema with <see cref="MessagePack.MessagePackReader"/> (no maps, no skipping of unknown
/// values, nesting fixed by the message type), and <see cref="FrameReader"/> checks every declared count against the
/// bytes left and <see cref="WireLimits"/> before allocating, which is stricter than that mode.</para>
/// <para><see cref="Runtime.RunJob"/> is bound too but never encoded: it holds a TaskCompletionSource and a
/// delegate that only mean something in the submitting process, and must not silently travel as JSON.</para>
/// </remarks>
public sealed class DistSnnSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer id; part of the wire format, never change it. Akka reserves ids up to 100.</summary>
    public const int SerializerId = 4711;

    /// <summary>The name the serializer is registered under in <c>akka.actor.serializers</c>.</summary>
    public const string Name = "distsnn";

    /// <summary>Buffers larger than this are not kept for reuse, so one huge message does not pin its memory.</summary>
    private const int KeptBufferBytes = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    private ILoggingAdapter? _log;
    private readonly RejectionLog _logged = new();

    /// <summary>
    /// Configuration path of a switch that keeps this serializer out of <see cref="WireCounters"/>: on in an actor
    /// system whose messages are serialized without going anywhere (a node's warm-up), so that the counters keep
    /// meaning "put on the network".
    /// </summary>
    public const string UncountedSetting = "distsnn.serializer.uncounted";

    private readonly bool _counted;

    /// <summary>Created by Akka from the configuration.</summary>
    public DistSnnSerializer(ExtendedActorSystem system) : base(system)
    {
        ArgumentNullException.ThrowIfNull(system);
        _counted = !system.Settings.Config.GetBoolean(UncountedSetting, false);
    }

    // Serializers are created while the actor system starts, before logging is up; the logger is made on first use.
    private ILoggingAdapter Log => _log ??= Logging.GetLogger(system, typeof(DistSnnSerializer));

    /// <inheritdoc />
    public override int Identifier => SerializerId;

    /// <summary>Every message type bound to this serializer, with its manifest.</summary>
    public static IReadOnlyList<(Type Type, string Manifest)> Messages => MessageCodec.Bindings;

    /// <summary>
    /// HOCON that registers the serializer and binds every message type (by assembly-qualified name), the
    /// local-only <see cref="Runtime.RunJob"/> included, to it.
    /// </summary>
    public static string Hocon { get; } = BuildHocon();

    /// <summary><see cref="Hocon"/> parsed, ready to merge into an actor system's configuration.</summary>
    public static Akka.Configuration.Config Config { get; } = Akka.Configuration.ConfigurationFactory.ParseString(Hocon);

    /// <inheritdoc />
    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return MessageCodec.ManifestOf(o);
    }

    /// <inheritdoc />
    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        // Sized at once for the bulky training messages: growing by doubling would allocate (and zero) several
        // large-object-heap buffers for every one of them.
        if (MessageCodec.SizeHint(obj) is var hint && hint > buffer.FreeCapacity) buffer = _buffer = new ArrayBufferWriter<byte>(hint);
        try
        {
            var writer = new MessagePackWriter(buffer);
            MessageCodec.Write(ref writer, obj);
            writer.Flush();
            long spikes = obj switch
            {
                Runtime.SpikePacket p => p.Stamps.Length,
                SpikePacketPart p => p.Stamps.Length,
                _ => 0,
            };
            if (_counted) WireCounters.Record(obj.GetType().Name, buffer.WrittenCount, spikes);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > KeptBufferBytes) _buffer = null;
        }
    }

    /// <summary>
    /// The number of bytes <see cref="ToBinary"/> would produce for <paramref name="message"/>, without counting it
    /// as sent (telemetry measures packets that may never cross the network).
    /// </summary>
    public static int EncodedLength(object message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        try
        {
            var writer = new MessagePackWriter(buffer);
            MessageCodec.Write(ref writer, message);
            writer.Flush();
            return buffer.WrittenCount;
        }
        finally
        {
            if (buffer.Capacity > KeptBufferBytes) _buffer = null;
        }
    }

    /// <summary>
    /// The bytes <see cref="ToBinary"/> would produce for <paramref name="packet"/>: its header is encoded, its spikes
    /// only counted, so sizing a packet costs about a nanosecond per spike instead of an encoding.
    /// </summary>
    public static long EncodedLength(Runtime.SpikePacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return EncodedLength(packet.Job, packet.Epoch, packet.Source, packet.Stamps, packet.Gids);
    }

    /// <summary>The bytes a <see cref="Runtime.SpikePacket"/> of these fields would take on the wire (see <see cref="EncodedLength(Runtime.SpikePacket)"/>).</summary>
    public static long EncodedLength(string job, long epoch, int source, ReadOnlySpan<long> stamps, ReadOnlySpan<long> gids)
    {
        // The header is a few dozen bytes: the kept buffer never grows for it.
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = new MessagePackWriter(buffer);
        MessageCodec.WriteSpikePacketHeader(ref writer, new Runtime.SpikePacket(job, epoch, source, [], []));
        writer.Flush();
        return buffer.WrittenCount + SpikeCodec.Length(stamps, gids);
    }

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(manifest);
        try
        {
            return MessageCodec.Read(bytes, manifest, system);
        }
        catch (WireFormatException e)
        {
            WireRejections.Record(e.Kind, bytes.Length);
            if (_logged.First(e.Kind))
                Log.Error(e, "rejected a {0}-byte frame with manifest '{1}' ({2}; further {2} frames are counted in /wire, not logged): {3}",
                    bytes.Length, manifest.Length <= 40 ? manifest : manifest[..40], WireRejections.Tag(e.Kind), e.Message);
            throw;
        }
    }

    private static string BuildHocon()
    {
        var sb = new StringBuilder();
        var self = typeof(DistSnnSerializer);
        sb.Append("akka.actor {\n");
        sb.Append("  serializers {\n");
        sb.Append($"    {Name} = \"{self.FullName}, {self.Assembly.GetName().Name}\"\n");
        sb.Append("  }\n");
        sb.Append("  serialization-bindings {\n");
        foreach (var type in MessageCodec.Bindings.Select(b => b.Type).Concat(MessageCodec.LocalOnly))
            sb.Append($"    \"{type.FullName}, {type.Assembly.GetName().Name}\" = {Name}\n");
        sb.Append("  }\n");
        sb.Append("}\n");
        return sb.ToString();
    }
}
