using System.Buffers;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using FsCheck.Xunit;
using MessagePack;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>
/// Frames that are random, truncated, mutated, oversized or that break an invariant are rejected with a
/// <see cref="WireFormatException"/> naming the message and field, and never with any other exception.
/// </summary>
public class MalformedFrameTests : SerializationSpec
{
    private static readonly string[] Manifests = DistSnnSerializer.Messages.Select(m => m.Manifest).ToArray();

    /// <summary>Decodes; a frame may happen to be valid, but any failure must be a <see cref="WireFormatException"/>.</summary>
    private void DecodeOrReject(byte[] bytes, string manifest)
    {
        try
        {
            Decode(bytes, manifest);
        }
        catch (WireFormatException)
        {
        }
    }

    private WireFormatException Rejected(byte[] bytes, string manifest) =>
        Assert.Throws<WireFormatException>(() => Decode(bytes, manifest));

    [Property(MaxTest = 400)]
    public void Random_bytes_never_fail_with_another_exception(byte[] bytes, int which)
    {
        DecodeOrReject(bytes ?? [], Manifests[(int)((uint)which % Manifests.Length)]);
    }

    [Property(MaxTest = 60)]
    public void Mutated_frames_never_fail_with_another_exception(int seed)
    {
        var rng = new Random(seed);
        foreach (var message in new WireSamples(seed).Messages().Where(m => m is not BuildPartition and not SubmitJob and not JobResult))
        {
            var (bytes, manifest) = Encode(message);
            for (int k = 0; k < 10 && bytes.Length > 0; k++)
            {
                var copy = (byte[])bytes.Clone();
                for (int flips = rng.Next(1, 4); flips > 0; flips--) copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
                DecodeOrReject(copy, manifest);
            }
        }
    }

    [Property(MaxTest = 20)]
    public void Every_truncation_of_a_frame_is_rejected(int seed)
    {
        foreach (var message in new WireSamples(seed).Messages().Where(m => m is not BuildPartition and not SubmitJob and not JobResult))
        {
            var (bytes, manifest) = Encode(message);
            int step = Math.Max(1, bytes.Length / 200);
            for (int length = 0; length < bytes.Length; length += step)
                Rejected(bytes[..length], manifest);
        }
    }

    [Fact]
    public void Truncated_model_text_is_rejected_naming_the_spec()
    {
        var (bytes, manifest) = Encode(new SubmitJob("j", WireSamples.SmallSpec(), 2, DistSnn.Partitioner.PartitionStrategy.Contiguous));

        foreach (var length in new[] { 0, 1, 2, 5, bytes.Length / 2, bytes.Length - 3, bytes.Length - 1 })
            Assert.StartsWith("SubmitJob.", Rejected(bytes[..length], manifest).Message);
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        var (bytes, manifest) = Encode(new PartitionProgress("j", 1, 2));

        var e = Rejected([.. bytes, 0xC0], manifest);

        Assert.Equal("PartitionProgress.(end): 1 unexpected bytes after the message", e.Message);
    }

    [Fact]
    public void Unknown_and_wrong_manifests_are_rejected()
    {
        var (bytes, _) = Encode(new SpikePacket("j", 1, 2, [5, 5, 6], [1, 2, 3]));

        Assert.Contains("'nope' is not a DistSnn message manifest", Rejected(bytes, "nope").Message);
        Assert.StartsWith("PartitionBuilt.", Rejected(bytes, "pb").Message);
        Assert.StartsWith("JobAccepted.", Rejected(bytes, "ja").Message);
        Assert.StartsWith("BuildPartition.", Rejected(bytes, "bp").Message);
    }

