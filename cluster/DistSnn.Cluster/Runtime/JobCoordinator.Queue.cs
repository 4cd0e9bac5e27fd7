namespace DistSnn.Cluster.Runtime;

/// <summary>
/// The coordinator's job queue: at most <see cref="_maxConcurrentJobs"/> jobs build or run at once, so many
/// submissions at the same moment do not build all their partitions (and hold all their synapses) together. The
/// rest wait first in, first out and start as running jobs end (finished, failed or cancelled).
/// </summary>
public sealed partial class JobCoordinator
{
    private readonly int _maxConcurrentJobs;
    private readonly Queue<JobRun> _queue = new();

    /// <summary>Whether one more job may start now.</summary>
    private bool HasRoom => _maxConcurrentJobs == 0 || Active < _maxConcurrentJobs;

    private int Active => _jobs.Values.Count(r => r.State is JobState.Building or JobState.Running or JobState.Recovering);

    /// <summary>Starts waiting jobs while there is room; a cancelled one is skipped.</summary>
    private void StartQueued()
    {
        while (HasRoom && _queue.TryDequeue(out var run))
        {
            if (run.State != JobState.Queued) continue;
            // Memory is checked when the job starts, not when it was queued: the jobs before it have ended by now.
            if (TooLarge(run.Submit, run.Plan) is { } tooLarge)
            {
                run.Fail(tooLarge);
                Finish(run.Submit.Job, tooLarge);
                continue;
            }
            Launch(run);
        }
    }
}
