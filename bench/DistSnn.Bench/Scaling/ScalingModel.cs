namespace DistSnn.Bench.Scaling;

/// <summary>
/// The per-component costs the scaling model is built from, as <c>distsnn-bench components</c> measures them on one
/// machine (times in nanoseconds or microseconds, as named).
/// </summary>
public sealed record ComponentConstants
{
    /// <summary>Neuron update per neuron and step, by neuron model (<c>lif_delta</c>, <c>lif_exp_current</c>).</summary>
    public required IReadOnlyDictionary<string, double> NeuronNs { get; init; }

    /// <summary>Poisson background input per neuron and step (one draw per neuron and step).</summary>
    public required double PoissonNs { get; init; }

    /// <summary>Delivery of one synaptic event when all of a projection's delays are equal (Brunel).</summary>
    public required double EventNs { get; init; }

    /// <summary>Delivery of one synaptic event when delays are drawn per synapse (the microcircuit).</summary>
    public required double EventSpreadNs { get; init; }

    /// <summary>Per spike a partition emits: the threshold crossing, recording, routing.</summary>
    public required double SpikeNs { get; init; }

    /// <summary>Per spike a partition receives and holds synapses from: merging into the canonical order, the row look-up.</summary>
    public required double ReceivedSpikeNs { get; init; }

    /// <summary>
    /// The constant the event networks' fit leaves (seconds): kept apart so that it does not bias the per-spike and
    /// per-event costs; the model does not use it (a constant per run did not survive the check, see docs/scaling.md).
    /// </summary>
    public double FiringConstantSeconds { get; init; }

    /// <summary>Fixed cost of one epoch of one partition (the loop, the exchange's bookkeeping).</summary>
    public required double EpochNs { get; init; }

    /// <summary>Per epoch and partition, what a second partition in the same process adds: a packet each way, the hand-over between threads.</summary>
    public required double LocalPacketNs { get; init; }

    /// <summary>Per epoch and partition, what a second partition adds when partitions are actors in one actor system (the cluster's runtime).</summary>
    public required double ActorLocalPacketNs { get; init; }

    /// <summary>MessagePack encoding plus decoding of an empty spike packet.</summary>
    public required double SerializePacketNs { get; init; }

    /// <summary>MessagePack encoding plus decoding per spike in a packet.</summary>
    public required double SerializeSpikeNs { get; init; }

    /// <summary>
    /// CPU time per packet between two actor systems over loopback TCP (remoting), from a stream of small packets:
    /// what a node's cores spend per remote packet, sender and receiver together.
    /// </summary>
    public required double RemotePacketUs { get; init; }

    /// <summary>Half the median round trip of a small packet between two actor systems over loopback: the software's one-way latency.</summary>
    public required double OneWayUs { get; init; }

    /// <summary>
    /// Two actors in two actor systems over loopback that each send a small packet and wait for the other's before the
    /// next, as partitions with lag 1 and no work do: the mean time per exchange (µs). The model's software latency.
    /// </summary>
    public required double LockstepUs { get; init; }

    /// <summary>Bytes on the loopback interface per small packet (payload, Akka envelope, TCP/IP headers, acknowledgements).</summary>
    public required double WireBytesPerPacket { get; init; }
}

