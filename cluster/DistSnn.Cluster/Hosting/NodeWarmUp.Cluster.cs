using System.Diagnostics;
using System.Text;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using DistSnn.Partitioner;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistSnn.Cluster.Hosting;

public sealed partial class NodeWarmUp
{
    // Not the node's own system name, so that neither private node can ever join the real cluster or be joined by it.
    private const string PrivateSystemName = "distsnn-warm-up";

    private static readonly TimeSpan PrivateClusterLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs the warm-up job on two private nodes in this process: two actor systems with the node's own setup
    /// (remoting, clustering, sharding, the coordinator singleton) on loopback ports the system chooses, joined to
    /// each other only. A job between two nodes runs code one actor system never does: the remoting transport and
    /// its framing, the shard regions, the coordinator's singleton proxy, packets and results crossing processes.
    /// Their serializer is kept out of the <c>/wire</c> counters; both systems are stopped at the end.
    /// </summary>
    private static async Task RunOnPrivateClusterAsync()
    {
        var extra = Akka.Configuration.ConfigurationFactory.ParseString("""
            distsnn.serializer.uncounted = on
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            """);
        // Port 0: the system binds a free port itself, so nothing can race for it; the nodes then join by address.
        var options = new NodeOptions { SystemName = PrivateSystemName, Hostname = "127.0.0.1", Port = 0, Shards = 10, MaxConcurrentJobs = 1, WarmUp = false };
        var hosts = new List<IHost>();
        var clock = Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                var host = NodeHost.Build(options, extra);
                hosts.Add(host);
                await host.StartAsync().ConfigureAwait(false);
            }
            var systems = hosts.Select(h => h.Services.GetRequiredService<ActorSystem>()).ToArray();
            var first = Akka.Cluster.Cluster.Get(systems[0]).SelfAddress;
            foreach (var system in systems) Akka.Cluster.Cluster.Get(system).Join(first);

            var registry = hosts[0].Services.GetRequiredService<ActorRegistry>();
            await WaitForRegionsAsync(registry.Get<PartitionRegion>(), 2, clock).ConfigureAwait(false);

            var coordinator = registry.Get<CoordinatorProxy>();
            var spec = ModelLoader.LoadBytes(Encoding.UTF8.GetBytes(Model), "warm-up.yaml");
            var answer = await coordinator.Ask<object>(new SubmitJob(JobId, spec, 2, PartitionStrategy.Contiguous), TimeSpan.FromSeconds(20)).ConfigureAwait(false);
            if (answer is not JobAccepted) throw new InvalidOperationException($"the private cluster did not accept the warm-up job: {answer}");
            var result = await WaitForResultAsync(coordinator, clock).ConfigureAwait(false);
            if (result.Partitions.Count != 2) throw new InvalidOperationException($"the warm-up job came back with {result.Partitions.Count} partitions, not 2");
            CheckResults(LocalRunner.Report(result, new RunOptions(), DateTime.UtcNow));
        }
        finally
        {
            // One after the other, the younger node first: two nodes leaving together each wait for the other to
            // take over their shards and singleton, and would both sit out their shutdown timeout.
            for (int i = hosts.Count - 1; i >= 0; i--) await StopAsync(hosts[i]).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the shard coordinator knows <paramref name="count"/> partition regions, one per node.</summary>
    private static async Task WaitForRegionsAsync(IActorRef region, int count, Stopwatch clock)
    {
        while (true)
        {
            try
            {
                var regions = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                if (regions.Regions.Count >= count) return;
            }
            catch (AskTimeoutException)
            {
                // No shard coordinator yet: the cluster is still forming.
            }
            if (clock.Elapsed > PrivateClusterLimit)
                throw new TimeoutException($"the two private nodes did not form a cluster with both partition regions within {PrivateClusterLimit.TotalSeconds:F0} s");
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private static async Task<JobResult> WaitForResultAsync(IActorRef coordinator, Stopwatch clock)
    {
        while (true)
        {
            var answer = await coordinator.Ask<object>(new GetJobResult(JobId), TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            switch (answer)
            {
                case JobResult result:
                    return result;
                case JobStatus { State: JobState.Building or JobState.Running }:
                    break;
                default:
                    throw new InvalidOperationException($"the warm-up job on the private cluster ended as {answer}");
            }
            if (clock.Elapsed > PrivateClusterLimit)
                throw new TimeoutException($"the warm-up job on the private cluster did not finish within {PrivateClusterLimit.TotalSeconds:F0} s");
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private static async Task StopAsync(IHost host)
    {
        try
        {
            await host.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        finally
        {
            host.Dispose();
        }
    }
}
