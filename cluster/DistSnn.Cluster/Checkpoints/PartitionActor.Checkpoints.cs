using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using DistSnn.Cluster.Checkpoints;

namespace DistSnn.Cluster.Runtime;

/// <summary>The partition's side of checkpoints: writing its file at due boundaries, and restoring from one.</summary>
public sealed partial class PartitionActor
{
    private PartitionCheckpointing? _checkpointing;
    // With exchange lag k > 1 a checkpoint falls between epochs that every partition has run but nobody has had
    // delivered yet: this partition's own spikes of those epochs, kept to be saved and sent again after a restore.
    private readonly Queue<SpikePacket> _recentOut = new();
    private List<SpikePacket> _resend = [];
    // Files being written in the background, and the results message held back until they are all on disk.
    private int _writesInFlight;
    // Writes run one after another, so this partition reports its checkpoints in step order and a later step can
    // never be complete at the coordinator before an earlier one (a slow flush would otherwise let it overtake).
    private Task _lastWrite = Task.CompletedTask;
    private PartitionFinished? _finishedAfterWrites;

    /// <summary>Internal: a checkpoint file is on disk (or could not be written).</summary>
    private sealed record CheckpointWritten(long Step, CheckpointFileEntry? Entry, double Seconds, string? Error);

    /// <summary>
    /// After building: remembers the checkpoint settings and, when the build message says so, restores the engine and
    /// this partition's spikes of the epochs run but not yet delivered (sent again on start) from the shared
    /// checkpoint directory. This is all a freshly started partition actor on any node needs to take over a
    /// partition. Throws <see cref="CheckpointException"/> naming the file.
    /// </summary>
    private void RestoreIfAsked(BuildPartition msg)
    {
        _checkpointing = msg.Checkpointing;
        if (msg.Restore is not { } restore) return;
        _resend = PartitionCheckpointFile.Restore(restore, msg.Job, msg.Partition, _engine!).OrderBy(p => p.Epoch).ToList();
    }

    /// <summary>On start after a restore: every partition sends its in-transit epochs again, so none is lost.</summary>
    private void ResendRestoredPackets()
    {
        foreach (var p in _resend) Send(p.Epoch, new Nodes.SpikeBatch(p.Stamps, p.Gids, p.Stamps.Length));
        foreach (var p in _resend) _recentOut.Enqueue(p);
        _resend = [];
    }

    /// <summary>Keeps a copy of an epoch's own spikes while a checkpoint may need them (checkpointed runs, lag > 1).</summary>
    private void KeepForCheckpoint(long epoch, Nodes.SpikeBatch spikes)
    {
        if (_checkpointing is null || _engine is not { Lag: > 1 } engine) return;
        while (_recentOut.Count > 0 && _recentOut.Peek().Epoch < engine.DeliveredEpochs) _recentOut.Dequeue();
        _recentOut.Enqueue(new SpikePacket(_job, epoch, _partition, spikes.Stamps[..spikes.Count], spikes.Gids[..spikes.Count]));
    }

    /// <summary>
    /// At a due epoch boundary (right after a delivery, before the next epoch runs; every partition is then at the
    /// same step) captures this partition's state and writes its file in the background — the run goes on while
    /// the file is written and flushed, after this partition's earlier files — then tells the coordinator. Packets received for epochs not yet delivered
    /// are not saved: their senders save their own spikes of those epochs and send them again on resume.
    /// </summary>
    private void CheckpointIfDue()
    {
        if (_checkpointing is not { } c || _engine is not { } engine) return;
        if (!c.Due(engine.CurrentStep, engine.EpochSteps, engine.TotalSteps)) return;
        var clock = Stopwatch.StartNew();
        var undelivered = _recentOut.Where(p => p.Epoch >= engine.DeliveredEpochs).ToList();
        var data = PartitionCheckpointFile.Write(_job, _partition, c, engine, undelivered);
        long step = engine.CurrentStep;
        // Every incarnation of a job writes into the job's folder (see JobIncarnation).
        string dir = CheckpointStore.StepDirectory(c.Directory, JobIncarnation.JobOf(_job), step);
        string path = Path.Combine(dir, CheckpointStore.PartitionFileName(_partition));
        _writesInFlight++;
        var self = Self;
        // The result is told from inside the write, before the next write can start: a strict order, and no
        // exception escapes to fault the chain or leave _writesInFlight waiting for a message that never comes.
        _lastWrite = _lastWrite.ContinueWith(_ =>
        {
            CheckpointWritten result;
            try
            {
                result = new CheckpointWritten(step, CheckpointStore.WriteAtomically(path, data), clock.Elapsed.TotalSeconds, null);
            }
            catch (Exception e)
            {
                result = new CheckpointWritten(step, null, clock.Elapsed.TotalSeconds, e.Message);
            }
            self.Tell(result);
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
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
        _engine = null;
        Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PartitionHandOff.Instance));
    }
}