    [Fact]
    public void A_record_with_the_wrong_number_of_fields_is_rejected()
    {
        var bytes = Frame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write("j");
            w.Write(1);
            w.Write(2);
            w.Write(3);
        });

        Assert.Equal("SpikePacket.(record): expected a record of 5 fields, found 4", Rejected(bytes, "sp").Message);
    }

    private static byte[] Packet(int count, Build spikes) => Frame((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(5);
        w.Write("j");
        w.Write(7L);
        w.Write(1);
        w.Write(count);
        spikes(ref w);
    });

    [Fact]
    public void Decreasing_stamps_are_rejected()
    {
        var bytes = Packet(3, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.WriteArrayHeader(3);
            w.Write(10);
            w.Write(4);
            w.Write(1);
            w.WriteArrayHeader(2);
            w.Write(-1);
            w.Write(9);
        });

        var e = Rejected(bytes, "sp");

        Assert.Equal("SpikePacket.Stamps: stamp run 1 goes back by 1 steps; stamps must not decrease", e.Message);
        Assert.Equal(("SpikePacket", "Stamps"), (e.MessageType, e.Field));
    }

    [Fact]
    public void Unsorted_packets_are_refused_at_the_sender()
    {
        var serializer = SerializerFor(new SpikePacket("j", 0, 0, [], []));

        var unsorted = Assert.Throws<WireFormatException>(() => serializer.ToBinary(new SpikePacket("j", 0, 0, [5, 4], [1, 2])));
        var negative = Assert.Throws<WireFormatException>(() => serializer.ToBinary(new SpikePacket("j", 0, 0, [5, 5], [1, -2])));
        var uneven = Assert.Throws<WireFormatException>(() => serializer.ToBinary(new SpikePacket("j", 0, 0, [5, 5], [1])));

        Assert.Equal("SpikePacket.Stamps: stamp 4 at index 1 is before 5; spikes must be sorted by stamp", unsorted.Message);
        Assert.Equal("SpikePacket.Gids: id -2 at index 1 is negative", negative.Message);
        Assert.Equal("SpikePacket.Gids: has 1 entries but Stamps has 2", uneven.Message);
    }

    [Fact]
    public void Negative_ids_are_rejected()
    {
        var bytes = Packet(2, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteArrayHeader(3);
            w.Write(10);
            w.Write(4);
            w.Write(-5);
        });

        Assert.Equal("SpikePacket.Gids: id -1 at index 1 is out of range [0, 9223372036854775807]", Rejected(bytes, "sp").Message);
    }

    [Fact]
    public void Spike_counts_over_the_limit_or_beyond_the_frame_are_rejected_before_allocating()
    {
        var overLimit = Packet(WireLimits.MaxSpikes + 1, (ref MessagePackWriter w) => w.WriteArrayHeader(0));
        var beyondFrame = Packet(1_000_000, (ref MessagePackWriter w) => w.WriteArrayHeader(0));
        var runsBeyondCount = Packet(1, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteArrayHeader(3);
            w.Write(1);
            w.Write(1);
            w.Write(2);
        });

        Assert.Equal($"SpikePacket.Stamps: {WireLimits.MaxSpikes + 1} is out of range [0, {WireLimits.MaxSpikes}]", Rejected(overLimit, "sp").Message);
        Assert.StartsWith("SpikePacket.Stamps: claims 1000000 spikes but only", Rejected(beyondFrame, "sp").Message);
        Assert.Equal("SpikePacket.Stamps: stamp runs hold more than the 1 spikes announced", Rejected(runsBeyondCount, "sp").Message);
    }

    [Fact]
    public void Oversized_length_prefixes_are_rejected()
    {
        // A str32 header announcing 2 GiB of job id, followed by nothing.
        var hugeString = Frame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteRaw([0xDB, 0x7F, 0xFF, 0xFF, 0xFF]);
        });
        // An array32 header announcing 2^31 - 1 routes.
        var hugeArray = Frame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write("j");
            w.WriteRaw([0xDD, 0x7F, 0xFF, 0xFF, 0xFF]);
        });
        var longId = Frame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.Write(new string('x', WireLimits.MaxIdBytes + 1));
        });

        Assert.StartsWith("EndJob.Job: ", Rejected(hugeString, "ej").Message);
        Assert.StartsWith("StartRun.Routes: ", Rejected(hugeArray, "sr").Message);
        Assert.Equal($"CancelJob.Job: {WireLimits.MaxIdBytes + 1} bytes is over the limit of {WireLimits.MaxIdBytes}", Rejected(longId, "cj").Message);
    }

    private static byte[] Built(Build bits) => Frame((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(8);
        w.Write("j");
        w.Write(0);
        w.Write(1L);
        w.Write(2L);
        w.Write(3L);
        w.Write(0.5);
        bits(ref w);
    });

    [Fact]
    public void Bit_sets_that_expand_too_far_or_do_not_add_up_are_rejected()
    {
        var tooMany = Built((ref MessagePackWriter w) =>
        {
            w.Write(WireLimits.MaxBitSetWords + 1);
            w.WriteArrayHeader(2);
            w.Write(WireLimits.MaxBitSetWords + 1);
            w.Write(ulong.MaxValue);
        });
        var overrun = Built((ref MessagePackWriter w) =>
        {
            w.Write(4);
            w.WriteArrayHeader(2);
            w.Write(5);
            w.Write(1UL);
        });
        var shortRuns = Built((ref MessagePackWriter w) =>
        {
            w.Write(4);
            w.WriteArrayHeader(2);
            w.Write(3);
            w.Write(1UL);
        });

        Assert.StartsWith("PartitionBuilt.ReceivesFrom: 8388609 is out of range", Rejected(tooMany, "pb").Message);
        Assert.Equal("PartitionBuilt.ReceivesFrom: run 0 repeats a word 5 times; 4 words are left", Rejected(overrun, "pb").Message);
        Assert.Equal("PartitionBuilt.ReceivesFrom: runs cover 3 of 4 words", Rejected(shortRuns, "pb").Message);
    }

    private byte[] BuildFrame(Build owned, string? model = null) => Frame((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(7);
        w.Write("j");
        w.Write(model ?? DistSnn.Model.ModelWriter.ToYaml(WireSamples.SmallSpec()));
        w.Write(0);
        owned(ref w);
        w.WriteNil(); // no checkpointing
        w.WriteNil(); // no restore
        w.Write("cpu");
    });

    [Fact]
    public void Owned_indices_outside_the_model_or_out_of_order_are_rejected()
    {
        // The small spec has populations of 7 and 9 neurons.
        var outside = BuildFrame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.WriteArrayHeader(3);
            w.Write(1);
            w.Write(1);
            w.Write(7);
            w.WriteArrayHeader(0);
        });
        var descending = BuildFrame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.WriteArrayHeader(0);
            w.WriteArrayHeader(6);
            w.Write(4);
            w.Write(1);
            w.Write(2);
            w.Write(2);
            w.Write(1);
            w.Write(1);
        });
        var wrongCount = BuildFrame((ref MessagePackWriter w) => w.WriteArrayHeader(0));

        Assert.Equal("BuildPartition.Owned[0]: index 7 is outside the population of 7 neurons", Rejected(outside, "bp").Message);
        Assert.StartsWith("BuildPartition.Owned[1]: run 1 (start 2, stride 1, count 1) is not ascending", Rejected(descending, "bp").Message);
        Assert.Equal("BuildPartition.Owned: has 0 populations; the model has 2", Rejected(wrongCount, "bp").Message);
    }

    [Fact]
    public void A_model_that_does_not_load_is_rejected_with_the_loader_errors()
    {
        var bytes = BuildFrame((ref MessagePackWriter w) => w.WriteArrayHeader(0), model: "populations: [{name: a, size: -1, model: lif_delta}]");

        var e = Rejected(bytes, "bp");

        Assert.StartsWith("BuildPartition.Spec: the model does not load: ", e.Message);
        Assert.Contains("populations[0].size", e.Message);
    }

    [Fact]
    public void Invalid_utf8_is_rejected()
    {
        var bytes = Frame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteString((ReadOnlySpan<byte>)[0x6A, 0xFF, 0xFE]);
        });

        Assert.StartsWith("GetJobStatus.Job: ", Rejected(bytes, "gjs").Message);
    }

    [Fact]
    public void State_values_must_be_whole_floats()
    {
        var bytes = Frame((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(6);
            w.Write(0);
            w.Write(0);
            w.Write("v");
            w.WriteArrayHeader(0);
            w.Write(1);
            w.Write((ReadOnlySpan<byte>)[1, 2, 3]);
        });

        Assert.Equal("RecordedState.Values: 3 bytes is not a whole number of float32 values", Rejected(bytes, "rst").Message);
    }

    [Fact]
    public void Rejected_frames_are_logged_as_errors()
    {
        EventFilter.Error(contains: "rejected a 3-byte frame with manifest 'sp'").ExpectOne(() =>
            Assert.Throws<WireFormatException>(() => Decode([0x93, 0x01, 0x02], "sp")));
    }
}
