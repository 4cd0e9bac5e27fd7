using System.Diagnostics;
using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Nodes.Exchange;

/// <summary>
/// Runs partitions in this process, with no actor system: the in-process transport. <see cref="Run"/> gives each
/// partition a thread of its own that steps it whenever its exchange lets it and hands its packets straight to their
/// targets' inboxes, as partition actors do; <see cref="RunUntil"/> and <see cref="Pump"/> work in rounds: every
/// partition steps (in parallel) until it waits for packets or reaches the step asked for, then the round's packets
/// are handed over in a fixed order. The protocol is the actors' (<see cref="PartitionLoop"/>,
/// <see cref="EpochExchange{TPacket}"/>), so results are the same bit for bit either way.
/// </summary>
/// <remarks>
/// The runner may host only some partitions of a routing table: packets for the others go to <see cref="Outbound"/>,
/// and theirs come in through <see cref="Offer"/>. Not thread-safe: call it from one thread at a time.
/// Packet arrays come from a pool and go back once delivered, so a steady run allocates nothing per epoch; packets
/// offered from outside are copied into it.
/// </remarks>
public sealed partial class InProcessRunner
{
    private readonly PartitionLoop?[] _loops;
    private readonly PartitionLoop[] _hosted;
    // By partition index; null where the partition is hosted elsewhere.
    private readonly Transport?[] _transports;
    private readonly SpikeArrayPool _pool = new();
    private readonly bool[] _progress;
    private readonly Action<int> _stepOne;
    // Per hosted partition, in stopwatch ticks: time computing, time waiting before epochs, the wait not yet
    // attributed to an epoch, and since when it waits (0: it does not).
    private readonly long[] _computeTicks, _waitTicks, _waitBefore, _waitingSince;
    private long _untilStep;

    /// <summary>
    /// Hosts <paramref name="backends"/> (at most one per partition index of <paramref name="routes"/>); each sends to
    /// and hears from the partitions <paramref name="routes"/> names.
    /// </summary>
    public InProcessRunner(IReadOnlyList<IPartitionBackend> backends, RoutingTable routes)
    {
        ArgumentNullException.ThrowIfNull(backends);
        ArgumentNullException.ThrowIfNull(routes);
        if (backends.Count == 0) throw new ArgumentException("no partition to run", nameof(backends));
        _loops = new PartitionLoop?[routes.Parts];
        _transports = new Transport[routes.Parts];
        for (int k = 0; k < backends.Count; k++)
        {
            var b = backends[k];
            if (b.Partition < 0 || b.Partition >= routes.Parts)
                throw new ArgumentException($"partition {b.Partition} is not in the routing table of {routes.Parts} partitions", nameof(backends));
            if (_loops[b.Partition] is not null) throw new ArgumentException($"partition {b.Partition} is given twice", nameof(backends));
            var transport = _transports[b.Partition] = new Transport(routes.Routes(b.Partition), _pool);
            var loop = _loops[b.Partition] = new PartitionLoop(b, routes.Sources(b.Partition), transport);
            loop.Delivered = Recycle;
        }
        _hosted = _loops.Where(l => l is not null).ToArray()!;
        _progress = new bool[_hosted.Length];
        _computeTicks = new long[_hosted.Length];
        _waitTicks = new long[_hosted.Length];
        _waitBefore = new long[_hosted.Length];
        _waitingSince = new long[_hosted.Length];
        _stepOne = StepOne;
    }

    /// <summary>
    /// Runs the CPU partitions <paramref name="engines"/> (partitions 0 to n − 1 of <paramref name="spec"/>, one each) to
    /// the end in this process; the reference the distributed runs are compared with.
    /// </summary>
    public static void Run(NetworkSpec spec, IReadOnlyList<PartitionEngine> engines, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(engines);
        var ordered = engines.OrderBy(e => e.Partition).ToArray();
        new InProcessRunner(ordered, RoutingTable.Of(spec, ordered.Select(e => e.Owned).ToArray(), ordered)).Run(cancel);
    }

    /// <summary>The hosted partitions, by ascending index.</summary>
    public IReadOnlyList<PartitionLoop> Loops => _hosted;

    /// <summary>Whether partitions step in parallel within a round (default); results are the same either way.</summary>
    public bool Parallel { get; set; } = true;

    /// <summary>
    /// Takes packets for partitions this runner does not host (target, epoch, source, spikes; the arrays are handed
    /// over and never reused by this runner). Null: every target must be hosted here.
    /// </summary>
    public Action<int, long, int, SpikeBatch>? Outbound { get; set; }

    /// <summary>Told about every epoch run and every packet routed (telemetry); null: nobody.</summary>
    public IRunObserver? Observer { get; set; }

    /// <summary>
    /// Called on the calling thread between rounds, and about every 100 ms while partitions run on threads of their own
    /// (progress reports, stop checks); an exception it throws ends the run.
    /// </summary>
    public Action? Heartbeat { get; set; }

