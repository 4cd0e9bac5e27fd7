using DistSnn.Cluster.Checkpoints;
using MessagePack;

namespace DistSnn.Cluster.Serialization;

/// <summary>
/// Checkpoint settings that travel with a job submission and a partition's build message, and the partition's report
/// that its file of a checkpoint is written. Optional records are nil when absent.
/// </summary>
internal static partial class MessageCodec
{
    // [Directory, EverySteps, Keep] or nil
    private static void WriteCheckpointRequest(ref MessagePackWriter w, CheckpointRequest? m, string name)
    {
        if (m is null)
        {
            w.WriteNil();
            return;
        }
        Record(ref w, 3);
        PutText(ref w, m.Directory, name, "Checkpoints.Directory");
        PutPositive(ref w, m.EverySteps, name, "Checkpoints.EverySteps", "a positive number of steps");
        PutPositive(ref w, m.Keep, name, "Checkpoints.Keep", "a positive number of checkpoints");
    }

    /// <summary>A count that must be at least 1: refused at the sender with what it should have been.</summary>
    private static void PutPositive(ref MessagePackWriter w, long v, string message, string field, string expected, long max = long.MaxValue)
    {
        if (v < 1) throw new WireFormatException(message, field, $"{v} is not {expected}");
        PutCount(ref w, v, message, field, max);
    }

    private static CheckpointRequest? ReadCheckpointRequest(ref FrameReader r)
    {
        if (r.Nil("Checkpoints")) return null;
        r.Record("Checkpoints", 3);
        var directory = ReadText(ref r, "Checkpoints.Directory");
        long every = r.Long("Checkpoints.EverySteps", 1);
        int keep = r.Int("Checkpoints.Keep", 1);
        return new CheckpointRequest(directory, every, keep);
    }

    // [Directory, EverySteps, ModelHash, Partitions] or nil
    private static void WritePartitionCheckpointing(ref MessagePackWriter w, PartitionCheckpointing? m, string name)
    {
        if (m is null)
        {
            w.WriteNil();
            return;
        }
        Record(ref w, 4);
        PutText(ref w, m.Directory, name, "Checkpointing.Directory");
        PutPositive(ref w, m.EverySteps, name, "Checkpointing.EverySteps", "a positive number of steps");
        PutId(ref w, m.ModelHash, name, "Checkpointing.ModelHash");
        PutPositive(ref w, m.Partitions, name, "Checkpointing.Partitions", "a partition count", WireLimits.MaxPartitions);
    }

    private static PartitionCheckpointing? ReadPartitionCheckpointing(ref FrameReader r)
    {
        if (r.Nil("Checkpointing")) return null;
        r.Record("Checkpointing", 4);
        return new PartitionCheckpointing(ReadText(ref r, "Checkpointing.Directory"), r.Long("Checkpointing.EverySteps", 1),
            ReadId(ref r, "Checkpointing.ModelHash"), r.Int("Checkpointing.Partitions", 1, WireLimits.MaxPartitions));
    }

    // [File, Sha256, ModelHash] or nil
    private static void WritePartitionRestore(ref MessagePackWriter w, PartitionRestore? m, string name)
    {
        if (m is null)
        {
            w.WriteNil();
            return;
        }
        Record(ref w, 3);
        PutText(ref w, m.File, name, "Restore.File");
        PutId(ref w, m.Sha256, name, "Restore.Sha256");
        PutId(ref w, m.ModelHash, name, "Restore.ModelHash");
    }

    private static PartitionRestore? ReadPartitionRestore(ref FrameReader r)
    {
        if (r.Nil("Restore")) return null;
        r.Record("Restore", 3);
        return new PartitionRestore(ReadText(ref r, "Restore.File"), ReadId(ref r, "Restore.Sha256"), ReadId(ref r, "Restore.ModelHash"));
    }

    // [Job, Partition, Step, [Name, Bytes, Sha256], Seconds]
    private static void WritePartitionCheckpointed(ref MessagePackWriter w, PartitionCheckpointed m)
    {
        const string name = nameof(PartitionCheckpointed);
        var file = m.File ?? throw new WireFormatException(name, "File", "is null");
        Record(ref w, 5);
        PutId(ref w, m.Job, name, "Job");
        PutIndex(ref w, m.Partition, name, "Partition", WireLimits.MaxPartitions - 1);
        PutCount(ref w, m.Step, name, "Step");
        Record(ref w, 3);
        PutId(ref w, file.Name, name, "File.Name");
        PutCount(ref w, file.Bytes, name, "File.Bytes");
        PutId(ref w, file.Sha256, name, "File.Sha256");
        w.Write(m.Seconds);
    }

    private static PartitionCheckpointed ReadPartitionCheckpointed(ref FrameReader r)
    {
        r.Record(r.Message, 5);
        var job = ReadId(ref r, "Job");
        int partition = ReadIndex(ref r, "Partition", WireLimits.MaxPartitions - 1);
        long step = r.Long("Step");
        r.Record("File", 3);
        var file = new CheckpointFileEntry(ReadId(ref r, "File.Name"), r.Long("File.Bytes"), ReadId(ref r, "File.Sha256"));
        return new PartitionCheckpointed(job, partition, step, file, r.Double("Seconds"));
    }
}
