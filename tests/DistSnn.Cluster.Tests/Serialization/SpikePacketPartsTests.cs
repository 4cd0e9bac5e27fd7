using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using FsCheck;
using FsCheck.Xunit;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>Splitting a packet and reassembling its parts, in any order and with duplicates, gives the packet back.</summary>
public class SpikePacketPartsTests
{
    private static SpikePacket Packet(int seed, int n)
    {
        var rng = new Random(seed);
        var stamps = new long[n];
        var gids = new long[n];
        long stamp = rng.Next(1, 100);
        for (int i = 0; i < n; i++)
        {
            if (rng.Next(10) == 0) stamp++;
            stamps[i] = stamp;
            gids[i] = rng.NextInt64(0, 1_000_000);
        }
        return new SpikePacket("job", rng.Next(0, 1000), rng.Next(0, 64), stamps, gids);
    }

    [Property(MaxTest = 300)]
    public void Parts_cover_the_packet_in_order_and_respect_the_limit(NonNegativeInt size, PositiveInt limit, int seed)
    {
        int n = size.Get % 5000, max = 1 + limit.Get % 700;
        var packet = Packet(seed, n);

        var parts = SpikePacketSplitter.Split(packet, max);

        Assert.Equal(Math.Max(1, (n + max - 1) / max), parts.Count);
        for (int k = 0; k < parts.Count; k++)
        {
            var p = parts[k];
            Assert.Equal((packet.Job, packet.Epoch, packet.Source, k, parts.Count), (p.Job, p.Epoch, p.Source, p.Part, p.Parts));
            Assert.InRange(p.Stamps.Length, k + 1 < parts.Count ? max : 0, max);
        }
        Assert.Equal(packet.Stamps, parts.SelectMany(p => p.Stamps));
        Assert.Equal(packet.Gids, parts.SelectMany(p => p.Gids));
    }

    [Property(MaxTest = 300)]
    public void Parts_in_any_order_with_duplicates_reassemble_the_packet(NonNegativeInt size, PositiveInt limit, int seed)
    {
        var rng = new Random(seed);
        var packet = Packet(seed, size.Get % 3000);
        var parts = SpikePacketSplitter.Split(packet, 1 + limit.Get % 400);
        var arrivals = parts.Concat(parts.Where(_ => rng.Next(3) == 0)).OrderBy(_ => rng.Next()).ToList();
        var assembler = new SpikePacketAssembler();

        var done = arrivals.Select(assembler.Add).Where(p => p is not null).ToList();

        if (parts.Count == 1)
        {
            // A packet that was not split is handed on as it comes, duplicates included (the receiver drops those).
            Assert.Equal(arrivals.Count, done.Count);
        }
        else
        {
            Assert.Single(done);
            Assert.Equal(arrivals.Count - parts.Count, assembler.Duplicates);
        }
        WireAssert.Equal(packet, done[0]!);
        Assert.Equal(0, assembler.Incomplete);
    }

    [Fact]
    public void Packets_of_several_sources_and_epochs_are_kept_apart()
    {
        var a = Packet(1, 50) with { Source = 1, Epoch = 4 };
        var b = Packet(2, 70) with { Source = 2, Epoch = 4 };
        var c = Packet(3, 30) with { Source = 1, Epoch = 5 };
        var parts = new[] { a, b, c }.SelectMany(p => SpikePacketSplitter.Split(p, 20)).Reverse().ToList();
        var assembler = new SpikePacketAssembler();

        var done = parts.Select(assembler.Add).OfType<SpikePacket>().ToList();

        Assert.Equal(3, done.Count);
        WireAssert.Equal(a, done.Single(p => p.Source == 1 && p.Epoch == 4));
        WireAssert.Equal(b, done.Single(p => p.Source == 2));
        WireAssert.Equal(c, done.Single(p => p.Epoch == 5));
    }

    [Fact]
    public void Late_duplicates_are_ignored_until_the_epoch_is_discarded()
    {
        var packet = Packet(4, 100);
        var parts = SpikePacketSplitter.Split(packet, 30);
        var assembler = new SpikePacketAssembler();
        foreach (var p in parts) assembler.Add(p);

        Assert.Null(assembler.Add(parts[2]));
        Assert.Equal(1, assembler.Duplicates);

        assembler.DiscardBefore(packet.Job, packet.Epoch + 1);
        Assert.Null(assembler.Add(parts[0]));
        Assert.Equal(1, assembler.Incomplete);
        assembler.DiscardBefore(packet.Job, packet.Epoch + 1);
        Assert.Equal(0, assembler.Incomplete);
    }

    [Fact]
    public void Contradicting_and_invalid_parts_are_refused()
    {
        var assembler = new SpikePacketAssembler();
        assembler.Add(new SpikePacketPart("j", 1, 0, 0, 3, [1], [1]));

        Assert.Throws<ArgumentException>(() => assembler.Add(new SpikePacketPart("j", 1, 0, 1, 4, [1], [2])));
        Assert.Throws<ArgumentException>(() => assembler.Add(new SpikePacketPart("j", 1, 0, 3, 3, [1], [2])));
        Assert.Throws<ArgumentException>(() => assembler.Add(new SpikePacketPart("j", 1, 0, 1, 3, [1, 2], [2])));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpikePacketSplitter.Split(Packet(1, 10), 0));
    }

    [Theory]
    [InlineData(32 * 1024 * 1024, "job", 1_458_532)]
    [InlineData(128_000, "job", 5_208)]
    [InlineData(1024, "job", 1)]
    public void The_spikes_per_part_follow_the_frame_size(int frameBytes, string job, int expected)
    {
        Assert.Equal(expected, SpikePacketSplitter.MaxSpikesPerPart(frameBytes, job));
    }
}
