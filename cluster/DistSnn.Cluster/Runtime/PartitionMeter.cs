using System.Diagnostics;
using DistSnn.Cluster.Serialization;
using DistSnn.Monitoring;
using DistSnn.Nodes;

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
    public void EndEpoch(PartitionEngine engine, TimeSpan waited)
    {
        double seconds = Stopwatch.GetElapsedTime(_epochStart).TotalSeconds;
        double wait = (waited - _waitAtStart).TotalSeconds;
        _waitAtStart = waited;
        long steps = engine.CurrentStep, spikes = engine.SpikesEmitted, events = engine.SynapticEvents;
        Telemetry.RecordEpoch(_tags, steps - _steps, spikes - _spikes, events - _events, seconds, wait);
        (_steps, _spikes, _events) = (steps, spikes, events);
    }

    /// <summary>Records the encoded size of a packet about to be sent, counted without encoding it, only when someone listens.</summary>
    public void PacketSent(SpikePacket packet)
    {
        if (Telemetry.PacketSize.Enabled) Telemetry.PacketSize.Record(DistSnnSerializer.EncodedLength(packet), _tags);
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
