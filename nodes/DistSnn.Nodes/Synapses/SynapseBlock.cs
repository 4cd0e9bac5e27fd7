using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Synapses;

/// <summary>
/// The synapses of one projection onto one partition, in CSR form keyed by the source's index within its
/// population: the synapses of source s are entries <c>RowStart[s] .. RowStart[s+1]-1</c>. Within a row, synapses
/// keep the order in which the connector generated them — an order fixed by global ids, not by partitioning —
/// so inputs are summed in a canonical order (ARCHITECTURE: Determinism, rule 3). Synapses whose delays differ
/// between synapses are held by <see cref="DelayedRows"/> instead (on CPU partitions).
/// <para>
/// Storage per synapse is the target's group-local index (4 bytes), plus a 4-byte weight only when weights differ
/// between synapses, plus a 2-byte delay only when delays differ; constant weights and delays are stored once.
/// Plastic synapse types add their per-synapse arrays (weights, traces) next to these.
/// </para>
/// </summary>
public sealed class SynapseBlock
{
    /// <summary>Creates a block; arrays are owned by the block from now on.</summary>
    public SynapseBlock(int projection, int prePopulation, NeuronGroup target, int port, int[] rowStart, int[] targets,
        float[]? weights, float constWeight, ushort[]? delays, int constDelay)
    {
        if (rowStart.Length == 0 || rowStart[^1] != targets.Length)
            throw new ArgumentException("row index does not match the number of synapses");
        if (weights is not null && weights.Length != targets.Length) throw new ArgumentException("weights length");
        if (delays is not null && delays.Length != targets.Length) throw new ArgumentException("delays length");
        if (port < 0 || port >= target.Ports) throw new ArgumentOutOfRangeException(nameof(port));
        Projection = projection;
        PrePopulation = prePopulation;
        Target = target;
        Port = port;
        RowStart = rowStart;
        Targets = targets;
        Weights = weights;
        ConstWeight = constWeight;
        Delays = delays;
        ConstDelay = constDelay;
        int maxDelay = constDelay;
        if (delays is not null)
            foreach (var d in delays) maxDelay = Math.Max(maxDelay, d);
        MaxDelay = maxDelay;
    }

    /// <summary>Index of the projection in the network spec.</summary>
    public int Projection { get; }
    /// <summary>Index of the source population.</summary>
    public int PrePopulation { get; }
    /// <summary>The neurons these synapses end on.</summary>
    public NeuronGroup Target { get; }
    /// <summary>Input port of the target neurons.</summary>
    public int Port { get; }
    /// <summary>Row offsets, one per source neuron of the pre population plus one.</summary>
    public int[] RowStart { get; }
    /// <summary>Target neuron (group-local index) of each synapse.</summary>
    public int[] Targets { get; }
    /// <summary>Per-synapse weights in the target's input unit, or null when all equal <see cref="ConstWeight"/>.</summary>
    public float[]? Weights { get; }
    /// <summary>The weight of every synapse when <see cref="Weights"/> is null.</summary>
    public float ConstWeight { get; }
    /// <summary>Per-synapse delays in steps, or null when all equal <see cref="ConstDelay"/>.</summary>
    public ushort[]? Delays { get; }
    /// <summary>The delay (steps) of every synapse when <see cref="Delays"/> is null.</summary>
    public int ConstDelay { get; }
    /// <summary>Largest delay in steps.</summary>
    public int MaxDelay { get; }
    /// <summary>Number of synapses.</summary>
    public int Count => Targets.Length;

    /// <summary>Bytes held per synapse, row index included.</summary>
    public long Bytes => (long)Targets.Length * sizeof(int) + (Weights?.Length ?? 0) * sizeof(float) +
                         (Delays?.Length ?? 0) * sizeof(ushort) + (long)RowStart.Length * sizeof(int);

    /// <summary>Whether source <paramref name="row"/> has any synapse here.</summary>
    public bool HasRow(int row) => RowStart[row + 1] > RowStart[row];

