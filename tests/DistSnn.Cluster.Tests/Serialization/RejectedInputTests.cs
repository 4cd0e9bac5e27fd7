using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Akka.Actor;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using MessagePack;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>
/// Counts <c>distsnn.wire.rejected</c> measurements by kind. Only measurements made on the thread that created it
/// are kept when <paramref name="thisThreadOnly"/> (the serializer decodes on the caller's thread), so that other
/// tests running in parallel do not change the figures.
/// </summary>
internal sealed class RejectionListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly int _thread = Environment.CurrentManagedThreadId;

    public RejectionListener(bool thisThreadOnly)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WireRejections.MeterName && instrument.Name == WireRejections.InstrumentName)
                l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (thisThreadOnly && Environment.CurrentManagedThreadId != _thread) return;
            foreach (var tag in tags)
                if (tag.Key == "kind" && tag.Value is string kind)
                    Counts.AddOrUpdate(kind, value, (_, n) => n + value);
        });
        _listener.Start();
    }

    public ConcurrentDictionary<string, long> Counts { get; } = new();

    public long this[string kind] => Counts.GetValueOrDefault(kind);

    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// Hostile frames of every kind are rejected, counted in <c>distsnn.wire.rejected</c> with their kind, logged once
/// per kind, and leave the actor system working; an array header declaring billions of items allocates nothing.
/// </summary>
public class RejectedInputTests : SerializationSpec
{
    /// <summary>A spike packet whose stamp runs claim int.MaxValue items in a frame of a few bytes.</summary>
    private static readonly byte[] HugeHeader = Frame((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(5);
        w.Write("j");
        w.Write(7L);
        w.Write(1);
        w.Write(3);
        w.WriteArrayHeader(int.MaxValue);
        w.Write(1);
    });

    private WireFormatException Rejected(byte[] bytes, string manifest) =>
        Assert.Throws<WireFormatException>(() => Decode(bytes, manifest));

    [Fact]
    public void An_array_header_declaring_billions_of_items_is_refused_without_allocating_them()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Rejected(HugeHeader, "sp");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal($"SpikePacket.Stamps: declares {int.MaxValue} items but only 1 bytes follow", e.Message);
        Assert.Equal(WireRejection.Oversized, e.Kind);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated to reject the frame");
    }

    [Fact]
    public void Each_kind_is_counted_with_its_tag_and_logged_once()
    {
        var (valid, manifest) = Encode(new SpikePacket("j", 3, 1, [5, 5, 6], [1, 2, 3]));
        var random = new Random(11);
        using var listener = new RejectionListener(thisThreadOnly: true);

        // Three frames of each kind; one error per kind in the log.
        EventFilter.Error(contains: "rejected a").Expect(4, () =>
        {
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(WireRejection.Truncated, Rejected(valid[..(valid.Length - 1 - k)], manifest).Kind);
                Assert.Equal(WireRejection.Manifest, Rejected(valid, "x" + k).Kind);
                Assert.Equal(WireRejection.Oversized, Rejected(HugeHeader, "sp").Kind);
                Assert.Equal(WireRejection.Malformed, Rejected(valid, "pb").Kind);
            }
        });
        Assert.Equal(
            new Dictionary<string, long> { ["malformed"] = 3, ["manifest"] = 3, ["oversized"] = 3, ["truncated"] = 3 },
            new Dictionary<string, long>(listener.Counts));
        // Random bytes: whatever kind each is, each is counted once, and no kind is logged a second time.
        int randomFrames = 0;
        EventFilter.Error(contains: "rejected a").Expect(0, () =>
        {
            for (int k = 0; k < 200; k++)
            {
                var bytes = new byte[random.Next(1, 64)];
                random.NextBytes(bytes);
                bytes[0] = 0x95; // a five-field record, so that the frame gets past the first check
                try
                {
                    Decode(bytes, manifest);
                }
                catch (WireFormatException)
                {
                    randomFrames++;
                }
            }
        });

        Assert.Equal(3 * 4 + randomFrames, listener.Counts.Values.Sum());
        Assert.True(randomFrames > 150, $"only {randomFrames} of 200 random frames were rejected");

        // The system and the serializer still work.
        Assert.Equal(new SpikePacket("j", 3, 1, [5, 5, 6], [1, 2, 3]).Stamps, ((SpikePacket)Decode(valid, manifest)).Stamps);
        var echo = Sys.ActorOf(Props.Create(() => new Echo()));
        echo.Tell("still here", TestActor);
        ExpectMsg("still here");
    }

    [Fact]
    public void Rejections_are_in_the_snapshot_read_by_the_wire_endpoint()
    {
        long before = WireRejections.Snapshot().GetValueOrDefault(WireRejection.Manifest).Count;
        Rejected([0x90], "no-such-manifest");
        Assert.True(WireRejections.Snapshot()[WireRejection.Manifest].Count >= before + 1);
        Assert.True(WireRejections.Snapshot()[WireRejection.Manifest].Bytes >= 1);
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => ReceiveAny(m => Sender.Tell(m));
    }
}
