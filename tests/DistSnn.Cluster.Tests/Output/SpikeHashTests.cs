using System.Buffers.Binary;
using System.Security.Cryptography;
using DistSnn.Cluster.Output;

namespace DistSnn.Cluster.Tests.Output;

public class SpikeHashTests
{
    private static string NaiveHash(IEnumerable<PopulationSpikes> pops)
    {
        var pairs = new List<(long Step, long Gid)>();
        foreach (var pop in pops)
        {
            for (int i = 0; i < pop.Steps.Length; i++)
            {
                pairs.Add((pop.Steps[i], pop.FirstGid + pop.LocalIds[i]));
            }
        }
        var bytes = new byte[pairs.Count * 16];
        int offset = 0;
        foreach (var (step, gid) in pairs.OrderBy(p => p.Step).ThenBy(p => p.Gid))
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset), step);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset + 8), gid);
            offset += 16;
        }
        return Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
    }

    private static PopulationSpikes RandomPopulation(Random rng, string name, long firstGid, int size, int spikes, long maxStep)
    {
        var steps = new long[spikes];
        var ids = new int[spikes];
        for (int i = 0; i < spikes; i++)
        {
            steps[i] = rng.NextInt64(maxStep);
            ids[i] = rng.Next(size);
        }
        // Deduplicate (step, id) pairs: a neuron fires at most once per step.
        var unique = steps.Zip(ids).Distinct().ToArray();
        return PopulationSpikes.FromUnsorted(name, firstGid, size,
            unique.Select(u => u.First).ToArray(), unique.Select(u => u.Second).ToArray());
    }

    [Fact]
    public void Matches_naive_hash_and_ignores_population_order()
    {
        var rng = new Random(12345);
        var a = RandomPopulation(rng, "a", 0, 800, 20_000, 5_000);
        var b = RandomPopulation(rng, "b", 800, 200, 7_000, 5_000);
        var c = RandomPopulation(rng, "c", 1000, 3, 500, 5_000);

        string expected = NaiveHash([a, b, c]);

        Assert.Equal(expected, SpikeHash.Sha256Hex([a, b, c]));
        Assert.Equal(expected, SpikeHash.Sha256Hex([c, a, b]));
        Assert.Equal(expected, SpikeHash.Sha256Hex([b, c, a]));
        Assert.NotEqual(expected, SpikeHash.Sha256Hex([a, b]));
    }

    [Fact]
    public void Matches_naive_hash_for_a_million_spikes()
    {
        var rng = new Random(99);
        var pops = new[]
        {
            RandomPopulation(rng, "e", 0, 20_000, 600_000, 100_000),
            RandomPopulation(rng, "i", 20_000, 5_000, 300_000, 100_000),
            RandomPopulation(rng, "x", 25_000, 1_000, 100_000, 100_000),
        };
        Assert.True(pops.Sum(p => p.Count) > 990_000);

        Assert.Equal(NaiveHash(pops), SpikeHash.Sha256Hex(pops));
    }

    [Fact]
    public void Hash_of_a_known_pair_and_of_nothing()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, 3);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), 42);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)),
            SpikeHash.Sha256Hex([PopulationSpikes.Create("p", 40, 5, [3], [2])]));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            SpikeHash.Sha256Hex([]));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            SpikeHash.Sha256Hex([PopulationSpikes.Empty("p", 0, 10)]));
    }

    [Fact]
    public void Interleaved_gid_ranges_are_merged_by_global_id()
    {
        // Same step, gids 5 and 6 from different populations listed in reverse.
        var high = PopulationSpikes.Create("high", 6, 1, [1], [0]);
        var low = PopulationSpikes.Create("low", 5, 1, [1], [0]);

        Assert.Equal(NaiveHash([low, high]), SpikeHash.Sha256Hex([high, low]));
    }

    [Fact]
    public void Overlapping_gid_ranges_still_merge_into_global_order()
    {
        // Not a layout the simulator produces, but it forces runs to be cut mid-step and ties to
        // occur, which the merge must handle like the naive sort does.
        var rng = new Random(3);
        var a = RandomPopulation(rng, "a", 0, 40, 3_000, 200);
        var b = RandomPopulation(rng, "b", 10, 40, 3_000, 200);
        var c = RandomPopulation(rng, "c", 25, 5, 500, 200);

        Assert.Equal(NaiveHash([a, b, c]), SpikeHash.Sha256Hex([c, b, a]));
    }
}