    /// <summary>Gives hosted partition <paramref name="target"/> a packet from a partition hosted elsewhere.</summary>
    public PacketVerdict Offer(int target, long epoch, int source, SpikeBatch spikes)
    {
        var loop = target >= 0 && target < _loops.Length ? _loops[target] : null;
        if (loop is null) throw new ArgumentOutOfRangeException(nameof(target), target, "not a partition hosted by this runner");
        var stamps = _pool.Rent(spikes.Count);
        var gids = _pool.Rent(spikes.Count);
        spikes.Stamps.AsSpan(0, spikes.Count).CopyTo(stamps);
        spikes.Gids.AsSpan(0, spikes.Count).CopyTo(gids);
        var verdict = loop.Offer(epoch, source, new SpikeBatch(stamps, gids, spikes.Count));
        if (verdict != PacketVerdict.Accepted)
        {
            _pool.Return(stamps);
            _pool.Return(gids);
        }
        return verdict;
    }

    /// <summary>
    /// Sends again, from hosted partition <paramref name="partition"/> to its out-neighbours, the spikes of an epoch it
    /// ran before a restore but whose packets were never delivered (they travel with the next round's packets).
    /// </summary>
    public void Resend(int partition, long epoch, SpikeBatch spikes)
    {
        var transport = partition >= 0 && partition < _transports.Length ? _transports[partition] : null;
        if (transport is null) throw new ArgumentOutOfRangeException(nameof(partition), partition, "not a partition hosted by this runner");
        transport.Send(partition, epoch, spikes);
    }

    /// <summary>Whether every hosted partition has run to the end.</summary>
    public bool Finished => _hosted.All(l => l.Backend.Clock.Finished);

    /// <summary>
    /// Runs every hosted partition to the end: on threads of their own when <see cref="Parallel"/> and every partition is
    /// hosted here, in rounds otherwise. Throws <see cref="InvalidOperationException"/> when partitions wait for
    /// packets that nobody will send (a partition hosted elsewhere that never sends).
    /// </summary>
    public void Run(CancellationToken cancel = default)
    {
        if (Parallel && _hosted.Length > 1 && Outbound is null) RunOnThreads(cancel);
        else RunUntil(long.MaxValue, cancel);
    }

