using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Cluster;
using DistSnn.Cluster.Runtime;
using DistSnn.Learning.Gradient;

namespace DistSnn.Cluster.Training;

/// <summary>
/// The cluster singleton that runs gradient-training jobs: checks a submission, starts a <see cref="TrainingJob"/>
/// for it, and answers status, result and cancel requests from what its jobs report.
/// </summary>
public sealed partial class TrainingCoordinator : ReceiveActor
{
    private readonly Dictionary<string, (IActorRef? Job, TrainingStatus Status, TrainingResult? Result)> _jobs = new(StringComparer.Ordinal);
    private int _started;

    /// <summary>A coordinator whose jobs checkpoint under <paramref name="checkpointRoot"/> unless a submission names a folder.</summary>
    public TrainingCoordinator(string checkpointRoot)
    {
        Receive<SubmitTraining>(submit =>
        {
            if (Refusal(submit) is { } why)
            {
                Sender.Tell(new JobRejected(submit.Job, why));
                return;
            }
            var job = Context.ActorOf(Props.Create(() => new TrainingJob(submit, checkpointRoot)), $"training-{++_started}");
            Context.Watch(job);
            _jobs[submit.Job] = (job, TrainingStatus.Unknown(submit.Job) with { State = "starting", Error = null, Replicas = submit.Replicas }, null);
            Sender.Tell(new JobAccepted(submit.Job));
        });
        Receive<TrainingStatus>(s =>
        {
            if (_jobs.TryGetValue(s.Job, out var entry) && Equals(entry.Job, Sender)) _jobs[s.Job] = entry with { Status = s };
        });
        Receive<TrainingResult>(r =>
        {
            if (_jobs.TryGetValue(r.Job, out var entry) && Equals(entry.Job, Sender)) _jobs[r.Job] = entry with { Result = r };
        });
        Receive<GetTrainingStatus>(g => Sender.Tell(_jobs.TryGetValue(g.Job, out var e) ? e.Status : TrainingStatus.Unknown(g.Job)));
        Receive<GetTrainingResult>(g =>
        {
            if (_jobs.TryGetValue(g.Job, out var e) && e.Result is { } result) Sender.Tell(result);
            else Sender.Tell(_jobs.TryGetValue(g.Job, out e) ? e.Status : TrainingStatus.Unknown(g.Job));
        });
        Receive<CancelTraining>(c =>
        {
            if (!_jobs.TryGetValue(c.Job, out var e))
            {
                Sender.Tell(TrainingStatus.Unknown(c.Job));
                return;
            }
            if (e.Status.State is "starting" or "running")
            {
                e.Job?.Tell(c);
                e = e with { Status = e.Status with { State = "cancelled" } };
                _jobs[c.Job] = e;
            }
            Sender.Tell(e.Status);
        });
        Receive<ListTraining>(_ => Sender.Tell(new TrainingList(_jobs.Values.Select(e => e.Status).OrderBy(s => s.Job, StringComparer.Ordinal).ToArray())));
        // A job that stops without having reported its end (it threw) has failed.
        Receive<Terminated>(t =>
        {
            foreach (var (id, entry) in _jobs.Where(kv => Equals(kv.Value.Job, t.ActorRef)).ToList())
                if (entry.Status.State is "starting" or "running")
                    _jobs[id] = entry with { Status = entry.Status with { State = "failed", Error = "the job's coordinator stopped on an error (see the node's log)" } };
        });
    }

    /// <summary>
    /// A job that throws is stopped, not restarted: a restarted one would start its replicas a second time, and the
    /// first ones would never hear that it is gone.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    /// <summary>Why a submission is refused (naming the field), or null.</summary>
    private string? Refusal(SubmitTraining submit)
    {
        if (!JobId().IsMatch(submit.Job)) return $"job: '{submit.Job}' is not a job id (1 to 200 letters, digits, '.', '_' or '-', not starting with '.')";
        if (_jobs.TryGetValue(submit.Job, out var existing) && existing.Status.State is "starting" or "running" or "finished")
            return $"job: '{submit.Job}' is {existing.Status.State}; choose another id";
        if (submit.CheckpointEvery < 0) return $"checkpoint_every: must not be negative, got {submit.CheckpointEvery}";
        GradientTrainingOptions options;
        try
        {
            options = TrainingSpec.FromJson(submit.Spec, "spec");
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            return e.Message;
        }
        if (submit.Replicas < 1 || submit.Replicas > options.MicroBatches)
            return $"--replicas: must lie in 1 … {options.MicroBatches} (the micro-batches per batch), got {submit.Replicas}";
        // The weights go out and the gradients come back in one remoting frame each; a larger message would be dropped.
        long bytes = 4L * GradientTrainer.BuildNetwork(options).ParameterCount + 64 * 1024;
        long frame = Hosting.RemotingFrame.Bytes(Context.System);
        if (bytes > frame)
            return $"--arch '{options.Architecture.Text}': its weights take {bytes / 1e6:F1} MB per message, more than the remoting frame of " +
                   $"{frame / 1e6:F1} MB; raise DistSnn:Node:MaxFrameBytes on every node";
        int hosts = Hosts(Akka.Cluster.Cluster.Get(Context.System), submit.Role).Count;
        return hosts < submit.Replicas ? TooFewHosts(submit.Replicas, hosts, submit.Role) : null;
    }

    /// <summary>Members that are up (with <paramref name="role"/> when given), in address order: replica r runs on the r-th.</summary>
    public static IReadOnlyList<Member> Hosts(Akka.Cluster.Cluster cluster, string? role) => cluster.State.Members
        .Where(m => m.Status == MemberStatus.Up && (string.IsNullOrEmpty(role) || m.HasRole(role)))
        .OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).ToList();

    /// <summary>The refusal of more replicas than hosts.</summary>
    public static string TooFewHosts(int replicas, int hosts, string? role) =>
        $"--replicas {replicas}: the cluster has {hosts} member{(hosts == 1 ? "" : "s")} up{(string.IsNullOrEmpty(role) ? "" : $" with role '{role}'")}, " +
        "and each replica needs one of its own";

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$")]
    private static partial Regex JobId();
}
