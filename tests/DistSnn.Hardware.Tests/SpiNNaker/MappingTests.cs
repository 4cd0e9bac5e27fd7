using DistSnn.Hardware.SpiNNaker;
using DistSnn.Model;

namespace DistSnn.Hardware.Tests.SpiNNaker;

/// <summary>
/// The mapping flow on the examples: every neuron in exactly one slice, keys unique and non-overlapping, every route
/// reaching exactly its targets through the compressed tables, no chip over its router's entries, and clear errors
/// for a machine too small and a delay too long.
/// </summary>
public class MappingTests
{
    internal static NetworkSpec Example(string name) => ModelLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "examples", name + ".yaml"));

    private static readonly SpiNNakerParameters Defaults = new();

    public static TheoryData<string> Examples => new() { "brunel", "cuba", "coba", "brunel_stdp", "microcircuit" };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_neuron_is_in_exactly_one_slice_and_every_slice_on_its_own_core(string example)
    {
        var spec = Example(example);
        var m = SpiNNakerMapper.MapSmallest(spec, BoardType.Spin5, Defaults, maxBoards: 12);
        for (int p = 0; p < spec.Populations.Count; p++)
        {
            var slices = m.Vertices.Where(v => v.Population == p && v.Kind is VertexKind.Neurons or VertexKind.Sources).OrderBy(v => v.Lo).ToList();
            Assert.Equal(0, slices[0].Lo);
            for (int s = 1; s < slices.Count; s++) Assert.Equal(slices[s - 1].Hi, slices[s].Lo);
            Assert.Equal(spec.Populations[p].Size, slices[^1].Hi);
            Assert.All(slices, s => Assert.InRange(s.Atoms, 1, spec.Populations[p].Model.IsSource ? Defaults.MaxSourcesPerCore : Defaults.MaxNeuronsPerCore));
        }
        Assert.Equal(m.Vertices.Count, m.Vertices.Select(v => (v.Chip, v.Core)).Distinct().Count());
        Assert.All(m.Vertices, v => Assert.InRange(v.Core, 1, Defaults.CoresPerChip - 1));
        Assert.All(m.Vertices.GroupBy(v => v.Chip), g => Assert.True(g.Sum(v => v.SdramBytes) <= Defaults.SdramBytes));
        Assert.All(m.Vertices, v => Assert.True(v.DtcmBytes <= Defaults.DtcmBytes, $"{v.Name}: {v.DtcmBytes} bytes of DTCM"));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Keys_are_unique_and_their_blocks_do_not_overlap(string example)
    {
        var m = SpiNNakerMapper.MapSmallest(Example(example), BoardType.Spin5, Defaults, maxBoards: 12);
        var blocks = m.Vertices.Select(v => (Start: (long)v.Key, End: (long)v.Key + v.KeySpace, v)).OrderBy(b => b.Start).ToList();
        for (int i = 1; i < blocks.Count; i++) Assert.True(blocks[i - 1].End <= blocks[i].Start, $"{blocks[i - 1].v.Name} overlaps {blocks[i].v.Name}");
        foreach (var v in m.Vertices)
        {
            Assert.Equal(0u, v.Key & ~v.Mask);                      // aligned to its block
            Assert.Equal((uint)(v.KeySpace - 1), ~v.Mask);          // the mask covers exactly the block
            Assert.True(v.KeySpace >= v.Atoms);
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_route_reaches_exactly_its_targets_through_the_compressed_tables(string example)
    {
        var m = SpiNNakerMapper.MapSmallest(Example(example), BoardType.Spin5, Defaults, maxBoards: 12);
        Assert.All(m.Routing.Tables.Values, t => Assert.True(t.Count <= Defaults.RouterEntries));
        foreach (var group in m.Edges.GroupBy(e => e.Source))
        {
            var expected = group.Select(e => (e.Target.Chip, e.Target.Core)).Distinct().OrderBy(t => (t.Chip.X, t.Chip.Y, t.Core)).ToList();
            // The first and the last key of the block reach the same cores, through the compressed and the full tables.
            foreach (var key in new[] { group.Key.Key, group.Key.Key + (uint)(group.Key.KeySpace - 1) })
                foreach (var tables in new[] { m.Routing.Tables, m.Routing.Uncompressed })
                {
                    var reached = SpiNNakerRouter.Deliveries(m.Machine, tables, group.Key.Chip, key).Distinct()
                        .OrderBy(t => (t.Chip.X, t.Chip.Y, t.Core)).ToList();
                    Assert.Equal(expected, reached);
                }
        }
        // A key nobody sends is delivered nowhere by the full tables (ordered covering may give such keys any route).
        uint unused = m.Vertices.Max(v => v.Key + (uint)v.KeySpace);
        Assert.Empty(SpiNNakerRouter.Deliveries(m.Machine, m.Routing.Uncompressed, m.Machine.Chips[0], unused));
    }

    [Fact]
    public void Compression_merges_halves_of_a_block_and_routes_every_key_as_before()
    {
        uint route = RouterEntry.Link(2), other = RouterEntry.CoreBit(3);
        var table = new List<RouterEntry>
        {
            new(0x000, 0xFFFFFF00, route), new(0x100, 0xFFFFFF00, route), // two halves of 0x000-0x1FF
            new(0x200, 0xFFFFFF00, other), new(0x300, 0xFFFFFF00, route), // not mergeable: other route between
            new(0x400, 0xFFFFFF00, route), new(0x500, 0xFFFFFF00, route), new(0x600, 0xFFFFFF00, route), new(0x700, 0xFFFFFF00, route),
        };
        var small = SpiNNakerRouter.Compress(table);
        Assert.Equal(4, small.Count);
        Assert.Contains(new RouterEntry(0x000, 0xFFFFFE00, route), small);
        Assert.Contains(new RouterEntry(0x400, 0xFFFFFC00, route), small);
        for (uint key = 0; key < 0x900; key += 7)
        {
            uint? Lookup(IEnumerable<RouterEntry> t) => t.Where(e => e.Matches(key)).Select(e => (uint?)e.Route).FirstOrDefault();
            Assert.Equal(Lookup(table), Lookup(small));
        }
    }

    [Fact]
    public void Ordered_covering_overlaps_other_routes_that_come_first_but_never_captures_a_packet_routed_otherwise()
    {
        uint route = RouterEntry.Link(2), other = RouterEntry.CoreBit(3);
        var table = SpiNNakerRouter.Compress(new List<RouterEntry>
        {
            new(0x000, 0xFFFFFF00, route), new(0x100, 0xFFFFFF00, route),
            new(0x200, 0xFFFFFF00, other), new(0x300, 0xFFFFFF00, route),
            new(0x800, 0xFFFFFF00, route), new(0xA00, 0xFFFFFF00, route),
        });
        // Every block reaches the chip; 0x900 passes straight through by default, so nothing may cover it.
        var flows = table.Select(e => (e.Key, e.Mask, (uint?)e.Route)).Append((0x900u, 0xFFFFFF00u, (uint?)null)).ToList();
        var small = SpiNNakerRouter.CompressOrdered(table, flows);
        // 0x000-0x3FF becomes one entry of the route behind the more specific 0x200 entry of the other route; 0x800 and
        // 0xA00 stay apart since the block that holds both holds 0x900.
        Assert.Equal(4, small.Count);
        Assert.Equal(new RouterEntry(0x200, 0xFFFFFF00, other), small[0]);
        Assert.Contains(new RouterEntry(0x000, 0xFFFFFC00, route), small);
        foreach (var (key, mask, expected) in flows)
            for (uint k = key; k < key + (~mask + 1); k += 17)
                Assert.Equal(expected, small.Where(e => e.Matches(k)).Select(e => (uint?)e.Route).FirstOrDefault());
    }

    [Fact]
    public void Brunel_needs_one_spinn5_board_and_no_delay_extensions()
    {
        var m = SpiNNakerMapper.MapSmallest(Example("brunel"), BoardType.Spin5, Defaults, maxBoards: 12);
        var r = m.Report;
        Assert.Equal(1, r.Boards);
        // 10,000 + 2,500 neurons at most 256 per core: 40 + 10 cores (the synaptic matrices fit SDRAM); the Poisson drive
        // of each slice on a core of its own next to it: 40 + 10 source cores.
        Assert.Equal(50, r.NeuronCores);
        Assert.Equal(50, r.SourceCores);
        Assert.Equal(0, r.DelayExtensionCores); // 1.5 ms = 15 ticks of 0.1 ms, within the core's 16
        Assert.Equal(100, r.CoresUsed);
        // Each Poisson drive shares its slice's chip: its packets never leave it.
        foreach (var v in m.Vertices.Where(v => v.Kind == VertexKind.PoissonInput))
            Assert.Equal(v.Chip, m.Edges.Single(e => e.Source == v).Target.Chip);
        Assert.True(r.RouterEntriesMax <= r.RouterEntriesMaxBefore);
    }

    [Fact]
    public void Delays_beyond_the_cores_sixteen_ticks_go_through_delay_extensions_and_beyond_the_stages_are_refused()
    {
        var b = new NetworkBuilder("delays").WithDt(0.1).WithDuration(10);
        var src = b.Population("src", 300, new PoissonGenerator { Rate = 10 });
        var n = b.Population("n", 300, new LifDelta());
        b.Connect(src, n, new FixedProbability(0.1), weight: 1, delay: 5.0); // 50 ticks
        var m = SpiNNakerMapper.Map(b.Build(), SpiNNakerMachine.Create(BoardType.Spin5, 1), Defaults);
        Assert.Equal(1, m.Report.DelayExtensionCores);
        Assert.Contains(m.Edges, e => e.Source.Kind == VertexKind.DelayExtension && e.Target.Kind == VertexKind.Neurons);

        var tooLong = new NetworkBuilder("too-long").WithDt(0.1).WithDuration(10);
        var s2 = tooLong.Population("src", 10, new PoissonGenerator { Rate = 10 });
        var n2 = tooLong.Population("n", 10, new LifDelta());
        tooLong.Connect(s2, n2, new OneToOne(), weight: 1, delay: 20.0); // 200 ticks
        var e = Assert.Throws<MappingException>(() => SpiNNakerMapper.Map(tooLong.Build(), SpiNNakerMachine.Create(BoardType.Spin5, 1), Defaults));
        Assert.Equal("projections[0].delay: delays of up to 200 ticks exceed the 144 ticks SpiNNaker takes (16 on the core and 8 delay-extension stages of 16)", e.Message);
    }

    [Fact]
    public void A_machine_too_small_is_refused_naming_the_population_that_found_no_core()
    {
        var e = Assert.Throws<MappingException>(() => SpiNNakerMapper.Map(Example("brunel"), SpiNNakerMachine.Create(BoardType.Spin3, 1), Defaults));
        Assert.Equal("the machine is too small: 1 SpiNN-3 board(s) with 4 chips and 68 application cores; the model needs 100 cores, " +
                     "and population 'exc' (exc[8000:8250]) found none left", e.Message);
    }
}
