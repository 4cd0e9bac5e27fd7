using System.Diagnostics;
using DistSnn.Monitoring;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// The telemetry of one job's life, for every runtime: its span and its current phase's span (build, then run), both
/// ended once with the job's outcome, and its real-time factor. Nothing is recorded when nobody listens.
/// </summary>
internal sealed class JobTrace
{
    private readonly string _job;
    private readonly TagList _tags;
    private readonly Activity? _jobSpan;
    private Activity? _phaseSpan;

    /// <summary>Starts the job's span for job <paramref name="job"/> submitted on <paramref name="node"/>.</summary>
    public JobTrace(string job, string node, int partitions, long neurons, long steps)
    {
        _job = job;
        _tags = Telemetry.JobTags(job, node);
        _jobSpan = Telemetry.StartSpan(Telemetry.Spans.Job, default, job);
        _jobSpan?.SetTag("distsnn.partitions", partitions);
        _jobSpan?.SetTag("distsnn.neurons", neurons);
        _jobSpan?.SetTag("distsnn.steps", steps);
    }

    /// <summary>The job span's context (default when nobody traces): the parent of the job's later spans.</summary>
    public ActivityContext Context => _jobSpan?.Context ?? default;

    /// <summary>The partitions are being built (a build span, unless one is open).</summary>
    public void Building() => _phaseSpan ??= Telemetry.StartSpan(Telemetry.Spans.Build, Context, _job);

    /// <summary>Every partition is built: the build span ends and the run span starts.</summary>
    public void Running()
    {
        Telemetry.StopDetached(_phaseSpan);
        _phaseSpan = Telemetry.StartSpan(Telemetry.Spans.Run, Context, _job);
    }

    /// <summary>Records the real-time factor (wall seconds per biological second) when it is known.</summary>
    public void RealTimeFactor(double factor)
    {
        if (Telemetry.RealTimeFactor.Enabled && !double.IsNaN(factor)) Telemetry.RealTimeFactor.Record(factor, _tags);
    }

    /// <summary>The job finished: its spans end.</summary>
    public void Finished()
    {
        Telemetry.StopDetached(_phaseSpan);
        Telemetry.StopDetached(_jobSpan);
    }

    /// <summary>The job failed: its spans end with the reason.</summary>
    public void Failed(string reason)
    {
        Telemetry.Fail(_phaseSpan, reason);
        Telemetry.Fail(_jobSpan, reason);
    }

    /// <summary>The job was cancelled: its spans end, the job's tagged so.</summary>
    public void Cancelled()
    {
        _jobSpan?.SetTag("distsnn.cancelled", true);
        Finished();
    }
}
