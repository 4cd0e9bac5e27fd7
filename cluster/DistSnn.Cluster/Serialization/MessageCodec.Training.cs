using DistSnn.Cluster.Training;
using MessagePack;

namespace DistSnn.Cluster.Serialization;

/// <summary>Messages of gradient training: submissions and status (clients ↔ training coordinator), steps (coordinator ↔ replicas).</summary>
internal static partial class MessageCodec
{
    /// <summary>Samples of one minibatch, micro-batches of one step, layers of one network: 2^20.</summary>
    private const int MaxTrainingItems = WireLimits.MaxEntries;

    /// <summary>The training messages and their manifests (part of <see cref="Bindings"/>).</summary>
    // A property, not a field: the order in which partial classes initialise their static fields is not defined.
    private static (Type Type, string Manifest)[] TrainingBindings =>
    [
        (typeof(SubmitTraining), "stj"),
        (typeof(StartReplica), "srp"),
        (typeof(ReplicaReady), "rrd"),
        (typeof(ReplicaFailed), "rfl"),
        (typeof(ComputeMicroBatches), "cmb"),
        (typeof(MicroBatchGradient), "mbg"),
        (typeof(StopReplica), "strp"),
        (typeof(GetTrainingStatus), "gts"),
        (typeof(CancelTraining), "ctj"),
        (typeof(ListTraining), "ltj"),
        (typeof(TrainingList), "tl"),
        (typeof(TrainingStatus), "ts"),
        (typeof(GetTrainingResult), "gtr"),
        (typeof(TrainingResult), "tres"),
    ];

