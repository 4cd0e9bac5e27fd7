using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Synapses;

/// <summary>A static synapse's target (group-local index) and weight, side by side so that one cache line carries both.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct TargetWeight(int Target, float Weight);

/// <summary>
/// The static synapses of one projection onto one partition, kept for delivery at arrival (<see cref="ArrivalLane"/>),
/// as the engine keeps projections whose delays differ from synapse to synapse when their rings would not fit the
/// caches: every row (the synapses of one source, CSR as in
/// <see cref="SynapseBlock"/>) is sorted by delay — stably, so synapses of equal delay keep the connector's order — and
/// cut into runs of one delay. A spike puts one entry per run on its lane; when the run's step comes, its (target,
/// weight) pairs are added into the ring slot the step reads.
/// <para>
/// Storage per synapse is 8 bytes (target and weight side by side), plus per run its first synapse and delay (8 bytes;
/// a run holds ~10 synapses in a cortical model) and per source its first run (4 bytes): less than the 10 bytes per
/// synapse of separate target, weight and delay arrays.
/// </para>
/// </summary>
public sealed class DelayedRows
{
    private readonly TargetWeight[] _synapses;
    private readonly int[] _rowRuns;
    // Run j: delay _runs[j].Delay, synapses _runs[j].First .. _runs[j + 1].First - 1 (one entry more than runs).
    private readonly Run[] _runs;
    private ArrivalLane? _lane;
    private int _id;

    /// <summary>
    /// Builds the runs from CSR rows onto <paramref name="targetCount"/> neurons of population
    /// <paramref name="targetPopulation"/>; <paramref name="targets"/>, <paramref name="weights"/> (null: all
    /// <paramref name="constWeight"/>) and <paramref name="delays"/> (null: all <paramref name="constDelay"/> steps, one
    /// run per row) are sorted in place and may be dropped afterwards.
    /// </summary>
    public DelayedRows(int projection, int prePopulation, int targetPopulation, int targetCount, int port, int[] rowStart, int[] targets,
        float[]? weights, float constWeight, ushort[]? delays, int constDelay)
    {
        ArgumentNullException.ThrowIfNull(rowStart);
        ArgumentNullException.ThrowIfNull(targets);
        if (rowStart.Length == 0 || rowStart[^1] != targets.Length) throw new ArgumentException("row index does not match the number of synapses");
        if (delays is not null) SortRowsByDelay(rowStart, targets, weights, delays);
        Projection = projection;
        PrePopulation = prePopulation;
        TargetPopulation = targetPopulation;
        TargetCount = targetCount;
        Port = port;
        _synapses = new TargetWeight[targets.Length];
        for (int k = 0; k < targets.Length; k++)
        {
            if ((uint)targets[k] >= (uint)targetCount) throw new ArgumentException($"synapse {k}: target {targets[k]} is outside the {targetCount} neurons");
            _synapses[k] = new TargetWeight(targets[k], weights is null ? constWeight : weights[k]);
        }
        int DelayOf(int k) => delays is null ? constDelay : delays[k];
        bool StartsRun(int r, int k) => k == rowStart[r] || DelayOf(k) != DelayOf(k - 1);
        int runs = 0;
        for (int r = 0; r + 1 < rowStart.Length; r++)
            for (int k = rowStart[r]; k < rowStart[r + 1]; k++)
                if (StartsRun(r, k)) runs++;
        _rowRuns = new int[rowStart.Length];
        _runs = new Run[runs + 1];
        int j = 0;
        for (int r = 0; r + 1 < rowStart.Length; r++)
        {
            _rowRuns[r] = j;
            for (int k = rowStart[r]; k < rowStart[r + 1]; k++)
            {
                if (!StartsRun(r, k)) continue;
                if (DelayOf(k) < 1) throw new ArgumentException($"synapse {k}: delay {DelayOf(k)} steps; at least 1 is needed");
                _runs[j++] = new Run(k, DelayOf(k));
                MaxDelay = Math.Max(MaxDelay, DelayOf(k));
            }
        }
        _rowRuns[^1] = j;
        _runs[^1] = new Run(targets.Length, 0);
    }

    /// <summary>Index of the projection in the network spec.</summary>
    public int Projection { get; }
    /// <summary>Index of the source population.</summary>
    public int PrePopulation { get; }
    /// <summary>Index of the target population.</summary>
    public int TargetPopulation { get; }
    /// <summary>Neurons of the target population on this partition.</summary>
    public int TargetCount { get; }
    /// <summary>The neurons these synapses end on (known once the rows have joined their lane).</summary>
    public NeuronGroup Target => _lane?.Group ?? throw new InvalidOperationException("the rows feed no lane yet");
    /// <summary>Input port of the target neurons.</summary>
    public int Port { get; }
    /// <summary>Largest delay in steps.</summary>
    public int MaxDelay { get; }
    /// <summary>Number of synapses.</summary>
    public int Count => _synapses.Length;
    /// <summary>Runs of one delay over all rows.</summary>
    public int Runs => _runs.Length - 1;
    /// <summary>Bytes held: synapses, runs and the row index.</summary>
    public long Bytes => (long)_synapses.Length * 8 + (long)_runs.Length * 8 + (long)_rowRuns.Length * sizeof(int);

