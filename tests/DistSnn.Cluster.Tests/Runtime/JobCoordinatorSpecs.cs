using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary><see cref="JobCoordinator"/> with child partitions: submission, status, results, cancel, failures.</summary>
public class JobCoordinatorSpecs : TestKit
{
    private static NetworkSpec Small(double durationMs)
    {
        var b = new NetworkBuilder("small").WithDt(0.1).WithDuration(durationMs).WithSeed(9);
        var n = b.Population("n", 200, new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10, TRef = 2 })
            .Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        b.Connect(n, n, new FixedProbability(0.1), weight: 0.5, delay: 1.5);
        b.PoissonInput(n, sources: 1000, rateHz: 25, weight: 0.1);
        b.RecordSpikes(n);
        return b.Build();
    }

    private IActorRef Coordinator() => Sys.ActorOf(Props.Create(() => new JobCoordinator(new ChildPartitionHost())));

    [Fact]
    public void AJobRunsToTheEndAndItsResultMatchesTheInMemoryReference()
    {
        var spec = Small(50);
        var coordinator = Coordinator();
        coordinator.Tell(new SubmitJob("a", spec, 3, PartitionStrategy.RoundRobin));
        ExpectMsg<JobAccepted>(a => a.Job == "a");
        var result = AwaitResult(coordinator, "a");
        Assert.Equal(3, result.Partitions.Count);

        var plan = PartitionPlan.Create(spec, 1);
        var engine = new DistSnn.Nodes.PartitionEngine(spec, 0, plan.Owned(0));
        DistSnn.Nodes.Exchange.InProcessRunner.Run(spec, [engine]);
        var (stamps, ids) = engine.SpikeRecords[0]!.ToArrays();
        var merged = result.Partitions.SelectMany(p => p.RecordedSpikes).SelectMany(r => r.Stamps.Zip(r.Ids)).Order().ToArray();
        Assert.Equal(stamps.Zip(ids).Order().ToArray(), merged);
        Assert.True(merged.Length > 50);

        coordinator.Tell(new GetJobStatus("a"));
        var status = ExpectMsg<JobStatus>();
        Assert.Equal(JobState.Finished, status.State);
        Assert.Equal(spec.Run.Steps, status.Step);
    }

    [Fact]
    public void DuplicateIdsBadSettingsAndInvalidModelsAreRejected()
    {
        var coordinator = Coordinator();
        coordinator.Tell(new SubmitJob("dup", Small(5), 1, PartitionStrategy.Contiguous));
        ExpectMsg<JobAccepted>();
        coordinator.Tell(new SubmitJob("dup", Small(5), 1, PartitionStrategy.Contiguous));
        Assert.Contains("already exists", ExpectMsg<JobRejected>().Reason);
        coordinator.Tell(new SubmitJob("zero", Small(5), 0, PartitionStrategy.Contiguous));
        Assert.Contains("partitions", ExpectMsg<JobRejected>().Reason);
        var bad = Small(5) with { Run = new RunSettings { Dt = -1 } };
        coordinator.Tell(new SubmitJob("bad", bad, 1, PartitionStrategy.Contiguous));
        Assert.Contains("run.dt", ExpectMsg<JobRejected>().Reason);
        coordinator.Tell(new GetJobStatus("nope"));
        Assert.Equal("unknown job", ExpectMsg<JobStatus>().Error);
    }

    [Fact]
    public void CancelMidRunStopsTheJobAndFreesItsPartitions()
    {
        var coordinator = Coordinator();
        coordinator.Tell(new SubmitJob("long", Small(60_000), 2, PartitionStrategy.Contiguous));
        ExpectMsg<JobAccepted>();
        AwaitCondition(() =>
        {
            coordinator.Tell(new GetJobStatus("long"));
            var s = ExpectMsg<JobStatus>();
            return s.State == JobState.Running && s.Step > 0;
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        coordinator.Tell(new CancelJob("long"));
        Assert.Equal(JobState.Cancelled, ExpectMsg<JobStatus>().State);
        coordinator.Tell(new GetJobResult("long"));
        Assert.Equal(JobState.Cancelled, ExpectMsg<JobStatus>().State);
        // The partitions are stopped: the coordinator has no children left.
        AwaitCondition(() =>
        {
            var children = Sys.ActorSelection(coordinator.Path / "*").Ask<ActorIdentity>(new Identify(1), TimeSpan.FromSeconds(1));
            return children.Wait(TimeSpan.FromSeconds(2)) && children.Result.Subject is null;
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task APartitionThatStopsMidRunFailsItsJobInsteadOfHangingIt()
    {
        var coordinator = Coordinator();
        coordinator.Tell(new SubmitJob("lost", Small(60_000), 2, PartitionStrategy.Contiguous));
        ExpectMsg<JobAccepted>();
        AwaitCondition(() =>
        {
            coordinator.Tell(new GetJobStatus("lost"));
            var s = ExpectMsg<JobStatus>();
            return s.State == JobState.Running && s.Step > 0;
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100));
        // As when its node goes away: one partition stops without being told by the coordinator.
        coordinator.Tell(new GetJobPartitions("lost"));
        var where = ExpectMsg<JobPartitions>();
        var victim = await Sys.ActorSelection(where.Partitions[1].Path).ResolveOne(TimeSpan.FromSeconds(3));
        victim.Tell(PoisonPill.Instance);
        AwaitCondition(() =>
        {
            coordinator.Tell(new GetJobStatus("lost"));
            return ExpectMsg<JobStatus>().State == JobState.Failed;
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        coordinator.Tell(new GetJobStatus("lost"));
        Assert.Contains("stopped before the job ended", ExpectMsg<JobStatus>().Error);
    }

    [Fact]
    public async Task ALocalRunWatcherSeesAFailureAsAnException()
    {
        var coordinator = Coordinator();
        var done = new TaskCompletionSource<JobResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bad = Small(5) with { Run = new RunSettings { Dt = 0 } };
        coordinator.Tell(new RunJob(new SubmitJob("w", bad, 1, PartitionStrategy.Contiguous), done, null));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => done.Task);
        Assert.Contains("run.dt", e.Message);
    }

    private JobResult AwaitResult(IActorRef coordinator, string job)
    {
        JobResult? result = null;
        AwaitCondition(() =>
        {
            coordinator.Tell(new GetJobResult(job));
            var answer = ExpectMsg<object>();
            result = answer as JobResult;
            return result is not null;
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
        return result!;
    }
}