/// <summary>A network as the model sees it: sizes, rates and its timing rule.</summary>
/// <param name="Name">What it is.</param>
/// <param name="Neurons">All neurons.</param>
/// <param name="NeuronModel">Key into <see cref="ComponentConstants.NeuronNs"/>.</param>
/// <param name="Poisson">Whether every neuron draws Poisson background input every step.</param>
/// <param name="InDegree">Mean synapses onto a neuron (= mean out-degree of a neuron).</param>
/// <param name="RateHz">Mean firing rate.</param>
/// <param name="SpreadDelays">Whether delays are drawn per synapse (<see cref="ComponentConstants.EventSpreadNs"/>).</param>
/// <param name="MinDelaySteps">The network's minimum delay in steps.</param>
/// <param name="Lag">The exchange lag k: an epoch is <c>MinDelaySteps / k</c> steps.</param>
/// <param name="DtMs">The step.</param>
public sealed record Workload(string Name, double Neurons, string NeuronModel, bool Poisson, double InDegree, double RateHz,
    bool SpreadDelays, int MinDelaySteps, int Lag, double DtMs = 0.1)
{
    /// <summary>Steps per epoch: the minimum delay divided by the lag, rounded down, at least one.</summary>
    public int EpochSteps => Math.Max(1, MinDelaySteps / Math.Max(1, Lag));

    /// <summary>Epochs per second of biological time.</summary>
    public double EpochsPerSecond => 1000.0 / (EpochSteps * DtMs);

    /// <summary>Spikes of the whole network in one epoch.</summary>
    public double SpikesPerEpoch => Neurons * RateHz * EpochSteps * DtMs / 1000.0;
}

/// <summary>How partitions exchange packets.</summary>
public enum ExchangeScheme
{
    /// <summary>Today: one packet per epoch from each partition to each partition it has synapses onto.</summary>
    PartitionPairs,

    /// <summary>Packets aggregated per node: one packet per epoch from each node to each other node.</summary>
    NodePairs,

    /// <summary>Two-level exchange: nodes in a √n × √n grid, packets per node pair of a row, then of a column (two hops).</summary>
    Hierarchical,
}

/// <summary>The machines: nodes, partitions per node (one per core) and the network between them.</summary>
/// <param name="Nodes">Nodes (processes, one per machine).</param>
/// <param name="PartitionsPerNode">Partitions on a node; each has a core.</param>
/// <param name="NetworkLatencyUs">One-way latency the network adds to the measured software latency (switches, links, NICs).</param>
/// <param name="BandwidthGbps">Each node's link, each direction.</param>
/// <param name="Scheme">How packets go.</param>
/// <param name="Actors">Partitions are actors (a cluster) rather than threads of one <c>distsnn run</c> process: the cost of a local packet.</param>
public sealed record ClusterShape(int Nodes, int PartitionsPerNode, double NetworkLatencyUs, double BandwidthGbps,
    ExchangeScheme Scheme = ExchangeScheme.PartitionPairs, bool Actors = true)
{
    /// <summary>All partitions.</summary>
    public long Partitions => (long)Nodes * PartitionsPerNode;
}

/// <summary>One epoch of the slowest partition, by component (seconds).</summary>
/// <param name="Compute">Neuron updates, Poisson input, event delivery, per-spike work, the epoch's fixed cost.</param>
/// <param name="PacketCpu">CPU spent on packets: per remote packet, per local packet, serialisation per spike.</param>
/// <param name="Transit">Time a packet is on its way: software and network latency, the node's bytes at link speed.</param>
/// <param name="ExposedTransit">What of <see cref="Transit"/> the lag does not hide behind the work of the epochs in between.</param>
/// <param name="Imbalance">Expected excess of the busiest partition's event delivery over the mean (Poisson counts).</param>
/// <param name="RemotePacketsPerNode">Packets a node sends per epoch to other nodes.</param>
/// <param name="BytesPerNode">Bytes a node sends per epoch.</param>
public sealed record EpochCost(double Compute, double PacketCpu, double Transit, double ExposedTransit, double Imbalance,
    double RemotePacketsPerNode, double BytesPerNode)
{
    /// <summary>The epoch's wall time: <c>Compute + PacketCpu + ExposedTransit + Imbalance</c>.</summary>
    public double Total => Compute + PacketCpu + ExposedTransit + Imbalance;

    /// <summary>The share of the epoch spent on communication (packet CPU and exposed transit).</summary>
    public double CommunicationShare => (PacketCpu + ExposedTransit) / Total;
}

