using DistSnn.Nodes;

namespace DistSnn.Hardware.SpiNNaker.Execution;

public sealed partial class SpiNNakerPartition
{
    private readonly long _linkCapacity;
    private readonly long[] _linkPackets, _linkDrops, _linkMax;
    private readonly Dictionary<long, int[]> _linkLoad = new();
    private readonly Dictionary<(int Core, long Tick), double> _priorityCycles = new();
    private readonly Dictionary<(int Core, long Step), PoissonTick> _poisson = new();
    private long _packetsSent, _routerPasses, _hostPackets, _resends, _poissonPackets;
    private readonly Dictionary<uint, HostedCore[]> _missing = new();

    /// <summary>The Poisson packets one core takes for the update of one step: counts and accepted counts per drive and neuron, and their cycles.</summary>
    private sealed class PoissonTick(int[][] counts, int[][] accepted)
    {
        public int[][] Counts => counts;
        public int[][] Accepted => accepted;
        public double Cycles, DemandCycles;
        public long Late, Packets;
    }

    private readonly Dictionary<int, Stack<PoissonTick>> _spareTicks = new();

    /// <inheritdoc />
    public void Deliver(IReadOnlyList<SpikeBatch> batches)
    {
        long epoch = _clock.TakeDelivery(Partition);
        int total = 0;
        for (int k = 0; k < batches.Count; k++) total += batches[k].Count;
        if (_mergeKeys.Length < total) _mergeKeys = new long[Math.Max(total, _mergeKeys.Length * 2)];
        long n = _first[^1];
        int at = 0;
        for (int k = 0; k < batches.Count; k++)
        {
            var b = batches[k];
            for (int i = 0; i < b.Count; i++) _mergeKeys[at++] = b.Stamps[i] * n + b.Gids[i];
        }
        var keys = _mergeKeys.AsSpan(0, total);
        keys.Sort();
        long start = epoch * _clock.EpochSteps, end = Math.Min(start + _clock.EpochSteps, _clock.TotalSteps);
        int cursor = 0;
        // Tick by tick: the spikes emitted in tick t (stamp t + 1), in order of global id.
        for (long tick = start; tick < end; tick++)
        {
            int from = cursor;
            while (cursor < keys.Length && keys[cursor] / n == tick + 1) cursor++;
            DeliverTick(tick, keys[from..cursor], n);
        }
        if (cursor != keys.Length) throw new InvalidOperationException($"epoch {epoch} was delivered spikes stamped outside it");
        Forget(start);
    }

    private void DeliverTick(long tick, ReadOnlySpan<long> keys, long n)
    {
        int pop = 0;
        foreach (var k in keys)
        {
            long gid = k % n;
            if (gid < _first[pop] || gid >= _first[pop + 1]) pop = _host.PopulationOf(gid);
            if (_senders[pop] is not { } slices) continue;
            var source = SliceOf(slices, (int)(gid - _first[pop]));
            uint key = source.Key + (uint)(gid - _first[pop] - source.Lo);
            SendPacket(source, key, tick, tick, 0);
        }
        if (_ideal) return;
        foreach (var core in _cores) ServeArrivals(core, tick);
    }

