using Akka.Actor;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using DistSnn.Cluster.Tests.Runtime;
using DistSnn.Cluster.Training;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Tests.Serialization;

/// <summary>
/// Random instances of every wire message from a seed, biased towards edge cases: empty and large arrays, the
/// extremes of every integer field, awkward strings and doubles (NaN, infinities, negative zero, subnormals).
/// </summary>
internal sealed class WireSamples(int seed)
{
    private readonly Random _rng = new(seed);

    private static readonly Lazy<NetworkSpec[]> Specs = new(() =>
    [
        ModelLoader.LoadFile(Repo.Example("brunel.yaml")),
        ModelLoader.LoadFile(Repo.Example("cuba.yaml")),
        ModelLoader.LoadFile(Repo.Example("coba.yaml")),
        SmallSpec(),
    ]);

    private static readonly string[] Strings =
        ["", "j", "job-1", "brunel/7", "ünïcödé µ", "emoji 😀", "quote\" back\\slash", "line\nbreak", new string('x', 200)];

    private static readonly double[] Doubles =
        [0, -0.0, 1e-300, double.Epsilon, double.MaxValue, double.MinValue, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.1 + 0.2];

    /// <summary>A network using every connector kind worth shipping, a spike source and from_list weights.</summary>
    public static NetworkSpec SmallSpec()
    {
        var b = new NetworkBuilder("small wire spec").WithDt(0.1).WithDuration(50).WithSeed(ulong.MaxValue);
        var src = b.Population("src", 7, new SpikeGenerator { SpikeTimes = [[0.3, 1.7]] });
        var n = b.Population("n", 9, new AdEx { Substeps = 3 });
        b.Connect(src, n, new FromList([new ListedSynapse(0, 1, 2.5, 0.4), new ListedSynapse(6, 8)]), weight: 1.0, delay: 0.2);
        b.Connect(n, n, new FixedNumberPre(3, WithReplacement: true) { AllowSelfConnections = false }, weight: 0.5, delay: 1.0);
        b.RecordSpikes(n);
        return b.Build();
    }

    public int Int(int lo, int hi) => (int)_rng.NextInt64(lo, (long)hi + 1);

    public bool Chance(double p) => _rng.NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    public string Text() => Pick(Strings);

    public double Double() => Chance(0.5) ? Pick(Doubles) : _rng.NextDouble() * 1e4;

    /// <summary>A non-negative long: small, large or extreme.</summary>
    public long Long() => Int(0, 3) switch
    {
        0 => Int(0, 100),
        1 => _rng.NextInt64(0, long.MaxValue),
        2 => long.MaxValue,
        _ => 0,
    };

    /// <summary>A non-negative int index, up to the wire limit <paramref name="max"/>.</summary>
    public int Index(int max = int.MaxValue) => Chance(0.2) ? max : Chance(0.2) ? 0 : Int(0, Math.Min(max, 1000));

    public NetworkSpec Spec() => Pick(Specs.Value);

    /// <summary>Spikes sorted by stamp: runs of equal stamps, ids in any order, extremes included.</summary>
    public (long[] Stamps, long[] Ids) Spikes(long maxId = long.MaxValue, int maxCount = 3000)
    {
        int n = Int(0, 3) switch { 0 => 0, 1 => Int(1, 5), 2 => Int(0, maxCount), _ => Int(0, 50) };
        var stamps = new long[n];
        var ids = new long[n];
        // Near the top of the range stamps only step by one, so that they cannot overflow.
        bool top = Chance(0.2);
        long stamp = top ? long.MaxValue - n : Int(0, 1000);
        for (int i = 0; i < n; i++)
        {
            if (i > 0 && Chance(0.1)) stamp += !top && Chance(0.05) ? Int(2, 1 << 20) : 1;
            stamps[i] = stamp;
            ids[i] = Chance(0.05) ? maxId : Chance(0.05) ? 0 : _rng.NextInt64(0, Math.Min(maxId, 20_000));
        }
        // Mostly sorted by id within a stamp, as partitions send them; sometimes not, which the format allows.
        if (Chance(0.8))
        {
            var keys = stamps.Zip(ids).OrderBy(p => p.First).ThenBy(p => p.Second).ToArray();
            for (int i = 0; i < n; i++) (stamps[i], ids[i]) = keys[i];
        }
        return (stamps, ids);
    }

