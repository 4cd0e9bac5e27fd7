using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using DistSnn.Nodes.Checkpoints;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Synapses;

/// <summary>
/// Spikes on their way to one input port of a neuron group through synapses whose delays differ from synapse to
/// synapse (<see cref="DelayedRows"/>), kept as a list per arrival step of runs of synapses — (block, first, end) —
/// and added into the group's input only when their step comes.
/// <para>
/// Adding such a spike straight into the ring buffer touches a random neuron in a random one of up to ~50 slots per
/// event: the rings of a partition then span tens of megabytes, more than the processor's caches, and nearly every
/// event waits for memory. Here each step adds into one slot (the ring of a group that only lanes feed has a single
/// slot, which stays in cache), and a spike costs one small entry per run until then.
/// </para>
/// <para>
/// A slot receives the same additions in the same order as when every synapse adds into its ring cell at delivery:
/// lists fill in delivery order (spikes by stamp, then global id; blocks in projection order) and a run's synapses
/// keep the connector's order, so sums are those of the direct path, bit for bit.
/// </para>
/// </summary>
public sealed class ArrivalLane
{
    /// <summary>How many runs ahead of the one being added <see cref="Drain"/> asks for the synapses.</summary>
    private const int PrefetchAhead = 8;

    private readonly int[][] _entries;
    private readonly int[] _counts;
    private TargetWeight[][] _blocks = [];

    /// <summary>
    /// An empty lane into port <paramref name="port"/> of <paramref name="group"/> for delays of up to
    /// <paramref name="depth"/> steps: one list per arrival step modulo the depth.
    /// </summary>
    public ArrivalLane(NeuronGroup group, int port, int depth)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (port < 0 || port >= group.Ports) throw new ArgumentOutOfRangeException(nameof(port));
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth));
        Group = group;
        Port = port;
        Depth = depth;
        _entries = new int[depth][];
        _counts = new int[depth];
        for (int s = 0; s < depth; s++) _entries[s] = [];
    }

    /// <summary>The neurons the synapses end on.</summary>
    public NeuronGroup Group { get; }
    /// <summary>Their input port.</summary>
    public int Port { get; }
    /// <summary>Lists kept: the longest delay, in steps, of the synapses that use the lane.</summary>
    public int Depth { get; }

    /// <summary>Synaptic events waiting, over all arrival steps.</summary>
    public long Pending
    {
        get
        {
            long n = 0;
            for (int s = 0; s < Depth; s++)
                for (int e = 0; e < _counts[s]; e += 3) n += _entries[s][e + 2] - _entries[s][e + 1];
            return n;
        }
    }

    /// <summary>Adds a block's synapses to the lane; returns the block's number for <see cref="Push"/>.</summary>
    internal int Register(TargetWeight[] synapses)
    {
        Array.Resize(ref _blocks, _blocks.Length + 1);
        _blocks[^1] = synapses;
        return _blocks.Length - 1;
    }

    /// <summary>Lists synapses <paramref name="first"/> … <paramref name="end"/> - 1 of block <paramref name="block"/> under arrival step ≡ <paramref name="slot"/> (mod <see cref="Depth"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Push(int slot, int block, int first, int end)
    {
        ref int count = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_counts), slot);
        var list = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_entries), slot);
        int at = count;
        if (at + 3 > list.Length) list = Grow(slot);
        ref int entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(list), at);
        entry = block;
        Unsafe.Add(ref entry, 1) = first;
        Unsafe.Add(ref entry, 2) = end;
        count = at + 3;
    }

    private int[] Grow(int slot)
    {
        Array.Resize(ref _entries[slot], Math.Max(3 * 256, 2 * _entries[slot].Length));
        return _entries[slot];
    }

    /// <summary>Adds the runs arriving at <paramref name="step"/> into the group's ring slot of that step, in the order they were listed, and empties their list.</summary>
    public void Drain(long step)
    {
        int slot = (int)(step % Depth);
        int n = _counts[slot];
        if (n == 0) return;
        ref float row = ref MemoryMarshal.GetArrayDataReference(Group.Input);
        row = ref Unsafe.Add(ref row, (Port * Group.Slots + (int)(step % Group.Slots)) * Group.Padded);
        var list = _entries[slot];
        var blocks = _blocks;
        for (int e = 0; e < n; e += 3)
        {
            // Runs start at random places in large arrays: ask for the synapses of a run a few entries ahead.
            if (e + 3 * PrefetchAhead < n) Prefetch(blocks[list[e + 3 * PrefetchAhead]], list[e + 3 * PrefetchAhead + 1], list[e + 3 * PrefetchAhead + 2]);
            ref TargetWeight syn = ref MemoryMarshal.GetArrayDataReference(blocks[list[e]]);
            int end = list[e + 2];
            for (int k = list[e + 1]; k < end; k++)
            {
                ref TargetWeight s = ref Unsafe.Add(ref syn, k);
                Unsafe.Add(ref row, s.Target) += s.Weight;
            }
        }
        _counts[slot] = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(TargetWeight[] synapses, int first, int end)
    {
        if (!Sse.IsSupported) return;
        // A prefetch of an address the collector has since moved only fetches a useless line, so no pinning.
        Sse.Prefetch0(Unsafe.AsPointer(ref synapses[first]));
        Sse.Prefetch0(Unsafe.AsPointer(ref synapses[end - 1]));
    }

    /// <summary>Drops every waiting spike (the group is being reset to its initial state).</summary>
    public void Clear() => Array.Clear(_counts);

    /// <summary>Saves or restores the waiting runs, list by list.</summary>
    public void VisitState(StateVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        for (int s = 0; s < Depth; s++)
        {
            int count = _counts[s];
            visitor.Prefix($"runs[{s}]", ref _entries[s], ref count);
            if (visitor.Restoring)
            {
                if (count % 3 != 0) throw visitor.Fail($"runs[{s}]: {count} numbers, not whole (block, first, end) entries");
                var list = _entries[s];
                for (int e = 0; e < count; e += 3)
                {
                    if ((uint)list[e] >= (uint)_blocks.Length || list[e + 1] < 0 || list[e + 2] <= list[e + 1] || list[e + 2] > _blocks[list[e]].Length)
                        throw visitor.Fail($"runs[{s}]: entry {e / 3} (block {list[e]}, synapses {list[e + 1]}..{list[e + 2]}) does not fit the synapses held");
                }
            }
            _counts[s] = count;
        }
    }
}
