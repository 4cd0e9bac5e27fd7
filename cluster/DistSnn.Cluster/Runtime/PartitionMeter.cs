using System.Diagnostics;
using DistSnn.Cluster.Serialization;
using DistSnn.Monitoring;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// A partition's telemetry, kept out of <see cref="PartitionActor"/>: once per epoch it adds the increments of the
/// engine's step, spike and synaptic-event totals and records the epoch's compute time and wait; per packet sent,
/// its encoded size. Nothing here runs per spike, and every instrument is skipped when nobody listens.
/// </summary>
internal sealed class PartitionMeter
{
    private readonly TagList _tags;
    private readonly TagList _nodeTags;
    private readonly long _neurons;
    private long _steps, _spikes, _events;
    private long _epochStart;
    private TimeSpan _waitAtStart;
    private bool _released;

    /// <summary>Counts the partition on its node and its neurons while its job lives.</summary>
    public PartitionMeter(string job, int partition, string node, long neurons)
    {
        _tags = Telemetry.PartitionTags(job, partition, node);
        _nodeTags = new TagList { { Telemetry.Tags.Node, node } };
        _neurons = neurons;
        Telemetry.PartitionNeurons.Add(neurons, _tags);
        Telemetry.NodePartitions.Add(1, _nodeTags);
    }

    /// <summary>The partition is about to compute an epoch (deliver its input packets, then advance).</summary>
    public void StartEpoch() => _epochStart = Stopwatch.GetTimestamp();

    /// <summary>
    /// The epoch has run; records its increments, its compute time and the wait before it: what
    /// <paramref name="waited"/> (the partition's total wait for packets) grew by since the previous epoch ended.
    /// </summary>
    public void EndEpoch(IPartitionBackend backend, TimeSpan waited)
    {
        double seconds = Stopwatch.GetElapsedTime(_epochStart).TotalSeconds;
        double wait = (waited - _waitAtStart).TotalSeconds;
        _waitAtStart = waited;
        Epoch(backend, seconds, wait);
    }

    /// <summary>Records an epoch that took <paramref name="seconds"/> after a wait of <paramref name="wait"/> seconds, and the backend's increments.</summary>
    public void Epoch(IPartitionBackend backend, double seconds, double wait)
    {
        var counters = backend.Counters;
        long steps = backend.Clock.CurrentStep, spikes = counters.SpikesEmitted, events = counters.SynapticEvents;
        Telemetry.RecordEpoch(_tags, steps - _steps, spikes - _spikes, events - _events, seconds, wait);
        (_steps, _spikes, _events) = (steps, spikes, events);
    }

    /// <summary>Records the encoded size of a packet about to be sent, counted without encoding it, only when someone listens.</summary>
    public void PacketSent(SpikePacket packet)
    {
        if (Telemetry.PacketSize.Enabled) Telemetry.PacketSize.Record(DistSnnSerializer.EncodedLength(packet), _tags);
    }

    /// <summary>
    /// Records the size a packet handed over in memory would have on the wire (in-process transport), so that a run's
    /// packet telemetry does not depend on the transport; only when someone listens.
    /// </summary>
    public void PacketSent(string job, long epoch, int source, SpikeBatch spikes)
    {
        if (Telemetry.PacketSize.Enabled)
            Telemetry.PacketSize.Record(DistSnnSerializer.EncodedLength(job, epoch, source, spikes.Stamps.AsSpan(0, spikes.Count), spikes.Gids.AsSpan(0, spikes.Count)), _tags);
    }

    /// <summary>The job ended or the partition stopped: takes its neurons and itself off the gauges, once.</summary>
    public void Release()
    {
        if (_released) return;
        _released = true;
        Telemetry.PartitionNeurons.Add(-_neurons, _tags);
        Telemetry.NodePartitions.Add(-1, _nodeTags);
    }
}
