using System.Runtime.Serialization;

namespace DistSnn.Cluster.Serialization;

/// <summary>
/// A frame that cannot be decoded (malformed, truncated, over a <see cref="WireLimits"/> limit, or breaking an
/// invariant such as monotone stamps), or a message that cannot be encoded. The message names the message type
/// and field, e.g. <c>SpikePacket.Stamps: ...</c>. Akka's remoting logs a deserialization failure and drops the
/// message; the association and the node stay up.
/// </summary>
public sealed class WireFormatException : SerializationException
{
    /// <summary>Creates the exception for <paramref name="message"/>.<paramref name="field"/>.</summary>
    public WireFormatException(string message, string field, string problem, Exception? inner = null,
        WireRejection kind = WireRejection.Malformed)
        : base($"{message}.{field}: {problem}", inner)
    {
        MessageType = message;
        Field = field;
        Kind = kind;
    }

    /// <summary>What kind of bad input this is, for the rejection counts.</summary>
    public WireRejection Kind { get; }

    /// <summary>The message type being encoded or decoded, e.g. <c>SpikePacket</c>.</summary>
    public string MessageType { get; }

    /// <summary>The field at fault, e.g. <c>Stamps</c>.</summary>
    public string Field { get; }
}
