using System.Globalization;
using DistSnn.Cluster.Runtime;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Checkpoints;

/// <summary>
/// The coordinator's bookkeeping for one job's checkpoints, kept out of the actor so it can be tested alone: collects
/// the partitions' reports per step and yields the manifest when the last partition of a step has written its file.
/// </summary>
public sealed class CheckpointTracker
{
    private readonly SubmitJob _submit;
    private readonly IReadOnlyList<string> _backends;
    private readonly Dictionary<long, PartitionCheckpointed?[]> _reports = new();

    /// <summary>
    /// Starts tracking <paramref name="submit"/> (which must ask for checkpoints) on partitions hosted by
    /// <paramref name="backends"/> (one name per partition).
    /// </summary>
    public CheckpointTracker(SubmitJob submit, IReadOnlyList<string> backends)
    {
        _submit = submit;
        _backends = backends.ToArray();
        int partitions = _backends.Count;
        Request = submit.Checkpoints ?? throw new ArgumentException("the job asks for no checkpoints", nameof(submit));
        if (Request.EverySteps < 1) throw new ArgumentException($"the checkpoint interval must be at least one step, got {Request.EverySteps}");
        if (Request.Keep < 1) throw new ArgumentException($"at least one checkpoint must be kept, got {Request.Keep}");
        ModelText = CheckpointStore.ModelText(submit.Spec);
        Settings = new PartitionCheckpointing(Request.Directory, Request.EverySteps,
            CheckpointStore.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(ModelText)), partitions);
    }

    /// <summary>
    /// Why <paramref name="s"/> cannot resume from its checkpoint on <paramref name="plan"/> (other partitions, strategy,
    /// backends or model than the checkpoint's), or null when it can or does not resume.
    /// </summary>
    public static string? Refusal(SubmitJob s, PartitionPlan plan)
    {
        if (s.Resume is not { } r) return null;
        if (r.Manifest.Partitions != plan.Parts)
            return $"the checkpoint in {r.StepDirectory} has {r.Manifest.Partitions} partitions; resume with the same number, not {plan.Parts}";
        if (r.Strategy != s.Strategy)
            return $"the checkpoint in {r.StepDirectory} was taken with strategy {r.Manifest.Strategy}; resume with the same";
        for (int q = 0; q < plan.Parts; q++)
            if (r.Manifest.BackendOf(q) != plan.Backend(q))
                return $"the checkpoint in {r.StepDirectory} holds partition {q} on backend '{r.Manifest.BackendOf(q)}', the plan puts it on '{plan.Backend(q)}'";
        if (CheckpointStore.ModelHash(s.Spec) != r.Manifest.ModelHash)
            return $"the model differs from the one the checkpoint in {r.StepDirectory} was taken with";
        return null;
    }

    /// <summary>What the client asked for.</summary>
    public CheckpointRequest Request { get; }
    /// <summary>What each partition is told.</summary>
    public PartitionCheckpointing Settings { get; }
    /// <summary>The model file stored with each checkpoint.</summary>
    public string ModelText { get; }

    /// <summary>
    /// Records one partition's file and, when it is the step's last, completes the checkpoint: writes the model and the
    /// manifest (<see cref="CheckpointStore.Commit"/>) under a checkpoint span, a child of <paramref name="trace"/>, that
    /// covers the last partition's capture and write. Returns the complete manifest, nothing while the step is
    /// incomplete, or why the checkpoint could not be completed.
    /// </summary>
    public (CheckpointManifest? Manifest, string? Error) Complete(PartitionCheckpointed m, System.Diagnostics.ActivityContext trace)
    {
        if (Add(m) is not { } manifest) return (null, null);
        using var span = Monitoring.Telemetry.StartSpan(Monitoring.Telemetry.Spans.Checkpoint, trace, m.Job);
        span?.SetStartTime(DateTime.UtcNow - TimeSpan.FromSeconds(m.Seconds));
        span?.SetTag("distsnn.step", m.Step);
        try
        {
            return (CheckpointStore.Commit(Request.Directory, manifest, ModelText, Request.Keep), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Monitoring.Telemetry.Fail(span, e.Message);
            return (null, $"the checkpoint at step {m.Step} could not be completed: {e.Message}");
        }
    }

    /// <summary>Records one partition's file; returns the manifest (without the model entry) when the step is complete.</summary>
    public CheckpointManifest? Add(PartitionCheckpointed m)
    {
        int n = Settings.Partitions;
        if (m.Partition < 0 || m.Partition >= n) return null;
        if (!_reports.TryGetValue(m.Step, out var reports)) _reports[m.Step] = reports = new PartitionCheckpointed?[n];
        reports[m.Partition] = m;
        if (reports.Any(r => r is null)) return null;
        _reports.Remove(m.Step);
        var spec = _submit.Spec;
        return new CheckpointManifest
        {
            Job = _submit.Job,
            ModelHash = Settings.ModelHash,
            Partitions = n,
            Strategy = _submit.Strategy.Name(),
            Backends = _backends,
            Seed = spec.Run.Seed,
            Step = m.Step,
            TimeMs = m.Step * spec.Run.Dt,
            TotalSteps = spec.Run.Steps,
            CheckpointEverySteps = Request.EverySteps,
            WriteSeconds = reports.Max(r => r!.Seconds),
            CreatedUtc = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            Files = reports.Select(r => r!.File).ToArray(),
        };
    }
}