    /// <summary>
    /// Runs whole epochs until every hosted partition has reached step <paramref name="step"/> (or the end), then
    /// delivers every epoch it ran whose packets are all in, so that the network between two calls has seen all the
    /// spikes it emitted (what a trainer that changes it between runs needs).
    /// </summary>
    public void RunUntil(long step, CancellationToken cancel = default)
    {
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            bool ran = Round(step);
            bool routed = Route();
            Heartbeat?.Invoke();
            if (_hosted.All(l => l.Backend.Clock.Finished || l.Backend.Clock.CurrentStep >= step)) break;
            if (!ran && !routed)
                throw new InvalidOperationException("the partitions wait for packets that are not coming: " + string.Join("; ",
                    _hosted.Where(l => l.Next.Action == ExchangeAction.Wait)
                        .Select(l => $"partition {l.Backend.Partition} waits for epoch {l.Next.Epoch}")));
        }
        // Delivering may not need more packets; routing again is for what the last round sent.
        foreach (var loop in _hosted)
            while (loop.DeliverEarly()) { }
    }

    /// <summary>
    /// One round: every hosted partition steps until it waits or reaches <paramref name="step"/>; then the packets of the
    /// round go to their targets. Returns whether any partition ran or any packet moved.
    /// </summary>
    public bool Pump(long step = long.MaxValue)
    {
        bool ran = Round(step);
        return Route() | ran;
    }

    private bool Round(long step)
    {
        _untilStep = step;
        Array.Clear(_progress);
        if (Parallel && _hosted.Length > 1) System.Threading.Tasks.Parallel.For(0, _hosted.Length, _stepOne);
        else for (int k = 0; k < _hosted.Length; k++) _stepOne(k);
        return Array.IndexOf(_progress, true) >= 0;
    }

    /// <summary>
    /// Steps hosted partition <paramref name="k"/> until it waits, finishes or reaches the round's step, timing each
    /// epoch and the wait before it (from when the partition last found packets missing).
    /// </summary>
    private void StepOne(int k)
    {
        var clock = _hosted[k].Backend.Clock;
        long before = clock.CurrentStep;
        while (!clock.Finished && clock.CurrentStep < _untilStep)
            if (!StepTimed(k)) break;
        _progress[k] = clock.CurrentStep != before;
    }

    /// <summary>
    /// One step of hosted partition <paramref name="k"/>, timed: returns false when it waits (from now on, until its
    /// next step), otherwise records the epoch's compute time and the wait before it.
    /// </summary>
    private bool StepTimed(int k)
    {
        var loop = _hosted[k];
        long t0 = Stopwatch.GetTimestamp();
        if (_waitingSince[k] != 0) _waitBefore[k] += t0 - _waitingSince[k];
        _waitingSince[k] = 0;
        if (loop.Step() == LoopStep.Waiting)
        {
            _waitingSince[k] = t0;
            return false;
        }
        long compute = Stopwatch.GetTimestamp() - t0;
        _computeTicks[k] += compute;
        _waitTicks[k] += _waitBefore[k];
        Observer?.EpochRan(loop, Stopwatch.GetElapsedTime(0, compute).TotalSeconds, Stopwatch.GetElapsedTime(0, _waitBefore[k]).TotalSeconds);
        _waitBefore[k] = 0;
        return true;
    }

    /// <summary>Seconds hosted partition <paramref name="partition"/> has spent running epochs (delivery, run and send).</summary>
    public double ComputeSeconds(int partition) => Stopwatch.GetElapsedTime(0, _computeTicks[HostedIndex(partition)]).TotalSeconds;

    /// <summary>Seconds hosted partition <paramref name="partition"/> has spent waiting for packets before its epochs.</summary>
    public double WaitSeconds(int partition) => Stopwatch.GetElapsedTime(0, _waitTicks[HostedIndex(partition)]).TotalSeconds;

    private int HostedIndex(int partition)
    {
        for (int k = 0; k < _hosted.Length; k++)
            if (_hosted[k].Backend.Partition == partition) return k;
        throw new ArgumentOutOfRangeException(nameof(partition), partition, "not a partition hosted by this runner");
    }

    /// <summary>Hands every packet sent in the last round to its target, sources in ascending order; returns whether any moved.</summary>
    private bool Route()
    {
        bool moved = false;
        for (int k = 0; k < _hosted.Length; k++)
        {
            int source = _hosted[k].Backend.Partition;
            foreach (var (target, epoch, batch) in _transports[source]!.Drain())
            {
                moved = true;
                Observer?.PacketRouted(source, target, epoch, batch);
                if (_loops[target] is { } loop)
                {
                    var verdict = loop.Offer(epoch, source, batch);
                    if (verdict != PacketVerdict.Accepted)
                        throw new InvalidOperationException($"partition {target} refused epoch {epoch} of partition {source}: {verdict}");
                }
                else if (Outbound is { } outbound) outbound(target, epoch, source, batch);
                else throw new InvalidOperationException($"partition {source} sends to partition {target}, which is not hosted here");
            }
        }
        return moved;
    }

    private void Recycle(IReadOnlyList<SpikeBatch> delivered)
    {
        for (int i = 0; i < delivered.Count; i++)
        {
            _pool.Return(delivered[i].Stamps);
            _pool.Return(delivered[i].Gids);
        }
    }

    /// <summary>
    /// One partition's outgoing side: filtered copies of its epochs' spikes, held until the round ends, or handed at once
    /// to <see cref="Direct"/> while partitions run on threads of their own.
    /// </summary>
    private sealed class Transport(IReadOnlyList<SpikeRoute> routes, SpikeArrayPool pool) : ISpikeTransport
    {
        /// <summary>Where packets go at once (target, epoch, source, spikes); null: into the outbox.</summary>
        public Action<int, long, int, SpikeBatch>? Direct { get; set; }

        // An array: a foreach over the interface would allocate an enumerator every epoch.
        private readonly SpikeRoute[] _routes = routes.ToArray();
        private readonly List<(int Target, long Epoch, SpikeBatch Batch)> _outbox = new();
        private readonly List<(int Target, long Epoch, SpikeBatch Batch)> _draining = new();

        public void Send(int source, long epoch, SpikeBatch spikes)
        {
            foreach (var route in _routes)
            {
                int n = 0;
                for (int i = 0; i < spikes.Count; i++)
                    if (route.Carries(spikes.Gids[i])) n++;
                var stamps = pool.Rent(n);
                var gids = pool.Rent(n);
                int at = 0;
                for (int i = 0; i < spikes.Count && at < n; i++)
                {
                    long g = spikes.Gids[i];
                    if (!route.Carries(g)) continue;
                    stamps[at] = spikes.Stamps[i];
                    gids[at++] = g;
                }
                if (Direct is { } direct) direct(route.Target, epoch, source, new SpikeBatch(stamps, gids, n));
                else _outbox.Add((route.Target, epoch, new SpikeBatch(stamps, gids, n)));
            }
        }

        /// <summary>Whether packets wait in the outbox.</summary>
        public bool HasPackets => _outbox.Count > 0;

        /// <summary>The packets sent since the last call, in the order sent.</summary>
        public List<(int Target, long Epoch, SpikeBatch Batch)> Drain()
        {
            _draining.Clear();
            _draining.AddRange(_outbox);
            _outbox.Clear();
            return _draining;
        }
    }
}

/// <summary>What an <see cref="InProcessRunner"/> tells about its run, for telemetry.</summary>
public interface IRunObserver
{
    /// <summary>
    /// <paramref name="loop"/>'s partition ran an epoch in <paramref name="seconds"/>, after waiting
    /// <paramref name="waitSeconds"/> for packets since its previous epoch. Called on the partition's thread.
    /// </summary>
    void EpochRan(PartitionLoop loop, double seconds, double waitSeconds);

    /// <summary>A packet of <paramref name="epoch"/> went from <paramref name="source"/> to <paramref name="target"/>. Called between rounds.</summary>
    void PacketRouted(int source, int target, long epoch, SpikeBatch packet);
}