    /// <summary>
    /// Adds the weights of source <paramref name="row"/>'s synapses for a spike stamped <paramref name="stamp"/>
    /// into the target ring buffer (consumed by the update of step stamp + delay - 1). Returns the number of
    /// synaptic events.
    /// </summary>
    public int Deliver(int row, long stamp)
    {
        int begin = RowStart[row], end = RowStart[row + 1];
        if (begin == end) return 0;
        var t = Target;
        int slots = t.Slots, padded = t.Padded;
        ref float buf = ref MemoryMarshal.GetArrayDataReference(t.Input);
        ref int tgt = ref MemoryMarshal.GetArrayDataReference(Targets);
        int baseSlot = (int)((stamp - 1) % slots);
        int portOffset = Port * slots;
        if (Delays is null)
        {
            int slot = baseSlot + ConstDelay;
            if (slot >= slots) slot -= slots;
            ref float row0 = ref Unsafe.Add(ref buf, (portOffset + slot) * padded);
            if (Weights is null)
            {
                float w = ConstWeight;
                for (int k = begin; k < end; k++)
                    Unsafe.Add(ref row0, Unsafe.Add(ref tgt, k)) += w;
            }
            else
            {
                ref float wt = ref MemoryMarshal.GetArrayDataReference(Weights);
                for (int k = begin; k < end; k++)
                    Unsafe.Add(ref row0, Unsafe.Add(ref tgt, k)) += Unsafe.Add(ref wt, k);
            }
        }
        else
        {
            ref ushort delay = ref MemoryMarshal.GetArrayDataReference(Delays);
            ref float port0 = ref Unsafe.Add(ref buf, portOffset * padded);
            if (Weights is null)
            {
                float w = ConstWeight;
                for (int k = begin; k < end; k++)
                {
                    int slot = baseSlot + Unsafe.Add(ref delay, k);
                    if (slot >= slots) slot -= slots;
                    Unsafe.Add(ref port0, slot * padded + Unsafe.Add(ref tgt, k)) += w;
                }
            }
            else
            {
                ref float wt = ref MemoryMarshal.GetArrayDataReference(Weights);
                for (int k = begin; k < end; k++)
                {
                    int slot = baseSlot + Unsafe.Add(ref delay, k);
                    if (slot >= slots) slot -= slots;
                    Unsafe.Add(ref port0, slot * padded + Unsafe.Add(ref tgt, k)) += Unsafe.Add(ref wt, k);
                }
            }
        }
        return end - begin;
    }

    /// <summary>
    /// Asks the processor to bring the start of source <paramref name="row"/>'s synapses (targets, and weights and
    /// delays where they are per synapse) into the cache, ahead of <see cref="Deliver"/>; a hint with no effect on
    /// results, and nothing where the processor has no prefetch instruction.
    /// </summary>
    public unsafe void PrefetchRow(int row)
    {
        if (!Sse.IsSupported) return;
        int begin = RowStart[row], count = RowStart[row + 1] - begin;
        if (count == 0) return;
        // A prefetch of an address the collector has since moved only fetches a useless line, so no pinning.
        Prefetch((byte*)Unsafe.AsPointer(ref Targets[begin]), count * sizeof(int));
        if (Weights is not null) Prefetch((byte*)Unsafe.AsPointer(ref Weights[begin]), count * sizeof(float));
        if (Delays is not null) Prefetch((byte*)Unsafe.AsPointer(ref Delays[begin]), count * sizeof(ushort));
    }

    /// <summary>
    /// The first four cache lines of <paramref name="bytes"/> bytes at <paramref name="p"/>: enough for the hardware
    /// prefetcher to take over the rest of the row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch(byte* p, int bytes)
    {
        Sse.Prefetch0(p);
        if (bytes > 64) Sse.Prefetch0(p + 64);
        if (bytes > 128) Sse.Prefetch0(p + 128);
        if (bytes > 192) Sse.Prefetch0(p + 192);
    }

    /// <summary>
    /// Adds weight × <paramref name="value"/> for each of source <paramref name="row"/>'s synapses, as
    /// <see cref="Deliver"/> adds the weight of a spike: the analog input of a data set's direct encoding.
    /// </summary>
    public int DeliverScaled(int row, long stamp, float value)
    {
        int begin = RowStart[row], end = RowStart[row + 1];
        var t = Target;
        int slots = t.Slots, padded = t.Padded, baseSlot = (int)((stamp - 1) % slots), portOffset = Port * slots;
        for (int k = begin; k < end; k++)
        {
            int slot = baseSlot + (Delays is null ? ConstDelay : Delays[k]);
            if (slot >= slots) slot -= slots;
            float w = Weights is null ? ConstWeight : Weights[k];
            t.Input[(portOffset + slot) * padded + Targets[k]] += w * value;
        }
        return end - begin;
    }

    /// <summary>
    /// Adds <paramref name="values"/> (one per target neuron) into the ring slot a spike stamped <paramref name="stamp"/>
    /// reaches through this block's constant delay.
    /// </summary>
    public void AddToSlot(long stamp, ReadOnlySpan<float> values)
    {
        var t = Target;
        int slot = (int)((stamp - 1) % t.Slots) + ConstDelay;
        if (slot >= t.Slots) slot -= t.Slots;
        var row = t.Input.AsSpan((Port * t.Slots + slot) * t.Padded, values.Length);
        for (int j = 0; j < row.Length; j++) row[j] += values[j];
    }
}
