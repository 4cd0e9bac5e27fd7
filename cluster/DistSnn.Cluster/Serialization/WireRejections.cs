using System.Diagnostics.Metrics;

namespace DistSnn.Cluster.Serialization;

/// <summary>Why a frame or a packet from the network was rejected; the <c>kind</c> tag of <c>distsnn.wire.rejected</c>.</summary>
public enum WireRejection
{
    /// <summary>A frame decoded to nothing valid (wrong type codes, broken invariants, out-of-range values).</summary>
    Malformed,
    /// <summary>A frame that ends before its message does.</summary>
    Truncated,
    /// <summary>A count, length or size over a <see cref="WireLimits"/> limit or beyond the bytes of the frame.</summary>
    Oversized,
    /// <summary>A manifest that names no DistSnn message.</summary>
    Manifest,
    /// <summary>A spike packet for a job the receiving partition is not running.</summary>
    UnknownJob,
    /// <summary>A spike packet for an epoch the receiving partition has already completed.</summary>
    PastEpoch,
    /// <summary>A spike packet for an epoch after the last one whose packets are exchanged.</summary>
    FutureEpoch,
    /// <summary>A spike packet from a partition that is not an in-neighbour of the receiver.</summary>
    UnknownSource,
}

/// <summary>
/// Process-wide counts of input rejected from the network, per <see cref="WireRejection"/>: frames the serializer
/// refused and spike packets partitions dropped. Published as the counter <c>distsnn.wire.rejected</c> (unit
/// <c>{frame}</c>, tag <c>kind</c>) of the <c>DistSnn</c> meter, and readable without a metrics backend through
/// <see cref="Snapshot"/> (the node's <c>/wire</c> endpoint).
/// </summary>
public static class WireRejections
{
    /// <summary>The meter name, shared with DistSnn's other instruments.</summary>
    public const string MeterName = "DistSnn";

    /// <summary>The counter's name.</summary>
    public const string InstrumentName = "distsnn.wire.rejected";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Counter = Meter.CreateCounter<long>(InstrumentName, "{frame}",
        "Frames and spike packets from the network that were rejected, by kind");

    private static readonly long[] Counts = new long[Enum.GetValues<WireRejection>().Length];
    private static readonly long[] Bytes = new long[Counts.Length];

    /// <summary>The tag value of a kind, e.g. <c>unknown_job</c>.</summary>
    public static string Tag(WireRejection kind) => kind switch
    {
        WireRejection.Malformed => "malformed",
        WireRejection.Truncated => "truncated",
        WireRejection.Oversized => "oversized",
        WireRejection.Manifest => "manifest",
        WireRejection.UnknownJob => "unknown_job",
        WireRejection.PastEpoch => "past_epoch",
        WireRejection.FutureEpoch => "future_epoch",
        WireRejection.UnknownSource => "unknown_source",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a wire rejection kind"),
    };

    /// <summary>Counts one rejected frame or packet of <paramref name="bytes"/> bytes (0 when not known).</summary>
    public static void Record(WireRejection kind, long bytes = 0)
    {
        Interlocked.Increment(ref Counts[(int)kind]);
        if (bytes > 0) Interlocked.Add(ref Bytes[(int)kind], bytes);
        Counter.Add(1, new KeyValuePair<string, object?>("kind", Tag(kind)));
    }

    /// <summary>Rejections so far, per kind that occurred: count and bytes.</summary>
    public static IReadOnlyDictionary<WireRejection, (long Count, long Bytes)> Snapshot()
    {
        var result = new Dictionary<WireRejection, (long, long)>();
        foreach (var kind in Enum.GetValues<WireRejection>())
            if (Interlocked.Read(ref Counts[(int)kind]) is var n and > 0)
                result[kind] = (n, Interlocked.Read(ref Bytes[(int)kind]));
        return result;
    }
}

/// <summary>
/// Remembers which kinds of rejection one component has logged, so that each kind is logged once (with its first
/// example) and a flood of bad input does not flood the log; the counts keep going up in <see cref="WireRejections"/>.
/// </summary>
public sealed class RejectionLog
{
    private int _logged;

    /// <summary>True the first time <paramref name="kind"/> is seen by this instance (thread-safe).</summary>
    public bool First(WireRejection kind)
    {
        int bit = 1 << (int)kind;
        int before = Interlocked.Or(ref _logged, bit);
        return (before & bit) == 0;
    }
}
