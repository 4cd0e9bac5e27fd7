using DistSnn.Cluster.Runtime;
using DistSnn.Partitioner;
using MessagePack;

namespace DistSnn.Cluster.Serialization;

/// <summary>Messages between clients (admin endpoint, CLI) and the job coordinator singleton.</summary>
internal static partial class MessageCodec
{
    private static void WriteJobMessage(ref MessagePackWriter w, object message)
    {
        switch (message)
        {
            case SubmitJob m:
                // A checkpoint to resume from names files of the submitting machine: resume with distsnn resume there.
                if (m.Resume is not null)
                    throw new WireFormatException(nameof(SubmitJob), "Resume", "resuming from a checkpoint does not travel between nodes; use distsnn resume");
                Record(ref w, 5);
                PutId(ref w, m.Job, nameof(SubmitJob), "Job");
                WriteSpec(ref w, m.Spec, nameof(SubmitJob));
                if (!Enum.IsDefined(m.Strategy)) throw new WireFormatException(nameof(SubmitJob), "Strategy", $"{(int)m.Strategy} is not a strategy");
                PutCount(ref w, m.Partitions, nameof(SubmitJob), "Partitions", WireLimits.MaxPartitions);
                PutCount(ref w, (int)m.Strategy, nameof(SubmitJob), "Strategy");
                WriteCheckpointRequest(ref w, m.Checkpoints, nameof(SubmitJob));
                break;
            case JobAccepted m: WriteJobOnly(ref w, m.Job, nameof(JobAccepted)); break;
            case JobRejected m:
                Record(ref w, 2);
                PutId(ref w, m.Job, nameof(JobRejected), "Job");
                PutText(ref w, m.Reason, nameof(JobRejected), "Reason");
                break;
            case GetJobStatus m: WriteJobOnly(ref w, m.Job, nameof(GetJobStatus)); break;
            case JobStatus m: WriteJobStatus(ref w, m, nameof(JobStatus)); break;
            case ListJobs: w.WriteArrayHeader(0); break;
            case JobList m:
                var jobs = m.Jobs ?? throw new WireFormatException(nameof(JobList), "Jobs", "is null");
                if (jobs.Count > WireLimits.MaxEntries) throw new WireFormatException(nameof(JobList), "Jobs", $"more than {WireLimits.MaxEntries} jobs");
                w.WriteArrayHeader(1);
                w.WriteArrayHeader(jobs.Count);
                foreach (var s in jobs) WriteJobStatus(ref w, s ?? throw new WireFormatException(nameof(JobList), "Jobs", "holds null"), nameof(JobList));
                break;
            case GetJobResult m: WriteJobOnly(ref w, m.Job, nameof(GetJobResult)); break;
            case GetJobPartitions m: WriteJobOnly(ref w, m.Job, nameof(GetJobPartitions)); break;
            case PartitionLocation m: WriteLocation(ref w, m, nameof(PartitionLocation)); break;
            case JobPartitions m:
                var locations = m.Partitions ?? throw new WireFormatException(nameof(JobPartitions), "Partitions", "is null");
                if (locations.Count > WireLimits.MaxPartitions)
                    throw new WireFormatException(nameof(JobPartitions), "Partitions", $"more than {WireLimits.MaxPartitions} partitions");
                Record(ref w, 2);
                PutId(ref w, m.Job, nameof(JobPartitions), "Job");
                w.WriteArrayHeader(locations.Count);
                foreach (var l in locations) WriteLocation(ref w, l ?? throw new WireFormatException(nameof(JobPartitions), "Partitions", "holds null"), nameof(JobPartitions));
                break;
            case CancelJob m: WriteJobOnly(ref w, m.Job, nameof(CancelJob)); break;
            case JobResult m: WriteJobResult(ref w, m); break;
            default: throw NotWire(message);
        }
    }

    private static object ReadJobMessage(ref FrameReader r, string manifest) => manifest switch
    {
        "sj" => ReadSubmitJob(ref r),
        "ja" => ReadJobOnly(ref r, job => new JobAccepted(job)),
        "jr" => ReadJobRejected(ref r),
        "gjs" => ReadJobOnly(ref r, job => new GetJobStatus(job)),
        "js" => ReadJobStatus(ref r),
        "lj" => ReadEmpty(ref r, ListJobs.Instance),
        "jl" => ReadJobList(ref r),
        "gjr" => ReadJobOnly(ref r, job => new GetJobResult(job)),
        "gjp" => ReadJobOnly(ref r, job => new GetJobPartitions(job)),
        "pl" => ReadLocation(ref r),
        "jp" => ReadJobPartitions(ref r),
        "cj" => ReadJobOnly(ref r, job => new CancelJob(job)),
        "jres" => ReadJobResult(ref r),
        _ => throw r.Fail($"manifest '{manifest}' has no decoder"),
    };

