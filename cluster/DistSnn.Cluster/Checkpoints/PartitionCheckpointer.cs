using System.Diagnostics;
using DistSnn.Cluster.Runtime;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;

namespace DistSnn.Cluster.Checkpoints;

/// <summary>A partition's checkpoint file of <see cref="Step"/> is on disk (<see cref="Entry"/>), or could not be written (<see cref="Error"/>).</summary>
public sealed record CheckpointWritten(long Step, CheckpointFileEntry? Entry, double Seconds, string? Error);

/// <summary>
/// A partition's side of checkpoints, for every runtime (the partition actor, the in-process job): it keeps the
/// partition's own spikes of the epochs it has run whose spikes are not delivered yet (with exchange lag k > 1 a
/// checkpoint falls between such epochs; they are saved and sent again after a restore), captures the backend's state
/// at due epoch boundaries, and writes the files in the background, one after another, so that the run goes on while
/// a file is flushed and a later step can never be reported before an earlier one.
/// </summary>
public sealed class PartitionCheckpointer(string job, int partition, PartitionCheckpointing settings, IPartitionBackend backend)
{
    private readonly Queue<SpikePacket> _recentOut = new();
    private Task _lastWrite = Task.CompletedTask;

    /// <summary>Keeps a copy of epoch <paramref name="epoch"/>'s own spikes while a checkpoint may need them (lag > 1 only).</summary>
    public void KeepOwn(long epoch, SpikeBatch spikes)
    {
        if (backend.Clock.Lag <= 1) return;
        while (_recentOut.Count > 0 && _recentOut.Peek().Epoch < backend.Clock.DeliveredEpochs) _recentOut.Dequeue();
        _recentOut.Enqueue(new SpikePacket(job, epoch, partition, spikes.Stamps[..spikes.Count], spikes.Gids[..spikes.Count]));
    }

    /// <summary>After a restore: the own packets the checkpoint held are kept again, as if just run.</summary>
    public void KeepRestored(IEnumerable<SpikePacket> packets)
    {
        foreach (var p in packets) _recentOut.Enqueue(p);
    }

    /// <summary>
    /// At an epoch boundary right after a delivery (every partition is then at the same step): when a checkpoint is due
    /// here, captures the state and this partition's undelivered own packets and writes the file in the background into
    /// the job's step folder; <paramref name="written"/> is called (on a pool thread) when it is on disk or failed.
    /// Packets received for epochs not yet delivered are not saved: their senders save their own and send them again.
    /// Returns whether a checkpoint was taken.
    /// </summary>
    public bool CaptureIfDue(Action<CheckpointWritten> written)
    {
        var clock = backend.Clock;
        if (!settings.Due(clock.CurrentStep, clock.EpochSteps, clock.TotalSteps)) return false;
        var watch = Stopwatch.StartNew();
        var undelivered = _recentOut.Where(p => p.Epoch >= clock.DeliveredEpochs).ToList();
        var data = PartitionCheckpointFile.Write(job, partition, settings, backend, undelivered);
        long step = clock.CurrentStep;
        // Every incarnation of a job writes into the job's folder (see JobIncarnation).
        string dir = CheckpointStore.StepDirectory(settings.Directory, JobIncarnation.JobOf(job), step);
        string path = Path.Combine(dir, CheckpointStore.PartitionFileName(partition));
        // The result is reported from inside the write, before the next write can start: a strict order, and no
        // exception escapes to fault the chain or leave a write counted that never ends.
        _lastWrite = _lastWrite.ContinueWith(_ =>
        {
            CheckpointWritten result;
            try
            {
                result = new CheckpointWritten(step, CheckpointStore.WriteAtomically(path, data), watch.Elapsed.TotalSeconds, null);
            }
            catch (Exception e)
            {
                result = new CheckpointWritten(step, null, watch.Elapsed.TotalSeconds, e.Message);
            }
            written(result);
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return true;
    }

    /// <summary>Completes when every file started so far is written (or failed).</summary>
    public Task Flushed => _lastWrite;
}