    /// <summary>Whether source <paramref name="row"/> has any synapse here.</summary>
    public bool HasRow(int row) => _rowRuns[row + 1] > _rowRuns[row];

    /// <summary>Joins <paramref name="lane"/>, which feeds the target group's port; called once, in the order blocks deliver.</summary>
    public void Join(ArrivalLane lane)
    {
        ArgumentNullException.ThrowIfNull(lane);
        if (_lane is not null) throw new InvalidOperationException("the rows already feed a lane");
        if (lane.Group.Count != TargetCount || lane.Port != Port || lane.Group.Ports <= Port)
            throw new ArgumentException($"the lane feeds port {lane.Port} of {lane.Group.Count} neurons, not port {Port} of {TargetCount}", nameof(lane));
        if (lane.Depth < MaxDelay) throw new ArgumentException($"a lane {lane.Depth} steps deep cannot hold delays of {MaxDelay} steps", nameof(lane));
        _id = lane.Register(_synapses);
        _lane = lane;
    }

    /// <summary>
    /// Puts the runs of source <paramref name="row"/> for a spike stamped <paramref name="stamp"/> on the lane, each
    /// under the step it arrives at (stamp - 1 + delay: the step whose ring slot it feeds, as in
    /// <see cref="SynapseBlock.Deliver"/>). Returns the number of synaptic events.
    /// </summary>
    public int Enqueue(int row, long stamp)
    {
        var lane = _lane ?? throw new InvalidOperationException("the rows feed no lane");
        int first = _rowRuns[row], last = _rowRuns[row + 1];
        if (first == last) return 0;
        int depth = lane.Depth, baseSlot = (int)((stamp - 1) % depth);
        ref Run run = ref MemoryMarshal.GetArrayDataReference(_runs);
        for (int j = first; j < last; j++)
        {
            int slot = baseSlot + Unsafe.Add(ref run, j).Delay;
            if (slot >= depth) slot -= depth;
            lane.Push(slot, _id, Unsafe.Add(ref run, j).First, Unsafe.Add(ref run, j + 1).First);
        }
        return Unsafe.Add(ref run, last).First - Unsafe.Add(ref run, first).First;
    }

    /// <summary>Asks the processor to bring source <paramref name="row"/>'s runs into the cache ahead of <see cref="Enqueue"/>; a hint only.</summary>
    public unsafe void PrefetchRow(int row)
    {
        if (!Sse.IsSupported) return;
        int first = _rowRuns[row], last = _rowRuns[row + 1];
        if (last == first) return;
        // A prefetch of an address the collector has since moved only fetches a useless line, so no pinning. The
        // row's runs (8 bytes each, ~25 in a cortical model) span a few lines.
        byte* p = (byte*)Unsafe.AsPointer(ref _runs[first]), end = (byte*)Unsafe.AsPointer(ref _runs[last]);
        for (int line = 0; line < 4 && p <= end; line++, p += 64) Sse.Prefetch0(p);
    }

    /// <summary>A run's first synapse and its delay in steps.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Run(int First, int Delay);

    /// <summary>
    /// Sorts the synapses of every row by delay, keeping the connector's order among equal delays (a stable counting
    /// sort per row); targets and weights move with their delays. Synapses that add into the same ring cell share
    /// target and delay, so every cell receives its additions in the same order as before.
    /// </summary>
    public static void SortRowsByDelay(int[] rowStart, int[] targets, float[]? weights, ushort[] delays)
    {
        ArgumentNullException.ThrowIfNull(rowStart);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(delays);
        if (delays.Length != targets.Length || weights is not null && weights.Length != targets.Length)
            throw new ArgumentException("targets, weights and delays differ in length");
        int[] counts = new int[ushort.MaxValue + 2];
        int[] tBuf = [];
        float[] wBuf = [];
        ushort[] dBuf = [];
        for (int r = 0; r + 1 < rowStart.Length; r++)
        {
            int begin = rowStart[r], n = rowStart[r + 1] - begin;
            var d = delays.AsSpan(begin, n);
            int lo = ushort.MaxValue, hi = 0;
            bool sorted = true;
            for (int k = 0; k < n; k++)
            {
                lo = Math.Min(lo, d[k]);
                hi = Math.Max(hi, d[k]);
                if (k > 0 && d[k] < d[k - 1]) sorted = false;
            }
            if (sorted) continue;
            if (tBuf.Length < n)
            {
                tBuf = new int[n];
                dBuf = new ushort[n];
                if (weights is not null) wBuf = new float[n];
            }
            // counts[v - lo + 1] holds how many delays equal v; its prefix sum is where delay v + 1's run begins.
            var c = counts.AsSpan(0, hi - lo + 2);
            c.Clear();
            foreach (var v in d) c[v - lo + 1]++;
            for (int v = 1; v < c.Length; v++) c[v] += c[v - 1];
            var t = targets.AsSpan(begin, n);
            var w = weights is null ? default : weights.AsSpan(begin, n);
            for (int k = 0; k < n; k++)
            {
                int at = c[d[k] - lo]++;
                tBuf[at] = t[k];
                dBuf[at] = d[k];
                if (weights is not null) wBuf[at] = w[k];
            }
            tBuf.AsSpan(0, n).CopyTo(t);
            dBuf.AsSpan(0, n).CopyTo(d);
            if (weights is not null) wBuf.AsSpan(0, n).CopyTo(w);
        }
    }
}
