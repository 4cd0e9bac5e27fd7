using System.Collections.Concurrent;

namespace DistSnn.Cluster.Serialization;

/// <summary>
/// Process-wide totals of what <see cref="DistSnnSerializer"/> encoded for the network, per message type:
/// messages, payload bytes (without Akka's envelope) and, for spike packets and their parts, the spikes carried.
/// Counted once per message, not per spike, so the cost is one dictionary lookup and three atomic adds.
/// </summary>
public static class WireCounters
{
    /// <summary>Totals for one message type.</summary>
    public sealed class Totals
    {
        internal long MessagesValue, BytesValue, SpikesValue;

        /// <summary>Messages encoded.</summary>
        public long Messages => Interlocked.Read(ref MessagesValue);

        /// <summary>Payload bytes encoded.</summary>
        public long Bytes => Interlocked.Read(ref BytesValue);

        /// <summary>Spikes carried (spike packets and parts only).</summary>
        public long Spikes => Interlocked.Read(ref SpikesValue);
    }

    private static readonly ConcurrentDictionary<string, Totals> ByType = new();

    /// <summary>Adds one encoded message.</summary>
    public static void Record(string type, long bytes, long spikes)
    {
        var t = ByType.GetOrAdd(type, _ => new Totals());
        Interlocked.Increment(ref t.MessagesValue);
        Interlocked.Add(ref t.BytesValue, bytes);
        if (spikes != 0) Interlocked.Add(ref t.SpikesValue, spikes);
    }

    /// <summary>A copy of the totals so far, by message type name.</summary>
    public static IReadOnlyDictionary<string, (long Messages, long Bytes, long Spikes)> Snapshot() =>
        ByType.ToDictionary(kv => kv.Key, kv => (kv.Value.Messages, kv.Value.Bytes, kv.Value.Spikes));
}
