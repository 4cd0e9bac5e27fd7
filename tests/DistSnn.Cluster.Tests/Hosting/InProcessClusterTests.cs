using Akka.Actor;
using DistSnn.Backends.Testing;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Tests.Runtime;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Tests.Hosting;

/// <summary>
/// Three actor systems form a cluster on 127.0.0.1; a job submitted to the coordinator singleton through any
/// node's proxy runs on partitions spread over the nodes by cluster sharding and gives the spikes of a one-partition
/// local run.
/// </summary>
public class InProcessClusterTests
{
    [Theory]
    [InlineData("brunel.yaml")]
    [InlineData("brunel_stdp.yaml")]
    public async Task BrunelOnThreeNodesMatchesTheLocalRun(string example)
    {
        var spec = NetworkScaling.Scale(ModelLoader.LoadFile(Repo.Example(example)), 0.1);
        spec = spec with { Run = spec.Run with { Duration = 100 } };
        var local = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 1 });

        await using var cluster = await InProcessCluster.StartAsync(3, TimeSpan.FromSeconds(30));
        var result = await RunAsync(cluster, new SubmitJob("brunel-test", spec, 3, PartitionStrategy.Contiguous));
        var report = LocalRunner.Report(result, new RunOptions(), DateTime.UtcNow);
        Assert.Equal(local.Summary.SpikesSha256, report.Summary.SpikesSha256);
        Assert.Equal(local.Summary.WeightsChecksum, report.Summary.WeightsChecksum);
        Assert.Equal(local.Summary.PlasticSynapses, report.Summary.PlasticSynapses);
        Assert.Equal(local.Summary.Synapses, report.Summary.Synapses);
        Assert.Equal(3, result.Partitions.Count);
    }

    /// <summary>
    /// Echo partitions (a backend that only re-emits what is delivered to it) run in partition actors on two nodes next
    /// to CPU partitions that feed them and that they feed: the spikes are those of the run in one process, on either
    /// local transport. A cluster without the echo backend refuses the job, naming the population.
    /// </summary>
    [Fact]
    public async Task EchoPartitionsOnTwoNodesMatchTheRunInOneProcess()
    {
        var spec = EchoModels.Mixed(lag: 2, durationMs: 100);
        var registry = EchoBackend.Registry();
        var inProcess = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 1, Backends = registry });
        var onActors = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 3, Backends = registry, Transport = RunTransport.Akka });
        Assert.Equal(inProcess.Summary.SpikesSha256, onActors.Summary.SpikesSha256);
        Assert.Equal(2, inProcess.Summary.Partitions); // one per backend at least

        await using var cluster = await InProcessCluster.StartAsync(2, TimeSpan.FromSeconds(30), registry);
        var result = await RunAsync(cluster, new SubmitJob("echo-test", spec, 4, PartitionStrategy.RoundRobin));
        var report = LocalRunner.Report(result, new RunOptions(), DateTime.UtcNow);
        Assert.Equal(inProcess.Summary.SpikesSha256, report.Summary.SpikesSha256);
        var plan = PartitionPlan.Create(spec, 4, PartitionStrategy.RoundRobin);
        var echoes = Enumerable.Range(0, plan.Parts).Where(q => plan.Backend(q) == EchoBackend.Name).ToList();
        Assert.NotEmpty(echoes);
        Assert.All(echoes, q => Assert.True(result.Partitions[q].Spikes > 0, $"echo partition {q} echoed nothing"));
        var parrots = report.Summary.Populations.Single(p => p.Name == "parrot");
        Assert.True(parrots.Spikes > 100, $"{parrots.Spikes} parrot spikes");

        await using var plain = await InProcessCluster.StartAsync(1, TimeSpan.FromSeconds(30));
        var refused = await plain.Coordinator(0).Ask<object>(new SubmitJob("echo-refused", spec, 2, PartitionStrategy.Contiguous), TimeSpan.FromSeconds(20));
        var rejection = Assert.IsType<JobRejected>(refused);
        Assert.Contains("populations[1].backend: population 'parrot': unknown backend 'echo' (known: cpu)", rejection.Reason);
    }

    private static async Task<JobResult> RunAsync(InProcessCluster cluster, SubmitJob submit)
    {
        var accepted = await cluster.Coordinator(cluster.Hosts.Count - 1).Ask<object>(submit, TimeSpan.FromSeconds(20));
        Assert.IsType<JobAccepted>(accepted);
        JobResult? result = null;
        object? last = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (result is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the job did not finish within 60 s; last status {last}");
            var answer = await cluster.Coordinator(Math.Min(1, cluster.Hosts.Count - 1)).Ask<object>(new GetJobResult(submit.Job), TimeSpan.FromSeconds(10));
            last = answer;
            if (answer is JobResult r) result = r;
            else
            {
                var status = Assert.IsType<JobStatus>(answer);
                Assert.True(status.State is JobState.Building or JobState.Running, $"job state {status.State}: {status.Error}");
                await Task.Delay(200);
            }
        }
        return result;
    }
}
