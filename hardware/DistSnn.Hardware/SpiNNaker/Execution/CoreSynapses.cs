using DistSnn.Nodes.Synapses;

namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// The synapses of one projection onto one core that arrive through one delay stage (0: straight from the source;
/// s ≥ 1: from the delay extension, delays of 16s + 1 to 16s + 16 ticks), in CSR form by the source's population-local
/// index, targets as indices of the partition's synapse space of the target population (its owned neurons, or the whole
/// slices they are in; see <see cref="HostedCore.GroupIndex"/>). Weights stay in the model's input unit; delays are
/// whole (full) delays in ticks.
/// </summary>
public sealed record StageRows(int Projection, int[] RowStart, int[] Targets, float[]? Weights, float ConstWeight, ushort[]? Delays, int ConstDelay)
{
    /// <summary>Synapses held.</summary>
    public int Count => Targets.Length;
}

/// <summary>
/// An entry of a core's master population table: packets whose key matches <see cref="Key"/> under <see cref="Mask"/>
/// come from <see cref="Source"/>; <see cref="Stages"/>[s] lists, in projection order, the synapses they reach through
/// stage s (only stage 0 for a direct source; stages 1 and up for a delay extension; none for a Poisson drive).
/// </summary>
public sealed class MasterEntry(uint key, uint mask, MachineVertex source, CoreBlock[][] stages)
{
    /// <summary>The key bits that must match.</summary>
    public uint Key => key;
    /// <summary>Which bits are compared.</summary>
    public uint Mask => mask;
    /// <summary>The vertex whose packets the entry stands for.</summary>
    public MachineVertex Source => source;
    /// <summary>Per delay stage, the blocks in projection order.</summary>
    public CoreBlock[][] Stages => stages;
}

/// <summary>
/// A core's master population table, sorted by key and searched like sPyNNaker's binary-search table: the last entry
/// whose key is not above the packet's, which must then match under its mask.
/// </summary>
public sealed class MasterPopulationTable
{
    private readonly MasterEntry[] _entries;
    private readonly uint[] _keys;

    /// <summary>A table of <paramref name="entries"/> (any order).</summary>
    public MasterPopulationTable(IEnumerable<MasterEntry> entries)
    {
        _entries = entries.OrderBy(e => e.Key).ToArray();
        _keys = _entries.Select(e => e.Key).ToArray();
    }

    /// <summary>The entries, by key.</summary>
    public IReadOnlyList<MasterEntry> Entries => _entries;

    /// <summary>The entry matching <paramref name="key"/>, or null (a packet this core has no synapses for).</summary>
    public MasterEntry? Find(uint key)
    {
        int i = Array.BinarySearch(_keys, key);
        if (i < 0) i = ~i - 1;
        if (i < 0) return null;
        var e = _entries[i];
        return (key & e.Mask) == e.Key ? e : null;
    }

    /// <summary>
    /// The source atom (population-local index) and delay stage of <paramref name="key"/> under <paramref name="entry"/>:
    /// a direct source sends key + atom − Lo at stage 0; a delay extension sends stage s of atom a as
    /// key + (s − 1) × atoms + a − Lo.
    /// </summary>
    public static (int Atom, int Stage) Decode(MasterEntry entry, uint key)
    {
        int offset = (int)(key - entry.Key);
        var v = entry.Source;
        if (v.Kind != VertexKind.DelayExtension) return (v.Lo + offset, 0);
        int atoms = Math.Max(1, v.Atoms);
        return (v.Lo + offset % atoms, offset / atoms + 1);
    }
}

/// <summary>Cuts a projection's synapses on a partition into the <see cref="StageRows"/> of each core and delay stage.</summary>
public static class CoreSynapses
{
    /// <summary>The delay stage of a delay in ticks: 0 up to <paramref name="coreTicks"/>, then one per further <paramref name="coreTicks"/>.</summary>
    public static int Stage(int delay, int coreTicks) => delay <= coreTicks ? 0 : (delay - 1) / coreTicks;

    /// <summary>
    /// Splits <paramref name="data"/> (synapses onto the synapse space's neurons) by core and stage: <paramref name="coreOf"/>[t]
    /// is the index of the core of synapse-space neuron t. Returns, per core index, the rows of each stage that has
    /// synapses (stage → rows).
    /// </summary>
    public static Dictionary<int, StageRows>[] Split(SynapseData data, int[] coreOf, int cores, int coreTicks)
    {
        int rows = data.RowStart.Length - 1;
        var counts = new Dictionary<(int Core, int Stage), int[]>();
        int DelayOf(int k) => data.Delays?[k] ?? data.ConstDelay;
        for (int r = 0; r < rows; r++)
            for (int k = data.RowStart[r]; k < data.RowStart[r + 1]; k++)
            {
                var at = (coreOf[data.Targets[k]], Stage(DelayOf(k), coreTicks));
                if (!counts.TryGetValue(at, out var c)) counts[at] = c = new int[rows + 1];
                c[r + 1]++;
            }
        var result = new Dictionary<int, StageRows>[cores];
        for (int c = 0; c < cores; c++) result[c] = new Dictionary<int, StageRows>();
        var fills = new Dictionary<(int Core, int Stage), (int[] Fill, int[] Targets, float[]? Weights, ushort[]? Delays)>();
        foreach (var (at, count) in counts)
        {
            for (int r = 0; r < rows; r++) count[r + 1] += count[r];
            int n = count[rows];
            var rowsOf = (count[..rows], new int[n], data.Weights is null ? null : new float[n], data.Delays is null ? null : new ushort[n]);
            fills[at] = rowsOf;
            result[at.Core][at.Stage] = new StageRows(data.Projection, count, rowsOf.Item2, rowsOf.Item3, data.ConstWeight, rowsOf.Item4, data.ConstDelay);
        }
        // One pass over the synapses keeps each row's order within every core and stage.
        for (int r = 0; r < rows; r++)
            for (int k = data.RowStart[r]; k < data.RowStart[r + 1]; k++)
            {
                var (fill, targets, weights, delays) = fills[(coreOf[data.Targets[k]], Stage(DelayOf(k), coreTicks))];
                int at = fill[r]++;
                targets[at] = data.Targets[k];
                if (weights is not null) weights[at] = data.Weights![k];
                if (delays is not null) delays[at] = data.Delays![k];
            }
        return result;
    }
}
