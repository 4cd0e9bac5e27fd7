using Akka.Actor;
using DistSnn.Backends.Testing;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Tests.Hosting;
using DistSnn.Cluster.Training;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.Gradient;

namespace DistSnn.Cluster.Tests.Training;

/// <summary>
/// Gradient training on three in-process nodes: the weights are those of a local run for one, two and three
/// replicas, a replica whose node leaves mid-run costs nothing but time, and bad submissions are refused by name.
/// </summary>
public sealed class ClusterTrainingTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-cluster-train-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    private static GradientTrainingOptions Options(int epochs) => new()
    {
        Architecture = Architecture.Parse("64-16-10"),
        Neuron = new NeuronSpec { Kind = UnitKind.LifDelta, TRef = 1 },
        Encoding = new InputEncoding { Kind = EncodingKind.Poisson, MaxRateHz = 300 },
        Steps = 12,
        Epochs = epochs,
        BatchSize = 30,
        MicroBatches = 12,
        Validation = 30,
        LearningRate = 2e-2,
        WeightDecay = 1e-4,
        RateWeight = 0.1,
        Bias = true,
        Seed = 11,
    };

    private (string Checksum, List<EpochReport> Reports) Local(GradientTrainingOptions options)
    {
        var trainer = new GradientTrainer(options, FashionMnist.Load(_dir).Train);
        var reports = new List<EpochReport>();
        for (int e = 0; e < options.Epochs; e++) reports.Add(trainer.RunEpoch());
        return (GradientTrainer.Checksum(trainer.Parameters), reports);
    }

    private static async Task<TrainingStatus> Finished(IActorRef coordinator, string job, Func<TrainingStatus, Task>? watch = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var status = await coordinator.Ask<TrainingStatus>(new GetTrainingStatus(job), TimeSpan.FromSeconds(10));
            if (status.State is not ("starting" or "running")) return status;
            Assert.True(DateTime.UtcNow < deadline, $"job {job} did not finish within {Patience}: {status}");
            if (watch is not null) await watch(status);
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task OneTwoAndThreeReplicasOnThreeNodesTrainTheWeightsOfALocalRun()
    {
        SyntheticImages.WriteFashionMnistFolder(_dir, 300, 30, 5);
        var options = Options(4);
        var (checksum, reports) = Local(options);
        await using var cluster = await InProcessCluster.StartAsync(3, TimeSpan.FromSeconds(60));
        var coordinator = cluster.TrainingCoordinator(1);
        foreach (int replicas in new[] { 1, 2, 3 })
        {
            string job = $"r{replicas}";
            var answer = await coordinator.Ask<object>(new SubmitTraining(job, TrainingSpec.ToJson(options), _dir, replicas, null, 0, null), TimeSpan.FromSeconds(10));
            Assert.IsType<JobAccepted>(answer);
            var status = await Finished(coordinator, job);
            Assert.True(status.State == "finished", status.ToString());
            Assert.Equal(checksum, status.Checksum);
            Assert.Equal(replicas, status.Replicas);
            Assert.Equal(36, status.Step);
            var result = await coordinator.Ask<TrainingResult>(new GetTrainingResult(job), TimeSpan.FromSeconds(10));
            Assert.Equal(checksum, GradientTrainer.Checksum(result.Parameters));
            var remote = TrainingCheckpoint.ReportsFromJson(result.ReportsJson);
            Assert.Equal(reports.Select(r => (r.TrainLoss, r.TrainAccuracy, r.ValidationAccuracy)), remote.Select(r => (r.TrainLoss, r.TrainAccuracy, r.ValidationAccuracy)));
        }
        Assert.True(reports[^1].ValidationAccuracy > 0.3, $"validation {reports[^1].ValidationAccuracy:P0} after 4 epochs (chance 10%)");

        // Bad submissions: more replicas than members, a folder without the data, settings that do not parse.
        var refused = await coordinator.Ask<object>(new SubmitTraining("r4", TrainingSpec.ToJson(options), _dir, 4, null, 0, null), TimeSpan.FromSeconds(10));
        Assert.Contains("--replicas 4: the cluster has 3 members up", Assert.IsType<JobRejected>(refused).Reason);
        refused = await coordinator.Ask<object>(new SubmitTraining("bad", "{\"arch\": \"64-16-10\", \"epochz\": 3}", _dir, 1, null, 0, null), TimeSpan.FromSeconds(10));
        Assert.Contains("unknown field 'epochz'", Assert.IsType<JobRejected>(refused).Reason);
        refused = await coordinator.Ask<object>(new SubmitTraining("huge", TrainingSpec.ToJson(options with { Architecture = Architecture.Parse("64-160000-10") }),
            _dir, 1, null, 0, null), TimeSpan.FromSeconds(10));
        Assert.Contains("more than the remoting frame of 33.6 MB; raise DistSnn:Node:MaxFrameBytes", Assert.IsType<JobRejected>(refused).Reason);
        refused = await coordinator.Ask<object>(new SubmitTraining("r1", TrainingSpec.ToJson(options), _dir, 1, null, 0, null), TimeSpan.FromSeconds(10));
        Assert.Contains("'r1' is finished", Assert.IsType<JobRejected>(refused).Reason);
        string missing = Path.Combine(_dir, "nowhere");
        Assert.IsType<JobAccepted>(await coordinator.Ask<object>(new SubmitTraining("nodata", TrainingSpec.ToJson(options), missing, 2, null, 0, null), TimeSpan.FromSeconds(10)));
        var failed = await Finished(coordinator, "nodata");
        Assert.Equal("failed", failed.State);
        Assert.Contains("train-images-idx3-ubyte", failed.Error);
        Assert.Contains(missing, failed.Error);
    }

    [Fact]
    public async Task AReplicaLostMidRunLeavesTheWeightsUnchanged()
    {
        SyntheticImages.WriteFashionMnistFolder(_dir, 300, 30, 5);
        var options = Options(150);
        var (checksum, _) = Local(options);
        await using var cluster = await InProcessCluster.StartAsync(3, TimeSpan.FromSeconds(60));
        var coordinator = cluster.TrainingCoordinator(0);
        Assert.IsType<JobAccepted>(await coordinator.Ask<object>(new SubmitTraining("lossy", TrainingSpec.ToJson(options), _dir, 3, null, 0, null), TimeSpan.FromSeconds(10)));
        long stepAtStop = -1;
        var status = await Finished(coordinator, "lossy", s =>
        {
            // The oldest node (0) runs the coordinator; node 2 hosts a replica (one per member), which is stopped
            // mid-step while the job goes on. (The loss of a whole node is the process test's.)
            if (stepAtStop < 0 && s.Step >= 20)
            {
                stepAtStop = s.Step;
                cluster.System(2).ActorSelection($"/user/{TrainingWorker.Name}/*").Tell(PoisonPill.Instance);
            }
            return Task.CompletedTask;
        });
        Assert.True(stepAtStop >= 0, "the job ended before a replica could be stopped");
        Assert.True(status.State == "finished", status.ToString());
        Assert.True(stepAtStop < status.TotalSteps, $"stopped at step {stepAtStop} of {status.TotalSteps}");
        Assert.True(2 == status.Replicas, $"{status} stop at {stepAtStop}");
        Assert.Equal(checksum, status.Checksum);
    }
}
