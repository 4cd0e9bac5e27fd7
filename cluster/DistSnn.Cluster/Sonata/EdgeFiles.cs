using System.Text.Json.Nodes;
using DistSnn.Model;
using PureHDF;
using PureHDF.Filters;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace DistSnn.Cluster.Sonata;

/// <summary>
/// edges.h5, edge_types.csv and synaptic_models/: one edge population per projection, in the model's order, each of
/// one edge type, every synapse an edge with its own <c>syn_weight</c> (NEST's unit and sign, see
/// <see cref="NestWeights"/>) and <c>delay</c> (its steps × dt, ms) in the one edge group <c>0</c>.
/// </summary>
/// <remarks>
/// Non-empty datasets are declared with their final shape, chunked and compressed, and filled block by block (one
/// block per chunk) through PureHDF's deferred writer, so a network of many millions of synapses is never copied into
/// per-dataset arrays of the whole length.
/// </remarks>
internal static class EdgeFiles
{
    public const string ModelsDir = "synaptic_models";

    /// <summary>Edges per chunk and per block written.</summary>
    private const int Block = 1 << 16;

    /// <summary>
    /// Chunks written through <see cref="OneChunkCache"/>, byte-shuffled and deflated (level 1), which every HDF5 reader
    /// can read: ids, types and constant weights or delays compress about tenfold (brunel's 15.6 M edges: 0.8 GB raw),
    /// for about half as much time again as writing them raw.
    /// </summary>
    private static H5DatasetCreation Compressed() => new(new OneChunkCache(),
        [ShuffleFilter.Id, new H5Filter(DeflateFilter.Id, new() { [DeflateFilter.COMPRESSION_LEVEL] = 1 })]);

    /// <summary>
    /// Holds only the chunk being filled. The edges are written chunk after chunk, each whole, so a chunk is complete
    /// when the next one is asked for; PureHDF's own writing cache would keep every chunk until the file is closed.
    /// A chunk is written with the writer PureHDF passed when it was allocated: PureHDF 2.2.0's writer writes to the
    /// chunk of the call that passed it, whatever index it is given.
    /// </summary>
    private sealed class OneChunkCache : IWritingChunkCache
    {
        private ulong _index;
        private Memory<byte>? _chunk;
        private Action<ulong, Memory<byte>>? _writer;

        public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkAllocator, Action<ulong, Memory<byte>> chunkWriter)
        {
            if (_chunk is { } held && _index == chunkIndex) return held;
            Flush(chunkWriter);
            _index = chunkIndex;
            _chunk = chunkAllocator();
            _writer = chunkWriter;
            return _chunk.Value;
        }

