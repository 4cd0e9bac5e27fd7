using System.Diagnostics;
using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// A partition hosted on a modelled SpiNNaker machine (backends <c>spinnaker</c> and <c>spinnaker:ideal</c>). The model
/// is mapped once (<see cref="SpiNNakerSettings.MappingOf"/>, the same on every partition and node); the partition
/// models the cores of the slices its neurons are in. Every spike of the network that the machine carries — from its
/// own neurons and sources, and injected from populations hosted elsewhere — is turned into its key, routed through
/// the router tables (<see cref="MachineRoutes"/>), looked up in each reached core's master population table and
/// delivered through that core's synaptic rows; delays beyond 16 ticks go through the slice's delay-extension core.
/// <para>
/// <c>spinnaker</c> computes neurons in s16.15 (<see cref="FixedLifGroup"/>) with 16-bit weights, and models time:
/// per-core cycles per tick (<see cref="CoreTiming"/>), input buffers and link capacity, so overload drops packets and
/// changes the spikes, as on the machine. Loads and drops are computed from the routes and the spikes of each tick
/// alone, identically on every partition (each routes every packet), so spikes do not depend on the partitioning.
/// <c>spinnaker:ideal</c> runs the CPU's float kernels with unlimited cycles, buffers and links: its spikes equal the
/// CPU run's exactly, which proves keys, tables and master population tables, since nothing reaches a neuron any
/// other way.
/// </para>
/// </summary>
public sealed partial class SpiNNakerPartition : IPartitionBackend
{
    /// <summary>The fixed-point, timed backend's name.</summary>
    public const string FixedName = "spinnaker";
    /// <summary>The ideal backend's name.</summary>
    public const string IdealName = "spinnaker:ideal";

    private readonly NetworkSpec _spec;
    private readonly bool _ideal;
    private readonly SpiNNakerParameters _p;
    private readonly SpiNNakerMapping _mapping;
    private readonly MachineRoutes _routes;
    private readonly EpochClock _clock;
    private readonly NeuronHost _host;
    private readonly long[] _first;
    private readonly HostedCore[] _cores;
    private readonly Dictionary<int, HostedCore> _coreOfVertex = new();
    private readonly MachineVertex[]?[] _senders;
    private readonly Dictionary<int, int[]> _stagesOf = new();
    private readonly Dictionary<int, HashSet<int>> _expected = new();
    private readonly PoissonDrive[] _drives;
    private readonly SpikeBuffer _out = new();
    private long[] _mergeKeys = new long[1024];

