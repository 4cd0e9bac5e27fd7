using DistSnn.Cluster.Resources;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>
/// The resource guard refuses, before building, a job whose estimated memory exceeds what the node has left,
/// naming the partition and the figures; the limit is injected so that the test does not depend on the machine.
/// </summary>
public class ResourceGuardTests
{
    /// <summary>1000 neurons and no synapses: 64 bytes each, so 32,000 bytes per partition of two.</summary>
    private static NetworkSpec Spec()
    {
        var b = new NetworkBuilder("guarded").WithDt(0.1).WithDuration(5).WithSeed(1);
        var n = b.Population("n", 1000, new LifDelta());
        b.RecordSpikes(n);
        return b.Build();
    }

    private static ResourceGuard Limit(long limit, long used = 0, double factor = 1.0) =>
        new(() => new NodeMemory(limit, used, "test limit"), factor);

    [Fact]
    public void One_process_needs_the_sum_and_a_cluster_node_the_largest_partition()
    {
        var spec = Spec();
        var plan = PartitionPlan.Create(spec, 2);
        Assert.Equal([32_000.0, 32_000.0], PartitionReport.Compute(spec, plan).Partitions.Select(p => p.EstimatedBytes));

        Assert.Null(Limit(40_000).Check(spec, plan, oneProcess: false));
        Assert.Null(Limit(64_000).Check(spec, plan, oneProcess: true));
        Assert.Equal(
            "the 2 partitions of this run need ~0.06 MiB together (largest: partition 0, ~0.03 MiB), this node has 0.04 MiB available " +
            "(limit 0.04 MiB from test limit, 0.0 MiB in use); estimates include a safety factor of 1. " +
            "Use more partitions on more nodes, a smaller model, or set DISTSNN_MEMORY_CHECK=off to run anyway",
            Limit(40_000).Check(spec, plan, oneProcess: true));
        // What is already in use counts, and so does the safety factor.
        Assert.StartsWith("partition 0 needs ~0.05 MiB, this node has 0.02 MiB available (limit 0.04 MiB from test limit, 0.02 MiB in use)",
            Limit(40_000, used: 20_000, factor: 1.5).Check(spec, plan, oneProcess: false));
        Assert.Null(new ResourceGuard(() => new NodeMemory(1, 0, "test limit"), enabled: false).Check(spec, plan, oneProcess: true));
    }

    [Fact]
    public async Task A_run_over_the_limit_fails_with_the_figures_and_the_next_run_works()
    {
        var spec = Spec();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2, MemoryGuard = Limit(40_000) }));
        var report = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2, MemoryGuard = Limit(1L << 30) });

        Assert.StartsWith("the 2 partitions of this run need ~0.06 MiB together (largest: partition 0", e.Message);
        Assert.Equal(1000, report.Summary.Neurons);
    }

    [Theory]
    [InlineData("8589934592\n", 8_589_934_592L)]
    [InlineData("max\n", null)]
    [InlineData("9223372036854771712", null)]
    [InlineData("garbage", null)]
    public void Cgroup_limits_are_read_and_unlimited_groups_ignored(string content, long? expected)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, content);
            Assert.Equal(expected, NodeMemory.ReadLimit(path));
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Null(NodeMemory.ReadLimit(path));
    }

    [Fact]
    public void This_node_has_a_positive_limit()
    {
        var memory = NodeMemory.Read();
        Assert.True(memory.LimitBytes > 0 && memory.UsedBytes > 0, $"{memory}");
    }
}
