using Akka.Actor;
using Akka.Event;
using DistSnn.Cluster.Checkpoints;

namespace DistSnn.Cluster.Runtime;

/// <summary>The partition's side of checkpoints: writing its file at due boundaries, and restoring from one.</summary>
public sealed partial class PartitionActor
{
    private PartitionCheckpointer? _checkpointer;
    private List<SpikePacket> _resend = [];
    // Files being written in the background (counted until their message is handled here), and the results message
    // held back until they are all reported, so that the coordinator sees every checkpoint before the results.
    private int _writesInFlight;
    private PartitionFinished? _finishedAfterWrites;

    /// <summary>
    /// After building: sets up checkpoints when the build message asks for them and, when it says so, restores the
    /// backend and this partition's spikes of the epochs run but not yet delivered (sent again on start) from the shared
    /// checkpoint directory. This is all a freshly started partition actor on any node needs to take over a
    /// partition. Throws <see cref="CheckpointException"/> naming the file.
    /// </summary>
    private void RestoreIfAsked(BuildPartition msg)
    {
        _checkpointer = msg.Checkpointing is { } settings ? new PartitionCheckpointer(msg.Job, msg.Partition, settings, _backend!) : null;
        if (msg.Restore is not { } restore) return;
        _resend = PartitionCheckpointFile.Restore(restore, msg.Job, msg.Partition, _backend!).OrderBy(p => p.Epoch).ToList();
    }

    /// <summary>On start after a restore: every partition sends its in-transit epochs again, so none is lost.</summary>
    private void ResendRestoredPackets()
    {
        foreach (var p in _resend) _transport!.Send(_partition, p.Epoch, new Nodes.SpikeBatch(p.Stamps, p.Gids, p.Stamps.Length));
        _checkpointer?.KeepRestored(_resend);
        _resend = [];
    }

    /// <summary>Keeps a copy of an epoch's own spikes while a checkpoint may need them.</summary>
    private void KeepForCheckpoint(long epoch, Nodes.SpikeBatch spikes) => _checkpointer?.KeepOwn(epoch, spikes);

    /// <summary>At an epoch boundary right after a delivery: a checkpoint when one is due (see <see cref="PartitionCheckpointer"/>).</summary>
    private void CheckpointIfDue()
    {
        if (_checkpointer is null) return;
        // The capture is not simulation time.
        _simulate.Stop();
        var self = Self;
        if (_checkpointer.CaptureIfDue(written => self.Tell(written))) _writesInFlight++;
        _simulate.Start();
    }

    private void OnCheckpointWritten(CheckpointWritten w)
    {
        _writesInFlight--;
        if (w.Entry is { } entry)
            _coordinator.Tell(new PartitionCheckpointed(_job, _partition, w.Step, entry, w.Seconds));
        else
        {
            _log.Error("partition {0} of job {1}: checkpoint at step {2} failed: {3}", _partition, _job, w.Step, w.Error);
            _running = false;
            _finishedAfterWrites = null;
            _coordinator.Tell(new PartitionFailed(_job, _partition, $"checkpoint at step {w.Step} could not be written: {w.Error}"));
            return;
        }
        if (_writesInFlight == 0 && _finishedAfterWrites is { } finished)
        {
            _finishedAfterWrites = null;
            _coordinator.Tell(finished);
        }
    }

    /// <summary>Sends the results, after any checkpoint file still being written, so the coordinator sees it first.</summary>
    private void TellFinished(PartitionFinished finished)
    {
        if (_writesInFlight > 0) _finishedAfterWrites = finished;
        else _coordinator.Tell(finished);
    }

    /// <summary>
    /// The coordinator of this partition's job is gone (its node crashed or left): nobody will collect the results or
    /// route a replacement partition to this one, so it stops. A coordinator that takes the job over rebuilds every
    /// partition from the newest checkpoint under a new incarnation.
    /// </summary>
    private void OnCoordinatorStopped(Terminated t)
    {
        if (!t.ActorRef.Equals(_coordinator)) return;
        _log.Warning("partition {0} of job {1}: the job's coordinator on {2} stopped; stopping too", _partition, _job, t.ActorRef.Path.Address);
        _running = false;
        _backend = null;
        _loop = null;
        Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PartitionHandOff.Instance));
    }
}