    private static bool TryWriteTraining(ref MessagePackWriter w, object message)
    {
        switch (message)
        {
            case SubmitTraining m:
                Record(ref w, 7);
                PutId(ref w, m.Job, nameof(SubmitTraining), "Job");
                PutStr(ref w, m.Spec, WireLimits.MaxTextBytes, nameof(SubmitTraining), "Spec", nullable: false);
                PutNullableText(ref w, m.DataDirectory, nameof(SubmitTraining), "DataDirectory");
                PutCount(ref w, m.Replicas, nameof(SubmitTraining), "Replicas", MaxTrainingItems);
                PutStr(ref w, m.Role, WireLimits.MaxIdBytes, nameof(SubmitTraining), "Role", nullable: true);
                PutCount(ref w, m.CheckpointEvery, nameof(SubmitTraining), "CheckpointEvery", int.MaxValue);
                PutNullableText(ref w, m.CheckpointDirectory, nameof(SubmitTraining), "CheckpointDirectory");
                return true;
            case StartReplica m:
                Record(ref w, 6);
                PutId(ref w, m.Job, nameof(StartReplica), "Job");
                PutStr(ref w, m.Spec, WireLimits.MaxTextBytes, nameof(StartReplica), "Spec", nullable: false);
                PutNullableText(ref w, m.DataDirectory, nameof(StartReplica), "DataDirectory");
                PutCount(ref w, m.Replica, nameof(StartReplica), "Replica", MaxTrainingItems);
                PutId(ref w, m.DataFingerprint, nameof(StartReplica), "DataFingerprint");
                PutId(ref w, m.Platform, nameof(StartReplica), "Platform");
                return true;
            case ReplicaReady m:
                Record(ref w, 2);
                PutId(ref w, m.Job, nameof(ReplicaReady), "Job");
                PutCount(ref w, m.Replica, nameof(ReplicaReady), "Replica", MaxTrainingItems);
                return true;
            case ReplicaFailed m:
                Record(ref w, 3);
                PutId(ref w, m.Job, nameof(ReplicaFailed), "Job");
                PutCount(ref w, m.Replica, nameof(ReplicaFailed), "Replica", MaxTrainingItems);
                PutText(ref w, m.Reason, nameof(ReplicaFailed), "Reason");
                return true;
            case ComputeMicroBatches m:
                Record(ref w, 6);
                PutId(ref w, m.Job, nameof(ComputeMicroBatches), "Job");
                PutCount(ref w, m.Step, nameof(ComputeMicroBatches), "Step");
                PutCount(ref w, m.Epoch, nameof(ComputeMicroBatches), "Epoch");
                PutFloats(ref w, m.Parameters, nameof(ComputeMicroBatches), "Parameters");
                PutInts(ref w, m.Batch, nameof(ComputeMicroBatches), "Batch");
                PutInts(ref w, m.MicroBatches, nameof(ComputeMicroBatches), "MicroBatches");
                return true;
            case MicroBatchGradient m:
                Record(ref w, 8);
                PutId(ref w, m.Job, nameof(MicroBatchGradient), "Job");
                PutCount(ref w, m.Step, nameof(MicroBatchGradient), "Step");
                PutCount(ref w, m.Start, nameof(MicroBatchGradient), "Start", MaxTrainingItems);
                PutCount(ref w, m.Level, nameof(MicroBatchGradient), "Level", 30);
                PutDoubles(ref w, m.Loss, nameof(MicroBatchGradient), "Loss");
                PutInts(ref w, m.Correct, nameof(MicroBatchGradient), "Correct");
                PutDoubles(ref w, m.Rates, nameof(MicroBatchGradient), "Rates");
                PutFloats(ref w, m.Gradient, nameof(MicroBatchGradient), "Gradient");
                return true;
            case StopReplica m: WriteJobOnly(ref w, m.Job, nameof(StopReplica)); return true;
            case GetTrainingStatus m: WriteJobOnly(ref w, m.Job, nameof(GetTrainingStatus)); return true;
            case CancelTraining m: WriteJobOnly(ref w, m.Job, nameof(CancelTraining)); return true;
            case GetTrainingResult m: WriteJobOnly(ref w, m.Job, nameof(GetTrainingResult)); return true;
            case ListTraining: w.WriteArrayHeader(0); return true;
            case TrainingStatus m: WriteTrainingStatus(ref w, m, nameof(TrainingStatus)); return true;
            case TrainingList m:
                var jobs = m.Jobs ?? throw new WireFormatException(nameof(TrainingList), "Jobs", "is null");
                if (jobs.Count > WireLimits.MaxEntries) throw new WireFormatException(nameof(TrainingList), "Jobs", $"more than {WireLimits.MaxEntries} jobs");
                Record(ref w, 1);
                w.WriteArrayHeader(jobs.Count);
                foreach (var s in jobs) WriteTrainingStatus(ref w, s ?? throw new WireFormatException(nameof(TrainingList), "Jobs", "holds null"), nameof(TrainingList));
                return true;
            case TrainingResult m:
                Record(ref w, 6);
                PutId(ref w, m.Job, nameof(TrainingResult), "Job");
                PutFloats(ref w, m.Parameters, nameof(TrainingResult), "Parameters");
                PutText(ref w, m.ReportsJson, nameof(TrainingResult), "ReportsJson");
                w.Write(m.TrainSeconds);
                PutCount(ref w, m.Replicas, nameof(TrainingResult), "Replicas", MaxTrainingItems);
                PutId(ref w, m.Checksum, nameof(TrainingResult), "Checksum");
                return true;
            default: return false;
        }
    }

    /// <summary>About the bytes a message takes: exact enough for the float arrays of training messages, 0 for others.</summary>
    public static int SizeHint(object message) => message switch
    {
        ComputeMicroBatches m => 1024 + sizeof(float) * (m.Parameters?.Length ?? 0) + 5 * (m.Batch?.Length ?? 0),
        MicroBatchGradient m => 1024 + sizeof(float) * (m.Gradient?.Length ?? 0) + 9 * (m.Rates?.Length ?? 0),
        TrainingResult m => 1024 + sizeof(float) * (m.Parameters?.Length ?? 0) + 3 * (m.ReportsJson?.Length ?? 0),
        _ => 0,
    };

