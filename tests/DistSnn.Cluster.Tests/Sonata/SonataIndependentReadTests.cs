using DistSnn.Cluster.Output;
using DistSnn.Cluster.Sonata;
using DistSnn.Cluster.Tests.Runtime;
using DistSnn.Model;

namespace DistSnn.Cluster.Tests.Sonata;

/// <summary>
/// The exported files read by data/sonata_check.py, which follows the SONATA specification with h5py and numpy only
/// (the circuit config's manifest and population order, node and edge groups, edge_group_id / edge_group_index): every
/// edge population must hold the engine's synapses, in the engine's order, with their NEST weights and delays, and the
/// spike files' sorting attribute must be SONATA's enumeration.
/// </summary>
public sealed class SonataIndependentReadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-sonata-py-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    public static TheoryData<string> Models => ["cuba.yaml", "brunel_stdp.yaml", "small"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Edges_read_by_the_specification_are_the_engines_synapses(string model)
    {
        if (!Python.Available()) return;
        var spec = model == "small" ? ModelLoader.Parse(SonataNetworkWriterTests.Small) : ModelLoader.LoadFile(Repo.Example(model));
        SonataNetworkWriter.Write(spec, _dir);

        var read = Python.Check("network", Path.Combine(_dir, "simulation_config.json"));

        var nodes = read.GetProperty("nodes").EnumerateArray().ToList();
        Assert.Equal(spec.Populations.Select(p => p.Name), nodes.Select(n => n.GetProperty("population").GetString()));
        Assert.Equal(spec.Populations.Select(p => p.Size), nodes.Select(n => n.GetProperty("count").GetInt32()));
        Assert.Equal(spec.Populations.Select((_, p) => p + 1), nodes.Select(n => n.GetProperty("node_type_ids")[0].GetInt32()));
        var edges = read.GetProperty("edges").EnumerateArray().ToList();
        Assert.Equal(spec.Projections.Count, edges.Count);
        for (int j = 0; j < edges.Count; j++)
        {
            var (count, sha) = SonataFiles.ExpectedEdges(spec, j);
            Assert.Equal(spec.Projections[j].Source, edges[j].GetProperty("source").GetString());
            Assert.Equal(spec.Projections[j].Target, edges[j].GetProperty("target").GetString());
            Assert.Equal(count, edges[j].GetProperty("count").GetInt64());
            Assert.Equal(100 + j, edges[j].GetProperty("edge_type_ids")[0].GetInt32());
            Assert.True(sha == edges[j].GetProperty("sha256").GetString(), $"edges of projections[{j}] differ from the engine's");
        }
        Assert.Equal(SonataFiles.OnePartition(spec).SynapseCount, edges.Sum(e => e.GetProperty("count").GetInt64()));

        if (model != "small") return;
        Assert.Equal(["E_L", "I_e", "V_m"], nodes[1].GetProperty("dynamics_params").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["virtual"], nodes[0].GetProperty("model_types").EnumerateArray().Select(e => e.GetString()));
        var input = Assert.Single(read.GetProperty("spike_inputs").EnumerateArray());
        Assert.Equal("stim", input.GetProperty("population").GetString());
        Assert.Equal("by_time", input.GetProperty("sorting").GetString());
        Assert.Equal([1, 1, 2, 3, 3.5, 5], input.GetProperty("times").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal([0, 3, 1, 2, 2, 0], input.GetProperty("node_ids").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void H5py_sees_the_spike_files_sorting_as_sonatas_enumeration()
    {
        if (!Python.Available()) return;
        string path = Path.Combine(_dir, "spikes.h5");
        SonataSpikeWriter.Write(path, [PopulationSpikes.Create("exc", 0, 5, [1, 2], [4, 0]), PopulationSpikes.Empty("inh", 5, 2)], 0.1);

        var read = Python.Check("sorting", path).EnumerateArray().ToList();

        Assert.Equal(["exc", "inh"], read.Select(r => r.GetProperty("population").GetString()));
        foreach (var r in read)
        {
            var members = r.GetProperty("enum").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
            Assert.Equal(new Dictionary<string, int> { ["none"] = 0, ["by_id"] = 1, ["by_time"] = 2 }, members);
            Assert.Equal(1, r.GetProperty("base_size").GetInt32());
            Assert.False(r.GetProperty("base_signed").GetBoolean());
            Assert.Equal(2, r.GetProperty("value").GetInt32());
            Assert.Equal("by_time", r.GetProperty("name").GetString());
        }
    }
}
