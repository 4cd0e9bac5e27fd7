using MessagePack;
using Akka.Serialization;
using Akka.TestKit.Xunit2;
using DistSnn.Cluster.Serialization;
using Xunit.Abstractions;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>A test actor system configured with <see cref="DistSnnSerializer.Config"/>, as nodes will be.</summary>
public abstract class SerializationSpec(ITestOutputHelper? output = null) : TestKit(DistSnnSerializer.Config, output: output)
{
    /// <summary>Writes a frame by hand, for frames the codec itself would never produce.</summary>
    protected delegate void Build(ref MessagePackWriter w);

    /// <summary>The bytes <paramref name="build"/> writes.</summary>
    protected static byte[] Frame(Build build)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        build(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The serializer Akka picks for <paramref name="message"/>; it must be ours.</summary>
    protected SerializerWithStringManifest SerializerFor(object message)
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<DistSnnSerializer>(serializer);
        Assert.Equal(DistSnnSerializer.SerializerId, serializer.Identifier);
        return (SerializerWithStringManifest)serializer;
    }

    /// <summary>Serializes with the serializer Akka chose and deserializes by id and manifest, as remoting does.</summary>
    protected object RoundTrip(object message)
    {
        var serializer = SerializerFor(message);
        var bytes = serializer.ToBinary(message);
        return Sys.Serialization.Deserialize(bytes, serializer.Identifier, serializer.Manifest(message));
    }

    protected (byte[] Bytes, string Manifest) Encode(object message)
    {
        var serializer = SerializerFor(message);
        return (serializer.ToBinary(message), serializer.Manifest(message));
    }

    /// <summary>Decodes through the actor system's serialization, as an inbound frame would be.</summary>
    protected object Decode(byte[] bytes, string manifest) =>
        Sys.Serialization.Deserialize(bytes, DistSnnSerializer.SerializerId, manifest);
}
