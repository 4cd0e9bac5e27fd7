using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using Xunit.Abstractions;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>Bytes on the wire per spike for realistic packets, and the worst-case bound used to split packets.</summary>
public class WireSizeTests : SerializationSpec
{
    private readonly ITestOutputHelper _output;

    public WireSizeTests(ITestOutputHelper output) : base(output)
    {
        _output = output;
    }

    /// <summary>
    /// One epoch (15 steps of 0.1 ms) of one Brunel partition: 6,250 neurons firing at about 75 Hz in total give
    /// about 700 spikes, 47 per step, at distinct random neurons of the sender's half (gids 6,250 to 12,499).
    /// </summary>
    private static SpikePacket BrunelEpoch(int seed, int spikes = 700, int neurons = 6250, int steps = 15)
    {
        var rng = new Random(seed);
        var stamps = new List<long>();
        var gids = new List<long>();
        long firstStamp = 1 + 15L * rng.Next(0, 600);
        for (int s = 0; s < steps; s++)
        {
            int n = spikes / steps + (s < spikes % steps ? 1 : 0);
            foreach (var g in Enumerable.Range(0, neurons).OrderBy(_ => rng.Next()).Take(n).Order())
            {
                stamps.Add(firstStamp + s);
                gids.Add(neurons + g);
            }
        }
        return new SpikePacket("brunel-1", firstStamp / 15, 1, stamps.ToArray(), gids.ToArray());
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public void A_packets_counted_length_equals_its_encoding(int seed)
    {
        // Telemetry sizes packets by counting (SpikeCodec.Length) instead of encoding them; every integer width
        // (stamp jumps, extreme and unsorted ids) must count as the writer writes it.
        var packet = new WireSamples(seed).SpikePacket();
        var (bytes, _) = Encode(packet);
        Assert.Equal(bytes.Length, DistSnnSerializer.EncodedLength(packet));
        Assert.Equal(bytes.Length, DistSnnSerializer.EncodedLength((object)packet));
    }

    [Theory]
    [InlineData(0L, 1)]
    [InlineData(127L, 1)]
    [InlineData(128L, 2)]
    [InlineData(255L, 2)]
    [InlineData(256L, 3)]
    [InlineData(65_535L, 3)]
    [InlineData(65_536L, 5)]
    [InlineData(4_294_967_295L, 5)]
    [InlineData(4_294_967_296L, 9)]
    [InlineData(-1L, 1)]
    [InlineData(-32L, 1)]
    [InlineData(-33L, 2)]
    [InlineData(-128L, 2)]
    [InlineData(-129L, 3)]
    [InlineData(-32_768L, 3)]
    [InlineData(-32_769L, 5)]
    [InlineData(-2_147_483_648L, 5)]
    [InlineData(-2_147_483_649L, 9)]
    [InlineData(-long.MaxValue, 9)]
    public void Every_integer_width_is_counted_as_written(long delta, int width)
    {
        // Two spikes of one stamp whose second id differs from the first by delta (ids stay non-negative).
        long first = delta < 0 ? -delta : 0;
        var packet = new SpikePacket("w", 1, 0, [5, 5], [first, first + delta]);
        var (bytes, _) = Encode(packet);
        Assert.Equal(bytes.Length, DistSnnSerializer.EncodedLength(packet));
        var reference = new SpikePacket("w", 1, 0, [5, 5], [first, first]);
        Assert.Equal(width - 1, DistSnnSerializer.EncodedLength(packet) - DistSnnSerializer.EncodedLength(reference));
    }

    [Fact]
    public void A_brunel_epoch_takes_at_most_four_bytes_per_spike()
    {
        double worst = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            var packet = BrunelEpoch(seed);
            var (bytes, _) = Encode(packet);
            double perSpike = (double)bytes.Length / packet.Stamps.Length;
            worst = Math.Max(worst, perSpike);
            WireAssert.Equal(packet, RoundTrip(packet));
        }

        _output.WriteLine($"Brunel epoch (700 spikes, 15 steps, 6,250 neurons): {worst:F2} bytes per spike, whole frame");
        Assert.True(worst <= 4, $"{worst:F2} bytes per spike");
    }

