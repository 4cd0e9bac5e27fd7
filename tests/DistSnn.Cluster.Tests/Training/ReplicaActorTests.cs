using Akka.Actor;
using DistSnn.Backends.Testing;
using DistSnn.Cluster.Training;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.Gradient;

namespace DistSnn.Cluster.Tests.Training;

/// <summary>A node's training worker starts replicas that compute what they are sent, and refuse what does not fit.</summary>
public sealed class ReplicaActorTests : Akka.TestKit.Xunit2.TestKit, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-replica-").FullName;

    void IDisposable.Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
        Dispose();
    }

    private static GradientTrainingOptions Options => new()
    {
        Architecture = Architecture.Parse("64-8-10"), Neuron = new NeuronSpec { Kind = UnitKind.LifDelta }, Steps = 5, BatchSize = 24,
        MicroBatches = 4, Validation = 10,
    };

    [Fact]
    public void AReplicaSendsTheTreeNodesOfItsBlockAndFailsWorkThatDoesNotFit()
    {
        SyntheticImages.WriteFashionMnistFolder(_dir, 60, 10, 2);
        var worker = Sys.ActorOf(Props.Create(() => new TrainingWorker()), TrainingWorker.Name);
        worker.Tell(new StartReplica("j", TrainingSpec.ToJson(Options), _dir, 1, TrainingData.Fingerprint(_dir), TrainingPlatform.Signature));
        ExpectMsg<ReplicaReady>(r => r.Job == "j" && r.Replica == 1);
        var replica = LastSender;

        var reference = new GradientReplica(Options, FashionMnist.Load(_dir).Train);
        var parameters = GradientTrainer.InitialParameters(reference.Network, 1, 1.0);
        int[] batch = Enumerable.Range(0, 24).ToArray();
        replica.Tell(new ComputeMicroBatches("j", 3, 0, parameters, batch, [2, 3]));
        var sum = ExpectMsg<MicroBatchGradient>();
        Assert.Equal((3L, 2, 1), (sum.Step, sum.Start, sum.Level));
        var expected = reference.ComputeSubtrees(parameters, batch, 0, [2, 3]).Single();
        Assert.Equal(expected.Gradient, sum.Gradient);
        Assert.Equal(expected.Loss, sum.Loss);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        Watch(replica);
        replica.Tell(new ComputeMicroBatches("j", 4, 0, new float[7], batch, [0]));
        var failed = ExpectMsg<ReplicaFailed>();
        Assert.Contains("7 parameters sent, the network has", failed.Reason);
        ExpectTerminated(replica);

        worker.Tell(new StartReplica("k", TrainingSpec.ToJson(Options), Path.Combine(_dir, "missing"), 0, "x", TrainingPlatform.Signature));
        Assert.Contains("train-images-idx3-ubyte", ExpectMsg<ReplicaFailed>().Reason);

        // Other data, or a machine that groups its sums otherwise, would give other gradients: refused, named.
        worker.Tell(new StartReplica("l", TrainingSpec.ToJson(Options), _dir, 0, "0123456789abcdef", TrainingPlatform.Signature));
        Assert.Contains($"differ from the coordinator's (0123456789abcdef)", ExpectMsg<ReplicaFailed>().Reason);
        worker.Tell(new StartReplica("m", TrainingSpec.ToJson(Options), _dir, 0, TrainingData.Fingerprint(_dir), "Arm64 v128"));
        Assert.Contains("the coordinator's with Arm64 v128", ExpectMsg<ReplicaFailed>().Reason);
    }
}