        public void Flush(Action<ulong, Memory<byte>> chunkWriter)
        {
            if (_chunk is { } held) _writer!(_index, held);
            _chunk = null;
            _writer = null;
        }
    }

    public static void Write(ExportPlan plan, string dir, ISet<string> extensions)
    {
        var edges = new H5Group();
        var pending = new List<(EdgePopulation Edge, Datasets Sets)>();
        foreach (var e in plan.Edges)
        {
            var (group, sets) = PopulationGroup(e);
            edges[e.Name] = group;
            if (sets is not null) pending.Add((e, sets));
        }
        var file = new H5File { ["edges"] = edges };
        using (var writer = file.BeginWrite(Path.Combine(dir, "edges.h5")))
            foreach (var (e, sets) in pending) Fill(writer, plan.Spec.Run.Dt, e, sets);

        SonataText.WriteTable(Path.Combine(dir, "edge_types.csv"), "edge_type_id model_template dynamics_params",
            plan.Edges.Select(e => string.Join(' ', SonataText.Int(e.TypeId), Template(e, extensions), e.RuleFile ?? "NONE")));

        Directory.CreateDirectory(Path.Combine(dir, ModelsDir));
        foreach (var e in plan.Edges)
            if (e.RuleFile is { } ruleFile)
                SonataText.WriteJson(Path.Combine(dir, ModelsDir, ruleFile), Rule(e));
    }

    private static string Template(EdgePopulation e, ISet<string> extensions)
    {
        if (!e.Spec.Synapse.IsPlastic) return "static_synapse";
        string template = SonataText.Ext + e.Spec.Synapse.Kind;
        extensions.Add(template);
        return template;
    }

    private sealed record Datasets(H5Dataset<ulong[]> Source, H5Dataset<ulong[]> Target, H5Dataset<ulong[]> Type,
        H5Dataset<uint[]> GroupId, H5Dataset<ulong[]> GroupIndex, H5Dataset<double[]> Weight, H5Dataset<double[]> Delay);

    private static (H5Group Group, Datasets? Sets) PopulationGroup(EdgePopulation e)
    {
        H5Dataset source, target, type, groupId, groupIndex, weight, delay;
        Datasets? sets = null;
        if (e.Count == 0)
        {
            // A projection that made no synapses (say p = 0.001 on few neurons) is still an edge population, empty.
            (source, target, type, groupIndex) = (new H5Dataset(Array.Empty<ulong>()), new H5Dataset(Array.Empty<ulong>()),
                new H5Dataset(Array.Empty<ulong>()), new H5Dataset(Array.Empty<ulong>()));
            groupId = new H5Dataset(Array.Empty<uint>());
            (weight, delay) = (new H5Dataset(Array.Empty<double>()), new H5Dataset(Array.Empty<double>()));
        }
        else
        {
            var dims = new[] { (ulong)e.Count };
            var chunks = new[] { (uint)Math.Min(Block, e.Count) };
            H5Dataset<T[]> Make<T>() => new(fileDims: dims, chunks: chunks, datasetCreation: Compressed());
            sets = new Datasets(Make<ulong>(), Make<ulong>(), Make<ulong>(), Make<uint>(), Make<ulong>(), Make<double>(), Make<double>());
            (source, target, type, groupId, groupIndex, weight, delay) =
                (sets.Source, sets.Target, sets.Type, sets.GroupId, sets.GroupIndex, sets.Weight, sets.Delay);
        }
        source.Attributes = new() { ["node_population"] = e.Spec.Source };
        target.Attributes = new() { ["node_population"] = e.Spec.Target };
        var group = new H5Group
        {
            ["source_node_id"] = source,
            ["target_node_id"] = target,
            ["edge_type_id"] = type,
            ["edge_group_id"] = groupId,
            ["edge_group_index"] = groupIndex,
            ["0"] = new H5Group { ["syn_weight"] = weight, ["delay"] = delay },
        };
        return (group, sets);
    }

    /// <summary>Writes the edges in the engine's row order: source i's synapses are RowStart[i] .. RowStart[i + 1].</summary>
    private static void Fill(H5NativeWriter writer, double dt, EdgePopulation e, Datasets sets)
    {
        var data = e.Data;
        int length = (int)Math.Min(Block, e.Count);
        var sources = new ulong[length];
        var targets = new ulong[length];
        var types = new ulong[length];
        Array.Fill(types, e.TypeId);
        var groupIds = new uint[length];
        var indices = new ulong[length];
        var weights = new double[length];
        var delays = new double[length];
        int source = 0;
        for (long start = 0; start < e.Count; start += length)
        {
            int count = (int)Math.Min(length, e.Count - start);
            for (int b = 0; b < count; b++)
            {
                long k = start + b;
                while (data.RowStart[source + 1] <= k) source++;
                sources[b] = (ulong)source;
                targets[b] = (ulong)data.Targets[k];
                indices[b] = (ulong)k;
                weights[b] = e.NestWeight(k);
                delays[b] = e.DelaySteps(k) * dt;
            }
            var memory = new HyperslabSelection(0, (ulong)count);
            var at = new HyperslabSelection((ulong)start, (ulong)count);
            writer.Write(sets.Source, sources, memory, at);
            writer.Write(sets.Target, targets, memory, at);
            writer.Write(sets.Type, types, memory, at);
            writer.Write(sets.GroupId, groupIds, memory, at);
            writer.Write(sets.GroupIndex, indices, memory, at);
            writer.Write(sets.Weight, weights, memory, at);
            writer.Write(sets.Delay, delays, memory, at);
        }
    }

    /// <summary>
    /// A plastic projection's rule, with the field names of the model file's <c>synapse:</c> block: times in ms, the
    /// weight bounds (w_min, w_max, normalize_total) in the unit of the edges' <c>syn_weight</c>, the other numbers as
    /// they are, plus the receptor (for an inhibitory conductance projection the bounds are of the magnitude).
    /// </summary>
    private static JsonObject Rule(EdgePopulation e)
    {
        var synapse = e.Spec.Synapse;
        var json = new JsonObject
        {
            ["type"] = synapse.Kind,
            ["receptor"] = SonataText.ReceptorName(e.Spec.Receptor),
            ["weight_unit"] = Units.Canonical(e.Rule.Unit),
        };
        foreach (var f in synapse.Parameters)
        {
            double v = f.Get(synapse);
            if (f.Kind == SynapseFieldKind.Weight)
            {
                if (e.RuleWeights.TryGetValue(f.Name, out var w)) json[f.Name] = w;
            }
            else if (!(f.Name == "normalize_order" && v == 1))
                json[f.Name] = v;
        }
        switch (synapse)
        {
            case StdpSynapse s:
                json["weight_dependence"] = s.Dependence == WeightDependence.Multiplicative ? "multiplicative" : "additive";
                json["pairing"] = s.Pairing == SpikePairing.Nearest ? "nearest" : "all_to_all";
                break;
            case TripletStdpSynapse t:
                json["pairing"] = t.Pairing == SpikePairing.Nearest ? "nearest" : "all_to_all";
                break;
        }
        return json;
    }
}
