using DistSnn.Cluster.Output;
using PureHDF;

namespace DistSnn.Cluster.Tests.Output;

public class SonataSpikeWriterTests
{
    private const double Dt = 0.1;

    [Fact]
    public void Spikes_read_back_exactly_with_attributes_and_types()
    {
        var exc = PopulationSpikes.Create("exc", 0, 5, [0, 0, 3, 7, 7, 12], [1, 4, 0, 2, 3, 4]);
        var inh = PopulationSpikes.Create("inh", 5, 3, [1, 2, 123456789], [2, 0, 1]);
        using var dir = new TempDirectory();
        string path = dir.File("spikes.h5");

        SonataSpikeWriter.Write(path, [exc, inh], Dt);

        using var file = H5File.OpenRead(path);
        Assert.Equal(["exc", "inh"], file.Group("spikes").Children().Select(c => c.Name).Order());
        foreach (var pop in new[] { exc, inh })
        {
            var group = file.Group($"spikes/{pop.Name}");
            Assert.Equal(H5DataTypeClass.Enumerated, group.Attribute("sorting").Type.Class);
            Assert.Equal(SonataSorting.by_time, group.Attribute("sorting").Read<SonataSorting>());

            var timestamps = group.Dataset("timestamps");
            Assert.Equal("ms", timestamps.Attribute("units").Read<string>());
            Assert.Equal(H5DataTypeClass.FloatingPoint, timestamps.Type.Class);
            Assert.Equal(8, timestamps.Type.Size);
            Assert.Equal([(ulong)pop.Count], timestamps.Space.Dimensions);
            Assert.Equal(pop.Steps.Select(s => s * Dt).ToArray(), timestamps.Read<double[]>());

            var nodeIds = group.Dataset("node_ids");
            Assert.Equal(H5DataTypeClass.FixedPoint, nodeIds.Type.Class);
            Assert.Equal(8, nodeIds.Type.Size);
            Assert.False(nodeIds.Type.FixedPoint.IsSigned);
            Assert.Equal(pop.LocalIds.Select(i => (ulong)i).ToArray(), nodeIds.Read<ulong[]>());
        }

        Assert.Equal(12345678.9, file.Dataset("spikes/inh/timestamps").Read<double[]>()[2], 6);
    }

    [Fact]
    public void Population_larger_than_one_write_block_is_complete()
    {
        const int n = 200_003;
        var rng = new Random(7);
        var steps = new long[n];
        var ids = new int[n];
        long step = 0;
        int id = 0;
        for (int i = 0; i < n; i++)
        {
            if (i == 0 || rng.Next(4) == 0 || id >= 9_999)
            {
                step += 1 + rng.Next(3);
                id = rng.Next(50);
            }
            else
            {
                id += 1 + rng.Next(20);
            }
            steps[i] = step;
            ids[i] = id;
        }
        var pop = PopulationSpikes.Create("big", 100, 10_000, steps, ids);
        using var dir = new TempDirectory();
        string path = dir.File("big.h5");

        SonataSpikeWriter.Write(path, [pop], 0.25);

        using var file = H5File.OpenRead(path);
        var timestamps = file.Dataset("spikes/big/timestamps").Read<double[]>();
        var nodeIds = file.Dataset("spikes/big/node_ids").Read<ulong[]>();
        Assert.Equal(n, timestamps.Length);
        Assert.Equal(n, nodeIds.Length);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(steps[i] * 0.25, timestamps[i]);
            Assert.Equal((ulong)ids[i], nodeIds[i]);
        }
    }

    [Fact]
    public void Empty_population_gets_zero_length_datasets()
    {
        var silent = PopulationSpikes.Empty("silent", 10, 4);
        var active = PopulationSpikes.Create("active", 0, 10, [5], [9]);
        using var dir = new TempDirectory();
        string path = dir.File("empty.h5");

        SonataSpikeWriter.Write(path, [silent, active], Dt);

        using var file = H5File.OpenRead(path);
        var group = file.Group("spikes/silent");
        Assert.Equal(SonataSorting.by_time, group.Attribute("sorting").Read<SonataSorting>());
        var timestamps = group.Dataset("timestamps");
        var nodeIds = group.Dataset("node_ids");
        Assert.Equal([0UL], timestamps.Space.Dimensions);
        Assert.Equal([0UL], nodeIds.Space.Dimensions);
        Assert.Equal(H5DataTypeClass.FloatingPoint, timestamps.Type.Class);
        Assert.Equal(8, nodeIds.Type.Size);
        Assert.Equal("ms", timestamps.Attribute("units").Read<string>());
        Assert.Empty(timestamps.Read<double[]>());
        Assert.Empty(nodeIds.Read<ulong[]>());
        Assert.Equal([0.5], file.Dataset("spikes/active/timestamps").Read<double[]>());
    }

    [Fact]
    public void No_populations_gives_an_empty_spikes_group()
    {
        using var dir = new TempDirectory();
        string path = dir.File("none.h5");

        SonataSpikeWriter.Write(path, [], Dt);

        using var file = H5File.OpenRead(path);
        Assert.Empty(file.Group("spikes").Children());
    }

    [Fact]
    public void Invalid_input_is_rejected_before_a_file_is_created()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.h5");
        var ok = PopulationSpikes.Create("a", 0, 3, [1], [0]);

        var mismatch = new PopulationSpikes("m", 0, 3, [1, 2], [0]);
        Assert.Contains("equal length", Assert.Throws<ArgumentException>(() => SonataSpikeWriter.Write(path, [mismatch], Dt)).Message);
        Assert.Throws<ArgumentException>(() => SonataSpikeWriter.Write(path, [new PopulationSpikes("u", 0, 3, [2, 1], [0, 0])], Dt));
        Assert.Throws<ArgumentException>(() => SonataSpikeWriter.Write(path, [new PopulationSpikes("d", 0, 3, [1, 1], [2, 2])], Dt));
        Assert.Throws<ArgumentException>(() => SonataSpikeWriter.Write(path, [new PopulationSpikes("r", 0, 3, [1], [3])], Dt));
        Assert.Throws<ArgumentException>(() => SonataSpikeWriter.Write(path, [ok, ok], Dt));
        Assert.Throws<ArgumentException>(() => SonataSpikeWriter.Write(path, [ok with { Name = "a/b" }], Dt));
        Assert.Throws<ArgumentOutOfRangeException>(() => SonataSpikeWriter.Write(path, [ok], 0));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void FromUnsorted_sorts_by_step_then_local_id()
    {
        var pop = PopulationSpikes.FromUnsorted("p", 0, 4, [5, 1, 5, 1, 0], [3, 2, 0, 1, 3]);

        Assert.Equal([0L, 1, 1, 5, 5], pop.Steps);
        Assert.Equal([3, 1, 2, 0, 3], pop.LocalIds);
    }
}
