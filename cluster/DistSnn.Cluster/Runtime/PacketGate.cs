using DistSnn.Cluster.Serialization;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// Decides whether a spike packet that reached a partition belongs to its run: the job must be the one it was built
/// for, and the epoch must lie between the one it is waiting for and the last epoch of the run. Anything else is
/// stale or hostile input; it is dropped, counted in <see cref="WireRejections"/>, and never reaches the engine, so
/// that it can neither corrupt the run nor pile up in memory. Plain logic, tested without an actor system.
/// </summary>
public static class PacketGate
{
    /// <summary>
    /// Null when the packet is accepted; otherwise why it is rejected. <paramref name="job"/> is null while the
    /// partition holds no built engine. <paramref name="waitingFor"/> is the epoch whose packets the partition
    /// delivers next (packets for it and later epochs are kept, also before the partition's own start); <paramref name="totalSteps"/> and <paramref name="epochSteps"/> are
    /// those of its engine (packets are sent for epochs 0 to <c>(totalSteps - 1) / epochSteps</c> at most).
    /// </summary>
    public static WireRejection? Check(SpikePacket packet, string? job, long waitingFor, long totalSteps, long epochSteps)
    {
        ArgumentNullException.ThrowIfNull(packet);
        if (job is null || packet.Job != job) return WireRejection.UnknownJob;
        if (packet.Epoch < waitingFor) return WireRejection.PastEpoch;
        if (epochSteps > 0 && packet.Epoch > (totalSteps - 1) / epochSteps) return WireRejection.FutureEpoch;
        return null;
    }

    /// <summary>A one-line log message for the first rejection of a kind at a partition.</summary>
    public static string Describe(WireRejection kind, SpikePacket packet, string job, int partition, long waitingFor) => kind switch
    {
        WireRejection.UnknownJob =>
            $"partition {partition} of job '{job}': dropped a packet for unknown job '{packet.Job}' from partition {packet.Source}",
        WireRejection.PastEpoch =>
            $"partition {partition} of job '{job}': dropped a late packet for epoch {packet.Epoch} from partition {packet.Source} (waiting for epoch {waitingFor})",
        _ =>
            $"partition {partition} of job '{job}': dropped a packet for epoch {packet.Epoch} from partition {packet.Source}, after the last epoch of the run",
    } + $"; further {WireRejections.Tag(kind)} packets are counted in /wire, not logged";
}