    private static MachineVertex SliceOf(MachineVertex[] slices, int index)
    {
        int lo = 0, hi = slices.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (slices[mid].Lo <= index) lo = mid;
            else hi = mid - 1;
        }
        return slices[lo];
    }

    /// <summary>
    /// Sends one packet with <paramref name="key"/> from <paramref name="source"/> in tick <paramref name="tick"/>, for a
    /// spike emitted in <paramref name="origin"/>: through the links (each hop takes capacity; a full link drops the
    /// packet's subtree, except towards the live output, whose path is ideal), to every vertex it reaches. A delay
    /// extension it reaches sends its stages later; a core of this partition queues it (fixed point) or takes it at once
    /// (ideal).
    /// </summary>
    private void SendPacket(MachineVertex source, uint key, long tick, long origin, int stage)
    {
        var route = _routes.Route(key, source.Chip);
        _packetsSent++;
        Span<bool> dropped = route.Links.Length <= 256 ? stackalloc bool[route.Links.Length] : new bool[route.Links.Length];
        var load = _ideal || route.Links.Length == 0 ? null : LoadOf(tick);
        int passes = 1;
        for (int h = 0; h < route.Links.Length; h++)
        {
            int link = route.Links[h];
            if (route.Parents[h] >= 0 && dropped[route.Parents[h]]) { dropped[h] = true; continue; }
            if (load is not null && load[link] >= _linkCapacity && route.ToMachine[h])
            {
                dropped[h] = true;
                _linkDrops[link]++;
                continue;
            }
            if (load is not null) _linkMax[link] = Math.Max(_linkMax[link], ++load[link]);
            _linkPackets[link]++;
            passes++;
        }
        _routerPasses += passes;
        foreach (var core in MissingOf(key, source, route)) core.Counters.Missing++;
        for (int d = 0; d < route.Vertices.Length; d++)
        {
            int vertex = route.Vertices[d];
            if (vertex < 0) continue;
            var target = _mapping.Vertices[vertex];
            bool lost = route.DeliveryHops[d] >= 0 && dropped[route.DeliveryHops[d]];
            if (target.Kind == VertexKind.HostOutput)
            {
                // The host path is ideal: spikes for populations elsewhere travel the links but always get out.
                _hostPackets++;
                continue;
            }
            if (target.Kind == VertexKind.DelayExtension)
            {
                if (!lost && stage == 0) SendStages(target, key - source.Key, origin);
                continue;
            }
            if (!_coreOfVertex.TryGetValue(vertex, out var core)) continue;
            if (lost)
            {
                core.Counters.LinkDrops++;
                continue;
            }
            var entry = core.Table.Find(key);
            if (entry is null)
            {
                core.Counters.Misrouted++;
                continue;
            }
            if (_ideal) DeliverIdeal(core, entry, key, origin);
            else Arrive(core, entry, key, tick, origin, stage);
        }
    }

    /// <summary>The cores of this partition a packet with <paramref name="key"/> should reach (an edge of the mapping) and its route misses.</summary>
    private HostedCore[] MissingOf(uint key, MachineVertex source, PacketRoute route)
    {
        if (_missing.TryGetValue(key, out var known)) return known;
        var missing = _expected.TryGetValue(source.Id, out var expected)
            ? expected.Where(v => Array.IndexOf(route.Vertices, v) < 0).Select(v => _coreOfVertex[v]).ToArray()
            : [];
        _missing[key] = missing;
        return missing;
    }

    /// <summary>A delay extension's stages for atom offset <paramref name="offset"/>: stage s leaves 16 s ticks after the spike.</summary>
    private void SendStages(MachineVertex de, uint offset, long origin)
    {
        foreach (int s in _stagesOf[de.Id])
        {
            long tick = origin + (long)s * _p.CoreDelayTicks;
            if (tick >= _clock.TotalSteps) continue;
            uint key = de.Key + (uint)((s - 1) * de.Atoms) + offset;
            _resends++;
            SendPacket(de, key, tick, origin, s);
        }
    }

    /// <summary>The packets on each link in <paramref name="tick"/> so far (arrays of ticks past are reused).</summary>
    private int[] LoadOf(long tick)
    {
        if (_linkLoad.TryGetValue(tick, out var load)) return load;
        if (_spareLoads.TryPop(out var spare)) Array.Clear(spare);
        _linkLoad[tick] = load = spare ?? new int[_routes.LinkCount];
        return load;
    }

    private readonly Stack<int[]> _spareLoads = new();

    /// <summary>Ideal mode: the packet's synapses of its stage, all of them, now.</summary>
    private void DeliverIdeal(HostedCore core, MasterEntry entry, uint key, long origin)
    {
        var (atom, stage) = MasterPopulationTable.Decode(entry, key);
        core.Counters.Packets++;
        // Only this partition's neurons are in its rows: the words count per partition, not per core.
        foreach (var block in entry.Stages[stage]) SynapticEvents += block.Float!.Deliver(atom, origin + 1);
    }

    /// <summary>
    /// Fixed point: a packet arrives at a core. Delay-extension packets are served on arrival (their cycles count in the
    /// tick); spikes wait in the input buffer until the tick's spikes are all known (<see cref="ServeArrivals"/>).
    /// </summary>
    private void Arrive(HostedCore core, MasterEntry entry, uint key, long tick, long origin, int stage)
    {
        if (stage == 0)
        {
            Pending(core).Add((key, entry, origin));
            return;
        }
        var (atom, _) = MasterPopulationTable.Decode(entry, key);
        double cycles = PacketCycles(entry, atom, stage);
        _priorityCycles[(core.Index, tick)] = _priorityCycles.GetValueOrDefault((core.Index, tick)) + cycles;
        core.Counters.Packets++;
        core.Counters.BusyCycles += cycles;
        Apply(core, entry, atom, stage, origin, done: tick);
    }

    private readonly Dictionary<int, List<(uint Key, MasterEntry Entry, long Origin)>> _pending = new();

    private List<(uint Key, MasterEntry Entry, long Origin)> Pending(HostedCore core)
    {
        if (!_pending.TryGetValue(core.Index, out var list)) _pending[core.Index] = list = [];
        return list;
    }

    private double PacketCycles(MasterEntry entry, int atom, int stage)
    {
        int words = 0;
        foreach (var block in entry.Stages[stage]) words += block.RowLength(atom);
        return _p.CyclesPerPacket + _p.CyclesPerSynapse * words;
    }

    /// <summary>Serves a core's spikes of <paramref name="tick"/> through its input buffer and counts an overrun if the tick's work does not fit.</summary>
    private void ServeArrivals(HostedCore core, long tick)
    {
        var timing = core.Timing!;
        double priority = PriorityCycles(core, tick);
        double demand = timing.NeuronCycles + priority + PoissonOf(core, tick + 1).DemandCycles - PoissonOf(core, tick + 1).Cycles;
        if (_pending.TryGetValue(core.Index, out var list))
        {
            foreach (var (key, entry, origin) in list)
            {
                var (atom, _) = MasterPopulationTable.Decode(entry, key);
                double cycles = PacketCycles(entry, atom, 0);
                demand += cycles;
                long done = timing.Serve(tick, cycles, core.Priority!);
                if (done < 0)
                {
                    core.Counters.BufferOverflows++;
                    continue;
                }
                core.Counters.Packets++;
                core.Counters.BusyCycles += cycles;
                Apply(core, entry, atom, 0, origin, done);
            }
            list.Clear();
        }
        core.Counters.MaxTickCycles = Math.Max(core.Counters.MaxTickCycles, demand);
        core.Counters.BusyCycles += timing.NeuronCycles;
        if (timing.BusyAfter(tick) || timing.NeuronCycles + priority > timing.Budget) core.Counters.Overruns++;
    }

    /// <summary>Cycles taken first in a tick: the Poisson packets for the next step and the delay-extension packets.</summary>
    private double PriorityCycles(HostedCore core, long tick) =>
        PoissonOf(core, tick + 1).Cycles + _priorityCycles.GetValueOrDefault((core.Index, tick));

    /// <summary>
    /// Delivers the synapses of a packet served in tick <paramref name="done"/>: those whose step (spike's step + delay)
    /// is still ahead go into the rings of the neurons this partition owns; the others are late and dropped.
    /// </summary>
    private void Apply(HostedCore core, MasterEntry entry, int atom, int stage, long origin, long done)
    {
        bool late = false;
        var group = (FixedLifGroup)core.Group;
        var groupIndex = core.GroupIndex;
        foreach (var block in entry.Stages[stage])
        {
            var rows = block.Rows;
            for (int k = rows.RowStart[atom]; k < rows.RowStart[atom + 1]; k++)
            {
                long step = origin + (rows.Delays?[k] ?? rows.ConstDelay);
                core.Counters.SynapticWords++;
                if (step <= done)
                {
                    late = true;
                    core.Counters.LateSynapses++;
                    continue;
                }
                int gi = groupIndex[rows.Targets[k]];
                if (gi < 0) continue;
                group.AddWeight(block.Type, step, gi, block.Words?[k] ?? block.ConstWord);
                SynapticEvents++;
            }
        }
        if (late) core.Counters.LatePackets++;
    }

    /// <summary>Adds the Poisson drive of <paramref name="step"/> to the rings the step's update reads.</summary>
    private void Drive(long step)
    {
        if (_ideal)
        {
            foreach (var d in _drives)
            {
                if (!d.Active) continue;
                var core = d.Core!;
                int port = Nodes.PartitionEngine.PortOf(_spec.Populations[core.Vertex.Population].Model, d.Receptor);
                var slot = core.Group.InputSlot(port, step);
                for (int a = 0; a < d.Gids.Length; a++)
                {
                    int gi = d.GroupIndex[a];
                    if (gi < 0 || !d.Reachable[a]) continue;
                    int count = d.Count(a, step);
                    if (count != 0) slot[gi] += count * (float)d.Weights[a];
                    _poissonPackets += count;
                }
            }
            return;
        }
        foreach (var core in _cores)
        {
            if (core.Poisson.Count == 0) continue;
            var tick = PoissonOf(core, step);
            var group = (FixedLifGroup)core.Group;
            for (int i = 0; i < core.Poisson.Count; i++)
            {
                var d = core.Poisson[i];
                int type = d.Receptor == Model.Receptor.Exc ? 0 : 1;
                var accepted = tick.Accepted[i];
                for (int a = 0; a < accepted.Length; a++)
                {
                    int gi = d.GroupIndex[a];
                    if (gi >= 0) _poissonPackets += tick.Counts[i][a];
                    if (accepted[a] == 0 || gi < 0) continue;
                    for (int c = 0; c < accepted[a]; c++) group.AddWeight(type, step, gi, d.Words![a]);
                    SynapticEvents += accepted[a];
                }
            }
            core.Counters.Packets += tick.Packets - tick.Late;
            core.Counters.SynapticWords += tick.Packets - tick.Late;
            core.Counters.LatePoisson += tick.Late;
            core.Counters.BusyCycles += tick.Cycles;
            _poissonApplied[core.Index] = step;
        }
    }

    private readonly Dictionary<int, long> _poissonApplied = new();

    /// <summary>
    /// The Poisson packets of a core for the update of <paramref name="step"/> (sent in tick step − 1): drawn once and
    /// kept until both the step has run and its tick has been served. They are served first in their tick, drive by
    /// drive and neuron by neuron, as long as the tick has cycles left after the neuron update; the rest are late.
    /// </summary>
    private PoissonTick PoissonOf(HostedCore core, long step)
    {
        if (core.Poisson.Count == 0) return NoPoisson;
        if (_poisson.TryGetValue((core.Index, step), out var known)) return known;
        double cost = _p.CyclesPerPacket + _p.CyclesPerSynapse;
        double room = core.Timing!.PacketCapacity;
        var tick = Spare(core);
        for (int i = 0; i < core.Poisson.Count; i++)
        {
            var d = core.Poisson[i];
            var counts = tick.Counts[i];
            var accepted = tick.Accepted[i];
            if (!d.Active || step >= _clock.TotalSteps) continue;
            for (int a = 0; a < d.Gids.Length; a++)
            {
                if (!d.Reachable[a]) continue;
                int count = d.Count(a, step);
                if (count == 0) continue;
                counts[a] = count;
                tick.Packets += count;
                tick.DemandCycles += count * cost;
                int take = step == 0 ? count : (int)Math.Min(count, Math.Floor(room / cost));
                room -= take * cost;
                tick.Cycles += take * cost;
                accepted[a] = take;
                tick.Late += count - take;
            }
        }
        _poisson[(core.Index, step)] = tick;
        return tick;
    }

    /// <summary>A cleared tick record for <paramref name="core"/>, reused from ticks already applied and served.</summary>
    private PoissonTick Spare(HostedCore core)
    {
        if (_spareTicks.TryGetValue(core.Index, out var spares) && spares.TryPop(out var tick))
        {
            foreach (var c in tick.Counts) Array.Clear(c);
            foreach (var a in tick.Accepted) Array.Clear(a);
            tick.Cycles = tick.DemandCycles = 0;
            tick.Late = tick.Packets = 0;
            return tick;
        }
        return new PoissonTick(core.Poisson.Select(d => new int[d.Gids.Length]).ToArray(), core.Poisson.Select(d => new int[d.Gids.Length]).ToArray());
    }

    private static readonly PoissonTick NoPoisson = new([], []);

    /// <summary>Drops what no later tick needs: loads and cycles of ticks before <paramref name="tick"/>, Poisson packets already applied and served.</summary>
    private void Forget(long tick)
    {
        foreach (var t in _linkLoad.Keys.Where(t => t < tick).ToList())
        {
            _spareLoads.Push(_linkLoad[t]);
            _linkLoad.Remove(t);
        }
        foreach (var k in _priorityCycles.Keys.Where(k => k.Tick < tick).ToList()) _priorityCycles.Remove(k);
        foreach (var k in _poisson.Keys.Where(k => k.Step <= tick && _poissonApplied.GetValueOrDefault(k.Core, -1) >= k.Step).ToList())
        {
            if (!_spareTicks.TryGetValue(k.Core, out var spares)) _spareTicks[k.Core] = spares = new Stack<PoissonTick>();
            spares.Push(_poisson[k]);
            _poisson.Remove(k);
        }
    }
}
