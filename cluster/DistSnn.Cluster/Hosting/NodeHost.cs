using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Management;
using Akka.Management.Cluster.Bootstrap;
using Akka.Remote.Hosting;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using DistSnn.Monitoring;
using DistSnn.Nodes.Backends;
using Akka.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistSnn.Cluster.Hosting;

/// <summary>Registry key of the partition shard region.</summary>
public sealed class PartitionRegion;

/// <summary>Registry key of the job coordinator singleton's proxy.</summary>
public sealed class CoordinatorProxy;

/// <summary>
/// Wires a cluster node in one place: remoting, clustering with the keep-majority split-brain resolver, the
/// partition shard region, the job coordinator singleton (and a proxy to it on every node), the training worker and
/// the training coordinator singleton, and the message serializer. Every node runs the same code; the oldest node hosts the coordinator.
/// </summary>
public static class NodeHost
{
    /// <summary>Adds the DistSnn actor system to a host's services.</summary>
    /// <exception cref="ArgumentException">A setting is wrong (named in the message), e.g. the TLS certificate cannot be loaded.</exception>
    /// <remarks>The node hosts partitions of the backends in <paramref name="backends"/> (default: <see cref="BackendRegistry.Default"/>).</remarks>
    public static IServiceCollection AddDistSnnNode(this IServiceCollection services, NodeOptions options, Akka.Configuration.Config? extra = null,
        BackendRegistry? backends = null)
    {
        backends ??= BackendRegistry.Default;
        if (options.MaxConcurrentJobs < 0)
            throw new ArgumentException($"DistSnn:Node:MaxConcurrentJobs: must be >= 0 (0 = no limit), got {options.MaxConcurrentJobs}");
        services.AddSingleton(new NodeWarmUp(options.WarmUp));
        services.AddHostedService<NodeWarmUp.Starter>();
        // Loaded here, not when the actor system starts, so that a bad certificate stops the node before anything binds.
        var tls = options.Tls.Enabled ? NodeTls.Load(options.Tls) : null;
        options = options with { Roles = options.EffectiveRoles() };
        // Filled when the regions start, read when the coordinator singleton starts (after them).
        var byRole = new Dictionary<string, IActorRef>(StringComparer.Ordinal);
        services.AddSingleton(backends);
        services.AddAkka(options.SystemName, builder =>
        {
            if (extra is not null) builder.AddHocon(extra, HoconAddMode.Prepend);
            // Every message that crosses the network goes through the MessagePack serializer; none falls back to JSON.
            builder.AddHocon(DistSnnSerializer.Config, HoconAddMode.Prepend);
            builder.AddHocon(ClusterConfig(options), HoconAddMode.Append);
            builder.WithRemoting(Remote(options, tls));
            bool kubernetes = options.Discovery == "kubernetes";
            if (!kubernetes && options.Discovery != "seeds")
                throw new ArgumentException($"DistSnn:Node:Discovery: unknown '{options.Discovery}' (seeds or kubernetes)");
            if (kubernetes)
            {
                builder.WithAkkaManagement(options.PublicHostname ?? options.Hostname, options.ManagementPort, "0.0.0.0", options.ManagementPort);
                builder.WithClusterBootstrap(options.ServiceName, portName: "management", requiredContactPoints: options.RequiredContactPoints);
                builder.WithKubernetesDiscovery(string.Format(System.Globalization.CultureInfo.InvariantCulture, options.PodLabelSelector, options.ServiceName));
            }
            builder.WithClustering(new ClusterOptions
            {
                SeedNodes = kubernetes ? [] : options.SeedAddresses(),
                Roles = options.Roles.ToArray(),
                AppVersion = options.AppVersion,
                SplitBrainResolver = new KeepMajorityOption(),
            });
            builder.WithActors((system, _) => system.ActorOf(Props.Create(() => new VersionGuard()), "version-guard"));
            builder.WithActors((system, _) =>
            {
                // Members that are up, as this node sees them, read at each metrics collection.
                var cluster = Akka.Cluster.Cluster.Get(system);
                var members = Telemetry.ObserveMembers(TelemetryNode.Of(system),
                    () => cluster.State.Members.Count(m => m.Status == MemberStatus.Up));
                system.RegisterOnTermination(members.Dispose);
            });
            // Started directly (not with WithShardRegion) to give it the spreading allocation strategy. Partitions of a
            // backend that needs a role live in a region of their own, hosted only by nodes with that role (others
            // reach it through a proxy).
            builder.WithActors((system, registry) =>
            {
                var sharding = ClusterSharding.Get(system);
                var extractor = new PartitionMessageExtractor(options.Shards);
                var region = sharding.Start("partition", Props.Create(() => new PartitionActor(true, backends)),
                    ClusterShardingSettings.Create(system).WithRememberEntities(false), extractor, new SpreadAllocationStrategy(), PartitionHandOff.Instance);
                registry.Register<PartitionRegion>(region);
                foreach (var role in backends.Roles)
                    byRole[role] = options.Roles.Contains(role)
                        ? sharding.Start(RoleRegion(role), Props.Create(() => new PartitionActor(true, backends)),
                            ClusterShardingSettings.Create(system).WithRememberEntities(false).WithRole(role), extractor, new SpreadAllocationStrategy(), PartitionHandOff.Instance)
                        : sharding.StartProxy(RoleRegion(role), role, extractor);
            });
            builder.WithSingleton<CoordinatorProxy>("job-coordinator",
                (_, registry, _) => Props.Create(() => new JobCoordinator(
                    new ShardedPartitionHost(registry.Get<PartitionRegion>(), byRole, backends), null, options.MaxConcurrentJobs,
                    options.CheckpointDirectory, backends)),
                new ClusterSingletonOptions(), createProxyToo: true);
            // Every node hosts training replicas; the oldest runs the training jobs.
            builder.WithActors((system, _) => system.ActorOf(Props.Create(() => new Training.TrainingWorker()), Training.TrainingWorker.Name));
            builder.WithSingleton<Training.TrainingCoordinatorProxy>("training-coordinator",
                (_, _, _) => Props.Create(() => new Training.TrainingCoordinator(options.CheckpointDirectory ?? "checkpoints")),
                new ClusterSingletonOptions(), createProxyToo: true);
        });
        return services;
    }