    public ulong[] Bits()
    {
        int words = Int(0, 3) switch { 0 => 0, 1 => Int(1, 3), _ => Int(0, 5000) };
        var bits = new ulong[words];
        ulong fill = Pick([0UL, ulong.MaxValue, 0x5555UL]);
        for (int i = 0; i < words; i++) bits[i] = Chance(0.7) ? fill : (ulong)_rng.NextInt64() ^ ((ulong)_rng.Next() << 40);
        return bits;
    }

    public SpikePacket SpikePacket()
    {
        var (stamps, gids) = Spikes();
        return new SpikePacket(Text(), Long(), Index(WireLimits.MaxPartitions - 1), stamps, gids);
    }

    public SpikePacketPart SpikePacketPart()
    {
        var (stamps, gids) = Spikes();
        int parts = Chance(0.2) ? WireLimits.MaxParts : Int(1, 10);
        return new SpikePacketPart(Text(), Long(), Index(WireLimits.MaxPartitions - 1), Int(0, parts - 1), parts, stamps, gids);
    }

    public BuildPartition BuildPartition()
    {
        var spec = Spec();
        // Owned slices as the partitioner makes them, or random ascending subsets.
        IReadOnlyList<int[]> owned;
        if (Chance(0.5))
        {
            int parts = Int(1, 8);
            owned = PartitionPlan.Create(spec, parts, Chance(0.5) ? PartitionStrategy.Contiguous : PartitionStrategy.RoundRobin).Owned(Int(0, parts - 1));
        }
        else
        {
            owned = spec.Populations.Select(p => Enumerable.Range(0, p.Size).Where(_ => Chance(0.3)).ToArray()).ToArray();
        }
        return new BuildPartition(Text(), spec, Index(WireLimits.MaxPartitions - 1), owned)
        {
            Checkpointing = Chance(0.5) ? null : new PartitionCheckpointing(Text(), Math.Max(1, Long()), Text(), Math.Max(1, Index(WireLimits.MaxPartitions))),
            Restore = Chance(0.5) ? null : new PartitionRestore(Text(), Text(), Text()),
            Backend = Chance(0.5) ? "cpu" : Text(),
        };
    }

    public CheckpointRequest? CheckpointRequest() => Chance(0.4) ? null : new CheckpointRequest(Text(), Math.Max(1, Long()), Math.Max(1, Index()));

    public PartitionCheckpointed PartitionCheckpointed() =>
        new(Text(), Index(WireLimits.MaxPartitions - 1), Long(), new CheckpointFileEntry(Text(), Long(), Text()), Double());

    public PartitionBuilt PartitionBuilt() =>
        new(Text(), Index(WireLimits.MaxPartitions - 1), Long(), Long(), Long(), Double(), Bits());

    public OutRoute Route(IReadOnlyList<IActorRef> refs) => new(Index(WireLimits.MaxPartitions - 1), Pick(refs), Bits());

    public StartRun StartRun(IReadOnlyList<IActorRef> refs) =>
        new(Text(), Enumerable.Range(0, Int(0, 6)).Select(_ => Route(refs)).ToArray(),
            Enumerable.Range(0, Int(0, 6)).Select(_ => Index(WireLimits.MaxPartitions - 1)).ToArray(), Pick(refs));

    public RecordedSpikes RecordedSpikes()
    {
        var (stamps, ids) = Spikes(int.MaxValue);
        return new RecordedSpikes(Index(), stamps, ids.Select(i => (int)i).ToArray());
    }

    public RecordedState RecordedState()
    {
        var neurons = Enumerable.Range(0, Int(0, 20)).Select(_ => Index()).ToArray();
        var values = Enumerable.Range(0, Int(0, 3) == 0 ? 0 : Int(1, 4000))
            .Select(_ => Chance(0.1) ? Pick([float.NaN, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue]) : (float)(_rng.NextDouble() * 100 - 70))
            .ToArray();
        return new RecordedState(Index(), Index(), Text(), neurons, Long(), values);
    }

    public PartitionResult PartitionResult() => new(Index(), Long(), Long(), Long(), Long(), Long(), Double(), Double(), Double(),
        Enumerable.Range(0, Int(0, 3)).Select(_ => RecordedSpikes()).ToArray(),
        Enumerable.Range(0, Int(0, 3)).Select(_ => RecordedState()).ToArray(), Long(), Long());

