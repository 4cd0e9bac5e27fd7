using System.Diagnostics;
using System.Globalization;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Resources;

/// <summary>The memory a node may use: its limit, what it uses now, and where the limit came from.</summary>
/// <param name="LimitBytes">The cgroup limit (v2 <c>memory.max</c>, v1 <c>memory.limit_in_bytes</c>), or the memory
/// the runtime sees when there is none.</param>
/// <param name="UsedBytes">Used now: the cgroup's usage, or this process's working set.</param>
/// <param name="Source">Where <paramref name="LimitBytes"/> was read, for messages.</param>
public sealed record NodeMemory(long LimitBytes, long UsedBytes, string Source)
{
    /// <summary>What is left: the limit minus what is used, at least 0.</summary>
    public long AvailableBytes => Math.Max(0, LimitBytes - UsedBytes);

    /// <summary>Reads the limit of the cgroup this process runs in, else the memory the runtime sees.</summary>
    public static NodeMemory Read()
    {
        // cgroup v2: "max" means no limit; v1 reports an unlimited group as a number near long.MaxValue.
        if (ReadLimit("/sys/fs/cgroup/memory.max") is long v2)
            return new NodeMemory(v2, ReadLimit("/sys/fs/cgroup/memory.current") ?? ProcessBytes(), "cgroup memory.max");
        if (ReadLimit("/sys/fs/cgroup/memory/memory.limit_in_bytes") is long v1)
            return new NodeMemory(v1, ReadLimit("/sys/fs/cgroup/memory/memory.usage_in_bytes") ?? ProcessBytes(), "cgroup memory.limit_in_bytes");
        return new NodeMemory(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, ProcessBytes(), "physical memory");
    }

    private static long ProcessBytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    /// <summary>A byte count from a cgroup file; null when the file is absent, says "max" or is effectively unlimited.</summary>
    public static long? ReadLimit(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes < (1L << 60) ? bytes : null;
    }
}

/// <summary>
/// Refuses a job whose partitions would not fit in memory, before anything is built, using the partitioner's
/// estimate (<see cref="PartitionReport"/>: neuron state plus synapse store) times <see cref="SafetyFactor"/>.
/// In one process (<c>distsnn run</c>) the sum over partitions must fit; on a cluster each partition must fit the
/// memory of a node (nodes are assumed alike, as the pods of one deployment are). Settings:
/// <c>DISTSNN_MEMORY_CHECK=off</c> turns the check off; <c>DISTSNN_MEMORY_SAFETY_FACTOR</c> changes the factor.
/// </summary>
public sealed class ResourceGuard(Func<NodeMemory> memory, double safetyFactor = ResourceGuard.DefaultSafetyFactor, bool enabled = true)
{
    /// <summary>The estimate leaves out runtime overheads (recorders, packets, the CLR), so it is scaled by this.</summary>
    public const double DefaultSafetyFactor = 1.5;

    /// <summary>Estimated bytes are multiplied by this before they are compared with the available memory.</summary>
    public double SafetyFactor { get; } = safetyFactor > 0 && double.IsFinite(safetyFactor)
        ? safetyFactor
        : throw new ArgumentOutOfRangeException(nameof(safetyFactor), safetyFactor, "the safety factor must be a positive, finite number");

    /// <summary>False when the check is turned off.</summary>
    public bool Enabled => enabled;

    /// <summary>The guard configured from the environment (see the class remarks), reading this node's memory.</summary>
    public static ResourceGuard FromEnvironment()
    {
        var off = Environment.GetEnvironmentVariable("DISTSNN_MEMORY_CHECK") is { } v &&
                  (v.Equals("off", StringComparison.OrdinalIgnoreCase) || v == "0" || v.Equals("false", StringComparison.OrdinalIgnoreCase));
        var factorText = Environment.GetEnvironmentVariable("DISTSNN_MEMORY_SAFETY_FACTOR");
        double factor = DefaultSafetyFactor;
        if (!string.IsNullOrWhiteSpace(factorText) &&
            !double.TryParse(factorText, NumberStyles.Float, CultureInfo.InvariantCulture, out factor))
            throw new ArgumentException($"DISTSNN_MEMORY_SAFETY_FACTOR: '{factorText}' is not a number");
        return new ResourceGuard(NodeMemory.Read, factor, !off);
    }

    /// <summary>
    /// Null when the plan fits; otherwise why not, naming the partition and the figures. <paramref name="oneProcess"/>
    /// says all partitions share this process.
    /// </summary>
    public string? Check(NetworkSpec spec, PartitionPlan plan, bool oneProcess)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(plan);
        if (!enabled) return null;
        var figures = PartitionReport.Compute(spec, plan).Partitions;
        var node = memory();
        var largest = figures.MaxBy(f => f.EstimatedBytes)!;
        double needed = (oneProcess ? figures.Sum(f => f.EstimatedBytes) : largest.EstimatedBytes) * SafetyFactor;
        if (needed <= node.AvailableBytes) return null;
        var what = oneProcess && figures.Count > 1
            ? $"the {figures.Count} partitions of this run need ~{GiB(needed)} together (largest: partition {largest.Partition}, ~{GiB(largest.EstimatedBytes * SafetyFactor)})"
            : $"partition {largest.Partition} needs ~{GiB(needed)}";
        return $"{what}, this node has {GiB(node.AvailableBytes)} available (limit {GiB(node.LimitBytes)} from {node.Source}, " +
               $"{GiB(node.UsedBytes)} in use); estimates include a safety factor of {SafetyFactor.ToString("0.##", CultureInfo.InvariantCulture)}. " +
               "Use more partitions on more nodes, a smaller model, or set DISTSNN_MEMORY_CHECK=off to run anyway";
    }

    /// <summary>GiB from 1 GiB up, MiB below, with two decimals at most.</summary>
    private static string GiB(double bytes) => bytes >= 1L << 30
        ? $"{(bytes / (1L << 30)).ToString("0.0#", CultureInfo.InvariantCulture)} GiB"
        : $"{(bytes / (1L << 20)).ToString("0.0#", CultureInfo.InvariantCulture)} MiB";
}