    /// <summary>Builds partition <paramref name="partition"/> of <paramref name="spec"/> (see <see cref="BackendFactory"/>).</summary>
    public SpiNNakerPartition(NetworkSpec spec, int partition, IReadOnlyList<int[]> owned, bool ideal,
        IReadOnlyDictionary<Chip, IReadOnlyList<RouterEntry>>? tables = null)
    {
        var sw = Stopwatch.StartNew();
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(owned);
        _spec = spec;
        _ideal = ideal;
        Partition = partition;
        _p = SpiNNakerSettings.Of(spec).Parameters;
        _mapping = SpiNNakerSettings.MappingOf(spec);
        _routes = new MachineRoutes(_mapping, tables);
        _clock = new EpochClock(spec);
        _first = spec.FirstGids();
        double dt = spec.Run.Dt;
        int pops = spec.Populations.Count;

        // The synapse space of a population: its owned neurons (ideal) or the whole slices they are in (fixed point).
        var slicesOf = new List<MachineVertex>[pops];
        for (int q = 0; q < pops; q++) slicesOf[q] = [];
        foreach (var v in _mapping.Vertices)
            if (v.Kind == VertexKind.Neurons) slicesOf[v.Population].Add(v);
        var space = new int[pops][];
        for (int q = 0; q < pops; q++)
        {
            if (owned[q].Length == 0 || slicesOf[q].Count == 0 || ideal) { space[q] = owned[q]; continue; }
            space[q] = slicesOf[q].Where(v => Touches(owned[q], v)).SelectMany(v => Enumerable.Range(v.Lo, v.Atoms)).ToArray();
        }

        var data = new List<SynapseData>();
        var slots = Enumerable.Repeat(1, pops).ToArray();
        for (int j = 0; j < spec.Projections.Count; j++)
        {
            var proj = spec.Projections[j];
            int post = spec.PopulationIndex(proj.Target);
            if (owned[post].Length == 0) continue;
            var model = spec.Populations[post].Model;
            var d = SynapseBuilder.Build(spec, j, space[post], PartitionEngine.PortOf(model, proj.Receptor), PartitionEngine.WeightScale(model, proj.Weight.Dim));
            data.Add(d);
            slots[post] = Math.Max(slots[post], d.MaxDelay);
        }
        _host = ideal
            ? new NeuronHost(spec, owned, slots, poissonInputs: false)
            : new NeuronHost(spec, owned, slots, (model, _, count, ring, step) => model.IsSource ? null : new FixedLifGroup(model, count, step, ring), poissonInputs: false);
        _host.Drive = Drive;
        if (!ideal) _shifts = RingShifts.Of(spec, Enumerable.Range(0, pops).Where(q => _host.Group(q) is FixedLifGroup).ToArray(), _p);

        _cores = BuildCores(owned, space, slicesOf);
        foreach (var e in _mapping.Edges)
            if (e.Target.Kind == VertexKind.DelayExtension) _stagesOf[e.Target.Id] = DelayStages(e.Target);
        BuildTables(data, space);
        _drives = BuildDrives(owned);
        if (!ideal) SetShifts();

        _senders = new MachineVertex[]?[pops];
        foreach (var group in _mapping.Vertices.Where(v => v.Kind is VertexKind.Neurons or VertexKind.Sources or VertexKind.Injector).GroupBy(v => v.Population))
            if (_mapping.Edges.Any(e => e.Source.Population == group.Key && e.Source.Kind == group.First().Kind))
                _senders[group.Key] = group.OrderBy(v => v.Lo).ToArray();
        foreach (var e in _mapping.Edges)
        {
            if (!_expected.TryGetValue(e.Source.Id, out var set)) _expected[e.Source.Id] = set = [];
            if (_coreOfVertex.ContainsKey(e.Target.Id)) set.Add(e.Target.Id);
        }
        _linkCapacity = (long)Math.Floor(_p.LinkPacketsPerSecond * dt * 1e-3 * _p.TimeScaleFactor);
        _linkPackets = new long[_routes.LinkCount];
        _linkDrops = new long[_routes.LinkCount];
        _linkMax = new long[_routes.LinkCount];
        BuildSeconds = sw.Elapsed.TotalSeconds;
    }

    private static bool Touches(int[] owned, MachineVertex v)
    {
        int i = Array.BinarySearch(owned, v.Lo);
        if (i < 0) i = ~i;
        return i < owned.Length && owned[i] < v.Hi;
    }

    /// <summary>The name this partition runs under.</summary>
    public string BackendName => _ideal ? IdealName : FixedName;
    /// <inheritdoc />
    public int Partition { get; }
    /// <inheritdoc />
    public EpochClock Clock => _clock;
    /// <summary>The mapping the partition runs on.</summary>
    public SpiNNakerMapping Mapping => _mapping;
    /// <summary>The cores it models.</summary>
    public IReadOnlyList<HostedCore> Cores => _cores;
    /// <summary>Seconds spent building.</summary>
    public double BuildSeconds { get; }
    /// <summary>Synaptic events delivered to the owned neurons so far.</summary>
    public long SynapticEvents { get; private set; }
    /// <inheritdoc />
    public PartitionCounters Counters => new(_host.NeuronCount, _synapses, _synapses * 4, SynapticEvents, _host.SpikesEmitted, BuildSeconds, 0);
    /// <inheritdoc />
    public IReadOnlyList<SpikeRecord?> SpikeRecords => _host.SpikeRecords;
    /// <inheritdoc />
    public IReadOnlyList<StateRecord> StateRecords => _host.StateRecords;
    /// <inheritdoc />
    public ulong WeightsChecksum => 0;

