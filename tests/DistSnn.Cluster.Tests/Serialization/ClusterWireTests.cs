using Akka.Actor;
using Akka.Hosting;
using DistSnn.Cluster.Hosting;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using DistSnn.Cluster.Tests.Hosting;
using DistSnn.Cluster.Tests.Runtime;
using DistSnn.Model;
using DistSnn.Partitioner;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>
/// A job on a three-node cluster whose nodes use the DistSnn serializer: the model, the partition slices, the
/// routes with their actor references, every spike packet and the results cross the network in this wire format,
/// and the spikes equal those of a one-partition local run.
/// </summary>
[Collection(nameof(ClusterWireTests))]
public class ClusterWireTests
{
    [Fact]
    public async Task Brunel_on_three_nodes_with_the_wire_format_matches_the_local_run()
    {
        var spec = NetworkScaling.Scale(ModelLoader.LoadFile(Repo.Example("brunel.yaml")), 0.1);
        spec = spec with { Run = spec.Run with { Duration = 100 } };
        var local = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 1 }).WaitAsync(TimeSpan.FromMinutes(2));

        var hosts = new List<IHost>();
        try
        {
            int seed = InProcessCluster.FreePort();
            // A name of its own, so that a port reused by another cluster on this machine cannot be joined by mistake.
            var name = $"wire-{Guid.NewGuid():N}";
            for (int i = 0; i < 3; i++)
            {
                var options = new NodeOptions { SystemName = name, Port = i == 0 ? seed : InProcessCluster.FreePort(), SeedNodes = [$"127.0.0.1:{seed}"], Shards = 30, WarmUp = false };
                var host = NodeHost.Build(options, DistSnnSerializer.Config);
                hosts.Add(host);
                await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            var system = hosts[0].Services.GetRequiredService<ActorSystem>();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Akka.Cluster.Cluster.Get(system).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) < 3)
            {
                Assert.True(DateTime.UtcNow < deadline, "three nodes did not form a cluster within 30 s");
                await Task.Delay(100);
            }
            Assert.IsType<DistSnnSerializer>(system.Serialization.FindSerializerForType(typeof(SpikePacket)));

            IActorRef Coordinator(int node) => hosts[node].Services.GetRequiredService<ActorRegistry>().Get<CoordinatorProxy>();
            var accepted = await Coordinator(2).Ask<object>(new SubmitJob("wire-test", spec, 3, PartitionStrategy.RoundRobin), TimeSpan.FromSeconds(20));
            Assert.IsType<JobAccepted>(accepted);

            JobResult? result = null;
            JobStatus? last = null;
            deadline = DateTime.UtcNow.AddSeconds(90);
            while (result is null)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the job did not finish within 90 s; last status {last}");
                var answer = await Coordinator(1).Ask<object>(new GetJobResult("wire-test"), TimeSpan.FromSeconds(10));
                if (answer is JobResult r) result = r;
                else
                {
                    var status = last = Assert.IsType<JobStatus>(answer);
                    Assert.True(status.State is JobState.Building or JobState.Running, $"job state {status.State}: {status.Error}");
                    await Task.Delay(200);
                }
            }
            var report = LocalRunner.Report(result, new RunOptions(), DateTime.UtcNow);
            Assert.Equal(local.Summary.SpikesSha256, report.Summary.SpikesSha256);
            Assert.Equal(3, result.Partitions.Count);
        }
        finally
        {
            // Bounded, so that a node that does not shut down fails the test instead of stalling the run.
            foreach (var h in Enumerable.Reverse(hosts))
            {
                await h.StopAsync(TimeSpan.FromSeconds(10)).WaitAsync(TimeSpan.FromSeconds(60));
                h.Dispose();
            }
        }
    }
}

/// <summary>Three nodes and a simulation: run alone, so that timing does not depend on what else the suite runs.</summary>
[CollectionDefinition(nameof(ClusterWireTests), DisableParallelization = true)]
public sealed class ClusterWireTestsCollection;
