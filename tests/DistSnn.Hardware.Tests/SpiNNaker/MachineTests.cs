using DistSnn.Hardware.SpiNNaker;

namespace DistSnn.Hardware.Tests.SpiNNaker;

/// <summary>The modelled machines: board shapes, links and their wrap-around, and shortest-path trees.</summary>
public class MachineTests
{
    [Fact]
    public void A_spinn5_board_is_a_hexagon_of_48_chips_without_wrap_around()
    {
        var m = SpiNNakerMachine.Create(BoardType.Spin5, 1);
        Assert.Equal(48, m.Chips.Count);
        Assert.Equal(48, m.Chips.Distinct().Count());
        // Columns 0..7 hold rows 0-3, 0-4, 0-5, 0-6, 0-7, 1-7, 2-7, 3-7.
        Assert.NotNull(m.At(0, 3));
        Assert.Null(m.At(0, 4));
        Assert.Null(m.At(7, 2));
        Assert.NotNull(m.At(7, 7));
        Assert.Null(m.Neighbour(m.At(7, 7)!, 0));            // east of the corner: nothing, no wrap-around
        Assert.Equal(m.At(6, 6), m.Neighbour(m.At(7, 7)!, 4)); // south-west
        Assert.Equal(new Chip(0, 0, 0), m.Chips[0]);
    }

    [Theory]
    [InlineData(3, 3, 12, 12)]
    [InlineData(4, 6, 24, 12)]
    [InlineData(12, 12, 24, 24)]
    public void Spinn5_triads_tile_a_torus_every_chip_of_which_has_six_neighbours(int asked, int boards, int width, int height)
    {
        var m = SpiNNakerMachine.Create(BoardType.Spin5, asked);
        Assert.Equal(boards, m.Boards);
        Assert.Equal((width, height), (m.Width, m.Height));
        Assert.Equal(48 * boards, m.Chips.Count);
        Assert.Equal(width * height, m.Chips.Count); // the triads fill the torus exactly
        foreach (var chip in m.Chips)
            for (int link = 0; link < 6; link++)
            {
                var n = m.Neighbour(chip, link);
                Assert.NotNull(n);
                Assert.Equal(chip, m.Neighbour(n!, SpiNNakerMachine.Opposite(link)));
            }
    }

    [Fact]
    public void A_spinn3_board_is_a_2_by_2_torus_and_has_one_board_only()
    {
        var m = SpiNNakerMachine.Create(BoardType.Spin3, 1);
        Assert.Equal(4, m.Chips.Count);
        Assert.Equal(m.At(0, 0), m.Neighbour(m.At(1, 0)!, 0));
        Assert.Throws<ArgumentException>(() => SpiNNakerMachine.Create(BoardType.Spin3, 2));
    }

    [Fact]
    public void The_shortest_path_tree_reaches_every_chip_by_hops_of_the_lattice_distance()
    {
        var m = SpiNNakerMachine.Create(BoardType.Spin5, 1);
        var source = m.At(0, 0)!;
        var tree = m.ShortestPathTree(source);
        foreach (var chip in m.Chips)
        {
            int hops = 0;
            var at = chip;
            while (!at.Equals(source))
            {
                Assert.NotEqual(-2, tree[at.X, at.Y]);
                at = m.Previous(at, tree[at.X, at.Y]);
                hops++;
                Assert.True(hops < 50, "the tree has a cycle");
            }
            Assert.Equal(SpiNNakerMachine.Distance(source, chip), hops);
        }
    }
}