    private long _synapses;

    /// <summary>The neuron group of a population here (null when none of its neurons is).</summary>
    public NeuronGroup? Group(int population) => _host.Group(population);

    /// <inheritdoc />
    public bool ReceivesFrom(long gid) => _senders[_host.PopulationOf(gid)] is not null;

    /// <inheritdoc />
    public SpikeBatch RunEpoch()
    {
        var (start, end) = _clock.TakeEpoch(Partition);
        _out.Clear();
        for (long step = start; step < end; step++) _host.Step(step, _out);
        return _out.View;
    }

    private HostedCore[] BuildCores(IReadOnlyList<int[]> owned, int[][] space, List<MachineVertex>[] slicesOf)
    {
        var cores = new List<HostedCore>();
        for (int q = 0; q < owned.Count; q++)
        {
            if (_host.Group(q) is not { } group || _spec.Populations[q].Model.IsSource) continue;
            var ownedQ = owned[q];
            // Group index of every neuron of the synapse space (−1: another partition's).
            var groupIndex = space[q].Select(n => Array.BinarySearch(ownedQ, n)).Select(k => k < 0 ? -1 : k).ToArray();
            foreach (var v in slicesOf[q])
            {
                if (!Touches(ownedQ, v)) continue;
                var core = new HostedCore(cores.Count, v, group, groupIndex);
                if (!_ideal)
                {
                    core.Timing = new CoreTiming(_p, _spec.Run.Dt, v.Atoms);
                    core.Priority = t => PriorityCycles(core, t);
                }
                cores.Add(core);
                _coreOfVertex[v.Id] = core;
            }
        }
        return cores.ToArray();
    }

    /// <summary>The master population table and rows of every core: one entry per edge of the mapping into it.</summary>
    private void BuildTables(List<SynapseData> data, int[][] space)
    {
        int stages = _p.DelayExtensionStages;
        // Per target population: its data split by core of the synapse space and stage.
        var split = new Dictionary<int, Dictionary<int, StageRows>[]>();
        var coreIndexOf = new Dictionary<int, int[]>();
        foreach (var d in data)
        {
            int post = d.TargetPopulation;
            if (!coreIndexOf.TryGetValue(post, out var coreOf))
            {
                // Every neuron of the synapse space is in a slice this partition models.
                coreOf = new int[space[post].Length];
                foreach (var c in _cores.Where(c => c.Vertex.Population == post))
                {
                    int lo = Array.BinarySearch(space[post], c.Vertex.Lo);
                    for (int k = lo < 0 ? ~lo : lo; k < space[post].Length && space[post][k] < c.Vertex.Hi; k++) coreOf[k] = c.Index;
                }
                coreIndexOf[post] = coreOf;
            }
            split[d.Projection] = CoreSynapses.Split(d, coreOf, _cores.Length, _p.CoreDelayTicks);
        }
        var edgesInto = _mapping.Edges.ToLookup(e => e.Target.Id);
        foreach (var core in _cores)
        {
            int post = core.Vertex.Population;
            var model = _spec.Populations[post].Model;
            // One block per projection and stage, shared by the entries of every slice of its source population.
            var blocks = new Dictionary<(int Projection, int Stage), CoreBlock>();
            var routable = new HashSet<(int Projection, int Stage)>();
            var entries = new List<MasterEntry>();
            foreach (var edge in edgesInto[core.Vertex.Id])
            {
                var source = edge.Source;
                int pre = source.Population;
                bool delayed = source.Kind == VertexKind.DelayExtension;
                var byStage = new CoreBlock[stages + 1][];
                for (int s = 0; s <= stages; s++) byStage[s] = [];
                var sent = delayed ? _stagesOf.GetValueOrDefault(source.Id, []) : [0];
                if (source.Kind != VertexKind.PoissonInput)
                    foreach (int s in sent)
                    {
                        var list = new List<CoreBlock>();
                        for (int j = 0; j < _spec.Projections.Count; j++)
                        {
                            var proj = _spec.Projections[j];
                            if (_spec.PopulationIndex(proj.Source) != pre || _spec.PopulationIndex(proj.Target) != post) continue;
                            if (!split.TryGetValue(j, out var byCore) || !byCore[core.Index].TryGetValue(s, out var rows)) continue;
                            if (!blocks.TryGetValue((j, s), out var block)) blocks[(j, s)] = block = MakeBlock(core, rows, proj, model);
                            routable.Add((j, s));
                            list.Add(block);
                        }
                        byStage[s] = list.ToArray();
                    }
                entries.Add(new MasterEntry(source.Key, source.Mask, source, byStage));
            }
            core.Table = new MasterPopulationTable(entries);
            foreach (var (j, byCore) in split)
                foreach (var (s, rows) in byCore[core.Index])
                {
                    core.Synapses += rows.Count;
                    // Synapses no packet can reach: a delay drawn outside the range the mapping planned routes for.
                    if (!routable.Contains((j, s)))
                        foreach (var t in rows.Targets)
                            if (core.GroupIndex[t] >= 0) _unroutable++;
                }
            _synapses += _ideal ? core.Synapses : OwnedSynapses(core, split);
        }
    }