    public JobStatus JobStatus() => new(Text(), Pick(Enum.GetValues<JobState>()), Index(WireLimits.MaxPartitions), Long(), Long(),
        Double(), Double(), Chance(0.5) ? null : Text());

    public PartitionLocation Location() => new(Index(), "akka.tcp://distsnn@10.0.0." + Int(1, 254) + ":4053/system/sharding/partition/7/" + Text(), Long(), Long());

    /// <summary>One random message of every kind that needs no actor references.</summary>
    public IEnumerable<object> Messages()
    {
        yield return BuildPartition();
        yield return PartitionBuilt();
        yield return new PartitionFailed(Text(), Index(), Text());
        yield return SpikePacket();
        yield return SpikePacketPart();
        yield return new PartitionProgress(Text(), Index(), Long());
        yield return new PartitionFinished(Text(), Index(), PartitionResult());
        yield return PartitionResult();
        yield return RecordedSpikes();
        yield return RecordedState();
        yield return PartitionHandOff.Instance;
        yield return new EndJob(Text());
        yield return new SubmitJob(Text(), Spec(), Index(WireLimits.MaxPartitions), Pick(Enum.GetValues<PartitionStrategy>()))
        {
            Checkpoints = CheckpointRequest(),
        };
        yield return PartitionCheckpointed();
        yield return new JobAccepted(Text());
        yield return new JobRejected(Text(), Text());
        yield return new GetJobStatus(Text());
        yield return JobStatus();
        yield return ListJobs.Instance;
        yield return new JobList(Enumerable.Range(0, Int(0, 4)).Select(_ => JobStatus()).ToArray());
        yield return new GetJobResult(Text());
        yield return new GetJobPartitions(Text());
        yield return Location();
        yield return new JobPartitions(Text(), Enumerable.Range(0, Int(0, 4)).Select(_ => Location()).ToArray());
        yield return new CancelJob(Text());
        yield return new JobResult(Text(), Spec(), Enumerable.Range(0, Int(0, 3)).Select(_ => PartitionResult()).ToArray(), Double(), Double());
        yield return new SubmitTraining(Text(), Text(), Chance(0.5) ? null : Text(), Index(1000), Chance(0.5) ? null : Text(), Index(), Chance(0.5) ? null : Text());
        yield return new StartReplica(Text(), Text(), Chance(0.5) ? null : Text(), Index(1000), Text(), Text());
        yield return new ReplicaReady(Text(), Index(1000));
        yield return new ReplicaFailed(Text(), Index(1000), Text());
        yield return new ComputeMicroBatches(Text(), Long(), Long(), Floats(), Indices(), Indices());
        int leaves = Int(0, 5), layers = Int(0, 3);
        yield return new MicroBatchGradient(Text(), Long(), Index(1000), Int(0, 30), Enumerable.Range(0, leaves).Select(_ => Double()).ToArray(),
            Enumerable.Range(0, leaves).Select(_ => Index()).ToArray(), Enumerable.Range(0, leaves * layers).Select(_ => Double()).ToArray(), Floats());
        yield return new StopReplica(Text());
        yield return new GetTrainingStatus(Text());
        yield return new CancelTraining(Text());
        yield return ListTraining.Instance;
        yield return TrainingStatus();
        yield return new TrainingList(Enumerable.Range(0, Int(0, 4)).Select(_ => TrainingStatus()).ToArray());
        yield return new GetTrainingResult(Text());
        yield return new TrainingResult(Text(), Floats(), Text(), Double(), Index(1000), Text());
    }

    private static readonly float[] SpecialFloats = [0f, -0f, float.Epsilon, float.MaxValue, float.NaN, float.NegativeInfinity, 1e-30f];

    public float[] Floats() => Enumerable.Range(0, Int(0, 3) == 0 ? Int(1000, 5000) : Int(0, 20))
        .Select(_ => Chance(0.2) ? Pick(SpecialFloats) : (float)(_rng.NextDouble() * 2 - 1)).ToArray();

    public int[] Indices() => Enumerable.Range(0, Int(0, 50)).Select(_ => Index()).ToArray();

    public TrainingStatus TrainingStatus() => new(Text(), Text(), Index(), Index(), Long(), Long(), Double(), Double(), Double(), Double(), Index(1000),
        Double(), Text(), Chance(0.5) ? null : Text());
}