    [Fact]
    public void Packets_of_a_real_two_partition_brunel_run_take_far_less_than_four_bytes_per_spike()
    {
        // The packets partition 0 sends to partition 1 during 200 ms of the full Brunel network (after a 50 ms
        // transient), exactly as PartitionActor builds them: every spike of the epoch (all neurons have targets
        // on both sides), sorted by stamp and gid.
        var spec = DistSnn.Model.ModelLoader.LoadFile(Runtime.Repo.Example("brunel.yaml"));
        spec = spec with { Run = spec.Run with { Duration = 250 } };
        var plan = DistSnn.Partitioner.PartitionPlan.Create(spec, 2);
        var engines = Enumerable.Range(0, 2).Select(q => new DistSnn.Nodes.PartitionEngine(spec, q, plan.Owned(q))).ToArray();
        var batches = new DistSnn.Nodes.SpikeBatch[2];
        long bytes = 0, spikes = 0, packets = 0;
        while (!engines[0].Finished)
        {
            long epoch = engines[0].NextEpoch;
            for (int q = 0; q < 2; q++)
            {
                var b = engines[q].RunEpoch();
                batches[q] = new DistSnn.Nodes.SpikeBatch(b.Stamps[..b.Count], b.Gids[..b.Count], b.Count);
            }
            if (engines[0].CurrentStep > 500)
            {
                var packet = new SpikePacket("brunel-1", epoch, 0, batches[0].Stamps, batches[0].Gids);
                bytes += Encode(packet).Bytes.Length;
                spikes += packet.Stamps.Length;
                packets++;
            }
            if (engines[0].Finished) break;
            foreach (var e in engines) e.Deliver(batches);
        }

        double perSpike = (double)bytes / spikes;
        _output.WriteLine($"Brunel, 2 partitions: {packets} packets, {(double)spikes / packets:F0} spikes per packet, {perSpike:F2} bytes per spike");
        Assert.True(spikes > 10_000, $"only {spikes} spikes");
        // The goal is 4 bytes; the encoding gives about 2.1 (about 23 spikes per step among 6,250 neurons).
        Assert.True(perSpike <= 2.5, $"{perSpike:F2} bytes per spike");
    }

    [Theory]
    [InlineData(70, 6250)]      // a quiet epoch: 10 % of the usual activity
    [InlineData(700, 6250)]
    [InlineData(7000, 6250)]    // a synchronous burst
    [InlineData(700, 100_000)]  // the same activity spread over a large partition
    public void Bytes_per_spike_stay_small_across_rates_and_sizes(int spikes, int neurons)
    {
        var packet = BrunelEpoch(1, spikes, neurons);
        var (bytes, _) = Encode(packet);
        double perSpike = (double)bytes.Length / packet.Stamps.Length;

        _output.WriteLine($"{spikes} spikes from {neurons} neurons: {bytes.Length} bytes, {perSpike:F2} bytes per spike");
        Assert.True(perSpike <= 4, $"{perSpike:F2} bytes per spike");
    }

    [Fact]
    public void An_empty_packet_is_a_few_bytes()
    {
        var (bytes, _) = Encode(new SpikePacket("brunel-1", 66, 1, [], []));

        Assert.True(bytes.Length <= 16, $"{bytes.Length} bytes");
    }

    [Theory]
    [InlineData(64 * 1024, "j")]
    [InlineData(200 * 1024, "a-long-job-id-with-some-unicode-µµµµ")]
    public void Parts_of_worst_case_packets_fit_the_frame(int frameBytes, string job)
    {
        // Every spike in its own stamp run, stamps and ids as large as they get: the most bytes per spike.
        int max = SpikePacketSplitter.MaxSpikesPerPart(frameBytes, job);
        int n = 3 * max + 17;
        var stamps = Enumerable.Range(0, n).Select(i => long.MaxValue / 2 + (long)i * (long.MaxValue / 4 / n)).ToArray();
        var gids = Enumerable.Range(0, n).Select(i => long.MaxValue - i).ToArray();
        var packet = new SpikePacket(job, long.MaxValue, WireLimits.MaxPartitions - 1, stamps, gids);

        var parts = SpikePacketSplitter.Split(packet, max);

        Assert.Equal(4, parts.Count);
        foreach (var part in parts)
        {
            var (bytes, _) = Encode(part);
            Assert.True(bytes.Length <= frameBytes - SpikePacketSplitter.FrameReserveBytes + 64,
                $"part of {part.Stamps.Length} spikes took {bytes.Length} bytes for a {frameBytes}-byte frame");
        }
    }
}
