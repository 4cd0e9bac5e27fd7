using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Exchange;
using DistSnn.Partitioner;

namespace DistSnn.Backends.Testing;

/// <summary>
/// What every partition backend must do, as tests: a backend's test project derives a class from this one, names the
/// backend and gives a model that runs on it and one it must refuse. The suite checks the invariants of
/// <see cref="IPartitionBackend"/>: the same spikes for any partitioning and delivery order, recordings and counters
/// that match what it emitted, checkpoint and resume, epochs in order on the dt grid, and refusal by capability.
/// </summary>
public abstract class BackendConformance
{
    /// <summary>The backend under test.</summary>
    protected abstract BackendType Backend { get; }

    /// <summary>
    /// A model with some populations on the backend under test (and possibly others on <c>cpu</c>), with exchange lag
    /// <paramref name="lag"/> and recorded spikes, in which the backend's neurons spike.
    /// </summary>
    protected abstract NetworkSpec Model(int lag);

    /// <summary>A model the backend cannot host, the population the refusal must name and a fragment saying what is unsupported.</summary>
    protected abstract (NetworkSpec Model, string Population, string Unsupported) Unsupported();

    /// <summary>The default backends with the one under test.</summary>
    protected BackendRegistry Registry => BackendRegistry.Default.With(Backend);

    /// <summary>Builds <paramref name="parts"/> partitions (at least one per backend) of <paramref name="spec"/>.</summary>
    protected (PartitionPlan Plan, IPartitionBackend[] Backends) Build(NetworkSpec spec, int parts)
    {
        Assert.Empty(NetworkValidator.Validate(spec));
        Assert.Empty(Registry.Check(spec));
        var plan = PartitionPlan.Create(spec, parts, PartitionStrategy.RoundRobin);
        var backends = Enumerable.Range(0, plan.Parts).Select(q => Registry.Create(plan.Backend(q), spec, q, plan.Owned(q))).ToArray();
        return (plan, backends);
    }

    /// <summary>Runs partitions to the end on the in-process transport.</summary>
    protected static void Run(NetworkSpec spec, PartitionPlan plan, IPartitionBackend[] backends, long untilStep = long.MaxValue)
    {
        var runner = new InProcessRunner(backends, RoutingTable.Of(spec, Enumerable.Range(0, plan.Parts).Select(plan.Owned).ToArray(), backends));
        runner.RunUntil(untilStep);
    }

    /// <summary>Every recorded spike as (stamp, global id), sorted.</summary>
    public static List<(long Stamp, long Gid)> Recorded(NetworkSpec spec, IEnumerable<IPartitionBackend> backends)
    {
        var first = spec.FirstGids();
        var all = new List<(long, long)>();
        foreach (var b in backends)
            foreach (var r in b.SpikeRecords)
            {
                if (r is null) continue;
                var (stamps, ids) = r.ToArrays();
                for (int i = 0; i < stamps.Length; i++) all.Add((stamps[i], first[r.Population] + ids[i]));
            }
        all.Sort();
        return all;
    }

