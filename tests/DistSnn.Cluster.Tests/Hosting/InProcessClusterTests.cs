using Akka.Actor;
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
        var coordinator = cluster.Coordinator(2);
        var accepted = await coordinator.Ask<object>(new SubmitJob("brunel-test", spec, 3, PartitionStrategy.Contiguous), TimeSpan.FromSeconds(20));
        Assert.IsType<JobAccepted>(accepted);

        JobResult? result = null;
        object? last = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (result is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the job did not finish within 60 s; last status {last}");
            var answer = await cluster.Coordinator(1).Ask<object>(new GetJobResult("brunel-test"), TimeSpan.FromSeconds(10));
            last = answer;
            if (answer is JobResult r) result = r;
            else
            {
                var status = Assert.IsType<JobStatus>(answer);
                Assert.True(status.State is JobState.Building or JobState.Running, $"job state {status.State}: {status.Error}");
                await Task.Delay(200);
            }
        }
        var report = LocalRunner.Report(result, new RunOptions(), DateTime.UtcNow);
        Assert.Equal(local.Summary.SpikesSha256, report.Summary.SpikesSha256);
        Assert.Equal(local.Summary.WeightsChecksum, report.Summary.WeightsChecksum);
        Assert.Equal(local.Summary.PlasticSynapses, report.Summary.PlasticSynapses);
        Assert.Equal(local.Summary.Synapses, report.Summary.Synapses);
        Assert.Equal(3, result.Partitions.Count);
    }
}
