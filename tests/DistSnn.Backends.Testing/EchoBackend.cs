using System.Text;
using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Checkpoints;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Backends.Testing;

/// <summary>
/// A test backend (<c>echo</c>) whose neurons are parrots: every spike delivered to one of its neurons through a
/// synapse of delay d is emitted again by that neuron d steps after the spike (a neuron fires at most once per step).
/// Nothing it emits comes from anywhere but <see cref="IPartitionBackend.Deliver"/>, so delivery is what its output
/// shows: order, timing and content. It hosts <c>lif_delta</c> populations (their parameters are ignored) fed by
/// synapses only, keeps a log of its calls when given one, records spikes, and checkpoints its pending emissions.
/// </summary>
public sealed class EchoBackend : IPartitionBackend
{
    /// <summary>The registry name.</summary>
    public const string Name = "echo";

    private readonly NetworkSpec _spec;
    private readonly long[] _first;
    private readonly int[][] _owned;
    private readonly SynapseData[][] _byPre;
    private readonly EpochClock _clock;
    private readonly SpikeRecord?[] _records;
    private readonly SortedDictionary<long, SortedSet<long>> _pending = new();
    private readonly SpikeBuffer _out = new();
    private readonly IList<string>? _log;
    private long _events, _emitted;

    /// <summary>Builds partition <paramref name="partition"/>; calls are appended to <paramref name="log"/> when given.</summary>
    public EchoBackend(NetworkSpec spec, int partition, IReadOnlyList<int[]> owned, IList<string>? log = null)
    {
        _spec = spec;
        Partition = partition;
        _log = log;
        _first = spec.FirstGids();
        _owned = owned.Select(o => o.ToArray()).ToArray();
        _clock = new EpochClock(spec);
        var byPre = Enumerable.Range(0, spec.Populations.Count).Select(_ => new List<SynapseData>()).ToArray();
        for (int j = 0; j < spec.Projections.Count; j++)
        {
            int post = spec.PopulationIndex(spec.Projections[j].Target);
            if (_owned[post].Length == 0) continue;
            var data = SynapseBuilder.Build(spec, j, _owned[post], 0, 1.0);
            byPre[data.PrePopulation].Add(data);
            Synapses += data.Targets.Length;
        }
        _byPre = byPre.Select(l => l.ToArray()).ToArray();
        _records = new SpikeRecord?[spec.Populations.Count];
        foreach (var name in spec.Recording.Spikes)
            if (spec.PopulationIndex(name) is var p and >= 0 && _owned[p].Length > 0) _records[p] = new SpikeRecord(p);
        Neurons = _owned.Sum(o => (long)o.Length);
    }

    /// <summary>The registry entry; <paramref name="log"/> (when given) receives every partition's calls.</summary>
    public static BackendType Type(IList<string>? log = null) => new(Name, new BackendCapabilities
    {
        NeuronModels = ["lif_delta"],
        PoissonInputs = false,
        Currents = false,
        StateRecording = false,
        MaxDelaySteps = 1000,
    }, (spec, partition, owned) => new EchoBackend(spec, partition, owned, log));

    /// <summary>The default registry with the echo backend added.</summary>
    public static BackendRegistry Registry(IList<string>? log = null) => BackendRegistry.Default.With(Type(log));

    /// <summary>Neurons owned.</summary>
    public long Neurons { get; }
    /// <summary>Synapses held.</summary>
    public long Synapses { get; }

    /// <inheritdoc />
    public string BackendName => Name;
    /// <inheritdoc />
    public int Partition { get; }
    /// <inheritdoc />
    public EpochClock Clock => _clock;
    /// <inheritdoc />
    public IReadOnlyList<SpikeRecord?> SpikeRecords => _records;
    /// <inheritdoc />
    public IReadOnlyList<StateRecord> StateRecords => [];
    /// <inheritdoc />
    public PartitionCounters Counters => new(Neurons, Synapses, Synapses * 6, _events, _emitted, 0, 0);
    /// <inheritdoc />
    public ulong WeightsChecksum => 0;

    /// <inheritdoc />
    public bool ReceivesFrom(long gid)
    {
        int p = PopulationOf(gid);
        int row = (int)(gid - _first[p]);
        return _byPre[p].Any(d => d.RowStart[row + 1] > d.RowStart[row]);
    }

