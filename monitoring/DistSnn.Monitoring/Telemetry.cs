using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace DistSnn.Monitoring;

/// <summary>
/// The one <see cref="Meter"/> and the one <see cref="ActivitySource"/> of DistSnn, both named
/// <see cref="Name"/>, and every instrument, created once. Libraries record through
/// <c>System.Diagnostics.Metrics</c> only: an instrument nobody listens to is a flag test, so the engine pays
/// nothing unless a process configures an exporter (see DistSnn.Monitoring.Exporters).
/// </summary>
/// <remarks>
/// Recording is per epoch or per job, never per spike or per step: a partition adds its epoch's step, spike and
/// synaptic-event counts once, and records one epoch duration, one synchronisation wait and one packet size per
/// packet it sends. Tags are <see cref="Tags.Job"/>, <see cref="Tags.Partition"/> and <see cref="Tags.Node"/>
/// only, so the number of series is jobs × partitions (bounded by the job) and nodes.
/// </remarks>
public static class Telemetry
{
    /// <summary>Name of the meter and of the activity source.</summary>
    public const string Name = "DistSnn";

    private static readonly string? Version = typeof(Telemetry).Assembly.GetName().Version?.ToString(3);

    /// <summary>The meter every DistSnn instrument belongs to.</summary>
    public static readonly Meter Meter = new(Name, Version);

    /// <summary>The source of every DistSnn span.</summary>
    public static readonly ActivitySource Source = new(Name, Version);

    /// <summary>Tag keys. Values are bounded: job ids, partition indices, node addresses.</summary>
    public static class Tags
    {
        /// <summary>The job id.</summary>
        public const string Job = "job";
        /// <summary>The partition index within its job.</summary>
        public const string Partition = "partition";
        /// <summary>The node: <c>host:port</c> of its remoting address, <c>local</c> for the embedded runner.</summary>
        public const string Node = "node";
    }

    /// <summary>Instrument names (OpenTelemetry style: dotted, units in the unit field).</summary>
    public static class Names
    {
        /// <summary>Counter of simulated time steps, per partition.</summary>
        public const string Steps = "distsnn.sim.steps";
        /// <summary>Counter of spikes emitted by the partition's neurons and sources.</summary>
        public const string Spikes = "distsnn.sim.spikes";
        /// <summary>Counter of synaptic events delivered.</summary>
        public const string SynapticEvents = "distsnn.sim.synaptic_events";
        /// <summary>Histogram of the compute time of one epoch (s).</summary>
        public const string EpochDuration = "distsnn.epoch.duration";
        /// <summary>Histogram of the time a partition waits for its in-neighbours' packets of one epoch (s).</summary>
        public const string SyncWait = "distsnn.sync.wait";
        /// <summary>Histogram of the encoded size of each spike packet sent (By).</summary>
        public const string PacketSize = "distsnn.packet.size";
        /// <summary>Neurons (and sources) held by a partition while its job lives.</summary>
        public const string PartitionNeurons = "distsnn.partition.neurons";
        /// <summary>Wall seconds per biological second of a job so far.</summary>
        public const string RealTimeFactor = "distsnn.job.realtime_factor";
        /// <summary>Classification accuracy of the latest training report (fraction 0–1).</summary>
        public const string TrainAccuracy = "distsnn.train.accuracy";
        /// <summary>Mean cross-entropy of the latest minibatch of a gradient-trained network.</summary>
        public const string TrainLoss = "distsnn.train.loss";
        /// <summary>Training samples a gradient-trained network has learned from.</summary>
        public const string TrainSamples = "distsnn.train.samples";
        /// <summary>Cluster members that are up, as a node sees them.</summary>
        public const string ClusterMembers = "distsnn.cluster.members";
        /// <summary>Partitions living on a node.</summary>
        public const string NodePartitions = "distsnn.node.partitions";

        /// <summary>Every instrument name above.</summary>
        public static IReadOnlyList<string> All { get; } =
        [
            Steps, Spikes, SynapticEvents, EpochDuration, SyncWait, PacketSize, PartitionNeurons, RealTimeFactor,
            TrainAccuracy, TrainLoss, TrainSamples, ClusterMembers, NodePartitions,
        ];
    }

    /// <summary>Span names.</summary>
    public static class Spans
    {
        /// <summary>A whole job, from submission to its end (finished, failed or cancelled).</summary>
        public const string Job = "distsnn.job";
        /// <summary>Child of the job: partitions building their neurons and synapses.</summary>
        public const string Build = "distsnn.build";
        /// <summary>Child of the job: the simulation, from the start signal to the last partition's results.</summary>
        public const string Run = "distsnn.run";
        /// <summary>Child of the job: merging the partitions' recordings and writing the results folder.</summary>
        public const string Gather = "distsnn.gather";
        /// <summary>A short root span a process without a host emits when its exporters start (it warms up the export path).</summary>
        public const string ExporterStart = "distsnn.telemetry.start";
        /// <summary>Child of the run: writing a checkpoint. Reserved; no span of this name is emitted yet.</summary>
        public const string Checkpoint = "distsnn.checkpoint";
    }

    /// <summary>Simulated time steps.</summary>
    public static readonly Counter<long> Steps = Meter.CreateCounter<long>(Names.Steps, "{step}", "Simulated time steps");

    /// <summary>Spikes emitted.</summary>
    public static readonly Counter<long> Spikes = Meter.CreateCounter<long>(Names.Spikes, "{spike}",
        "Spikes emitted by the partition's neurons and sources");

    /// <summary>Synaptic events delivered.</summary>
    public static readonly Counter<long> SynapticEvents = Meter.CreateCounter<long>(Names.SynapticEvents, "{event}",
        "Synaptic events delivered");

