using DistSnn.Cluster.Output;
using PureHDF;

namespace DistSnn.Cluster.Tests.Output;

public class SonataReportWriterTests
{
    [Fact]
    public void Report_layout_reads_back()
    {
        // 3 samples x 2 neurons, time-major.
        var v = new StateTrace("exc", "v", "mV", [4, 1], FirstStep: 10, IntervalSteps: 5,
            Values: [-65f, -70f, -64.5f, -69.25f, -50f, -71f]);
        var w = new StateTrace("exc", "w", "pA", [4], FirstStep: 0, IntervalSteps: 1, Values: [1f, 2f]);
        var inh = new StateTrace("inh", "v", "mV", [0, 1, 2], FirstStep: 0, IntervalSteps: 2, Values: []);
        using var dir = new TempDirectory();
        string path = dir.File("report.h5");

        SonataReportWriter.Write(path, [v, w, inh], dtMs: 0.1);

        using var file = H5File.OpenRead(path);
        var data = file.Dataset("report/exc/v/data");
        Assert.Equal([3UL, 2UL], data.Space.Dimensions);
        Assert.Equal(H5DataTypeClass.FloatingPoint, data.Type.Class);
        Assert.Equal(4, data.Type.Size);
        Assert.Equal("mV", data.Attribute("units").Read<string>());
        Assert.Equal(v.Values, data.Read<float[]>());
        var grid = data.Read<float[,]>();
        Assert.Equal(-69.25f, grid[1, 1]);
        Assert.Equal(-50f, grid[2, 0]);

        var mapping = file.Group("report/exc/v/mapping");
        Assert.Equal([4UL, 1UL], mapping.Dataset("node_ids").Read<ulong[]>());
        Assert.Equal([0UL, 1UL, 2UL], mapping.Dataset("index_pointers").Read<ulong[]>());
        Assert.Equal([0u, 0u], mapping.Dataset("element_ids").Read<uint[]>());
        var time = mapping.Dataset("time");
        Assert.Equal("ms", time.Attribute("units").Read<string>());
        Assert.Equal([10 * 0.1, 25 * 0.1, 5 * 0.1], time.Read<double[]>());

        Assert.Equal("pA", file.Dataset("report/exc/w/data").Attribute("units").Read<string>());
        Assert.Equal([2UL, 1UL], file.Dataset("report/exc/w/data").Space.Dimensions);
        Assert.Equal([0.0, 0.2, 0.1], file.Dataset("report/exc/w/mapping/time").Read<double[]>());

        var empty = file.Dataset("report/inh/v/data");
        Assert.Equal([0UL, 3UL], empty.Space.Dimensions);
        Assert.Empty(empty.Read<float[]>());
        Assert.Equal([0UL, 1UL, 2UL], file.Dataset("report/inh/v/mapping/node_ids").Read<ulong[]>());
        Assert.Equal([0.0, 0.0, 0.2], file.Dataset("report/inh/v/mapping/time").Read<double[]>());
    }

    [Fact]
    public void Invalid_traces_are_rejected()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.h5");
        var ok = new StateTrace("p", "v", "mV", [0, 1], 0, 1, [1f, 2f]);

        Assert.Throws<ArgumentException>(() => SonataReportWriter.Write(path, [ok with { Values = [1f, 2f, 3f] }], 0.1));
        Assert.Throws<ArgumentException>(() => SonataReportWriter.Write(path, [ok with { IntervalSteps = 0 }], 0.1));
        Assert.Throws<ArgumentException>(() => SonataReportWriter.Write(path, [ok, ok], 0.1));
        Assert.Throws<ArgumentException>(() => SonataReportWriter.Write(path, [ok with { Variable = "a/b" }], 0.1));
        Assert.False(File.Exists(path));
    }
}
