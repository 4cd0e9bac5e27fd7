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
}
