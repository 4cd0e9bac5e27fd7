using DistSnn.Cluster.Output;

namespace DistSnn.Cluster.Tests.Output;

public class SpikeCsvWriterTests
{
    [Fact]
    public void Rows_are_ordered_by_time_then_population_order_then_id()
    {
        var b = PopulationSpikes.Create("B", 0, 10, [3, 3, 123, 200], [2, 7, 0, 9]);
        var a = PopulationSpikes.Create("A", 10, 5, [0, 3, 3, 123], [4, 1, 3, 2]);
        var empty = PopulationSpikes.Empty("C", 15, 2);
        using var dir = new TempDirectory();
        string path = dir.File("spikes.csv");

        SpikeCsvWriter.Write(path, [b, empty, a], dtMs: 0.1);

        // B comes first within a step because it was listed first; 3 * 0.1 is 0.30000000000000004
        // in binary, and 200 * 0.1 must print without a trailing ".0".
        const string expected =
            "population,node_id,time_ms\n" +
            "A,4,0\n" +
            "B,2,0.3\n" +
            "B,7,0.3\n" +
            "A,1,0.3\n" +
            "A,3,0.3\n" +
            "B,0,12.3\n" +
            "A,2,12.3\n" +
            "B,9,20\n";
        Assert.Equal(expected, File.ReadAllText(path));
    }

    [Fact]
    public void Times_are_rounded_to_six_decimals_and_names_are_quoted_when_needed()
    {
        var pop = PopulationSpikes.Create("L2/3,exc", 0, 2, [1, 3, 7], [1, 0, 0]);
        using var stream = new MemoryStream();

        SpikeCsvWriter.Write(stream, [pop], dtMs: 1.0 / 3.0);

        Assert.Equal(
            "population,node_id,time_ms\n\"L2/3,exc\",1,0.333333\n\"L2/3,exc\",0,1\n\"L2/3,exc\",0,2.333333\n",
            System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void No_spikes_writes_only_the_header()
    {
        using var stream = new MemoryStream();

        SpikeCsvWriter.Write(stream, [PopulationSpikes.Empty("x", 0, 3)], 0.1);

        Assert.Equal("population,node_id,time_ms\n", System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
