using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>
/// The coordinator's queue: beyond its limit of concurrent jobs, submissions wait (state Queued) and start first in,
/// first out as running jobs end; a queued job can be cancelled; a job cancelled while building leaves no partition.
/// </summary>
public class JobQueueSpecs : TestKit
{
    private static NetworkSpec Small(double durationMs)
    {
        var b = new NetworkBuilder("small").WithDt(0.1).WithDuration(durationMs).WithSeed(5);
        var n = b.Population("n", 200, new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10, TRef = 2 })
            .Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        b.Connect(n, n, new FixedProbability(0.1), weight: 0.5, delay: 1.5);
        b.PoissonInput(n, sources: 1000, rateHz: 25, weight: 0.1);
        b.RecordSpikes(n);
        return b.Build();
    }

    private IActorRef Coordinator(int max) => Sys.ActorOf(Props.Create(() => new JobCoordinator(new ChildPartitionHost(), null, max)));

    private JobState[] States(IActorRef coordinator, params string[] jobs) => jobs.Select(j =>
    {
        coordinator.Tell(new GetJobStatus(j));
        return ExpectMsg<JobStatus>().State;
    }).ToArray();

    [Fact]
    public void JobsBeyondTheLimitWaitAndStartFirstInFirstOut()
    {
        var coordinator = Coordinator(2);
        foreach (var job in new[] { "a", "b", "c", "d", "e" })
        {
            coordinator.Tell(new SubmitJob(job, Small(60_000), 2, PartitionStrategy.Contiguous));
            ExpectMsg<JobAccepted>(a => a.Job == job);
        }
        var states = States(coordinator, "a", "b", "c", "d", "e");
        Assert.All(states[..2], s => Assert.True(s is JobState.Building or JobState.Running, $"{s}"));
        Assert.Equal([JobState.Queued, JobState.Queued, JobState.Queued], states[2..]);
        coordinator.Tell(ListJobs.Instance);
        Assert.Equal(["a", "b", "c", "d", "e"], ExpectMsg<JobList>().Jobs.Select(j => j.Job));
        coordinator.Tell(new GetJobStatus("c"));
        var queued = ExpectMsg<JobStatus>();
        Assert.Equal((0L, 2), (queued.Step, queued.Partitions));

        // A queued job is cancelled without ever starting; ending a running job starts the oldest waiting one.
        coordinator.Tell(new CancelJob("d"));
        Assert.Equal(JobState.Cancelled, ExpectMsg<JobStatus>().State);
        coordinator.Tell(new CancelJob("a"));
        Assert.Equal(JobState.Cancelled, ExpectMsg<JobStatus>().State);
        states = States(coordinator, "b", "c", "d", "e");
        Assert.True(states[1] is JobState.Building or JobState.Running, $"c is {states[1]}");
        Assert.Equal([JobState.Cancelled, JobState.Queued], states[2..]);
        coordinator.Tell(new CancelJob("b"));
        ExpectMsg<JobStatus>();
        states = States(coordinator, "d", "e");
        Assert.Equal(JobState.Cancelled, states[0]);
        Assert.True(states[1] is JobState.Building or JobState.Running, $"e is {states[1]}");
        coordinator.Tell(new CancelJob("c"));
        ExpectMsg<JobStatus>();
        coordinator.Tell(new CancelJob("e"));
        ExpectMsg<JobStatus>();
    }

    [Fact]
    public void QueuedJobsRunToTheEndWithTheirOwnResults()
    {
        var coordinator = Coordinator(1);
        // A long job holds the only slot while the two are looked at, so they are certainly still queued; cancelling it
        // then lets them run, one after the other, to the end. (A short first job could end, and the second with it,
        // before the look on a fast machine.)
        coordinator.Tell(new SubmitJob("long", Small(60_000), 2, PartitionStrategy.Contiguous));
        ExpectMsg<JobAccepted>();
        var specs = new[] { Small(100), Small(30) with { Run = Small(30).Run with { Seed = 6 } } };
        for (int i = 0; i < 2; i++)
        {
            coordinator.Tell(new SubmitJob($"q{i}", specs[i], 2, PartitionStrategy.Contiguous));
            ExpectMsg<JobAccepted>();
        }
        Assert.Equal([JobState.Queued, JobState.Queued], States(coordinator, "q0", "q1"));
        coordinator.Tell(new CancelJob("long"));
        Assert.Equal(JobState.Cancelled, ExpectMsg<JobStatus>().State);
        for (int i = 0; i < 2; i++)
        {
            JobResult? result = null;
            AwaitCondition(() =>
            {
                coordinator.Tell(new GetJobResult($"q{i}"));
                result = ExpectMsg<object>() as JobResult;
                return result is not null;
            }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
            var plan = PartitionPlan.Create(specs[i], 1);
            var engine = new DistSnn.Nodes.PartitionEngine(specs[i], 0, plan.Owned(0));
            DistSnn.Nodes.Exchange.InProcessRunner.Run(specs[i], [engine]);
            var (stamps, ids) = engine.SpikeRecords[0]!.ToArrays();
            var merged = result!.Partitions.SelectMany(p => p.RecordedSpikes).SelectMany(r => r.Stamps.Zip(r.Ids)).Order().ToArray();
            Assert.Equal(stamps.Zip(ids).Order().ToArray(), merged);
        }
    }

    [Fact]
    public void AJobCancelledWhileBuildingLeavesNoPartition()
    {
        var coordinator = Coordinator(0);
        coordinator.Tell(new SubmitJob("gone", Small(60_000), 3, PartitionStrategy.Contiguous));
        ExpectMsg<JobAccepted>();
        coordinator.Tell(new CancelJob("gone"));
        Assert.Equal(JobState.Cancelled, ExpectMsg<JobStatus>().State);
        AwaitCondition(() =>
        {
            // A slow answer (a loaded machine) means "not yet", not a failure: only an answer naming no child passes.
            var children = Sys.ActorSelection(coordinator.Path / "*").Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(3));
            try
            {
                return children.Wait(TimeSpan.FromSeconds(4)) && children.Result.Subject is null;
            }
            catch (AggregateException e) when (e.InnerException is AskTimeoutException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void ANegativeLimitIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new JobCoordinator(new ChildPartitionHost(), null, -1));
        Assert.Contains("must be >= 0", e.Message);
    }
}