    private long OwnedSynapses(HostedCore core, Dictionary<int, Dictionary<int, StageRows>[]> split)
    {
        long n = 0;
        foreach (var byCore in split.Values)
            foreach (var rows in byCore[core.Index].Values)
                foreach (var t in rows.Targets)
                    if (core.GroupIndex[t] >= 0) n++;
        return n;
    }

    private CoreBlock MakeBlock(HostedCore core, StageRows rows, ProjectionSpec proj, NeuronModel model)
    {
        int type = proj.Receptor == Receptor.Exc ? 0 : 1;
        if (_ideal)
        {
            var block = new SynapseBlock(rows.Projection, _spec.PopulationIndex(proj.Source), core.Group, PartitionEngine.PortOf(model, proj.Receptor),
                rows.RowStart, rows.Targets, rows.Weights, rows.ConstWeight, rows.Delays, rows.ConstDelay);
            return new CoreBlock(rows, type, block, null, 0);
        }
        // Weights arrive in the model's input unit (mV); the ring holds mV (lif_delta) or nA (lif_exp_current).
        double unit = RingUnit(model);
        int shift = _shifts!.Shift(_spec.PopulationIndex(proj.Target), type);
        // The sign is the receptor's: a weight of the other sign cannot be expressed and is stored as 0 (counted once, by
        // the partition that owns its target).
        bool WrongSign(float w) => type == 0 ? w < 0 : w > 0;
        int Encode(float w) => WrongSign(w) ? 0 : RingShifts.Word(w * unit, shift, out _);
        for (int k = 0; k < rows.Count; k++)
        {
            if (core.GroupIndex[rows.Targets[k]] < 0) continue;
            float w = rows.Weights?[k] ?? rows.ConstWeight;
            if (WrongSign(w)) _signClipped++;
            else
            {
                _ = RingShifts.Word(w * unit, shift, out bool clipped);
                if (clipped) _wordsClipped++;
            }
        }
        return rows.Weights is null
            ? new CoreBlock(rows, type, null, null, Encode(rows.ConstWeight))
            : new CoreBlock(rows, type, null, rows.Weights.Select(w => (ushort)Encode(w)).ToArray(), 0);
    }

    private long _signClipped, _wordsClipped, _unroutable;
    private readonly RingShifts? _shifts;

    /// <summary>From the model's input unit (mV) to the ring's: mV for lif_delta, nA for lif_exp_current.</summary>
    private static double RingUnit(NeuronModel model) => model is LifExpCurrent m ? 1 / FixedLifGroup.Resistance(m.TauM, m.CM) : 1;

