using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using DistSnn.Cluster.Hosting;
using DistSnn.Cluster.Output;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Tests.Runtime;
using DistSnn.Model;
using DistSnn.Partitioner;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DistSnn.Cluster.Tests.Hosting;

/// <summary>
/// Many jobs on one 3-node cluster at once: they queue (at most <see cref="NodeOptions.MaxConcurrentJobs"/> run side
/// by side, first in, first out), each gives the spikes of the same model run alone, and afterwards every partition
/// entity is gone and managed memory is back near where it was before. A cancelled job, running or still building,
/// frees its partitions too.
/// </summary>
[Collection(nameof(LoadTests))]
public class LoadTests(ITestOutputHelper output)
{
    private const int Jobs = 20;
    /// <summary>
    /// How far above the baseline managed memory may stay: remoting's buffer pools and caches move a few MB; 20 small
    /// jobs left behind would hold about 50 MB (625,000 synapses each), one cancelled big job about 27 MB.
    /// </summary>
    private const long MemoryMarginBytes = 16L << 20;
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task TwentyJobsAtOnceAllFinishWithTheLocalSpikesAndMemoryReturns()
    {
        var model = NetworkScaling.Scale(ModelLoader.LoadFile(Repo.Example("brunel.yaml")), 0.04);
        NetworkSpec Job(ulong seed, double ms) => model with { Run = model.Run with { Seed = seed, Duration = ms } };
        var expected = new string[Jobs];
        for (int i = 0; i < Jobs; i++)
            expected[i] = (await LocalRunner.RunAsync(Job(100 + (ulong)i, 50), new RunOptions { Partitions = 1 })).Summary.SpikesSha256;
        Assert.True(expected.Distinct().Count() == Jobs, "different seeds should give different spikes");

        await using var cluster = await InProcessCluster.StartAsync(3, TimeSpan.FromSeconds(30));
        await RunToEndAsync(cluster, "warm-up", Job(1, 50));
        await WaitForNoEntitiesAsync(cluster);
        long baseline = ManagedBytes();

        // All at once, through all three nodes.
        var answers = await Task.WhenAll(Enumerable.Range(0, Jobs).Select(i =>
            cluster.Coordinator(i % 3).Ask<object>(new SubmitJob($"load-{i}", Job(100 + (ulong)i, 50), 3, PartitionStrategy.Contiguous), Ask)));
        Assert.All(answers, a => Assert.IsType<JobAccepted>(a));

        int maxActive = 0, maxQueued = 0;
        long peak = 0;
        var deadline = DateTime.UtcNow.AddSeconds(150);
        while (true)
        {
            var jobs = (await cluster.Coordinator(0).Ask<JobList>(ListJobs.Instance, Ask)).Jobs.Where(j => j.Job.StartsWith("load-", StringComparison.Ordinal)).ToList();
            Assert.Equal(Jobs, jobs.Count);
            Assert.All(jobs, j => Assert.True(j.State is JobState.Queued or JobState.Building or JobState.Running or JobState.Finished, $"{j.Job}: {j.State} {j.Error}"));
            int active = jobs.Count(j => j.State is JobState.Building or JobState.Running);
            maxActive = Math.Max(maxActive, active);
            maxQueued = Math.Max(maxQueued, jobs.Count(j => j.State == JobState.Queued));
            // First in, first out: in submission order (the coordinator lists oldest first), no job has started while
            // one before it is still waiting.
            int firstQueued = jobs.FindIndex(j => j.State == JobState.Queued);
            if (firstQueued >= 0) Assert.All(jobs.Skip(firstQueued), j => Assert.Equal(JobState.Queued, j.State));
            peak = Math.Max(peak, GC.GetTotalMemory(false));
            if (jobs.All(j => j.State == JobState.Finished)) break;
            Assert.True(DateTime.UtcNow < deadline, "20 jobs did not finish within 150 s: " + string.Join(", ", jobs.Select(j => $"{j.Job} {j.State}")));
            await Task.Delay(100);
        }
        Assert.True(maxActive <= new NodeOptions().MaxConcurrentJobs, $"{maxActive} jobs ran at once");
        Assert.True(maxQueued > 0, "no job was ever seen waiting");

        for (int i = 0; i < Jobs; i++)
        {
            var result = Assert.IsType<JobResult>(await cluster.Coordinator(i % 3).Ask<object>(new GetJobResult($"load-{i}"), Ask));
            Assert.Equal(3, result.Partitions.Count);
            Assert.True(expected[i] == LocalRunner.Report(result, new RunOptions(), DateTime.UtcNow).Summary.SpikesSha256, $"job load-{i}: spikes differ from the local run");
        }

        await WaitForNoEntitiesAsync(cluster);
        long after = ManagedBytes();
        output.WriteLine($"managed memory: baseline {baseline / 1e6:F1} MB, peak seen {peak / 1e6:F1} MB, after {after / 1e6:F1} MB; at most {maxActive} running, {maxQueued} queued");
        Assert.True(after - baseline < MemoryMarginBytes,
            $"managed memory after the jobs is {(after - baseline) / 1e6:F1} MB above the baseline of {baseline / 1e6:F1} MB (margin {MemoryMarginBytes / 1e6:F1} MB)");
    }

