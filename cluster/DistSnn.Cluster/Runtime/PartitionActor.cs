using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Serialization;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Exchange;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// A thin shell around one partition backend: it builds the backend its build message names, then drives it with a
/// <see cref="PartitionLoop"/> — the epoch protocol of every runtime — one epoch per mailbox message, so that packets
/// are taken in between. Packets go to the loop's exchange, which keeps them by epoch until the epoch the next run
/// needs is complete; its spikes leave through the <see cref="AkkaSpikeTransport"/>. No global barrier; packets may
/// arrive early (kept), twice (the second is dropped) or late (dropped and counted).
/// </summary>
public sealed partial class PartitionActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly BackendRegistry _backends;
    private readonly Stopwatch _simulate = new();
    private readonly Stopwatch _wait = new();
    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
    private IPartitionBackend? _backend;
    private PartitionLoop? _loop;
    private AkkaSpikeTransport? _transport;
    // Packets that came before this partition's StartRun (their sender started first); offered to the loop at start.
    private readonly List<SpikePacket> _beforeStart = new();
    private string _job = "";
    private int _partition;
    private IActorRef _coordinator = ActorRefs.Nobody;
    private bool _running, _waiting;
    private string? _builtFor;

    private readonly bool _sharded;
    private readonly SpikePacketAssembler _assembler = new();
    private bool _partsSeen;
    private readonly RejectionLog _rejected = new();
    private PartitionMeter? _meter;

    /// <summary>
    /// Creates an idle partition; it is given its slice by <see cref="BuildPartition"/> and builds it with
    /// <paramref name="backends"/> (default: <see cref="BackendRegistry.Default"/>). A sharded partition passivates
    /// through its shard at the end of its job; a local one is stopped by its coordinator.
    /// </summary>
    public PartitionActor(bool sharded = false, BackendRegistry? backends = null)
    {
        _sharded = sharded;
        _backends = backends ?? BackendRegistry.Default;
        Receive<EndJob>(e =>
        {
            if (e.Job != _job) return;
            _running = false;
            _backend = null;
            _loop = null;
            _meter?.Release();
            if (_sharded) Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(PartitionHandOff.Instance));
            else Context.Stop(Self);
        });
        Receive<PartitionHandOff>(_ =>
        {
            // Hand-off stop from the shard: only honoured when no run is in progress, so queued packets are never
            // dropped mid-run (runs end with EndJob; shards are not rebalanced during runs).
            if (_running) _log.Warning("partition {0} of job {1}: hand-off requested while running; deferring to the end of the job", _partition, _job);
            else Context.Stop(Self);
        });
        Receive<BuildPartition>(Build);
        Receive<StartRun>(Start);
        Receive<SpikePacket>(OnPacket);
        Receive<SpikePacketPart>(OnPart);
        Receive<ContinueRun>(_ => Advance());
        Receive<CheckpointWritten>(OnCheckpointWritten);
        Receive<Terminated>(OnCoordinatorStopped);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        // A partition stopped without EndJob (its node leaving, a crash) gives its gauges back too.
        _meter?.Release();
        base.PostStop();
    }

    private void Build(BuildPartition msg)
    {
        // A recovering coordinator sends a build again when it heard nothing (the first may have gone to a node that
        // was leaving): an entity that has its build already keeps it.
        if (_builtFor == msg.Job)
        {
            _log.Info("partition {0} of job {1}: repeated build ignored", msg.Partition, msg.Job);
            return;
        }
        _builtFor = msg.Job;
        _job = msg.Job;
        _partition = msg.Partition;
        try
        {
            var backend = _backend = _backends.Create(msg.Backend, msg.Spec, msg.Partition, msg.Owned);
            var counters = backend.Counters;
            _meter?.Release();
            _meter = new PartitionMeter(_job, _partition, TelemetryNode.Of(Context.System), counters.Neurons);
            RestoreIfAsked(msg);
            Sender.Tell(new PartitionBuilt(_job, _partition, counters.Neurons, counters.Synapses, counters.SynapseBytes,
                counters.BuildSeconds, RoutingTable.ReceivesFromBits(backend, msg.Spec.TotalNeurons)));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OutOfMemoryException or CheckpointException)
        {
            _log.Error(e, "partition {0} of job {1} failed to build", _partition, _job);
            _backend = null;
            Sender.Tell(new PartitionFailed(_job, _partition, e.Message));
        }
    }

    private void Start(StartRun msg)
    {
        if (_backend is null || msg.Job != _job)
        {
            msg.Coordinator.Tell(new PartitionFailed(msg.Job, _partition, "start before build"));
            return;
        }
        _coordinator = msg.Coordinator;
        if (_sharded) Context.Watch(_coordinator);
        _transport = new AkkaSpikeTransport(_job, msg.Routes, MaxSpikesPerPart(msg.Job), _meter);
        _loop = new PartitionLoop(_backend, msg.Sources, _transport)
        {
            AfterDelivery = CheckpointIfDue,
            AfterRun = KeepForCheckpoint,
        };
        _running = true;
        foreach (var p in _beforeStart) Offer(p);
        _beforeStart.Clear();
        ResendRestoredPackets();
        Advance();
    }

    private void OnPacket(SpikePacket p)
    {
        if (PacketGate.CheckJob(p, _backend is null ? null : _job) is { } rejected)
        {
            Reject(rejected, p);
            return;
        }
        if (_loop is null)
        {
            // Kept until the start: its sender may have started first.
            _beforeStart.Add(p);
            return;
        }
        if (Offer(p) && _waiting) Advance();
    }

    /// <summary>Offers a packet to the loop's exchange; returns whether it was kept.</summary>
    private bool Offer(SpikePacket p)
    {
        var verdict = _loop!.Offer(p.Epoch, p.Source, new SpikeBatch(p.Stamps, p.Gids, p.Stamps.Length));
        if (verdict == PacketVerdict.Accepted) return true;
        if (verdict == PacketVerdict.Duplicate)
        {
            if (_loop.Duplicates == 1) _log.Warning("partition {0}: duplicate packet for epoch {1} from {2} dropped", _partition, p.Epoch, p.Source);
        }
        else if (PacketGate.Of(verdict) is { } rejected) Reject(rejected, p);
        return false;
    }

    private void Reject(WireRejection kind, SpikePacket p)
    {
        WireRejections.Record(kind);
        if (_rejected.First(kind)) _log.Warning(PacketGate.Describe(kind, p, _job, _partition, _backend?.Clock.DeliveredEpochs ?? 0));
    }

    private void OnPart(SpikePacketPart part)
    {
        SpikePacket? whole;
        _partsSeen |= part.Parts > 1;
        try
        {
            whole = _assembler.Add(part);
        }
        catch (ArgumentException e)
        {
            _log.Warning("partition {0}: inconsistent packet part dropped: {1}", _partition, e.Message);
            return;
        }
        if (whole is not null) OnPacket(whole);
    }

    /// <summary>
    /// Packets leave this node only through remoting, whose frames are bounded: a sharded partition splits a
    /// packet whose worst-case encoding could exceed the frame; in one process nothing is serialized.
    /// </summary>
    private int MaxSpikesPerPart(string job)
    {
        if (!_sharded) return int.MaxValue;
        return SpikePacketSplitter.MaxSpikesPerPart((int)Math.Min(int.MaxValue, FrameBytes()), job);
    }

    private long FrameBytes() => Hosting.RemotingFrame.Bytes(Context.System);

    /// <summary>
    /// Results travel in one message; on a cluster one that would not fit a remoting frame would be dropped by the
    /// transport and the job would wait forever, so the partition fails the job with the figures instead.
    /// </summary>
    private string? TooLargeForAFrame(PartitionFinished finished)
    {
        if (!_sharded) return null;
        long frame = FrameBytes();
        long bytes = Context.System.Serialization.FindSerializerFor(finished).ToBinary(finished).LongLength;
        if (bytes + SpikePacketSplitter.FrameReserveBytes <= frame) return null;
        return $"the recordings of partition {_partition} take {bytes / 1e6:F1} MB, more than the remoting frame of {frame / 1e6:F1} MB; " +
               "raise DistSnn:Node:MaxFrameBytes on every node, or record fewer populations or a shorter run";
    }

    /// <summary>
    /// One step of the loop: delivers the epoch the next one needs (when all its packets are here) and runs the next
    /// epoch, or notes that it waits; one epoch per message, so that packets are taken in between.
    /// </summary>
    private void Advance()
    {
        if (!_running || _loop is not { } loop) return;
        var next = loop.Next.Action;
        if (next == ExchangeAction.Wait)
        {
            _waiting = true;
            if (!_wait.IsRunning) _wait.Start();
            return;
        }
        _waiting = false;
        _wait.Stop();
        if (next != ExchangeAction.Finished)
        {
            _meter?.StartEpoch();
            _simulate.Start();
            loop.Step();
            _simulate.Stop();
            // Parts of delivered epochs can only be duplicates now.
            if (_partsSeen) _assembler.DiscardBefore(_job, loop.Backend.Clock.DeliveredEpochs);
            _meter?.EndEpoch(loop.Backend, _wait.Elapsed);
        }
        if (!_running) return;
        if (loop.Backend.Clock.Finished)
        {
            Finish();
            return;
        }
        if (_sinceProgress.ElapsedMilliseconds >= 100)
        {
            _coordinator.Tell(new PartitionProgress(_job, _partition, loop.Backend.Clock.CurrentStep));
            _sinceProgress.Restart();
        }
        // On a cluster the packets just handed over leave through remoting threads; when every core is busy
        // simulating, giving up the rest of this time slice lets them go out now rather than a slice later.
        if (_sharded) Thread.Yield();
        Self.Tell(ContinueRun.Instance);
    }

    private void Finish()
    {
        _running = false;
        var loop = _loop!;
        var backend = loop.Backend;
        var spikes = new List<RecordedSpikes>();
        foreach (var r in backend.SpikeRecords)
        {
            if (r is null) continue;
            var (stamps, ids) = r.ToArrays();
            spikes.Add(new RecordedSpikes(r.Population, stamps, ids));
        }
        var state = backend.StateRecords
            .Select(s => new RecordedState(s.Recorder, s.Population, s.Variable, s.Neurons, s.IntervalSteps, s.Values)).ToList();
        var c = backend.Counters;
        var result = new PartitionResult(_partition, c.Neurons, c.Synapses, c.SynapseBytes, c.SynapticEvents, c.SpikesEmitted,
            c.BuildSeconds, _simulate.Elapsed.TotalSeconds, _wait.Elapsed.TotalSeconds, spikes, state, loop.Late, loop.Duplicates)
        {
            PlasticSynapses = c.PlasticSynapses,
            WeightsChecksum = backend.WeightsChecksum,
            Report = backend.Report,
        };
        _coordinator.Tell(new PartitionProgress(_job, _partition, backend.Clock.CurrentStep));
        var finished = new PartitionFinished(_job, _partition, result);
        if (TooLargeForAFrame(finished) is { } reason) _coordinator.Tell(new PartitionFailed(_job, _partition, reason));
        else TellFinished(finished);
        // The coordinator holds the results; the synapses can go.
        _backend = null;
        _loop = null;
    }
}
