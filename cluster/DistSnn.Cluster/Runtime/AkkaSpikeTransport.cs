using Akka.Actor;
using DistSnn.Cluster.Serialization;
using DistSnn.Nodes;
using DistSnn.Nodes.Exchange;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// The Akka transport: an epoch's spikes leave a partition actor as one <see cref="SpikePacket"/> per out-neighbour
/// (MessagePack over remoting when the neighbour is on another node), filtered to the sources the neighbour has
/// synapses from, and split into parts when a packet could exceed a remoting frame.
/// </summary>
internal sealed class AkkaSpikeTransport(string job, IReadOnlyList<OutRoute> routes, int maxSpikesPerPart, PartitionMeter? meter)
    : ISpikeTransport
{
    /// <inheritdoc />
    public void Send(int source, long epoch, SpikeBatch spikes)
    {
        foreach (var route in routes)
        {
            var (stamps, gids) = SpikeRoute.Select(route.Filter, spikes);
            var packet = new SpikePacket(job, epoch, source, stamps, gids);
            meter?.PacketSent(packet);
            if (packet.Stamps.Length <= maxSpikesPerPart) route.Target.Tell(packet);
            else
                foreach (var part in SpikePacketSplitter.Split(packet, maxSpikesPerPart)) route.Target.Tell(part);
        }
    }
}