    [Fact]
    public async Task CancelledJobsFreeTheirPartitionsWhetherRunningOrBuilding()
    {
        // 6.2 M synapses (about 27 MB): one job left behind would stand out of the noise.
        var model = NetworkScaling.Scale(ModelLoader.LoadFile(Repo.Example("brunel.yaml")), 0.4);
        var spec = model with { Run = model.Run with { Duration = 5000 } };
        await using var cluster = await InProcessCluster.StartAsync(3, TimeSpan.FromSeconds(30));
        // The warm-up sends the same traffic, so that remoting's buffer pools have grown before the baseline.
        await RunToEndAsync(cluster, "warm-up", model with { Run = model.Run with { Duration = 200 } });
        await WaitForNoEntitiesAsync(cluster);
        long baseline = ManagedBytes();

        // Running: cancelled once it has simulated a little.
        Assert.IsType<JobAccepted>(await cluster.Coordinator(1).Ask<object>(new SubmitJob("long", spec, 3, PartitionStrategy.Contiguous), Ask));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long entitiesWhileRunning = 0, whileRunning = 0;
        while (true)
        {
            var s = await cluster.Coordinator(0).Ask<JobStatus>(new GetJobStatus("long"), Ask);
            if (s.State == JobState.Running && s.Step > 0) break;
            Assert.True(s.State is JobState.Building or JobState.Running, $"job state {s.State}: {s.Error}");
            Assert.True(DateTime.UtcNow < deadline, "the job did not start running within 60 s");
            await Task.Delay(100);
        }
        entitiesWhileRunning = await EntitiesAsync(cluster);
        whileRunning = GC.GetTotalMemory(true);
        var cancelled = await cluster.Coordinator(2).Ask<JobStatus>(new CancelJob("long"), Ask);
        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.True(cancelled.Step < spec.Run.Steps, "the job had finished before it was cancelled");

        // Building: cancelled right after submission, before its partitions have answered; they build anyway and
        // must be released when they do.
        Assert.IsType<JobAccepted>(await cluster.Coordinator(0).Ask<object>(new SubmitJob("short-lived", spec, 3, PartitionStrategy.Contiguous), Ask));
        Assert.Equal(JobState.Cancelled, (await cluster.Coordinator(0).Ask<JobStatus>(new CancelJob("short-lived"), Ask)).State);

        Assert.Equal(3, entitiesWhileRunning);
        await WaitForNoEntitiesAsync(cluster);
        long job = whileRunning - baseline;
        // No entity left can still mean a build on its way to a shard that has not created the entity yet; it is
        // released when it answers. So memory is looked at until it has come back, for at most 15 s: a partition kept
        // alive would keep it up all that time.
        long after = ManagedBytes();
        int looks = 1;
        for (var settle = DateTime.UtcNow.AddSeconds(15); after - baseline >= Math.Min(MemoryMarginBytes, job / 2) && DateTime.UtcNow < settle; looks++)
        {
            await Task.Delay(500);
            await WaitForNoEntitiesAsync(cluster);
            after = ManagedBytes();
        }
        output.WriteLine($"managed memory: baseline {baseline / 1e6:F1} MB, running {whileRunning / 1e6:F1} MB, after cancelling {after / 1e6:F1} MB ({looks} looks)");
        Assert.True(job > MemoryMarginBytes, $"the running job took only {job / 1e6:F1} MB: too small to show a leak");
        Assert.True(after - baseline < Math.Min(MemoryMarginBytes, job / 2),
            $"managed memory after cancelling is {(after - baseline) / 1e6:F1} MB above the baseline; the running job took {job / 1e6:F1} MB");
    }

    private static async Task RunToEndAsync(InProcessCluster cluster, string job, NetworkSpec spec)
    {
        Assert.IsType<JobAccepted>(await cluster.Coordinator(0).Ask<object>(new SubmitJob(job, spec, 3, PartitionStrategy.Contiguous), Ask));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await cluster.Coordinator(0).Ask<object>(new GetJobResult(job), Ask) is JobStatus s)
        {
            Assert.True(s.State is JobState.Queued or JobState.Building or JobState.Running, $"{job}: {s.State} {s.Error}");
            Assert.True(DateTime.UtcNow < deadline, $"{job} did not finish within 60 s");
            await Task.Delay(100);
        }
    }

    /// <summary>Partition entities alive on all nodes (a partition passivates when its job ends).</summary>
    private static async Task<int> EntitiesAsync(InProcessCluster cluster)
    {
        int n = 0;
        foreach (var host in cluster.Hosts)
        {
            var region = host.Services.GetRequiredService<ActorRegistry>().Get<PartitionRegion>();
            var state = await region.Ask<CurrentShardRegionState>(GetShardRegionState.Instance, Ask);
            n += state.Shards.Sum(s => s.EntityIds.Count);
        }
        return n;
    }

    private static async Task WaitForNoEntitiesAsync(InProcessCluster cluster)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        int left;
        while ((left = await EntitiesAsync(cluster)) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{left} partition entities still alive 30 s after their jobs ended");
            await Task.Delay(100);
        }
    }

    private static long ManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(true);
    }
}

/// <summary>
/// Managed memory is measured for the whole test process: these tests run alone, after the parallel ones, so that no
/// other test's allocations move the figures.
/// </summary>
[CollectionDefinition(nameof(LoadTests), DisableParallelization = true)]
public sealed class LoadTestsCollection;
