using DistSnn.Cluster.Serialization;
using DistSnn.Nodes.Exchange;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// Decides whether a spike packet that reached a partition belongs to its run. The job must be the one the partition
/// was built for (<see cref="CheckJob"/>); the epoch and source are the partition's <see cref="EpochExchange{TPacket}"/>'s
/// to judge (<see cref="Of"/> turns its verdict into a rejection). Anything else is stale or hostile input; it is
/// dropped, counted in <see cref="WireRejections"/>, and never reaches the backend, so that it can neither corrupt the
/// run nor pile up in memory. Plain logic, tested without an actor system.
/// </summary>
public static class PacketGate
{
    /// <summary>Null when the packet is for <paramref name="job"/>; <see cref="WireRejection.UnknownJob"/> otherwise, and while the partition holds no build (<paramref name="job"/> null).</summary>
    public static WireRejection? CheckJob(SpikePacket packet, string? job)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return job is null || packet.Job != job ? WireRejection.UnknownJob : null;
    }

    /// <summary>The rejection of a packet the exchange did not keep; null when it was kept or is a harmless duplicate.</summary>
    public static WireRejection? Of(PacketVerdict verdict) => verdict switch
    {
        PacketVerdict.PastEpoch => WireRejection.PastEpoch,
        PacketVerdict.FutureEpoch => WireRejection.FutureEpoch,
        PacketVerdict.UnknownSource => WireRejection.UnknownSource,
        _ => null,
    };

    /// <summary>A one-line log message for the first rejection of a kind at a partition.</summary>
    public static string Describe(WireRejection kind, SpikePacket packet, string job, int partition, long waitingFor) => kind switch
    {
        WireRejection.UnknownJob =>
            $"partition {partition} of job '{job}': dropped a packet for unknown job '{packet.Job}' from partition {packet.Source}",
        WireRejection.PastEpoch =>
            $"partition {partition} of job '{job}': dropped a late packet for epoch {packet.Epoch} from partition {packet.Source} (waiting for epoch {waitingFor})",
        WireRejection.UnknownSource =>
            $"partition {partition} of job '{job}': dropped a packet for epoch {packet.Epoch} from partition {packet.Source}, which is not one of its in-neighbours",
        _ =>
            $"partition {partition} of job '{job}': dropped a packet for epoch {packet.Epoch} from partition {packet.Source}, after the last epoch of the run",
    } + $"; further {WireRejections.Tag(kind)} packets are counted in /wire, not logged";
}