    private static object? ReadTraining(ref FrameReader r, string manifest) => manifest switch
    {
        "stj" => ReadSubmitTraining(ref r),
        "srp" => ReadStartReplica(ref r),
        "rrd" => ReadReplicaReady(ref r),
        "rfl" => ReadReplicaFailed(ref r),
        "cmb" => ReadComputeMicroBatches(ref r),
        "mbg" => ReadMicroBatchGradient(ref r),
        "strp" => ReadJobOnly(ref r, job => new StopReplica(job)),
        "gts" => ReadJobOnly(ref r, job => new GetTrainingStatus(job)),
        "ctj" => ReadJobOnly(ref r, job => new CancelTraining(job)),
        "gtr" => ReadJobOnly(ref r, job => new GetTrainingResult(job)),
        "ltj" => ReadEmpty(ref r, ListTraining.Instance),
        "ts" => ReadTrainingStatus(ref r, nameof(TrainingStatus)),
        "tl" => ReadTrainingList(ref r),
        "tres" => ReadTrainingResult(ref r),
        _ => null,
    };

    private static SubmitTraining ReadSubmitTraining(ref FrameReader r)
    {
        r.Record(r.Message, 7);
        return new SubmitTraining(ReadId(ref r, "Job"), ReadText(ref r, "Spec"), r.NullableString("DataDirectory", WireLimits.MaxTextBytes),
            r.Int("Replicas", 0, MaxTrainingItems), r.NullableString("Role", WireLimits.MaxIdBytes), r.Int("CheckpointEvery"),
            r.NullableString("CheckpointDirectory", WireLimits.MaxTextBytes));
    }

    private static StartReplica ReadStartReplica(ref FrameReader r)
    {
        r.Record(r.Message, 6);
        return new StartReplica(ReadId(ref r, "Job"), ReadText(ref r, "Spec"), r.NullableString("DataDirectory", WireLimits.MaxTextBytes),
            r.Int("Replica", 0, MaxTrainingItems), ReadId(ref r, "DataFingerprint"), ReadId(ref r, "Platform"));
    }

    private static ReplicaReady ReadReplicaReady(ref FrameReader r)
    {
        r.Record(r.Message, 2);
        return new ReplicaReady(ReadId(ref r, "Job"), r.Int("Replica", 0, MaxTrainingItems));
    }

    private static ReplicaFailed ReadReplicaFailed(ref FrameReader r)
    {
        r.Record(r.Message, 3);
        return new ReplicaFailed(ReadId(ref r, "Job"), r.Int("Replica", 0, MaxTrainingItems), ReadText(ref r, "Reason"));
    }

    private static ComputeMicroBatches ReadComputeMicroBatches(ref FrameReader r)
    {
        r.Record(r.Message, 6);
        return new ComputeMicroBatches(ReadId(ref r, "Job"), r.Long("Step"), r.Long("Epoch"), ReadFloats(ref r, "Parameters"),
            ReadInts(ref r, "Batch"), ReadInts(ref r, "MicroBatches"));
    }

    private static MicroBatchGradient ReadMicroBatchGradient(ref FrameReader r)
    {
        r.Record(r.Message, 8);
        return new MicroBatchGradient(ReadId(ref r, "Job"), r.Long("Step"), r.Int("Start", 0, MaxTrainingItems), r.Int("Level", 0, 30),
            ReadDoubles(ref r, "Loss"), ReadInts(ref r, "Correct"), ReadDoubles(ref r, "Rates"), ReadFloats(ref r, "Gradient"));
    }

