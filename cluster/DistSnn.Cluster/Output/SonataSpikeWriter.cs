using PureHDF;
using PureHDF.Selections;

namespace DistSnn.Cluster.Output;

/// <summary>
/// Writes spikes in the SONATA spike-file layout:
/// <c>/spikes/&lt;population&gt;/timestamps</c> (float64, ms, attribute <c>units</c>) and
/// <c>/spikes/&lt;population&gt;/node_ids</c> (uint64, population-local ids), with attribute
/// <c>sorting</c> = <c>by_time</c> on each population group, the HDF5 enumeration of <see cref="SonataSorting"/>.
/// </summary>
/// <remarks>
/// Non-empty datasets are declared with their final shape and filled block by block through
/// PureHDF's deferred writer, so converting steps to milliseconds and ids to uint64 never needs a
/// second full-size copy of the spike arrays. Empty populations are written as ordinary
/// zero-length datasets (shape (0,)), which PureHDF stores with a compact layout of size 0 and
/// which h5py/libhdf5 open as empty arrays.
/// </remarks>
public static class SonataSpikeWriter
{
    private const int BlockElements = 1 << 16;

    /// <summary>
    /// Writes <paramref name="pops"/> to <paramref name="path"/>, each spike at its step × <paramref name="dtMs"/> ms;
    /// every population's spikes must already be in (step, local id) order.
    /// </summary>
    public static void Write(string path, IReadOnlyList<PopulationSpikes> pops, double dtMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(pops);
        OutputChecks.Dt(dtMs);
        OutputChecks.UniqueNames(pops);
        foreach (var pop in pops)
        {
            OutputChecks.LinkName(pop.Name, "Population");
        }

        var spikesGroup = new H5Group();
        var file = new H5File { ["spikes"] = spikesGroup };
        var deferred = new List<(PopulationSpikes Pop, H5Dataset<double[]> Timestamps, H5Dataset<ulong[]> NodeIds)>();

        foreach (var pop in pops)
        {
            H5Dataset timestamps;
            H5Dataset nodeIds;
            if (pop.Count == 0)
            {
                timestamps = new H5Dataset(Array.Empty<double>());
                nodeIds = new H5Dataset(Array.Empty<ulong>());
            }
            else
            {
                var dims = new[] { (ulong)pop.Count };
                var ts = new H5Dataset<double[]>(fileDims: dims);
                var ids = new H5Dataset<ulong[]>(fileDims: dims);
                deferred.Add((pop, ts, ids));
                timestamps = ts;
                nodeIds = ids;
            }
            timestamps.Attributes = new() { ["units"] = "ms" };

            spikesGroup[pop.Name] = new H5Group
            {
                ["timestamps"] = timestamps,
                ["node_ids"] = nodeIds,
                Attributes = new() { ["sorting"] = SonataSorting.by_time },
            };
        }

        using var writer = file.BeginWrite(path);
        if (deferred.Count == 0)
        {
            return;
        }

        int blockLength = Math.Min(BlockElements, deferred.Max(d => d.Pop.Count));
        var timeBlock = new double[blockLength];
        var idBlock = new ulong[blockLength];
        foreach (var (pop, ts, ids) in deferred)
        {
            for (int start = 0; start < pop.Count; start += blockLength)
            {
                int count = Math.Min(blockLength, pop.Count - start);
                for (int i = 0; i < count; i++)
                {
                    timeBlock[i] = pop.Steps[start + i] * dtMs;
                    idBlock[i] = (ulong)pop.LocalIds[start + i];
                }
                var memory = new HyperslabSelection(0, (ulong)count);
                var target = new HyperslabSelection((ulong)start, (ulong)count);
                writer.Write(ts, timeBlock, memory, target);
                writer.Write(ids, idBlock, memory, target);
            }
        }
    }
}
