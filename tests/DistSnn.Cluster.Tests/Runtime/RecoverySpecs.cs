using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Tests.Output;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>
/// A partition that stops mid-run (as when its node is lost): a job with checkpoints rolls back to the newest one as a
/// new incarnation and ends with the spikes of an uninterrupted run; a job without checkpoints fails saying so.
/// </summary>
public class RecoverySpecs : TestKit
{
    private static NetworkSpec Small()
    {
        var b = new NetworkBuilder("small").WithDt(0.1).WithDuration(3000).WithSeed(9);
        var n = b.Population("n", 300, new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10, TRef = 2 })
            .Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        b.Connect(n, n, new FixedProbability(0.1), weight: 0.5, delay: 1.5);
        b.PoissonInput(n, sources: 1000, rateHz: 25, weight: 0.1);
        b.RecordSpikes(n);
        return b.Build();
    }

    private static (long, int)[] Spikes(JobResult result) =>
        result.Partitions.SelectMany(p => p.RecordedSpikes).SelectMany(r => r.Stamps.Zip(r.Ids)).Order().ToArray();

    private async Task<JobResult> Run(SubmitJob submit, Action<IActorRef, CheckpointManifest>? onCheckpoint = null)
    {
        var coordinator = Sys.ActorOf(Props.Create(() => new JobCoordinator(new ChildPartitionHost(), null, 0, null)));
        var done = new TaskCompletionSource<JobResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        coordinator.Tell(new RunJob(submit, done, null) { OnCheckpoint = onCheckpoint is null ? null : m => onCheckpoint(coordinator, m) });
        return await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_lost_partition_rolls_the_job_back_to_its_checkpoint_and_the_spikes_are_those_of_an_uninterrupted_run()
    {
        using var tmp = new TempDirectory();
        string root = tmp.File("ckpt");
        var spec = Small();
        var reference = await Run(new SubmitJob("ref", spec, 3, PartitionStrategy.RoundRobin));

        int killed = 0;
        var lossy = await Run(new SubmitJob("lossy", spec, 3, PartitionStrategy.RoundRobin) { Checkpoints = new CheckpointRequest(root, 5000) },
            (coordinator, manifest) =>
            {
                // At the first checkpoint, stop partition 1 of the first incarnation as a lost node would.
                if (Interlocked.Increment(ref killed) == 1)
                    Sys.ActorSelection(coordinator.Path / "partition-1").Tell(PoisonPill.Instance);
            });

        Assert.True(killed > 1, "the job wrote no checkpoint after the rollback");
        var expected = Spikes(reference);
        Assert.True(expected.Length > 1000, $"{expected.Length} spikes");
        Assert.Equal(expected, Spikes(lossy));
        var state = JobStateFile.Read(Path.Combine(root, "lossy", JobStateFile.FileName));
        Assert.Equal(("finished", 1, 3), (state.State, state.Generation, state.Partitions));
    }

    [Fact]
    public async Task A_job_without_checkpoints_that_loses_a_partition_fails_and_says_how_to_survive()
    {
        // Long enough that the first progress report (after 100 ms of wall time) comes well before the end, even on an
        // idle machine: the partition is stopped mid-run, never after it finished.
        var spec = Small() with { Run = Small().Run with { Duration = 120_000 } };
        var coordinator = Sys.ActorOf(Props.Create(() => new JobCoordinator(new ChildPartitionHost(), null, 0, null)));
        var done = new TaskCompletionSource<JobResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool stopped = false;
        coordinator.Tell(new RunJob(new SubmitJob("plain", spec, 2, PartitionStrategy.RoundRobin), done, step =>
        {
            if (step <= 0 || stopped) return;
            stopped = true;
            Sys.ActorSelection(coordinator.Path / "partition-0").Tell(PoisonPill.Instance);
        }));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => done.Task.WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("partition 0 on", e.Message);
        Assert.Contains("--checkpoint-every", e.Message);
    }

    [Fact]
    public void Incarnation_names_parse_back_and_job_ids_cannot_contain_the_separator()
    {
        Assert.Equal("j", JobIncarnation.Name("j", 0));
        Assert.Equal("j~3", JobIncarnation.Name("j", 3));
        Assert.Equal(("j", 3), JobIncarnation.Parse("j~3"));
        Assert.Equal(("a/b", 0), JobIncarnation.Parse("a/b"));
        Assert.Equal(("j~x", 0), JobIncarnation.Parse("j~x"));
        Assert.Equal(("j~0", 0), JobIncarnation.Parse("j~0"));

        var coordinator = Sys.ActorOf(Props.Create(() => new JobCoordinator(new ChildPartitionHost(), null, 0, null)));
        coordinator.Tell(new SubmitJob("a~1", Small(), 1, PartitionStrategy.Contiguous));
        Assert.Contains("must not contain '~'", ExpectMsg<JobRejected>().Reason);
    }

    [Fact]
    public void A_job_state_file_round_trips_and_a_damaged_one_is_refused_naming_the_file_and_field()
    {
        using var tmp = new TempDirectory();
        string root = tmp.File("ckpt");
        var spec = Small();
        var run = new JobRun(new SubmitJob("j", spec, 2, PartitionStrategy.Graph) { Checkpoints = new CheckpointRequest(root, 250, 3) },
            PartitionPlan.Create(spec, 2, PartitionStrategy.Graph));
        run.RollBack(null, atLeastGeneration: 4);
        JobStateFile.Of(run).Write(root);

        string path = Assert.Single(JobStateFile.Find(root));
        var state = JobStateFile.Read(path);
        var submit = state.ToSubmit(root, path);
        Assert.Equal(("j", 2, PartitionStrategy.Graph, 4, "running"), (submit.Job, submit.Partitions, submit.Strategy, state.Generation, state.State));
        Assert.Equal(new CheckpointRequest(root, 250, 3), submit.Checkpoints);
        Assert.Equal(CheckpointStore.ModelHash(spec), CheckpointStore.ModelHash(submit.Spec));
        Assert.Equal(JobState.Recovering, run.State);
        Assert.Equal("j~4", run.PartitionJob);

        File.WriteAllText(path, File.ReadAllText(path).Replace("\"keep\": 3", "\"keep\": 0", StringComparison.Ordinal));
        Assert.Equal($"{path}: keep: must be >= 1, got 0", Assert.Throws<CheckpointException>(() => JobStateFile.Read(path)).Message);
        File.WriteAllText(path, "{ not json");
        Assert.StartsWith($"{path}: not a readable job state file", Assert.Throws<CheckpointException>(() => JobStateFile.Read(path)).Message);
    }
}