    /// <summary>The shard region type of partitions that need <paramref name="role"/>.</summary>
    public static string RoleRegion(string role) => "partition-" + role;

    private static RemoteOptions Remote(NodeOptions options, NodeTls? tls)
    {
        var remote = new RemoteOptions
        {
            HostName = options.Hostname,
            Port = options.Port,
            PublicHostName = options.PublicHostname ?? options.Hostname,
            MaxFrameSize = options.MaxFrameBytes,
            SendBufferSize = options.MaxFrameBytes * 2,
            ReceiveBufferSize = options.MaxFrameBytes * 2,
        };
        if (tls is null) return remote;
        remote.EnableSsl = true;
        remote.Ssl = new SslOptions
        {
            X509Certificate = tls.Certificate,
            SuppressValidation = tls.SuppressValidation,
            // Both ends show the cluster certificate: a client without it is refused by the server, not only the reverse.
            RequireMutualAuthentication = true,
            // Nodes are reached by IP or pod name; trust comes from pinning the certificate, not from its host name.
            ValidateCertificateHostname = false,
            CustomValidator = tls.Validator(),
        };
        return remote;
    }

    /// <summary>Builds (but does not start) a host running one node, hosting partitions of <paramref name="backends"/>.</summary>
    public static IHost Build(NodeOptions options, Akka.Configuration.Config? extra = null, BackendRegistry? backends = null) =>
        new HostBuilder().ConfigureServices(s => s.AddDistSnnNode(options, extra, backends)).Build();

