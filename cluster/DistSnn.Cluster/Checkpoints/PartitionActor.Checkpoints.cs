using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using DistSnn.Cluster.Checkpoints;

namespace DistSnn.Cluster.Runtime;

/// <summary>The partition's side of checkpoints: writing its file at due boundaries, and restoring from one.</summary>
public sealed partial class PartitionActor
{
    private PartitionCheckpointing? _checkpointing;

    /// <summary>
    /// After building: remembers the checkpoint settings and, when the build message says so, restores the engine and
    /// the undelivered packets from the shared checkpoint directory. This is all a freshly started partition actor on
    /// any node needs to take over a partition. Throws <see cref="CheckpointException"/> naming the file.
    /// </summary>
    private void RestoreIfAsked(BuildPartition msg)
    {
        _checkpointing = msg.Checkpointing;
        if (msg.Restore is not { } restore) return;
        foreach (var p in PartitionCheckpointFile.Restore(restore, msg.Job, msg.Partition, _engine!))
        {
            if (!_pending.TryGetValue(p.Epoch, out var byEpoch)) _pending[p.Epoch] = byEpoch = new Dictionary<int, SpikePacket>();
            byEpoch[p.Source] = p;
        }
    }

    /// <summary>
    /// At a due epoch boundary (every spike of the epoch just run delivered, the next not yet run) writes this
    /// partition's file and tells the coordinator. Packets already received for later epochs are not saved: their
    /// senders checkpoint at the same boundary and send them again after a resume.
    /// </summary>
    private void CheckpointIfDue()
    {
        if (_checkpointing is not { } c || _engine is not { } engine) return;
        if (!c.Due(engine.CurrentStep, engine.EpochSteps, engine.TotalSteps)) return;
        var clock = Stopwatch.StartNew();
        var undelivered = _pending.Where(kv => kv.Key < engine.NextEpoch).OrderBy(kv => kv.Key)
            .SelectMany(kv => kv.Value.Values.OrderBy(p => p.Source)).ToList();
        try
        {
            var data = PartitionCheckpointFile.Write(_job, _partition, c, engine, undelivered);
            string dir = CheckpointStore.StepDirectory(c.Directory, _job, engine.CurrentStep);
            var entry = CheckpointStore.WriteAtomically(Path.Combine(dir, CheckpointStore.PartitionFileName(_partition)), data);
            _coordinator.Tell(new PartitionCheckpointed(_job, _partition, engine.CurrentStep, entry, clock.Elapsed.TotalSeconds));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error(e, "partition {0} of job {1}: checkpoint at step {2} failed", _partition, _job, engine.CurrentStep);
            _running = false;
            _coordinator.Tell(new PartitionFailed(_job, _partition, $"checkpoint at step {engine.CurrentStep} could not be written: {e.Message}"));
        }
    }
}
