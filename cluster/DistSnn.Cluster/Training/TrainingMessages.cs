using Akka.Actor;

namespace DistSnn.Cluster.Training;

/// <summary>
/// A gradient-training job for the training coordinator: <paramref name="Spec"/> is the settings as
/// <see cref="Learning.Gradient.TrainingSpec"/> JSON; <paramref name="Replicas"/> replicas run on as many members
/// that are up (with <paramref name="Role"/> when given), one each. <paramref name="DataDirectory"/> is the
/// Fashion-MNIST folder as every node sees it (null: each node's default). With <paramref name="CheckpointEvery"/>
/// &gt; 0 the state is saved every that many optimizer steps and after each epoch under
/// <paramref name="CheckpointDirectory"/>/JOB/checkpoint.bin (null: the coordinator node's checkpoint directory); a
/// job submitted again under the same id goes on from it.
/// </summary>
public sealed record SubmitTraining(string Job, string Spec, string? DataDirectory, int Replicas, string? Role, int CheckpointEvery,
    string? CheckpointDirectory);

/// <summary>
/// Asks a node's training worker to start replica <paramref name="Replica"/> of a job; it answers the sender. The
/// replica refuses to start unless its training data have the coordinator's <paramref name="DataFingerprint"/> and its
/// machine does arithmetic as the coordinator's does (<paramref name="Platform"/>, see <see cref="TrainingPlatform"/>):
/// otherwise its gradients would differ in their bits.
/// </summary>
public sealed record StartReplica(string Job, string Spec, string? DataDirectory, int Replica, string DataFingerprint, string Platform);

/// <summary>A replica has loaded its data and built its network; the sender is the replica.</summary>
public sealed record ReplicaReady(string Job, int Replica);

/// <summary>
/// A replica could not start (data missing, settings refused) or was sent work that does not fit its network: the reason
/// names the node and the file or the mismatch.
/// </summary>
public sealed record ReplicaFailed(string Job, int Replica, string Reason);

/// <summary>
/// One optimizer step's work for a replica: the weights of the step, its minibatch (dataset indices in batch order,
/// encoding stream <paramref name="Epoch"/>) and the micro-batches this replica is to compute, ascending. Each is
/// answered with one <see cref="MicroBatchGradient"/>.
/// </summary>
public sealed record ComputeMicroBatches(string Job, long Step, long Epoch, float[] Parameters, int[] Batch, int[] MicroBatches);

/// <summary>
/// The summed gradient of the reduction tree's node (<paramref name="Start"/>, <paramref name="Level"/>) — micro-batches
/// Start … Start + 2^Level − 1 — of step <paramref name="Step"/>, and per micro-batch under it the loss, hits and
/// layer rates (<paramref name="Rates"/>: micro-batch by micro-batch, layer by layer).
/// </summary>
public sealed record MicroBatchGradient(string Job, long Step, int Start, int Level, double[] Loss, int[] Correct, double[] Rates, float[] Gradient);

/// <summary>Ends a job's replica on its node.</summary>
public sealed record StopReplica(string Job);

/// <summary>Asks for a training job's status (answered with <see cref="TrainingStatus"/>).</summary>
public sealed record GetTrainingStatus(string Job);

/// <summary>Cancels a training job (answered with its <see cref="TrainingStatus"/>).</summary>
public sealed record CancelTraining(string Job);

/// <summary>Asks for every training job's status (answered with <see cref="TrainingList"/>).</summary>
public sealed record ListTraining
{
    /// <summary>The message.</summary>
    public static readonly ListTraining Instance = new();
}

/// <summary>Every training job the coordinator knows.</summary>
public sealed record TrainingList(IReadOnlyList<TrainingStatus> Jobs);

/// <summary>
/// A training job's progress: <paramref name="State"/> is starting, running, finished, failed, cancelled or unknown;
/// step counts optimizer steps over the whole run; loss and accuracy are of the last minibatch, validation of the
/// last epoch (NaN before the first); <paramref name="Checksum"/> is that of the current weights.
/// </summary>
public sealed record TrainingStatus(string Job, string State, int Epoch, int Epochs, long Step, long TotalSteps, double Loss, double Accuracy,
    double ValidationAccuracy, double SamplesPerSecond, int Replicas, double WallSeconds, string Checksum, string? Error)
{
    /// <summary>The status of a job the coordinator does not know.</summary>
    public static TrainingStatus Unknown(string job) => new(job, "unknown", 0, 0, 0, 0, double.NaN, double.NaN, double.NaN, 0, 0, 0, "", "unknown job");
}

/// <summary>Asks for a finished training job's weights and reports (answered with <see cref="TrainingResult"/>, or a <see cref="TrainingStatus"/> when it has none).</summary>
public sealed record GetTrainingResult(string Job);

/// <summary>
/// A finished job: the trained parameters, the epoch reports (JSON list of
/// <see cref="Learning.Gradient.EpochReport"/>), the seconds spent in minibatches and the replicas it ended with.
/// </summary>
public sealed record TrainingResult(string Job, float[] Parameters, string ReportsJson, double TrainSeconds, int Replicas, string Checksum);

/// <summary>Registry key of the training coordinator singleton's proxy.</summary>
public sealed class TrainingCoordinatorProxy;