    private static string ClusterConfig(NodeOptions options)
    {
        if (!(options.UnreachableAfterSeconds > 0) || !double.IsFinite(options.UnreachableAfterSeconds))
            throw new ArgumentException($"DistSnn:Node:UnreachableAfterSeconds: must be a positive number of seconds, got {options.UnreachableAfterSeconds}");
        if (!(options.DownAfterSeconds > 0) || !double.IsFinite(options.DownAfterSeconds))
            throw new ArgumentException($"DistSnn:Node:DownAfterSeconds: must be a positive number of seconds, got {options.DownAfterSeconds}");
        string Ms(double seconds) => ((long)Math.Ceiling(seconds * 1000)).ToString(System.Globalization.CultureInfo.InvariantCulture) + "ms";
        return $$"""
        akka {
          loglevel = WARNING
          stdout-loglevel = WARNING
          log-dead-letters = off
          log-dead-letters-during-shutdown = off
          coordinated-shutdown.run-by-clr-shutdown-hook = on
          # Partitions exchange one packet per neighbour per epoch and wait for it: batching writes for up to
          # its flush interval would add that latency to every epoch.
          remote.dot-netty.tcp.batching.enabled = false
          cluster {
            # Partitions move only between jobs: shards are never rebalanced while they hold a running partition.
            sharding.least-shard-allocation-strategy.rebalance-absolute-limit = 0
            sharding.least-shard-allocation-strategy.rebalance-relative-limit = 0.0
            sharding.rebalance-interval = 3600s
            # The proxy's check for a missing singleton fires once the moment it starts, before it could have found
            # one, and warns "failed to find ... after 30 seconds" on every node start (a known Akka.NET bug). A job
            # coordinator that is really missing still shows: every admin request about jobs fails after its ask timeout.
            singleton-proxy.log-singleton-identification-failure = off
            # A crashed node is noticed after this pause, and downed by the split-brain resolver this long after.
            failure-detector.acceptable-heartbeat-pause = {{Ms(options.UnreachableAfterSeconds)}}
            split-brain-resolver.stable-after = {{Ms(options.DownAfterSeconds)}}
          }
        }
        """;
    }
}

/// <summary>
/// Partitions as entities of the cluster shard regions: the coordinator builds them through the region of their
/// backend's role (see <see cref="BackendType.Role"/>), or the general one.
/// </summary>
public sealed class ShardedPartitionHost(IActorRef region, IReadOnlyDictionary<string, IActorRef>? roleRegions = null, BackendRegistry? backends = null)
    : IPartitionHost
{
    private readonly IReadOnlyDictionary<string, IActorRef> _roleRegions = roleRegions ?? new Dictionary<string, IActorRef>();
    private readonly BackendRegistry _backends = backends ?? BackendRegistry.Default;

    /// <inheritdoc />
    public void Build(IActorContext coordinator, BuildPartition build) => RegionOf(build.Backend).Tell(build, coordinator.Self);

    private IActorRef RegionOf(string backend) =>
        _backends.Contains(backend) && _backends[backend].Role is { } role && _roleRegions.TryGetValue(role, out var r) ? r : region;

    /// <inheritdoc />
    public string? CannotHost(IActorContext coordinator, IReadOnlyList<string> backends)
    {
        var members = Akka.Cluster.Cluster.Get(coordinator.System).State.Members.Where(m => m.Status == MemberStatus.Up).ToList();
        foreach (var name in backends.Distinct())
            if (_backends.Contains(name) && _backends[name].Role is { } role && !members.Any(m => m.HasRole(role)))
                return $"partitions on backend '{name}' need a node with role '{role}', and no member that is up has it (start one with 'distsnn node --role {role}')";
        return null;
    }

    /// <inheritdoc />
    public void Release(IActorContext coordinator, string job, IEnumerable<IActorRef> partitions)
    {
        foreach (var p in partitions) p.Tell(new EndJob(job), coordinator.Self);
    }
}