/// <summary>
/// The cost model of one epoch: <c>T = W + transit</c> with lag k = 1, <c>T = max(W, transit / (k − 1))</c> with k ≥ 2,
/// plus imbalance, where <c>W = compute + packet CPU</c>; partitions balanced and connectivity random (every partition
/// may have synapses from every other).
/// Pure arithmetic; see docs/scaling.md.
/// </summary>
public static class ScalingModel
{
    /// <summary>The cost of one epoch of <paramref name="w"/> on <paramref name="cluster"/>.</summary>
    public static EpochCost Epoch(Workload w, ClusterShape cluster, ComponentConstants k)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(k);
        double q = cluster.Partitions, n = cluster.Nodes, c = cluster.PartitionsPerNode;
        int steps = w.EpochSteps;
        double perPartition = w.Neurons / q;
        double spikes = w.SpikesPerEpoch;
        // A spike reaches a given partition when one of its K targets is there; a partition's in-neighbours are the
        // partitions holding a target of any of their neurons.
        double reach = Reach(w.InDegree, q);
        double received = spikes * reach;
        double events = spikes * w.InDegree / q;
        double eventNs = w.SpreadDelays ? k.EventSpreadNs : k.EventNs;
        double neuronNs = k.NeuronNs.TryGetValue(w.NeuronModel, out var ns) ? ns : throw new ArgumentException($"no neuron cost for '{w.NeuronModel}'");
        double compute = 1e-9 * (steps * perPartition * (neuronNs + (w.Poisson ? k.PoissonNs : 0))
                                 + events * eventNs + spikes / q * k.SpikeNs + received * k.ReceivedSpikeNs + k.EpochNs);
        double neighbours = q <= 1 ? 0 : (q - 1) * Reach(perPartition * w.InDegree, q);
        double remoteShare = q <= 1 ? 0 : (q - c) / (q - 1);
        double remote = neighbours * remoteShare, local = neighbours - remote;
        double spikesOut = spikes / q;

