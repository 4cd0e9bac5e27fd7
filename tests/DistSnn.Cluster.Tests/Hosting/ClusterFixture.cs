using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using DistSnn.Cluster.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistSnn.Cluster.Tests.Hosting;

/// <summary>Several cluster nodes in one process, each its own actor system on 127.0.0.1 with a free port.</summary>
internal sealed class InProcessCluster : IAsyncDisposable
{
    private readonly List<IHost> _hosts = new();

    public IReadOnlyList<IHost> Hosts => _hosts;

    /// <summary>Starts <paramref name="nodes"/> nodes that host partitions of <paramref name="backends"/> (default: the CPU alone).</summary>
    public static async Task<InProcessCluster> StartAsync(int nodes, TimeSpan timeout, Nodes.Backends.BackendRegistry? backends = null)
    {
        var cluster = new InProcessCluster();
        int seed = FreePort();
        for (int i = 0; i < nodes; i++) await cluster.AddNodeAsync(NodeOptionsFor(i == 0 ? seed : FreePort(), seed), backends: backends);
        await cluster.WaitForUpAsync(nodes, timeout);
        return cluster;
    }

    public Task<IHost> AddNodeAsync(int port, int seedPort, string? appVersion = null) => AddNodeAsync(NodeOptionsFor(port, seedPort, appVersion));

    /// <summary>The options of a node at <paramref name="port"/> that joins through the seed at <paramref name="seedPort"/>.</summary>
    public static NodeOptions NodeOptionsFor(int port, int seedPort, string? appVersion = null)
    {
        var options = new NodeOptions { Port = port, SeedNodes = [$"127.0.0.1:{seedPort}"], Shards = 30 };
        return appVersion is null ? options : options with { AppVersion = appVersion };
    }

    /// <summary>
    /// Starts a node the cluster is to keep out, and returns its actor system. The refusal can reach the node (or its
    /// actor system shut down for another reason) before its host has started every actor: the start then fails with
    /// "Cannot create child while terminating", which is a refusal too, but only if the actor system really
    /// terminates within 30 s. Any other failure is rethrown; what the cluster made of the node is for the caller to check.
    /// </summary>
    public async Task<ActorSystem> AddRefusedNodeAsync(NodeOptions options)
    {
        int index = _hosts.Count;
        try
        {
            await AddNodeAsync(options);
        }
        catch (InvalidOperationException)
        {
            var terminated = System(index).WhenTerminated;
            if (await Task.WhenAny(terminated, Task.Delay(TimeSpan.FromSeconds(30))) != terminated) throw;
        }
        return System(index);
    }

    public async Task<IHost> AddNodeAsync(NodeOptions options, string? extraHocon = null, Nodes.Backends.BackendRegistry? backends = null)
    {
        // Nodes in one process share their compiled code, and the warm-up has tests of its own.
        options = options with { WarmUp = false };
        // Three nodes share this machine's cores with the other tests: a generous failure detector keeps a busy
        // node from being taken for a dead one.
        var host = NodeHost.Build(options, Akka.Configuration.ConfigurationFactory.ParseString(
            "akka.cluster.failure-detector.acceptable-heartbeat-pause = 20s\nakka.remote.watch-failure-detector.acceptable-heartbeat-pause = 20s\n" + extraHocon),
            backends);
        _hosts.Add(host);
        await host.StartAsync();
        return host;
    }

    /// <summary>Members with status Up as node <paramref name="node"/> sees them.</summary>
    public int UpMembers(int node) => Akka.Cluster.Cluster.Get(System(node)).State.Members.Count(m => m.Status == MemberStatus.Up);

    public async Task WaitForUpAsync(int nodes, TimeSpan timeout)
    {
        var cluster = this;
        var deadline = DateTime.UtcNow + timeout;
        while (cluster.System(0) is var sys && Akka.Cluster.Cluster.Get(sys).State.Members.Count(m => m.Status == MemberStatus.Up) < nodes)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{nodes} nodes did not form a cluster within {timeout}");
            await Task.Delay(100);
        }
    }

    public ActorSystem System(int node) => _hosts[node].Services.GetRequiredService<ActorSystem>();

    public IActorRef Coordinator(int node) => _hosts[node].Services.GetRequiredService<ActorRegistry>().Get<CoordinatorProxy>();

    public IActorRef TrainingCoordinator(int node) => _hosts[node].Services.GetRequiredService<ActorRegistry>().Get<DistSnn.Cluster.Training.TrainingCoordinatorProxy>();

    public async ValueTask DisposeAsync()
    {
        foreach (var h in Enumerable.Reverse(_hosts))
        {
            try
            {
                await h.StopAsync(TimeSpan.FromSeconds(10));
            }
            finally
            {
                h.Dispose();
            }
        }
    }

    /// <summary>A port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
