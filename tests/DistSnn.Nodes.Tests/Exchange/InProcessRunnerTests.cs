using DistSnn.Model;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Exchange;
using DistSnn.Partitioner;

namespace DistSnn.Nodes.Tests.Exchange;

/// <summary>
/// The in-process transport: partitions split over two runners that pass packets to each other give the spikes of one
/// runner; a partition whose in-neighbour never sends is reported, not waited for; a steady run allocates nothing.
/// </summary>
public class InProcessRunnerTests
{
    private static NetworkSpec Brunel(int lag) => DeterminismTests.Brunel() with { Run = DeterminismTests.Brunel().Run with { ExchangeLag = lag } };

    private static (PartitionEngine[] Engines, RoutingTable Table) Build(NetworkSpec spec, int parts)
    {
        var plan = PartitionPlan.Create(spec, parts, PartitionStrategy.RoundRobin);
        var engines = Enumerable.Range(0, parts).Select(q => new PartitionEngine(spec, q, plan.Owned(q))).ToArray();
        return (engines, RoutingTable.Of(spec, engines.Select(e => e.Owned).ToArray(), engines));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Partitions_on_two_runners_that_pass_packets_give_the_spikes_of_one(int lag)
    {
        var spec = Brunel(lag);
        var (whole, wholeTable) = Build(spec, 3);
        new InProcessRunner(whole, wholeTable).Run();

        var (split, table) = Build(spec, 3);
        var a = new InProcessRunner([split[0], split[2]], table);
        var b = new InProcessRunner([split[1]], table);
        var toB = new List<(int, long, int, SpikeBatch)>();
        var toA = new List<(int, long, int, SpikeBatch)>();
        a.Outbound = (t, e, s, batch) => toB.Add((t, e, s, Copy(batch)));
        b.Outbound = (t, e, s, batch) => toA.Add((t, e, s, Copy(batch)));
        int rounds = 0;
        while (!(a.Finished && b.Finished))
        {
            bool moved = a.Pump() | b.Pump();
            foreach (var (t, e, s, batch) in toB) Assert.Equal(PacketVerdict.Accepted, b.Offer(t, e, s, batch));
            foreach (var (t, e, s, batch) in toA) Assert.Equal(PacketVerdict.Accepted, a.Offer(t, e, s, batch));
            moved |= toA.Count + toB.Count > 0;
            toA.Clear();
            toB.Clear();
            Assert.True(moved, "the two runners stopped making progress");
            rounds++;
        }
        Assert.Equal(Sim.Spikes(whole, 0), Sim.Spikes(split, 0));
        Assert.NotEmpty(Sim.Spikes(whole, 0));
        Assert.True(rounds > 10);
    }

    private static SpikeBatch Copy(SpikeBatch b) => new(b.Stamps[..b.Count], b.Gids[..b.Count], b.Count);

    [Fact]
    public void A_partition_waiting_for_an_in_neighbour_that_never_sends_is_reported()
    {
        var spec = Brunel(1);
        var (engines, table) = Build(spec, 2);
        var runner = new InProcessRunner([engines[0]], table) { Outbound = (_, _, _, _) => { } };
        var e = Assert.Throws<InvalidOperationException>(() => runner.Run());
        Assert.Contains("partition 0 waits for epoch 0", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => runner.Offer(1, 0, 1, SpikeBatch.Empty));
        Assert.Throws<ArgumentException>(() => new InProcessRunner([engines[0], engines[0]], table));
    }

    [Fact]
    public void Stopping_at_a_step_delivers_every_epoch_run_whose_packets_are_in()
    {
        var spec = Brunel(2);
        var (engines, table) = Build(spec, 2);
        var runner = new InProcessRunner(engines, table);
        long stop = 10 * spec.EpochSteps();
        runner.RunUntil(stop);
        Assert.All(engines, e => Assert.Equal(stop, e.CurrentStep));
        Assert.All(engines, e => Assert.Equal(10, e.DeliveredEpochs));
        runner.Run();
        Assert.All(engines, e => Assert.True(e.Finished));
    }

    [Fact]
    public void A_steady_run_allocates_nothing_per_round()
    {
        // Nothing recorded: a growing recording is the only allocation the engine is allowed.
        var spec = Brunel(1) with { Run = Brunel(1).Run with { Duration = 400 }, Recording = new RecordingSpec() };
        var (engines, table) = Build(spec, 2);
        var runner = new InProcessRunner(engines, table) { Parallel = false };
        for (int i = 0; i < 100; i++) runner.Pump();
        long spikes = engines.Sum(e => e.SpikesEmitted);
        var windows = new long[3];
        for (int w = 0; w < windows.Length; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) runner.Pump();
            windows[w] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.True(engines.Sum(e => e.SpikesEmitted) > spikes, "the network must be active while measured");
        Assert.True(windows.Min() < 1024, $"{string.Join(", ", windows)} bytes allocated in three windows of 20 rounds");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Partitions_on_threads_of_their_own_give_the_spikes_of_rounds(int lag)
    {
        var spec = Brunel(lag);
        var (threaded, table) = Build(spec, 3);
        new InProcessRunner(threaded, table).Run();
        var (rounds, roundTable) = Build(spec, 3);
        new InProcessRunner(rounds, roundTable) { Parallel = false }.Run();
        Assert.Equal(Sim.Spikes(rounds, 0), Sim.Spikes(threaded, 0));
        Assert.NotEmpty(Sim.Spikes(rounds, 0));
        Assert.All(threaded, e => Assert.True(e.Finished));
    }

    /// <summary>A CPU partition that fails in its given epoch, as a faulty backend would.</summary>
    private sealed class Failing(PartitionEngine engine, long failAt) : IPartitionBackend
    {
        public string BackendName => engine.BackendName;
        public int Partition => engine.Partition;
        public EpochClock Clock => engine.Clock;
        public bool ReceivesFrom(long gid) => engine.ReceivesFrom(gid);
        public SpikeBatch RunEpoch() => engine.NextEpoch == failAt
            ? throw new InvalidOperationException($"partition {Partition} broke in epoch {failAt}")
            : engine.RunEpoch();
        public void Deliver(IReadOnlyList<SpikeBatch> batches) => engine.Deliver(batches);
        public IReadOnlyList<SpikeRecord?> SpikeRecords => engine.SpikeRecords;
        public IReadOnlyList<StateRecord> StateRecords => engine.StateRecords;
        public PartitionCounters Counters => engine.Counters;
        public ulong WeightsChecksum => engine.WeightsChecksum;
        public void SaveState(Stream stream) => engine.SaveState(stream);
        public void RestoreState(Stream stream) => engine.RestoreState(stream);
    }

    [Fact]
    public void A_partition_failing_on_its_thread_fails_the_run_and_a_cancelled_run_stops()
    {
        var spec = Brunel(1);
        var (engines, table) = Build(spec, 3);
        var backends = engines.Select(e => e.Partition == 1 ? new Failing(e, 20) : (IPartitionBackend)e).ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => new InProcessRunner(backends, table).Run());
        Assert.Equal("partition 1 broke in epoch 20", e.Message);
        Assert.All(engines, x => Assert.False(x.Finished));

        var (more, moreTable) = Build(spec with { Run = spec.Run with { Duration = 60_000 } }, 2);
        using var cancel = new CancellationTokenSource();
        var runner = new InProcessRunner(more, moreTable) { Heartbeat = () => cancel.Cancel() };
        Assert.Throws<OperationCanceledException>(() => runner.Run(cancel.Token));
        Assert.All(more, x => Assert.False(x.Finished));
    }
}
