using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Serialization;
using DistSnn.Monitoring;
using DistSnn.Nodes;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// A thin shell around one <see cref="PartitionEngine"/>: it builds the engine, then runs the epoch loop —
/// run epoch e and send one packet per out-neighbour; before epoch e + k runs (k = the engine's exchange lag),
/// wait until every in-neighbour's packet for epoch e has arrived and deliver them all at once. With k ≥ 2 the
/// packets of epoch e travel while epoch e + 1 computes. No global barrier; packets may arrive early (kept by
/// epoch), twice (the second is dropped) or late (dropped and counted).
/// </summary>
public sealed partial class PartitionActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<long, Dictionary<int, SpikePacket>> _pending = new();
    private readonly List<SpikeBatch> _batches = new();
    private readonly Stopwatch _simulate = new();
    private readonly Stopwatch _wait = new();
    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
    private PartitionEngine? _engine;
    private string _job = "";
    private int _partition;
    private IReadOnlyList<OutRoute> _routes = [];
    private int _inDegree;
    private IActorRef _coordinator = ActorRefs.Nobody;
    private long _late, _duplicates;
    private bool _running;
    private string? _builtFor;

    private readonly bool _sharded;
    private readonly SpikePacketAssembler _assembler = new();
    private int _maxSpikesPerPart = int.MaxValue;
    private bool _partsSeen;
    private readonly RejectionLog _rejected = new();
    private PartitionMeter? _meter;

    /// <summary>
    /// Creates an idle partition; it is given its slice by <see cref="BuildPartition"/>. A sharded partition
    /// passivates through its shard at the end of its job; a local one is stopped by its coordinator.
    /// </summary>
    public PartitionActor(bool sharded = false)
    {
        _sharded = sharded;
        Receive<EndJob>(e =>
        {
            if (e.Job != _job) return;
            _running = false;
            _engine = null;
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
            _engine = new PartitionEngine(msg.Spec, msg.Partition, msg.Owned);
            _meter?.Release();
            _meter = new PartitionMeter(_job, _partition, TelemetryNode.Of(Context.System), _engine.NeuronCount);
            RestoreIfAsked(msg);
            long n = msg.Spec.TotalNeurons;
            var bits = new ulong[(n + 63) / 64];
            for (long g = 0; g < n; g++)
                if (_engine.ReceivesFrom(g)) bits[g >> 6] |= 1UL << (int)(g & 63);
            Sender.Tell(new PartitionBuilt(_job, _partition, _engine.NeuronCount, _engine.SynapseCount, _engine.SynapseBytes,
                _engine.BuildSeconds, bits));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OutOfMemoryException or CheckpointException)
        {
            _log.Error(e, "partition {0} of job {1} failed to build", _partition, _job);
            Sender.Tell(new PartitionFailed(_job, _partition, e.Message));
        }
    }

    private void Start(StartRun msg)
    {
        if (_engine is null || msg.Job != _job)
        {
            msg.Coordinator.Tell(new PartitionFailed(msg.Job, _partition, "start before build"));
            return;
        }
        _routes = msg.Routes;
        _inDegree = msg.InDegree;
        _coordinator = msg.Coordinator;
        if (_sharded) Context.Watch(_coordinator);
        _maxSpikesPerPart = MaxSpikesPerPart(msg.Job);
        _running = true;
        ResendRestoredPackets();
        Advance();
    }

    private void OnPacket(SpikePacket p)
    {
        // A packet that comes before this partition's StartRun is kept: its sender may have started first.
        long delivered = _engine?.DeliveredEpochs ?? 0;
        if (PacketGate.Check(p, _engine is null ? null : _job, delivered, _engine?.TotalSteps ?? 0, _engine?.EpochSteps ?? 0) is { } rejected)
        {
            if (rejected == WireRejection.PastEpoch) _late++;
            WireRejections.Record(rejected);
            if (_rejected.First(rejected)) _log.Warning(PacketGate.Describe(rejected, p, _job, _partition, delivered));
            return;
        }
        if (!_pending.TryGetValue(p.Epoch, out var byEpoch)) _pending[p.Epoch] = byEpoch = new Dictionary<int, SpikePacket>();
        if (!byEpoch.TryAdd(p.Source, p))
        {
            if (_duplicates++ == 0) _log.Warning("partition {0}: duplicate packet for epoch {1} from {2} dropped", _partition, p.Epoch, p.Source);
            return;
        }
        if (p.Epoch == delivered) Advance();
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

    /// <summary>The remoting frame size of this node (Akka's default when remoting is not configured).</summary>
    private long FrameBytes()
    {
        var config = Context.System.Settings.Config;
        const string key = "akka.remote.dot-netty.tcp.maximum-frame-size";
        return config.HasPath(key) ? config.GetByteSize(key) ?? 128_000 : 128_000;
    }

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
    /// Runs the next epoch once the packets it depends on are delivered (delivering them first if they are all
    /// here); one epoch per message, so that packets are taken in between.
    /// </summary>
    private void Advance()
    {
        if (!_running || _engine is null) return;
        var engine = _engine;
        long due = engine.NextEpoch - engine.Lag; // the epoch whose packets the next epoch needs
        if (engine.DeliveredEpochs <= due)
        {
            long epoch = engine.DeliveredEpochs;
            _pending.TryGetValue(epoch, out var packets);
            if ((packets?.Count ?? 0) < _inDegree)
            {
                if (!_wait.IsRunning) _wait.Start();
                return;
            }
            _wait.Stop();
            _meter?.StartEpoch();
            _batches.Clear();
            if (packets is not null)
            {
                foreach (var p in packets.Values) _batches.Add(new SpikeBatch(p.Stamps, p.Gids, p.Stamps.Length));
                _pending.Remove(epoch);
            }
            if (_partsSeen) _assembler.DiscardBefore(_job, epoch + 1);
            _simulate.Start();
            engine.Deliver(_batches);
            _simulate.Stop();
            CheckpointIfDue();
            if (!_running) return;
        }
        else _meter?.StartEpoch();
        RunEpochAndSend();
        // On a cluster the packets just handed over leave through remoting threads; when every core is busy
        // simulating, giving up the rest of this time slice lets them go out now rather than a slice later.
        if (_sharded) Thread.Yield();
        if (_running) Self.Tell(ContinueRun.Instance);
    }

    private void RunEpochAndSend()
    {
        var engine = _engine!;
        _simulate.Start();
        long epoch = engine.NextEpoch;
        var spikes = engine.RunEpoch();
        _simulate.Stop();
        _meter?.EndEpoch(engine, _wait.Elapsed);
        if (engine.Finished)
        {
            Finish();
            return;
        }
        KeepForCheckpoint(epoch, spikes);
        Send(epoch, spikes);
        if (_sinceProgress.ElapsedMilliseconds >= 100)
        {
            _coordinator.Tell(new PartitionProgress(_job, _partition, engine.CurrentStep));
            _sinceProgress.Restart();
        }
    }

    /// <summary>Sends epoch <paramref name="epoch"/>'s spikes to every out-neighbour, filtered to what each needs.</summary>
    private void Send(long epoch, SpikeBatch spikes)
    {
        // The last k epochs' spikes would arrive after the end of the run: nobody waits for them.
        if (epoch + _engine!.Lag >= _engine.Epochs) return;
        foreach (var route in _routes)
        {
            var packet = Packet(epoch, spikes, route.Filter);
            _meter?.PacketSent(packet);
            if (packet.Stamps.Length <= _maxSpikesPerPart) route.Target.Tell(packet);
            else
                foreach (var part in SpikePacketSplitter.Split(packet, _maxSpikesPerPart)) route.Target.Tell(part);
        }
    }

    private SpikePacket Packet(long epoch, SpikeBatch spikes, ulong[] filter)
    {
        int n = 0;
        for (int i = 0; i < spikes.Count; i++)
        {
            long g = spikes.Gids[i];
            if ((filter[g >> 6] & (1UL << (int)(g & 63))) != 0) n++;
        }
        var stamps = new long[n];
        var gids = new long[n];
        int at = 0;
        for (int i = 0; i < spikes.Count; i++)
        {
            long g = spikes.Gids[i];
            if ((filter[g >> 6] & (1UL << (int)(g & 63))) == 0) continue;
            stamps[at] = spikes.Stamps[i];
            gids[at++] = g;
        }
        return new SpikePacket(_job, epoch, _partition, stamps, gids);
    }

    private void Finish()
    {
        _running = false;
        var engine = _engine!;
        var spikes = new List<RecordedSpikes>();
        foreach (var r in engine.SpikeRecords)
        {
            if (r is null) continue;
            var (stamps, ids) = r.ToArrays();
            spikes.Add(new RecordedSpikes(r.Population, stamps, ids));
        }
        var state = engine.StateRecords
            .Select(s => new RecordedState(s.Recorder, s.Population, s.Variable, s.Neurons, s.IntervalSteps, s.Values)).ToList();
        var result = new PartitionResult(_partition, engine.NeuronCount, engine.SynapseCount, engine.SynapseBytes,
            engine.SynapticEvents, engine.SpikesEmitted, engine.BuildSeconds, _simulate.Elapsed.TotalSeconds,
            _wait.Elapsed.TotalSeconds, spikes, state, _late, _duplicates)
        {
            PlasticSynapses = engine.PlasticSynapseCount,
            WeightsChecksum = engine.WeightsChecksum,
        };
        _coordinator.Tell(new PartitionProgress(_job, _partition, engine.CurrentStep));
        var finished = new PartitionFinished(_job, _partition, result);
        if (TooLargeForAFrame(finished) is { } reason) _coordinator.Tell(new PartitionFailed(_job, _partition, reason));
        else TellFinished(finished);
        _engine = null; // the coordinator holds the results; the synapses can go
    }
}
