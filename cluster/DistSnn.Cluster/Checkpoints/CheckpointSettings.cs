using DistSnn.Partitioner;

namespace DistSnn.Cluster.Checkpoints;

/// <summary>
/// Asked for by the client with a job: write a checkpoint at the first epoch boundary at or after every
/// <see cref="EverySteps"/> steps of biological time into <see cref="Directory"/> (<c>Directory/&lt;job&gt;/step-&lt;N&gt;/</c>),
/// keeping the last <see cref="Keep"/> complete ones.
/// </summary>
public sealed record CheckpointRequest(string Directory, long EverySteps, int Keep = 2);

/// <summary>
/// Coordinator → partition (with <c>BuildPartition</c>): where and when to checkpoint, and the model hash each file
/// carries so that it can never be restored into another model.
/// </summary>
public sealed record PartitionCheckpointing(string Directory, long EverySteps, string ModelHash, int Partitions)
{
    /// <summary>
    /// Whether epoch boundary <paramref name="step"/> (reached after an epoch of <paramref name="epochSteps"/>) gets a
    /// checkpoint: the first boundary at or after each multiple of <see cref="EverySteps"/>, never the end of the run.
    /// Every partition computes the same answer, so all checkpoint at the same boundary without being told.
    /// </summary>
    public bool Due(long step, long epochSteps, long totalSteps) =>
        step > 0 && step < totalSteps && step / EverySteps != (step - epochSteps) / EverySteps;
}

/// <summary>
/// Partition → coordinator: this partition's file of the checkpoint at <see cref="Step"/> is in place
/// (<see cref="File"/>: name, size, SHA-256), written in <see cref="Seconds"/>. When every partition has reported a
/// step, the coordinator writes the manifest. Not answered.
/// </summary>
public sealed record PartitionCheckpointed(string Job, int Partition, long Step, CheckpointFileEntry File, double Seconds);

/// <summary>
/// Coordinator → partition (with <c>BuildPartition</c>): restore from <see cref="File"/> (in the shared checkpoint
/// directory) after building; its SHA-256 must be <see cref="Sha256"/> and it must carry <see cref="ModelHash"/>.
/// </summary>
public sealed record PartitionRestore(string File, string Sha256, string ModelHash);

/// <summary>Resume a job from a verified checkpoint (see <see cref="CheckpointStore.Load"/>).</summary>
public sealed record ResumeFrom(string StepDirectory, CheckpointManifest Manifest)
{
    /// <summary>The partition strategy the checkpoint was taken with.</summary>
    public PartitionStrategy Strategy => PartitionStrategyNames.TryParse(Manifest.Strategy, out var s)
        ? s
        : throw new CheckpointException($"{Path.Combine(StepDirectory, CheckpointStore.ManifestName)}: unknown strategy '{Manifest.Strategy}'");
}