    private void SetShifts()
    {
        for (int q = 0; q < _spec.Populations.Count; q++)
            if (_host.Group(q) is FixedLifGroup g)
            {
                Array.Fill(g.ShiftExc, (byte)_shifts!.Shift(q, 0));
                Array.Fill(g.ShiftInh, (byte)_shifts!.Shift(q, 1));
            }
    }

    /// <summary>
    /// The Poisson drives of each core, whose every neuron's key is followed from the Poisson source core through the
    /// tables and the core's master population table (a neuron whose key does not arrive gets no drive).
    /// </summary>
    private PoissonDrive[] BuildDrives(IReadOnlyList<int[]> owned)
    {
        var drives = new List<PoissonDrive>();
        var edgesInto = _mapping.Edges.ToLookup(e => e.Target.Id);
        foreach (var core in _cores)
        {
            int post = core.Vertex.Population;
            var model = _spec.Populations[post].Model;
            foreach (var edge in edgesInto[core.Vertex.Id].Where(e => e.Source.Kind == VertexKind.PoissonInput))
            {
                var source = edge.Source;
                var gids = Enumerable.Range(source.Lo, source.Atoms).Select(i => _first[post] + i).ToArray();
                var input = _spec.PoissonInputs[source.Input];
                double scale = PartitionEngine.WeightScale(model, input.Weight.Dim);
                var drive = new PoissonDrive(_spec, source.Input, source, gids, PoissonDrive.DrawWeights(_spec, source.Input, gids, scale),
                    Enumerable.Range(source.Lo, source.Atoms).Select(n => Array.BinarySearch(owned[post], n)).Select(k => k < 0 ? -1 : k).ToArray());
                for (int a = 0; a < source.Atoms; a++)
                {
                    uint key = source.Key + (uint)a;
                    var route = _routes.Route(key, source.Chip);
                    bool arrives = route.Vertices.Contains(core.Vertex.Id) && core.Table.Find(key) is { } e && e.Source == source;
                    drive.Reachable[a] = arrives;
                    if (!arrives) core.Counters.Missing++;
                }
                drive.Core = core;
                if (!_ideal)
                {
                    int type = input.Receptor == Receptor.Exc ? 0 : 1;
                    int shift = _shifts!.Shift(post, type);
                    drive.Words = new int[drive.Weights.Length];
                    for (int a = 0; a < drive.Weights.Length; a++)
                    {
                        double w = drive.Weights[a];
                        bool wrongSign = type == 0 ? w < 0 : w > 0;
                        bool mine = drive.GroupIndex[a] >= 0;
                        if (wrongSign)
                        {
                            if (mine) _signClipped++;
                            continue;
                        }
                        drive.Words[a] = RingShifts.Word(w * RingUnit(model), shift, out bool clipped);
                        if (clipped && mine) _wordsClipped++;
                    }
                }
                core.Poisson.Add(drive);
                drives.Add(drive);
            }
        }
        // Inputs in index order, as the CPU adds them, so that a neuron's float sum is the same.
        return drives.OrderBy(d => d.Input).ToArray();
    }

    /// <summary>The stages a delay extension sends: those any projection from its population onto the machine can need.</summary>
    private int[] DelayStages(MachineVertex de)
    {
        var stages = new SortedSet<int>();
        var grid = _spec.Run.Grid;
        var hosted = _mapping.Vertices.Where(v => v.Kind == VertexKind.Neurons).Select(v => v.Population).ToHashSet();
        foreach (var proj in _spec.Projections)
        {
            if (_spec.PopulationIndex(proj.Source) != de.Population || !hosted.Contains(_spec.PopulationIndex(proj.Target))) continue;
            var (lo, hi) = proj.DelayStepRange(grid, normalSigmas: 5);
            for (long s = CoreSynapses.Stage((int)Math.Min(lo, int.MaxValue), _p.CoreDelayTicks); s <= CoreSynapses.Stage((int)Math.Min(hi, int.MaxValue), _p.CoreDelayTicks); s++)
                if (s >= 1 && s <= _p.DelayExtensionStages) stages.Add((int)s);
        }
        return stages.ToArray();
    }
}