        double packetCpu, transit, packetsPerNode, bytesPerNode;
        double latency = 1e-6 * (k.LockstepUs + cluster.NetworkLatencyUs);
        double localPacket = 1e-9 * (cluster.Actors ? k.ActorLocalPacketNs : k.LocalPacketNs);
        double bytesPerSecond = cluster.BandwidthGbps * 1e9 / 8;
        double remotePacket = 1e-6 * k.RemotePacketUs + 1e-9 * k.SerializePacketNs;
        switch (cluster.Scheme)
        {
            case ExchangeScheme.PartitionPairs:
            {
                double perPacketSpikes = spikesOut * reach;
                // Remote spikes are encoded by the sender and decoded by the receiver: a partition does both for as many as it sends.
                packetCpu = remote * remotePacket + local * localPacket + 1e-9 * k.SerializeSpikeNs * remote * perPacketSpikes;
                packetsPerNode = c * remote;
                bytesPerNode = packetsPerNode * (k.WireBytesPerPacket + SpikeBytes(perPacketSpikes, perPartition, steps, w.Neurons));
                transit = n > 1 ? latency + bytesPerNode / bytesPerSecond : 0;
                break;
            }
            case ExchangeScheme.NodePairs:
            {
                double nodeReach = Reach(w.InDegree, n);
                double nodeNeighbours = n <= 1 ? 0 : (n - 1) * Reach(perPartition * c * w.InDegree, n);
                double perPacketSpikes = spikesOut * c * nodeReach;
                // A node's packets cost its cores together; each partition also takes one local hand-over per node packet.
                packetCpu = (nodeNeighbours * remotePacket + 1e-9 * k.SerializeSpikeNs * nodeNeighbours * perPacketSpikes) / c
                            + (nodeNeighbours + c - 1) * localPacket;
                packetsPerNode = nodeNeighbours;
                bytesPerNode = packetsPerNode * (k.WireBytesPerPacket + SpikeBytes(perPacketSpikes, perPartition * c, steps, w.Neurons));
                transit = n > 1 ? latency + bytesPerNode / bytesPerSecond : 0;
                break;
            }
            case ExchangeScheme.Hierarchical:
            {
                double side = Math.Sqrt(n), hop = n <= 1 ? 0 : side - 1;
                // Hop 1 along the row: a node's spikes that some node of the target's column needs. Hop 2 down the
                // column: the spikes of the whole row that the target node needs.
                double rowSpikes = spikesOut * c * Reach(w.InDegree, side);
                double columnSpikes = spikesOut * c * side * Reach(w.InDegree, n);
                packetCpu = (2 * hop * remotePacket + 1e-9 * k.SerializeSpikeNs * hop * (rowSpikes + columnSpikes)) / c
                            + (side + c - 1) * localPacket;
                packetsPerNode = 2 * hop;
                bytesPerNode = hop * (2 * k.WireBytesPerPacket + SpikeBytes(rowSpikes, perPartition * c, steps, w.Neurons)
                                      + SpikeBytes(columnSpikes, perPartition * c * side, steps, w.Neurons));
                transit = n > 1 ? 2 * latency + bytesPerNode / bytesPerSecond : 0;
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(cluster), cluster.Scheme, "unknown exchange scheme");
        }
        // Steady state: epoch e's packet leaves when e ends and must be in when e + k starts, k − 1 epochs later. With
        // lag 1 the whole transit is waited for; with lag k an epoch lasts max(work, transit / (k − 1)).
        double work = compute + packetCpu;
        double exposed = w.Lag <= 1 ? transit : Math.Max(0, transit / (w.Lag - 1) - work);
        double imbalance = q <= 1 ? 0 : 1e-9 * eventNs * Math.Sqrt(events) * Math.Sqrt(2 * Math.Log(q));
        return new EpochCost(compute, packetCpu, transit, exposed, imbalance, packetsPerNode, bytesPerNode);
    }

    /// <summary>Wall seconds per second of biological time (the real-time factor) of <paramref name="w"/> on <paramref name="cluster"/>.</summary>
    public static double RealTimeFactor(Workload w, ClusterShape cluster, ComponentConstants k) =>
        Epoch(w, cluster, k).Total * w.EpochsPerSecond;

    /// <summary>
    /// The probability that at least one of <paramref name="draws"/> uniformly placed targets lands in a given one of
    /// <paramref name="bins"/> bins: <c>1 − (1 − 1/bins)^draws</c> (1 when there is one bin).
    /// </summary>
    public static double Reach(double draws, double bins) =>
        bins <= 1 ? 1 : -double.ExpM1(draws * double.LogP1(-1 / bins));

    /// <summary>
    /// Expected bytes of <paramref name="spikes"/> spikes of an epoch of <paramref name="steps"/> steps, drawn from
    /// <paramref name="sources"/> source neurons whose global ids lie below <paramref name="maxId"/>, as the spike codec
    /// writes them: the count, per step with spikes a run header, a stamp delta and the first id, then per spike its id
    /// gap from the previous one in its step, a MessagePack integer of 1, 2, 3 or 5 bytes (gaps exponential with the
    /// mean <c>sources ÷ spikes per step</c>).
    /// </summary>
    public static double SpikeBytes(double spikes, double sources, int steps, double maxId)
    {
        if (spikes <= 0) return 2;
        double perStep = spikes / steps;
        double runs = steps * -double.ExpM1(-perStep);
        double perRun = spikes / runs;
        double gap = Math.Max(1, sources / perRun);
        double runHeader = (perRun + 1 <= 15 ? 1 : 3) + 1 + IntegerBytes(maxId / 2) - GapBytes(gap);
        return IntegerBytes(spikes) + (runs <= 15 ? 1 : 3) + runs * runHeader + spikes * GapBytes(gap);
    }

    /// <summary>Expected bytes of a MessagePack integer drawn from an exponential distribution of mean <paramref name="mean"/>.</summary>
    public static double GapBytes(double mean) =>
        1 + Math.Exp(-127 / mean) + Math.Exp(-255 / mean) + 2 * Math.Exp(-65535 / mean) + 4 * Math.Exp(-(double)uint.MaxValue / mean);

    /// <summary>Bytes of a MessagePack integer of this size.</summary>
    public static int IntegerBytes(double v) => v switch
    {
        <= 127 => 1,
        <= 255 => 2,
        <= 65535 => 3,
        <= uint.MaxValue => 5,
        _ => 9,
    };
}
