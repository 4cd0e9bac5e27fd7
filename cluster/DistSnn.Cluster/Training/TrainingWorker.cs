using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.Gradient;
using DistSnn.Model.Datasets;

namespace DistSnn.Cluster.Training;

/// <summary>
/// Every node's host of training replicas, at <c>/user/train-worker</c>: the training coordinator asks it for a
/// replica of a job, and it starts one as its child. A replica is stateless between steps (the weights come with
/// every step), so a lost node loses no training state.
/// </summary>
public sealed class TrainingWorker : ReceiveActor
{
    /// <summary>The worker's actor name under <c>/user</c>.</summary>
    public const string Name = "train-worker";

    private int _started;

    /// <summary>Creates the worker.</summary>
    public TrainingWorker()
    {
        Receive<StartReplica>(start =>
        {
            // Several jobs (or a job restarted on the same node) each get a child of their own.
            var child = Context.ActorOf(Props.Create(() => new ReplicaActor(start, Sender)), $"replica-{++_started}");
            Context.Watch(child);
        });
        Receive<Terminated>(_ => { });
    }

    /// <summary>
    /// A replica that throws is stopped, not restarted: a restarted one would have lost the step it was computing, and
    /// its coordinator hears of the stop (as of a lost node) and gives the work to the others.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;
}

/// <summary>One replica of one job: loads the training data and builds the network, then computes the micro-batches it is sent.</summary>
internal sealed class ReplicaActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _job;

    /// <summary>host:port of this node (the actor system's name when it is not remote).</summary>
    internal static string NodeName(ActorSystem system)
    {
        var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        return address.Host is null ? address.System : address.HostPort();
    }

    public ReplicaActor(StartReplica start, IActorRef coordinator)
    {
        _job = start.Job;
        GradientReplica replica;
        try
        {
            var options = TrainingSpec.FromJson(start.Spec, $"training job {start.Job}");
            if (TrainingPlatform.Signature != start.Platform)
                throw new ArgumentException($"this machine computes with {TrainingPlatform.Signature}, the coordinator's with {start.Platform}: " +
                    "their gradients would differ in the last bits; run replicas on machines of one kind (or use --role)");
            string fingerprint = TrainingData.Fingerprint(start.DataDirectory);
            if (fingerprint != start.DataFingerprint)
                throw new ArgumentException($"the training data in {FashionMnist.ResolveDirectory(start.DataDirectory, Environment.GetEnvironmentVariable(FashionMnist.DirectoryVariable))} " +
                    $"(checksum {fingerprint}) differ from the coordinator's ({start.DataFingerprint})");
            replica = new GradientReplica(options, TrainingData.Train(start.DataDirectory));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or DatasetMissingException or IdxFormatException or IOException
                                       or UnauthorizedAccessException)
        {
            coordinator.Tell(new ReplicaFailed(start.Job, start.Replica, $"node {NodeName(Context.System)}: {e.Message}"));
            Context.Stop(Self);
            return;
        }
        Context.Watch(coordinator);
        coordinator.Tell(new ReplicaReady(start.Job, start.Replica));
        Receive<ComputeMicroBatches>(work => work.Job == _job, work =>
        {
            try
            {
                // Each node's sum leaves as soon as it is added up, while the next is computed.
                foreach (var node in replica.ComputeSubtrees(work.Parameters, work.Batch, (ulong)work.Epoch, work.MicroBatches))
                    Sender.Tell(new MicroBatchGradient(_job, work.Step, node.Node.Start, node.Node.Level, node.Loss, node.Correct,
                        node.Rates.SelectMany(r => r).ToArray(), node.Gradient));
            }
            catch (ArgumentException e)
            {
                // Work that does not fit this replica's network or data (another version, another data set): the job cannot go on.
                Sender.Tell(new ReplicaFailed(_job, start.Replica, $"node {NodeName(Context.System)}: {e.Message}"));
                Context.Stop(Self);
            }
        });
        Receive<StopReplica>(_ => Context.Stop(Self));
        // The job's coordinator is gone (its node lost, the job over): the replica is of no use any more.
        Receive<Terminated>(_ =>
        {
            _log.Info("training job {0}: its coordinator is gone; replica stops", _job);
            Context.Stop(Self);
        });
    }
}

/// <summary>
/// Training data sets read once per node and folder: replicas and coordinators of several jobs on one node share
/// them (they are read-only).
/// </summary>
public static class TrainingData
{
    private static readonly ConcurrentDictionary<string, Lazy<FashionMnist>> Sets = new(StringComparer.Ordinal);

    /// <summary>Fashion-MNIST from <paramref name="directory"/> (null: the node's default folder).</summary>
    /// <exception cref="DatasetMissingException">A file is missing.</exception>
    /// <exception cref="IdxFormatException">A file is malformed.</exception>
    public static FashionMnist Load(string? directory)
    {
        string key = FashionMnist.ResolveDirectory(directory, Environment.GetEnvironmentVariable(FashionMnist.DirectoryVariable));
        var lazy = Sets.GetOrAdd(key, k => new Lazy<FashionMnist>(() => FashionMnist.Load(k)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A failed read is not kept: the files may be installed before the next job.
            Sets.TryRemove(new KeyValuePair<string, Lazy<FashionMnist>>(key, lazy));
            throw;
        }
    }

    /// <summary>The training split of <see cref="Load"/>.</summary>
    public static LabeledImages Train(string? directory) => Load(directory).Train;

    private static readonly ConcurrentDictionary<string, string> Fingerprints = new(StringComparer.Ordinal);

    /// <summary>SHA-256 (16 hex digits) of the training split's pixels and labels, computed once per folder.</summary>
    public static string Fingerprint(string? directory)
    {
        var set = Load(directory);
        return Fingerprints.GetOrAdd(set.Directory, _ =>
        {
            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            for (int i = 0; i < set.Train.Count; i++) sha.AppendData(set.Train.Image(i));
            sha.AppendData(set.Train.Labels);
            return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
        });
    }
}

/// <summary>
/// What decides the bits of a gradient besides the data: the processor architecture and the vector widths and fused
/// multiply-add that <c>System.Numerics.Tensors</c> uses on this machine (they set how its sums are grouped).
/// </summary>
public static class TrainingPlatform
{
    /// <summary>This machine's signature, e.g. "X64 v512 v256 v128 fma".</summary>
    public static string Signature { get; } = string.Join(' ', new[]
    {
        System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(),
        System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "v512" : "",
        System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "v256" : "",
        System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? "v128" : "",
        System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "fma" : "",
    }.Where(s => s.Length > 0));
}