    /// <summary>Compute time of one epoch.</summary>
    public static readonly Histogram<double> EpochDuration = Meter.CreateHistogram<double>(Names.EpochDuration, "s",
        "Compute time of one epoch of one partition (delivering its input packets and advancing its neurons)");

    /// <summary>Wait for in-neighbour packets, per epoch.</summary>
    public static readonly Histogram<double> SyncWait = Meter.CreateHistogram<double>(Names.SyncWait, "s",
        "Time a partition waited for its in-neighbours' packets of one epoch");

    /// <summary>Encoded size of a spike packet.</summary>
    public static readonly Histogram<long> PacketSize = Meter.CreateHistogram<long>(Names.PacketSize, "By",
        "Encoded (MessagePack) size of one spike packet sent");

    /// <summary>Neurons of a partition: +N when it is built, −N when its job ends.</summary>
    public static readonly UpDownCounter<long> PartitionNeurons = Meter.CreateUpDownCounter<long>(Names.PartitionNeurons,
        "{neuron}", "Neurons and sources held by a partition while its job lives");

    /// <summary>Real-time factor of a job.</summary>
    public static readonly Gauge<double> RealTimeFactor = Meter.CreateGauge<double>(Names.RealTimeFactor, "1",
        "Wall seconds per biological second of a job so far (1 = real time; lower is faster)");

    /// <summary>Accuracy of the latest training report.</summary>
    public static readonly Gauge<double> TrainAccuracy = Meter.CreateGauge<double>(Names.TrainAccuracy, "1",
        "Classification accuracy (0 to 1) of the latest block of training images");

    /// <summary>Loss of the latest minibatch.</summary>
    public static readonly Gauge<double> TrainLoss = Meter.CreateGauge<double>(Names.TrainLoss, "1",
        "Mean cross-entropy of the latest minibatch of gradient training");

    /// <summary>Samples trained on.</summary>
    public static readonly Counter<long> TrainSamples = Meter.CreateCounter<long>(Names.TrainSamples, "{sample}",
        "Training samples a gradient-trained network has learned from");

    /// <summary>Partitions on a node: +1 when one is built, −1 when its job ends.</summary>
    public static readonly UpDownCounter<long> NodePartitions = Meter.CreateUpDownCounter<long>(Names.NodePartitions,
        "{partition}", "Partitions living on a node");

    private static readonly ConcurrentDictionary<object, (string Node, Func<int> Members)> MemberSources = new();

    /// <summary>Cluster members that are up, reported by every node that registered with <see cref="ObserveMembers"/>.</summary>
    public static readonly ObservableGauge<int> ClusterMembers = Meter.CreateObservableGauge(Names.ClusterMembers,
        ObserveAllMembers, "{member}", "Cluster members that are up, as this node sees them");

    /// <summary>
    /// Reports <paramref name="members"/> (called at each collection) as <see cref="ClusterMembers"/> with the tag
    /// node = <paramref name="node"/>, until the returned handle is disposed. A process may host several nodes.
    /// </summary>
    public static IDisposable ObserveMembers(string node, Func<int> members)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(members);
        var key = new object();
        MemberSources[key] = (node, members);
        return new Registration(() => MemberSources.TryRemove(key, out _));
    }

    private static IEnumerable<Measurement<int>> ObserveAllMembers()
    {
        foreach (var (node, members) in MemberSources.Values)
            yield return new Measurement<int>(members(), new KeyValuePair<string, object?>(Tags.Node, node));
    }

    /// <summary>The tags of one partition of one job on one node; build once per run and reuse.</summary>
    public static TagList PartitionTags(string job, int partition, string node) => new()
    {
        { Tags.Job, job },
        { Tags.Partition, partition.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        { Tags.Node, node },
    };

    /// <summary>The tags of a job (coordinator-side measurements) on one node.</summary>
    public static TagList JobTags(string job, string node) => new() { { Tags.Job, job }, { Tags.Node, node } };

    /// <summary>
    /// Records one epoch of one partition: counters by the epoch's increments, one duration and one wait. Call once
    /// per epoch; each instrument is skipped when nobody listens.
    /// </summary>
    public static void RecordEpoch(in TagList tags, long steps, long spikes, long synapticEvents, double seconds, double waitSeconds)
    {
        if (Steps.Enabled) Steps.Add(steps, tags);
        if (Spikes.Enabled) Spikes.Add(spikes, tags);
        if (SynapticEvents.Enabled) SynapticEvents.Add(synapticEvents, tags);
        if (EpochDuration.Enabled) EpochDuration.Record(seconds, tags);
        if (SyncWait.Enabled) SyncWait.Record(waitSeconds, tags);
    }

    /// <summary>
    /// Starts a span that is a child of <paramref name="parent"/> (a root when it is default) without touching the
    /// caller's <see cref="Activity.Current"/>: actors handle many jobs on shared threads, so a span must never
    /// leak into the next message. Returns null when nobody listens.
    /// </summary>
    public static Activity? StartSpan(string name, ActivityContext parent, string job)
    {
        if (!Source.HasListeners()) return null;
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            var tags = new[] { new KeyValuePair<string, object?>(Tags.Job, job) };
            return Source.StartActivity(name, ActivityKind.Internal, parent, tags);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    /// <summary>Ends <paramref name="span"/> (if any) with an error status and the reason.</summary>
    public static void Fail(Activity? span, string reason)
    {
        if (span is null) return;
        span.SetStatus(ActivityStatusCode.Error, reason);
        StopDetached(span);
    }

    /// <summary>Ends <paramref name="span"/> (if any) without changing the caller's <see cref="Activity.Current"/>.</summary>
    public static void StopDetached(Activity? span)
    {
        if (span is null) return;
        var previous = Activity.Current;
        span.Stop();
        Activity.Current = previous;
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) dispose();
        }
    }
}