    private static void WriteTrainingStatus(ref MessagePackWriter w, TrainingStatus s, string message)
    {
        Record(ref w, 14);
        PutId(ref w, s.Job, message, "Job");
        PutId(ref w, s.State, message, "State");
        PutCount(ref w, s.Epoch, message, "Epoch", int.MaxValue);
        PutCount(ref w, s.Epochs, message, "Epochs", int.MaxValue);
        PutCount(ref w, s.Step, message, "Step");
        PutCount(ref w, s.TotalSteps, message, "TotalSteps");
        w.Write(s.Loss);
        w.Write(s.Accuracy);
        w.Write(s.ValidationAccuracy);
        w.Write(s.SamplesPerSecond);
        PutCount(ref w, s.Replicas, message, "Replicas", MaxTrainingItems);
        w.Write(s.WallSeconds);
        PutId(ref w, s.Checksum, message, "Checksum");
        PutNullableText(ref w, s.Error, message, "Error");
    }

    private static TrainingStatus ReadTrainingStatus(ref FrameReader r, string field)
    {
        r.Record(field, 14);
        return new TrainingStatus(ReadId(ref r, "Job"), ReadId(ref r, "State"), r.Int("Epoch"), r.Int("Epochs"), r.Long("Step"), r.Long("TotalSteps"),
            r.Double("Loss"), r.Double("Accuracy"), r.Double("ValidationAccuracy"), r.Double("SamplesPerSecond"), r.Int("Replicas", 0, MaxTrainingItems),
            r.Double("WallSeconds"), ReadId(ref r, "Checksum"), r.NullableString("Error", WireLimits.MaxTextBytes));
    }

    private static TrainingList ReadTrainingList(ref FrameReader r)
    {
        r.Record(r.Message, 1);
        int n = r.Array("Jobs", WireLimits.MaxEntries);
        var jobs = new TrainingStatus[n];
        for (int i = 0; i < n; i++) jobs[i] = ReadTrainingStatus(ref r, "Jobs");
        return new TrainingList(jobs);
    }

    private static TrainingResult ReadTrainingResult(ref FrameReader r)
    {
        r.Record(r.Message, 6);
        return new TrainingResult(ReadId(ref r, "Job"), ReadFloats(ref r, "Parameters"), ReadText(ref r, "ReportsJson"), r.Double("TrainSeconds"),
            r.Int("Replicas", 0, MaxTrainingItems), ReadId(ref r, "Checksum"));
    }

    private static void PutFloats(ref MessagePackWriter w, float[]? values, string message, string field)
    {
        if (values is null) throw new WireFormatException(message, field, "is null");
        if (values.Length > WireLimits.MaxStateValues) throw new WireFormatException(message, field, $"{values.Length} values is over the limit of {WireLimits.MaxStateValues}");
        WriteFloats(ref w, values);
    }

    private static void PutInts(ref MessagePackWriter w, int[]? values, string message, string field)
    {
        if (values is null) throw new WireFormatException(message, field, "is null");
        if (values.Length > MaxTrainingItems) throw new WireFormatException(message, field, $"{values.Length} values is over the limit of {MaxTrainingItems}");
        w.WriteArrayHeader(values.Length);
        foreach (int v in values)
        {
            if (v < 0) throw new WireFormatException(message, field, $"{v} is negative");
            w.Write(v);
        }
    }

    private static int[] ReadInts(ref FrameReader r, string field)
    {
        int n = r.Array(field, MaxTrainingItems);
        var values = new int[n];
        for (int i = 0; i < n; i++)
        {
            long v = r.LongHere();
            if (v < 0 || v > int.MaxValue) throw r.Fail($"{v} is out of range [0, {int.MaxValue}]");
            values[i] = (int)v;
        }
        return values;
    }

    private static void PutDoubles(ref MessagePackWriter w, double[]? values, string message, string field)
    {
        if (values is null) throw new WireFormatException(message, field, "is null");
        if (values.Length > MaxTrainingItems) throw new WireFormatException(message, field, $"{values.Length} values is over the limit of {MaxTrainingItems}");
        w.WriteArrayHeader(values.Length);
        foreach (double v in values) w.Write(v);
    }

    private static double[] ReadDoubles(ref FrameReader r, string field)
    {
        int n = r.Array(field, MaxTrainingItems);
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = r.Double(field);
        return values;
    }
}