    /// <inheritdoc />
    public void Deliver(IReadOnlyList<SpikeBatch> batches)
    {
        long epoch = _clock.TakeDelivery(Partition);
        var text = _log is null ? null : new StringBuilder($"p{Partition} deliver {epoch}:");
        foreach (var (stamp, gid) in batches.SelectMany(b => Enumerable.Range(0, b.Count).Select(i => (b.Stamps[i], b.Gids[i]))).Order())
        {
            text?.Append($" {stamp}/{gid}");
            int p = PopulationOf(gid);
            int row = (int)(gid - _first[p]);
            foreach (var d in _byPre[p])
                for (int k = d.RowStart[row]; k < d.RowStart[row + 1]; k++)
                {
                    long at = stamp + (d.Delays is { } delays ? delays[k] : d.ConstDelay);
                    if (at <= _clock.CurrentStep)
                        throw new InvalidOperationException($"echo partition {Partition}: a spike of step {stamp} delivered too late for its delay");
                    if (!_pending.TryGetValue(at, out var set)) _pending[at] = set = new SortedSet<long>();
                    set.Add(_first[d.TargetPopulation] + _owned[d.TargetPopulation][d.Targets[k]]);
                    _events++;
                }
        }
        Log(text);
    }

    /// <inheritdoc />
    public SpikeBatch RunEpoch()
    {
        var (start, end) = _clock.TakeEpoch(Partition);
        _out.Clear();
        while (_pending.Count > 0 && _pending.First() is var (stamp, gids) && stamp <= end)
        {
            _pending.Remove(stamp);
            if (stamp <= start) throw new InvalidOperationException($"echo partition {Partition}: an emission at step {stamp} was missed");
            foreach (var gid in gids)
            {
                _out.Add(stamp, gid);
                int p = PopulationOf(gid);
                _records[p]?.Add(stamp, (int)(gid - _first[p]));
            }
            _emitted += gids.Count;
        }
        var spikes = _out.View;
        Log(_log is null ? null : new StringBuilder($"p{Partition} run {(end - 1) / _clock.EpochSteps}:")
            .AppendJoin("", Enumerable.Range(0, spikes.Count).Select(i => $" {spikes.Stamps[i]}/{spikes.Gids[i]}")));
        return spikes;
    }

    private void Log(StringBuilder? text)
    {
        if (text is null || _log is null) return;
        lock (_log) _log.Add(text.ToString());
    }

    /// <inheritdoc />
    public void SaveState(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write("ECHO");
        w.Write(_clock.CurrentStep);
        w.Write(_clock.DeliveredEpochs);
        w.Write(_events);
        w.Write(_emitted);
        w.Write(_pending.Count);
        foreach (var (stamp, gids) in _pending)
        {
            w.Write(stamp);
            w.Write(gids.Count);
            foreach (var g in gids) w.Write(g);
        }
        foreach (var r in _records.Where(r => r is not null))
        {
            var (stamps, ids) = r!.ToArrays();
            w.Write(stamps.Length);
            for (int i = 0; i < stamps.Length; i++)
            {
                w.Write(stamps[i]);
                w.Write(ids[i]);
            }
        }
    }

    /// <inheritdoc />
    public void RestoreState(Stream stream)
    {
        try
        {
            using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (r.ReadString() != "ECHO") throw new CheckpointFormatException("not an echo backend state");
            long step = r.ReadInt64(), delivered = r.ReadInt64();
            if (_clock.TryRestore(step, delivered) is { } unfit) throw new CheckpointFormatException(unfit);
            _events = r.ReadInt64();
            _emitted = r.ReadInt64();
            _pending.Clear();
            for (int n = r.ReadInt32(); n > 0; n--)
            {
                long stamp = r.ReadInt64();
                var set = _pending[stamp] = new SortedSet<long>();
                for (int k = r.ReadInt32(); k > 0; k--) set.Add(r.ReadInt64());
            }
            for (int p = 0; p < _records.Length; p++)
            {
                if (_records[p] is null) continue;
                var record = _records[p] = new SpikeRecord(p);
                for (int k = r.ReadInt32(); k > 0; k--) record.Add(r.ReadInt64(), r.ReadInt32());
            }
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointFormatException("echo backend state: truncated", e);
        }
    }

    private int PopulationOf(long gid)
    {
        int idx = Array.BinarySearch(_first, gid);
        int p = idx >= 0 ? idx : ~idx - 1;
        while (p + 1 < _first.Length - 1 && _first[p + 1] == gid) p++;
        return p;
    }
}
