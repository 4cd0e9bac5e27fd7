using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using DistSnn.Partitioner;
using MessagePack;
using System.Buffers;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>Checkpoint settings and reports on the wire: refused at the sender when invalid, and when hostile at the receiver.</summary>
public class CheckpointWireTests : SerializationSpec
{
    [Fact]
    public void Resuming_from_a_local_checkpoint_and_invalid_settings_are_refused_at_the_sender()
    {
        var manifest = new CheckpointManifest
        {
            Job = "j", ModelHash = "h", Partitions = 1, Strategy = "contiguous", Seed = 1, Step = 10, TimeMs = 1, TotalSteps = 20,
            CheckpointEverySteps = 10, CreatedUtc = "now", Files = [],
        };
        var submit = new SubmitJob("j", WireSamples.SmallSpec(), 1, PartitionStrategy.Contiguous);
        var serializer = SerializerFor(submit);

        var resume = Assert.Throws<WireFormatException>(() => serializer.ToBinary(submit with { Resume = new ResumeFrom("/x/step-10", manifest) }));
        var every = Assert.Throws<WireFormatException>(() => serializer.ToBinary(submit with { Checkpoints = new CheckpointRequest("d", 0) }));
        var keep = Assert.Throws<WireFormatException>(() => serializer.ToBinary(submit with { Checkpoints = new CheckpointRequest("d", 5, 0) }));

        Assert.Equal(("SubmitJob", "Resume"), (resume.MessageType, resume.Field));
        Assert.Equal("SubmitJob.Checkpoints.EverySteps: 0 is not a positive number of steps", every.Message);
        Assert.Equal("SubmitJob.Checkpoints.Keep: 0 is not a positive number of checkpoints", keep.Message);
    }

    [Fact]
    public void A_checkpoint_interval_of_zero_steps_is_rejected_by_the_receiver()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(5);
        w.Write("j");
        w.Write(DistSnn.Model.ModelWriter.ToYaml(WireSamples.SmallSpec()));
        w.Write(1);
        w.Write(0);
        w.WriteArrayHeader(3);
        w.Write("dir");
        w.Write(0);
        w.Write(2);
        w.Flush();

        var e = Assert.Throws<WireFormatException>(() => Decode(buffer.WrittenSpan.ToArray(), "sj"));

        Assert.StartsWith("SubmitJob.Checkpoints.EverySteps: ", e.Message);
    }

    [Fact]
    public void A_build_with_checkpointing_and_restore_round_trips()
    {
        var build = new BuildPartition("job~2", WireSamples.SmallSpec(), 1, [[0, 1], [2]])
        {
            Checkpointing = new PartitionCheckpointing("/shared/ckpt", 500, "abc", 3),
            Restore = new PartitionRestore("/shared/ckpt/job/step-500/partition-1.ckpt", "sha", "abc"),
        };
        var back = (BuildPartition)RoundTrip(build);

        Assert.Equal(build.Checkpointing, back.Checkpointing);
        Assert.Equal(build.Restore, back.Restore);
        Assert.Equal("job~2", back.Job);
    }
}
