using Akka.Event;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Monitoring;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Runtime;

/// <summary>The coordinator's side of checkpoints: settings for the partitions, manifests, resuming.</summary>
public sealed partial class JobCoordinator
{
    private readonly Dictionary<string, CheckpointTracker> _checkpointTrackers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Action<CheckpointManifest>> _checkpointWatchers = new(StringComparer.Ordinal);

    /// <summary>Checks a job's checkpoint and resume settings; returns why they cannot be used, or null.</summary>
    private string? PrepareCheckpoints(SubmitJob s, PartitionPlan plan)
    {
        try
        {
            if (CheckpointTracker.Refusal(s, plan) is { } refused) return refused;
            if (s.Checkpoints is not null) _checkpointTrackers[s.Job] = new CheckpointTracker(s, plan.Backends);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or CheckpointException)
        {
            return e.Message;
        }
    }

    /// <summary>Adds the checkpoint settings and, when resuming, the partition's file to restore from.</summary>
    private BuildPartition WithCheckpoints(SubmitJob s, BuildPartition b)
    {
        PartitionRestore? restore = null;
        if (s.Resume is { } r)
        {
            string name = CheckpointStore.PartitionFileName(b.Partition);
            var entry = r.Manifest.Files.First(f => f.Name == name); // presence checked when the checkpoint was loaded
            restore = new PartitionRestore(Path.Combine(r.StepDirectory, name), entry.Sha256, r.Manifest.ModelHash);
        }
        return b with
        {
            Checkpointing = _checkpointTrackers.TryGetValue(s.Job, out var t) ? t.Settings : null,
            Restore = restore,
        };
    }

    private void OnCheckpointed(PartitionCheckpointed m)
    {
        // Reports of an earlier incarnation (before a recovery) are dropped: their checkpoint can no longer complete.
        if (!Current(m.Job, out var run) || run.State != JobState.Running || !_checkpointTrackers.TryGetValue(run.Submit.Job, out var tracker)) return;
        var (complete, error) = tracker.Complete(m, run.Trace);
        if (error is not null)
        {
            FailJob(run.Submit.Job, error);
            return;
        }
        if (complete is not { } manifest) return;
        _log.Info("job {0}: checkpoint at step {1} ({2} ms) in {3}", run.Submit.Job, m.Step, manifest.TimeMs,
            CheckpointStore.StepDirectory(tracker.Request.Directory, run.Submit.Job, m.Step));
        if (_checkpointWatchers.TryGetValue(run.Submit.Job, out var watch)) watch(manifest);
    }
}