    private static SubmitJob ReadSubmitJob(ref FrameReader r)
    {
        r.Record(r.Message, 5);
        var job = ReadId(ref r, "Job");
        var spec = ReadSpec(ref r);
        int partitions = r.Int("Partitions", 0, WireLimits.MaxPartitions);
        int strategy = r.Int("Strategy");
        if (!Enum.IsDefined((PartitionStrategy)strategy)) throw r.Fail($"{strategy} is not a partition strategy");
        return new SubmitJob(job, spec, partitions, (PartitionStrategy)strategy) { Checkpoints = ReadCheckpointRequest(ref r) };
    }

    private static JobRejected ReadJobRejected(ref FrameReader r)
    {
        r.Record(r.Message, 2);
        return new JobRejected(ReadId(ref r, "Job"), ReadText(ref r, "Reason"));
    }

    // [Job, State, Partitions, Step, TotalSteps, Dt, WallSeconds, Error or nil]
    private static void WriteJobStatus(ref MessagePackWriter w, JobStatus m, string name)
    {
        if (!Enum.IsDefined(m.State)) throw new WireFormatException(name, "State", $"{(int)m.State} is not a job state");
        Record(ref w, 8);
        PutId(ref w, m.Job, name, "Job");
        PutCount(ref w, (int)m.State, name, "State");
        PutCount(ref w, m.Partitions, name, "Partitions", WireLimits.MaxPartitions);
        PutCount(ref w, m.Step, name, "Step");
        PutCount(ref w, m.TotalSteps, name, "TotalSteps");
        w.Write(m.Dt);
        w.Write(m.WallSeconds);
        PutNullableText(ref w, m.Error, name, "Error");
    }

    private static JobStatus ReadJobStatus(ref FrameReader r)
    {
        r.Record("JobStatus", 8);
        var job = ReadId(ref r, "Job");
        int state = r.Int("State");
        if (!Enum.IsDefined((JobState)state)) throw r.Fail($"{state} is not a job state");
        return new JobStatus(job, (JobState)state, r.Int("Partitions", 0, WireLimits.MaxPartitions), r.Long("Step"), r.Long("TotalSteps"),
            r.Double("Dt"), r.Double("WallSeconds"), r.NullableString("Error", WireLimits.MaxTextBytes));
    }

    private static JobList ReadJobList(ref FrameReader r)
    {
        r.Record(r.Message, 1);
        var jobs = new JobStatus[r.Array("Jobs", WireLimits.MaxEntries)];
        for (int i = 0; i < jobs.Length; i++) jobs[i] = ReadJobStatus(ref r);
        return new JobList(jobs);
    }

    // [Partition, Path, Neurons, Synapses, Backend]
    private static void WriteLocation(ref MessagePackWriter w, PartitionLocation m, string name)
    {
        Record(ref w, 5);
        PutIndex(ref w, m.Partition, name, "Partition");
        PutText(ref w, m.Path, name, "Path");
        PutCount(ref w, m.Neurons, name, "Neurons");
        PutCount(ref w, m.Synapses, name, "Synapses");
        PutId(ref w, m.Backend, name, "Backend");
    }

    private static PartitionLocation ReadLocation(ref FrameReader r)
    {
        r.Record("PartitionLocation", 5);
        return new PartitionLocation(ReadIndex(ref r, "Partition"), ReadText(ref r, "Path"), r.Long("Neurons"), r.Long("Synapses"))
        {
            Backend = r.String("Backend", WireLimits.MaxIdBytes),
        };
    }

    private static JobPartitions ReadJobPartitions(ref FrameReader r)
    {
        r.Record(r.Message, 2);
        var job = ReadId(ref r, "Job");
        var locations = new PartitionLocation[r.Array("Partitions", WireLimits.MaxPartitions)];
        for (int i = 0; i < locations.Length; i++) locations[i] = ReadLocation(ref r);
        return new JobPartitions(job, locations);
    }

    // [Job, Spec, [PartitionResult...], BuildSeconds, SimulateSeconds]
    private static void WriteJobResult(ref MessagePackWriter w, JobResult m)
    {
        const string name = nameof(JobResult);
        Record(ref w, 5);
        PutId(ref w, m.Job, name, "Job");
        WriteSpec(ref w, m.Spec, name);
        var partitions = m.Partitions ?? throw new WireFormatException(name, "Partitions", "is null");
        if (partitions.Count > WireLimits.MaxPartitions)
            throw new WireFormatException(name, "Partitions", $"more than {WireLimits.MaxPartitions} partitions");
        w.WriteArrayHeader(partitions.Count);
        foreach (var p in partitions) WritePartitionResult(ref w, p ?? throw new WireFormatException(name, "Partitions", "holds null"), name);
        w.Write(m.BuildSeconds);
        w.Write(m.SimulateSeconds);
    }

    private static JobResult ReadJobResult(ref FrameReader r)
    {
        r.Record(r.Message, 5);
        var job = ReadId(ref r, "Job");
        var spec = ReadSpec(ref r);
        var partitions = new PartitionResult[r.Array("Partitions", WireLimits.MaxPartitions)];
        for (int i = 0; i < partitions.Length; i++) partitions[i] = ReadPartitionResult(ref r);
        return new JobResult(job, spec, partitions, r.Double("BuildSeconds"), r.Double("SimulateSeconds"));
    }
}
