using Akka.Actor;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using DistSnn.Model;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>
/// Field-by-field equality of wire messages: the records hold arrays and lists, whose record equality is by
/// reference. Doubles compare bit for bit (NaN payloads and negative zero included); specs compare by their
/// canonical model text.
/// </summary>
internal static class WireAssert
{
    public static void Equal(object expected, object actual)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        switch (expected, actual)
        {
            case (BuildPartition e, BuildPartition a):
                Assert.Equal((e.Job, e.Partition), (a.Job, a.Partition));
                Spec(e.Spec, a.Spec);
                Assert.Equal(e.Owned.Count, a.Owned.Count);
                for (int p = 0; p < e.Owned.Count; p++) Assert.Equal(e.Owned[p], a.Owned[p]);
                Assert.Equal(e.Checkpointing, a.Checkpointing);
                Assert.Equal(e.Restore, a.Restore);
                Assert.Equal(e.Backend, a.Backend);
                break;
            case (PartitionBuilt e, PartitionBuilt a):
                Assert.Equal((e.Job, e.Partition, e.Neurons, e.Synapses, e.SynapseBytes), (a.Job, a.Partition, a.Neurons, a.Synapses, a.SynapseBytes));
                Bits(e.BuildSeconds, a.BuildSeconds);
                Assert.Equal(e.ReceivesFrom, a.ReceivesFrom);
                break;
            case (OutRoute e, OutRoute a):
                Assert.Equal(e.Partition, a.Partition);
                Ref(e.Target, a.Target);
                Assert.Equal(e.Filter, a.Filter);
                break;
            case (StartRun e, StartRun a):
                Assert.Equal(e.Job, a.Job);
                Assert.Equal(e.Sources, a.Sources);
                Ref(e.Coordinator, a.Coordinator);
                Assert.Equal(e.Routes.Count, a.Routes.Count);
                for (int i = 0; i < e.Routes.Count; i++) Equal(e.Routes[i], a.Routes[i]);
                break;
            case (SpikePacket e, SpikePacket a):
                Assert.Equal((e.Job, e.Epoch, e.Source), (a.Job, a.Epoch, a.Source));
                Assert.Equal(e.Stamps, a.Stamps);
                Assert.Equal(e.Gids, a.Gids);
                break;
            case (SpikePacketPart e, SpikePacketPart a):
                Assert.Equal((e.Job, e.Epoch, e.Source, e.Part, e.Parts), (a.Job, a.Epoch, a.Source, a.Part, a.Parts));
                Assert.Equal(e.Stamps, a.Stamps);
                Assert.Equal(e.Gids, a.Gids);
                break;
            case (PartitionFinished e, PartitionFinished a):
                Assert.Equal((e.Job, e.Partition), (a.Job, a.Partition));
                Equal(e.Result, a.Result);
                break;
            case (PartitionResult e, PartitionResult a):
                Assert.Equal((e.Partition, e.Neurons, e.Synapses, e.SynapseBytes, e.SynapticEvents, e.Spikes, e.LatePackets, e.DuplicatePackets),
                    (a.Partition, a.Neurons, a.Synapses, a.SynapseBytes, a.SynapticEvents, a.Spikes, a.LatePackets, a.DuplicatePackets));
                Bits(e.BuildSeconds, a.BuildSeconds);
                Bits(e.SimulateSeconds, a.SimulateSeconds);
                Bits(e.WaitSeconds, a.WaitSeconds);
                Assert.Equal(e.RecordedSpikes.Count, a.RecordedSpikes.Count);
                for (int i = 0; i < e.RecordedSpikes.Count; i++) Equal(e.RecordedSpikes[i], a.RecordedSpikes[i]);
                Assert.Equal(e.RecordedState.Count, a.RecordedState.Count);
                for (int i = 0; i < e.RecordedState.Count; i++) Equal(e.RecordedState[i], a.RecordedState[i]);
                break;
            case (RecordedSpikes e, RecordedSpikes a):
                Assert.Equal(e.Population, a.Population);
                Assert.Equal(e.Stamps, a.Stamps);
                Assert.Equal(e.Ids, a.Ids);
                break;
            case (RecordedState e, RecordedState a):
                Assert.Equal((e.Recorder, e.Population, e.Variable, e.IntervalSteps), (a.Recorder, a.Population, a.Variable, a.IntervalSteps));
                Assert.Equal(e.Neurons, a.Neurons);
                Assert.Equal(e.Values.Select(BitConverter.SingleToInt32Bits), a.Values.Select(BitConverter.SingleToInt32Bits));
                break;
            case (SubmitJob e, SubmitJob a):
                Assert.Equal((e.Job, e.Partitions, e.Strategy), (a.Job, a.Partitions, a.Strategy));
                Assert.Equal(e.Checkpoints, a.Checkpoints);
                Spec(e.Spec, a.Spec);
                break;
            case (JobStatus e, JobStatus a):
                Assert.Equal((e.Job, e.State, e.Partitions, e.Step, e.TotalSteps, e.Error), (a.Job, a.State, a.Partitions, a.Step, a.TotalSteps, a.Error));
                Bits(e.Dt, a.Dt);
                Bits(e.WallSeconds, a.WallSeconds);
                break;
            case (JobList e, JobList a):
                Assert.Equal(e.Jobs.Count, a.Jobs.Count);
                for (int i = 0; i < e.Jobs.Count; i++) Equal(e.Jobs[i], a.Jobs[i]);
                break;
            case (JobPartitions e, JobPartitions a):
                Assert.Equal(e.Job, a.Job);
                Assert.Equal(e.Partitions, a.Partitions);
                break;
            case (JobResult e, JobResult a):
                Assert.Equal(e.Job, a.Job);
                Spec(e.Spec, a.Spec);
                Bits(e.BuildSeconds, a.BuildSeconds);
                Bits(e.SimulateSeconds, a.SimulateSeconds);
                Assert.Equal(e.Partitions.Count, a.Partitions.Count);
                for (int i = 0; i < e.Partitions.Count; i++) Equal(e.Partitions[i], a.Partitions[i]);
                break;
            case (DistSnn.Cluster.Training.ComputeMicroBatches e, DistSnn.Cluster.Training.ComputeMicroBatches a):
                Assert.Equal((e.Job, e.Step, e.Epoch), (a.Job, a.Step, a.Epoch));
                Floats(e.Parameters, a.Parameters);
                Assert.Equal(e.Batch, a.Batch);
                Assert.Equal(e.MicroBatches, a.MicroBatches);
                break;
            case (DistSnn.Cluster.Training.MicroBatchGradient e, DistSnn.Cluster.Training.MicroBatchGradient a):
                Assert.Equal((e.Job, e.Step, e.Start, e.Level), (a.Job, a.Step, a.Start, a.Level));
                Assert.Equal(e.Loss.Select(BitConverter.DoubleToInt64Bits), a.Loss.Select(BitConverter.DoubleToInt64Bits));
                Assert.Equal(e.Correct, a.Correct);
                Assert.Equal(e.Rates.Select(BitConverter.DoubleToInt64Bits), a.Rates.Select(BitConverter.DoubleToInt64Bits));
                Floats(e.Gradient, a.Gradient);
                break;
            case (DistSnn.Cluster.Training.TrainingList e, DistSnn.Cluster.Training.TrainingList a):
                Assert.Equal(e.Jobs, a.Jobs);
                break;
            case (DistSnn.Cluster.Training.TrainingResult e, DistSnn.Cluster.Training.TrainingResult a):
                Assert.Equal((e.Job, e.ReportsJson, e.Replicas, e.Checksum), (a.Job, a.ReportsJson, a.Replicas, a.Checksum));
                Floats(e.Parameters, a.Parameters);
                Bits(e.TrainSeconds, a.TrainSeconds);
                break;
            case (PartitionHandOff, PartitionHandOff) or (ListJobs, ListJobs) or (DistSnn.Cluster.Training.ListTraining, DistSnn.Cluster.Training.ListTraining):
                Assert.Same(expected, actual);
                break;
            default:
                // The remaining messages hold only strings and numbers, so record equality is field equality.
                Assert.Equal(expected, actual);
                break;
        }
    }

    private static void Floats(float[] e, float[] a) => Assert.Equal(e.Select(BitConverter.SingleToInt32Bits), a.Select(BitConverter.SingleToInt32Bits));

    private static void Bits(double e, double a) => Assert.Equal(BitConverter.DoubleToInt64Bits(e), BitConverter.DoubleToInt64Bits(a));

    private static void Spec(NetworkSpec e, NetworkSpec a) => Assert.Equal(ModelWriter.ToYaml(e), ModelWriter.ToYaml(a));

    private static void Ref(IActorRef e, IActorRef a)
    {
        if (e is Nobody) Assert.IsAssignableFrom<Nobody>(a);
        else Assert.Equal(e.Path, a.Path);
    }
}