    private IEnumerable<IPartitionBackend> UnderTest(IEnumerable<IPartitionBackend> backends) => backends.Where(b => b.BackendName == Backend.Name);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_same_spikes_for_any_partitioning(int lag)
    {
        var spec = Model(lag);
        var (plan1, one) = Build(spec, 1);
        Run(spec, plan1, one);
        var (plan4, four) = Build(spec, 4);
        Run(spec, plan4, four);
        var reference = Recorded(spec, one);
        Assert.True(UnderTest(one).Sum(b => b.Counters.SpikesEmitted) > 10, $"the {Backend.Name} partitions must spike");
        Assert.Equal(reference, Recorded(spec, four));
        Assert.True(plan4.Backends.Count(b => b == Backend.Name) >= 1);
        Assert.All(one.Concat(four), b => Assert.True(b.Clock.Finished));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Delivery_order_and_batching_do_not_change_anything(int lag)
    {
        var spec = Model(lag);
        var (_, straight) = Build(spec, 3);
        var (_, shuffled) = Build(spec, 3);
        var outputs = Lockstep(straight, reorder: false);
        Assert.Equal(outputs, Lockstep(shuffled, reorder: true));
        Assert.Equal(Recorded(spec, straight), Recorded(spec, shuffled));
        Assert.NotEmpty(Recorded(spec, straight));
    }

    /// <summary>
    /// Runs every partition epoch by epoch and hands each all of the epoch's spikes right after it ran: as produced, or
    /// (<paramref name="reorder"/>) with the batches reversed and each cut in two. Returns every epoch's output.
    /// </summary>
    protected static List<string> Lockstep(IPartitionBackend[] backends, bool reorder)
    {
        var outputs = new List<string>();
        while (!backends.All(b => b.Clock.Finished))
        {
            var batches = new List<SpikeBatch>();
            foreach (var b in backends)
            {
                var s = b.RunEpoch();
                outputs.Add($"{b.Partition}:" + string.Join(",", Enumerable.Range(0, s.Count).Select(i => $"{s.Stamps[i]}/{s.Gids[i]}")));
                var copy = new SpikeBatch(s.Stamps[..s.Count], s.Gids[..s.Count], s.Count);
                if (!reorder) batches.Add(copy);
                else
                {
                    int half = copy.Count / 2;
                    batches.Insert(0, new SpikeBatch(copy.Stamps[half..], copy.Gids[half..], copy.Count - half));
                    batches.Insert(0, new SpikeBatch(copy.Stamps[..half], copy.Gids[..half], half));
                }
            }
            foreach (var b in backends) b.Deliver(batches);
        }
        return outputs;
    }

    [Fact]
    public void Records_exactly_the_spikes_it_emits_and_counts_them()
    {
        var spec = Model(1);
        var (plan, backends) = Build(spec, 2);
        var emitted = new List<(long, long)>();
        var recorded = spec.Recording.Spikes.Select(spec.PopulationIndex).ToHashSet();
        var first = spec.FirstGids();
        long[] spikes = new long[backends.Length], eventsBefore = new long[backends.Length];
        while (!backends.All(b => b.Clock.Finished))
        {
            var batches = new List<SpikeBatch>();
            foreach (var b in backends)
            {
                var (start, end) = (b.Clock.CurrentStep, Math.Min(b.Clock.CurrentStep + b.Clock.EpochSteps, b.Clock.TotalSteps));
                var s = b.RunEpoch();
                Assert.Equal(end, b.Clock.CurrentStep);
                for (int i = 0; i < s.Count; i++)
                {
                    Assert.InRange(s.Stamps[i], start + 1, end);
                    if (i > 0) Assert.True((s.Stamps[i - 1], s.Gids[i - 1]).CompareTo((s.Stamps[i], s.Gids[i])) < 0, "spikes sorted by (stamp, gid)");
                    int found = Array.BinarySearch(first, s.Gids[i]);
                    int p = found >= 0 ? found : ~found - 1;
                    if (recorded.Contains(p) && b.BackendName == Backend.Name) emitted.Add((s.Stamps[i], s.Gids[i]));
                }
                spikes[b.Partition] += s.Count;
                batches.Add(new SpikeBatch(s.Stamps[..s.Count], s.Gids[..s.Count], s.Count));
            }
            foreach (var b in backends)
            {
                b.Deliver(batches);
                Assert.True(b.Counters.SynapticEvents >= eventsBefore[b.Partition], "synaptic events never decrease");
                eventsBefore[b.Partition] = b.Counters.SynapticEvents;
            }
        }
        emitted.Sort();
        Assert.NotEmpty(emitted);
        Assert.Equal(emitted, Recorded(spec, UnderTest(backends)));
        foreach (var b in backends)
        {
            Assert.Equal(spikes[b.Partition], b.Counters.SpikesEmitted);
            Assert.Equal(plan.NeuronCount(b.Partition), b.Counters.Neurons);
            Assert.True(b.Counters.Synapses >= 0 && b.Counters.SynapseBytes >= 0);
        }
        Assert.True(UnderTest(backends).Sum(b => b.Counters.SynapticEvents) > 0, "spikes reached the backend's synapses");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_checkpoint_resumes_to_the_uninterrupted_spikes(int lag)
    {
        var spec = Model(lag);
        var (plan, whole) = Build(spec, 3);
        Run(spec, plan, whole);

        var (_, first) = Build(spec, 3);
        long boundary = spec.Run.Steps / 2 / spec.EpochSteps() * spec.EpochSteps();
        Run(spec, plan, first, boundary);
        var states = first.Select(b =>
        {
            Assert.Equal(boundary, b.Clock.CurrentStep);
            var ms = new MemoryStream();
            b.SaveState(ms);
            return ms.ToArray();
        }).ToArray();
        var (_, resumed) = Build(spec, 3);
        foreach (var b in resumed) b.RestoreState(new MemoryStream(states[b.Partition]));
        Assert.All(resumed, b => Assert.Equal(boundary, b.Clock.CurrentStep));
        Run(spec, plan, resumed);

        Assert.Equal(Recorded(spec, whole), Recorded(spec, resumed));
        Assert.Equal(whole.Select(b => b.WeightsChecksum), resumed.Select(b => b.WeightsChecksum));
        // A state that does not fit is refused, naming what does not fit.
        var (_, other) = Build(spec, 3);
        var truncated = states[0][..(states[0].Length / 2)];
        var partition = other.First(b => b.Partition == 0);
        Assert.ThrowsAny<Exception>(() => partition.RestoreState(new MemoryStream(truncated)));
    }

    [Fact]
    public void Refuses_what_it_cannot_host_naming_the_population()
    {
        var (spec, population, unsupported) = Unsupported();
        var errors = Registry.Check(spec);
        var error = Assert.Single(errors, e => e.Message.Contains(unsupported, StringComparison.Ordinal));
        Assert.Contains($"population '{population}' on backend '{Backend.Name}'", error.Message);
        Assert.Matches(@"^(populations|projections|poisson_inputs|currents|record)", error.Path);
    }

    [Fact]
    public void Epochs_run_and_are_delivered_in_order_only()
    {
        var spec = Model(1);
        var (_, backends) = Build(spec, 1);
        var b = UnderTest(backends).First();
        Assert.Equal(spec.EpochSteps(), b.Clock.EpochSteps);
        Assert.Equal(spec.Run.Steps, b.Clock.TotalSteps);
        Assert.Throws<InvalidOperationException>(() => b.Deliver([]));
        b.RunEpoch();
        Assert.Throws<InvalidOperationException>(() => b.RunEpoch());
        b.Deliver([]);
        b.RunEpoch();
        Assert.Equal(2 * spec.EpochSteps(), b.Clock.CurrentStep);
        Assert.Equal(1, b.Clock.DeliveredEpochs);
    }
}
