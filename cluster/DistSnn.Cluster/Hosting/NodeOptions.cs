namespace DistSnn.Cluster.Hosting;

/// <summary>
/// Settings of one cluster node (<c>distsnn node</c>). Bound from command-line flags, environment variables
/// (<c>DISTSNN_</c> prefix) and <c>appsettings.json</c> (section <c>DistSnn:Node</c>).
/// </summary>
public sealed record NodeOptions
{
    /// <summary>Name of the actor system; every node of one cluster must use the same.</summary>
    public string SystemName { get; init; } = "distsnn";
    /// <summary>Address to bind remoting to.</summary>
    public string Hostname { get; init; } = "127.0.0.1";
    /// <summary>Remoting port (0 = any free port).</summary>
    public int Port { get; init; } = 4053;
    /// <summary>Host name other nodes use to reach this one (default: <see cref="Hostname"/>).</summary>
    public string? PublicHostname { get; init; }
    /// <summary>Seed nodes as <c>host:port</c> or full <c>akka.tcp://system@host:port</c> addresses.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];
    /// <summary>Cluster roles of this node.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>
    /// Roles given to the first pods of a StatefulSet: role → count. The pod whose name (<see cref="PodName"/>) ends in
    /// <c>-k</c> takes every role whose count exceeds k, so a chart can make a pool of its nodes, e.g. the first two
    /// hosts of modelled SpiNNaker boards.
    /// </summary>
    public IReadOnlyDictionary<string, int> RolesByOrdinal { get; init; } = new Dictionary<string, int>();

    /// <summary>The pod's name in a StatefulSet (<c>NAME-k</c>); null outside Kubernetes.</summary>
    public string? PodName { get; init; }

    /// <summary>
    /// <see cref="Roles"/> plus the roles <see cref="RolesByOrdinal"/> gives this pod; throws <see cref="ArgumentException"/>
    /// when ordinal roles are set but the pod name has no ordinal.
    /// </summary>
    public IReadOnlyList<string> EffectiveRoles()
    {
        if (RolesByOrdinal.Count == 0 || RolesByOrdinal.All(r => r.Value <= 0)) return Roles;
        int dash = PodName?.LastIndexOf('-') ?? -1;
        if (dash < 0 || !int.TryParse(PodName.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int ordinal))
            throw new ArgumentException($"DistSnn:Node:PodName: '{PodName}' has no StatefulSet ordinal (NAME-k), which DistSnn:Node:RolesByOrdinal needs");
        return Roles.Concat(RolesByOrdinal.Where(r => ordinal < r.Value).Select(r => r.Key)).Distinct(StringComparer.Ordinal).ToArray();
    }
    /// <summary>Number of shards for partitions (about ten per node is a good size).</summary>
    public int Shards { get; init; } = 100;
    /// <summary>Largest remoting frame (bytes); bigger messages are split by the senders.</summary>
    public int MaxFrameBytes { get; init; } = 32 * 1024 * 1024;
    /// <summary>Version string; nodes of different versions refuse to form one cluster.</summary>
    public string AppVersion { get; init; } = typeof(NodeOptions).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>
    /// Heartbeats of another node may be missing this long (seconds) before it is marked unreachable (Akka's
    /// <c>failure-detector.acceptable-heartbeat-pause</c>). Longer tolerates garbage-collection pauses and busy
    /// machines; shorter notices a crashed node sooner.
    /// </summary>
    public double UnreachableAfterSeconds { get; init; } = 3;

    /// <summary>
    /// How long (seconds) the membership must stay unchanged with a node unreachable before the keep-majority
    /// split-brain resolver downs it (Akka's <c>split-brain-resolver.stable-after</c>). A job that lost partitions on
    /// that node recovers once it is downed and removed.
    /// </summary>
    public double DownAfterSeconds { get; init; } = 20;

    /// <summary>
    /// A checkpoint directory every node shares (absolute path on a shared volume). When this node hosts the job
    /// coordinator, the coordinator takes over every job still running there (its <c>job.json</c>), resuming it from its
    /// newest checkpoint: jobs checkpointed into this directory survive the loss of the coordinator's node. Null: none.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>
    /// How the node finds the cluster: <c>seeds</c> (the <see cref="SeedNodes"/> list; bare metal) or
    /// <c>kubernetes</c> (Akka.Management Cluster Bootstrap with Kubernetes API discovery of pods matching
    /// <see cref="PodLabelSelector"/>; the seed list is ignored).
    /// </summary>
    public string Discovery { get; init; } = "seeds";
    /// <summary>Akka.Management HTTP port used by Cluster Bootstrap (kubernetes discovery).</summary>
    public int ManagementPort { get; init; } = 8558;
    /// <summary>Service name the bootstrap looks for (kubernetes discovery).</summary>
    public string ServiceName { get; init; } = "distsnn";
    /// <summary>Label selector of the node pods; <c>{0}</c> is replaced by <see cref="ServiceName"/>.</summary>
    public string PodLabelSelector { get; init; } = "app.kubernetes.io/name={0}";
    /// <summary>Contact points the bootstrap needs before forming a new cluster.</summary>
    public int RequiredContactPoints { get; init; } = 2;

    /// <summary>TLS for the remoting between nodes (off by default).</summary>
    public TlsOptions Tls { get; init; } = new();

    /// <summary>
    /// Jobs the coordinator runs side by side; later submissions wait in a first-in, first-out queue (state
    /// <c>queued</c>). 0 = no limit.
    /// </summary>
    public int MaxConcurrentJobs { get; init; } = 4;

    /// <summary>
    /// Run a small job on this node before it reports ready, so that the first real job does not pay for compiling
    /// the node's code (see <see cref="NodeWarmUp"/>). About a second of one core at start.
    /// </summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>Akka address protocol of this node's remoting: <c>akka.ssl.tcp</c> with TLS, else <c>akka.tcp</c>.</summary>
    public string Protocol => Tls.Enabled ? "akka.ssl.tcp" : "akka.tcp";

    /// <summary>Seed node addresses in Akka form.</summary>
    public string[] SeedAddresses() => SeedNodes.Select(s => s.Contains("://", StringComparison.Ordinal) ? s : $"{Protocol}://{SystemName}@{s}").ToArray();
}
