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
    private readonly Dictionary<long, PartitionCheckpointed?[]> _reports = new();

    /// <summary>Starts tracking <paramref name="submit"/> (which must ask for checkpoints) on <paramref name="partitions"/> partitions.</summary>
    public CheckpointTracker(SubmitJob submit, int partitions)
    {
        _submit = submit;
        Request = submit.Checkpoints ?? throw new ArgumentException("the job asks for no checkpoints", nameof(submit));
        if (Request.EverySteps < 1) throw new ArgumentException($"the checkpoint interval must be at least one step, got {Request.EverySteps}");
        if (Request.Keep < 1) throw new ArgumentException($"at least one checkpoint must be kept, got {Request.Keep}");
        ModelText = CheckpointStore.ModelText(submit.Spec);
        Settings = new PartitionCheckpointing(Request.Directory, Request.EverySteps,
            CheckpointStore.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(ModelText)), partitions);
    }

    /// <summary>What the client asked for.</summary>
    public CheckpointRequest Request { get; }
    /// <summary>What each partition is told.</summary>
    public PartitionCheckpointing Settings { get; }
    /// <summary>The model file stored with each checkpoint.</summary>
    public string ModelText { get; }

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
