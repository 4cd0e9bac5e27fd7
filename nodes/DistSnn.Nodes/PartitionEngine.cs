using System.Diagnostics;
using DistSnn.Model;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Random;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Nodes;

/// <summary>
/// The CPU backend (<c>cpu</c>): one partition of a network, the neurons it owns and every synapse onto them, advanced
/// by vectorized kernels. It advances one epoch at a time (<see cref="EpochSteps"/> = the network's minimum delay in
/// steps divided by the exchange lag k) and exchanges spikes only at epoch boundaries: <see cref="RunEpoch"/> runs the
/// next epoch and returns the spikes it emitted; <see cref="Deliver"/> takes the spikes of one epoch from all
/// in-neighbours (itself included), epochs in order. Epoch e's spikes arrive no earlier than epoch e + k, so they must
/// be delivered before epoch e + k runs but may be delivered any time after epoch e has run here: their transit
/// overlaps k - 1 epochs of computation. Knows nothing of actors or transports (see <see cref="IPartitionBackend"/>).
/// </summary>
public sealed partial class PartitionEngine : IPartitionBackend
{
    /// <summary>The registry entry of the CPU backend: every neuron model, receptor, delay and plasticity rule.</summary>
    public static BackendType Type { get; } = new(PopulationSpec.DefaultBackend, new BackendCapabilities
    {
        NeuronModels = NeuronModel.Kinds,
        PlasticityRules = SynapseModel.Kinds.Where(k => k != StaticSynapse.Instance.Kind).ToArray(),
        MaxDelaySteps = ushort.MaxValue,
        PerNeuronParameters = true,
    }, (spec, partition, owned) => new PartitionEngine(spec, partition, owned));

    private readonly EpochClock _clock;
    private readonly NetworkSpec _spec;
    private readonly long[] _first;
    private readonly NeuronHost _host;
    private readonly SynapseBlock[][] _blocksByPre;
    private readonly DelayedRows[][] _delayedByPre;
    private readonly ArrivalLane[] _lanes;
    private readonly string[] _laneNames;
    private readonly PlasticBlock[][] _plasticByPre;
    private readonly IRowTransmitter[][] _transmittersByPre;
    private readonly IRowTransmitter[] _transmitters;
    private readonly ISynapseSubstrate? _substrate;
    private readonly string _name;
    private readonly PlasticBlock[] _plastic;
    private readonly int[] _plasticCursor;
    private readonly PostSpikeLog?[] _postLogs;
    private readonly SpikeBuffer _out = new();
    private long[] _mergeKeys = new long[1024];

    /// <summary>
    /// Builds partition <paramref name="partition"/>: <paramref name="owned"/>[p] lists, sorted ascending, the
    /// population-local indices of population p's neurons that this partition owns.
    /// </summary>
    public PartitionEngine(NetworkSpec spec, int partition, IReadOnlyList<int[]> owned) : this(spec, partition, owned, null, Type.Name)
    {
    }

    /// <summary>
    /// Builds partition <paramref name="partition"/> as <see cref="PartitionEngine(NetworkSpec, int, IReadOnlyList{int[]})"/>
    /// does, but offers every projection onto its neurons to <paramref name="substrate"/> (null: none), which may hold
    /// their synapses instead of the CPU's blocks; the partition then calls itself <paramref name="backendName"/>.
    /// </summary>
    public PartitionEngine(NetworkSpec spec, int partition, IReadOnlyList<int[]> owned, ISynapseSubstrate? substrate, string backendName)
    {
        ArgumentException.ThrowIfNullOrEmpty(backendName);
        _substrate = substrate;
        _name = backendName;
        var sw = Stopwatch.StartNew();
        if (owned.Count != spec.Populations.Count) throw new ArgumentException("one owned-index list per population is required");
        _spec = spec;
        Partition = partition;
        _first = spec.FirstGids();
        double dt = spec.Run.Dt;
        _clock = new EpochClock(spec);
        int pops = spec.Populations.Count;
        if (TotalSteps + EpochSteps + 2 > long.MaxValue / Math.Max(1, _first[^1] + 1))
            throw new ArgumentException("duration x neurons exceeds the spike key range");

        // Synapses first: the ring depth of each group is the largest delay onto it.
        var data = new List<SynapseData?>();
        for (int j = 0; j < spec.Projections.Count; j++)
        {
            var proj = spec.Projections[j];
            int post = spec.PopulationIndex(proj.Target);
            if (owned[post].Length == 0) continue;
            var model = spec.Populations[post].Model;
            data.Add(SynapseBuilder.Build(spec, j, owned[post], PortOf(model, proj.Receptor), WeightScale(model, proj.Weight.Dim)));
        }
        var laned = LanedInputs(spec, owned, substrate, data!);
        // The static synapses onto a laned input are packed one projection at a time, each builder's arrays dropped as
        // soon as they are copied.
        var delayedRows = new List<DelayedRows>();
        var laneDepths = new SortedDictionary<(int Population, int Port), int>();
        for (int i = 0; i < data.Count; i++)
        {
            var d = data[i]!;
            if (!laned.Contains((d.TargetPopulation, d.Port))) continue; // laned inputs have no plastic synapses
            var rows = new DelayedRows(d.Projection, d.PrePopulation, d.TargetPopulation, owned[d.TargetPopulation].Length, d.Port,
                d.RowStart, d.Targets, d.Weights, d.ConstWeight, d.Delays, d.ConstDelay);
            delayedRows.Add(rows);
            var key = (d.TargetPopulation, d.Port);
            laneDepths[key] = Math.Max(laneDepths.GetValueOrDefault(key), rows.MaxDelay);
            data[i] = null;
            // The builder's arrays of a large projection are garbage now: collected at once, their memory holds the
            // next projection's packed synapses instead of adding to the build's peak (microcircuit, whole process: 5.8 -> 4.6 GiB).
            if (rows.Count > CollectAfterPackingSynapses) GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false);
        }
        var slots = new int[pops];
        Array.Fill(slots, 1);
        foreach (var d in data)
            if (d is not null) slots[d.TargetPopulation] = Math.Max(slots[d.TargetPopulation], d.MaxDelay);

        _host = new NeuronHost(spec, owned, slots);

        var blocks = new List<SynapseBlock>[pops];
        var plastic = new List<PlasticBlock>[pops];
        var transmitters = new List<IRowTransmitter>[pops];
        var delayed = new List<DelayedRows>[pops];
        var lanes = laneDepths.ToDictionary(e => e.Key, e => new ArrivalLane(_host.Group(e.Key.Population)!, e.Key.Port, e.Value));
        for (int p = 0; p < pops; p++)
        {
            delayed[p] = new List<DelayedRows>();
            blocks[p] = new List<SynapseBlock>();
            plastic[p] = new List<PlasticBlock>();
            transmitters[p] = new List<IRowTransmitter>();
        }
        _postLogs = new PostSpikeLog?[pops];
        foreach (var d in data)
        {
            if (d is null) continue;
            var proj = spec.Projections[d.Projection];
            if (proj.Synapse.IsPlastic)
            {
                if (d.Delays is not null) throw new ArgumentException($"projections[{d.Projection}].delay: plastic synapses need a constant delay");
                var model = spec.Populations[d.TargetPopulation].Model;
                var weights = d.Weights ?? Enumerable.Repeat(d.ConstWeight, d.Targets.Length).ToArray();
                var rule = new PlasticRule(proj.Synapse, dt, WeightScale(model, proj.Weight.Dim));
                var pb = new PlasticBlock(d.Projection, d.PrePopulation, d.TargetPopulation, _host.Group(d.TargetPopulation)!, d.Port,
                    d.RowStart, d.Targets, weights, d.ConstDelay, rule);
                pb.Device = substrate?.TakePlastic(pb, owned[d.TargetPopulation]);
                plastic[d.PrePopulation].Add(pb);
                _postLogs[d.TargetPopulation] ??= new PostSpikeLog();
                SynapseCount += pb.Count;
                SynapseBytes += pb.Bytes;
                continue;
            }
            if (substrate?.TakeStatic(d, _host.Group(d.TargetPopulation)!, owned[d.TargetPopulation]) is { } transmitter)
            {
                transmitters[d.PrePopulation].Add(transmitter);
                SynapseCount += transmitter.Synapses;
                SynapseBytes += transmitter.Bytes;
                continue;
            }
            var block = new SynapseBlock(d.Projection, d.PrePopulation, _host.Group(d.TargetPopulation)!, d.Port, d.RowStart,
                d.Targets, d.Weights, d.ConstWeight, d.Delays, d.ConstDelay);
            blocks[d.PrePopulation].Add(block);
            SynapseCount += block.Count;
            SynapseBytes += block.Bytes;
        }
        // Lanes list spikes block by block in projection order, as the blocks of one source deliver.
        foreach (var rows in delayedRows)
        {
            rows.Join(lanes[(rows.TargetPopulation, rows.Port)]);
            delayed[rows.PrePopulation].Add(rows);
            SynapseCount += rows.Count;
            SynapseBytes += rows.Bytes;
        }
        _blocksByPre = blocks.Select(b => b.ToArray()).ToArray();
        _delayedByPre = delayed.Select(b => b.ToArray()).ToArray();
        _lanes = laneDepths.Keys.Select(k => lanes[k]).ToArray();
        _laneNames = laneDepths.Keys.Select(k => $"'{spec.Populations[k.Population].Name}' port {k.Port}").ToArray();
        _plasticByPre = plastic.Select(b => b.ToArray()).ToArray();
        _transmittersByPre = transmitters.Select(b => b.ToArray()).ToArray();
        // Flushed in projection order at the end of every delivery, whatever the partitioning.
        _transmitters = transmitters.SelectMany(b => b).OrderBy(t => t.Projection).ToArray();
        // Processed in projection order, whatever the partitioning, so weights and ring-buffer sums are canonical.
        _plastic = plastic.SelectMany(b => b).OrderBy(b => b.Projection).ToArray();
        _plasticCursor = new int[_plastic.Length];
        PlasticSynapseCount = _plastic.Sum(b => (long)b.Count);
        _analog = AnalogBlocks(spec, _blocksByPre);
        _analogSums = AnalogSums();
        BuildSeconds = sw.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Which inputs of the groups (population, port) take their static synapses through arrival lanes: where some of
    /// those synapses have per-synapse delays, only static synapses add into that input (no plastic, device or analog
    /// input, whose additions the lane would reorder), and the partition's input rings would otherwise span more than
    /// <see cref="LaneRingBytes"/> (<see cref="ArrivalLanes"/> can force either way). Lanes add what the ring would,
    /// in the same order, so the choice never changes a spike: it may differ between partitions.
    /// </summary>
    private static HashSet<(int Population, int Port)> LanedInputs(NetworkSpec spec, IReadOnlyList<int[]> owned, ISynapseSubstrate? substrate,
        IReadOnlyList<SynapseData> data)
    {
        var laned = new HashSet<(int, int)>();
        var mode = LaneModeNow();
        if (substrate is not null || mode == LaneMode.Never) return laned;
        int analogInput = spec.Dataset is { Encoding: SampleEncoding.Direct } analog ? spec.PopulationIndex(analog.Input) : -1;
        var excluded = new HashSet<(int, int)>();
        var ringSlots = new Dictionary<int, int>();
        foreach (var d in data)
        {
            var key = (d.TargetPopulation, d.Port);
            ringSlots[d.TargetPopulation] = Math.Max(ringSlots.GetValueOrDefault(d.TargetPopulation, 1), d.MaxDelay);
            if (spec.Projections[d.Projection].Synapse.IsPlastic || d.PrePopulation == analogInput) excluded.Add(key);
            else if (d.Delays is not null) laned.Add(key);
        }
        laned.ExceptWith(excluded);
        if (mode == LaneMode.Always) return laned;
        long ringBytes = 0;
        foreach (var (population, depth) in ringSlots)
        {
            int ports = PortOf(spec.Populations[population].Model, Receptor.Inh) + 1;
            ringBytes += (long)ports * depth * owned[population].Length * sizeof(float);
        }
        if (ringBytes <= LaneRingBytes) laned.Clear();
        return laned;
    }

    /// <summary>When static synapses go through arrival lanes.</summary>
    public enum LaneMode
    {
        /// <summary>Where they have per-synapse delays and the partition's rings would exceed <see cref="LaneRingBytes"/>.</summary>
        Auto,
        /// <summary>Wherever they have per-synapse delays and nothing else adds into their input.</summary>
        Always,
        /// <summary>Never: every spike adds into the rings at delivery.</summary>
        Never,
    }

    /// <summary>
    /// When the engines built from now on use arrival lanes; null (default): as the environment variable
    /// <c>DISTSNN_ARRIVAL_LANES</c> says (auto, always or never; unset: auto). A switch for measurements and tests,
    /// since the spikes are the same either way.
    /// </summary>
    public static LaneMode? ArrivalLanes { get; set; }

    /// <summary><see cref="ArrivalLanes"/>, or where it is not set the environment variable's word.</summary>
    private static LaneMode LaneModeNow() => ArrivalLanes ?? Environment.GetEnvironmentVariable("DISTSNN_ARRIVAL_LANES") switch
    {
        null or "" or "auto" => LaneMode.Auto,
        "always" => LaneMode.Always,
        "never" => LaneMode.Never,
        var other => throw new ArgumentException($"environment variable DISTSNN_ARRIVAL_LANES: '{other}' is not auto, always or never"),
    };

    /// <summary>Synapses of one packed projection from which the build collects the builder's arrays at once.</summary>
    private const int CollectAfterPackingSynapses = 4_000_000;

    /// <summary>Inputs (population, port) that take their static synapses through arrival lanes on this partition.</summary>
    public int ArrivalLaneCount => _lanes.Length;

    /// <summary>
    /// Input rings (bytes per partition) above which per-synapse delays go through arrival lanes. Measured on the
    /// microcircuit (2 partitions, 2-core machine with 32 MiB of shared cache): lanes are slower with 4 MiB of rings per
    /// partition, faster from 8 MiB, 0.68x the time with 17 MiB.
    /// </summary>
    public const long LaneRingBytes = 6L << 20;

    /// <inheritdoc />
    public string BackendName => _name;
    /// <summary>This partition's index.</summary>
    public int Partition { get; }
    /// <inheritdoc />
    public EpochClock Clock => _clock;
    /// <summary>Steps per epoch (the network's minimum delay divided by <see cref="Lag"/>).</summary>
    public long EpochSteps => _clock.EpochSteps;
    /// <summary>Epoch e's spikes must be delivered before epoch e + Lag runs (see <see cref="NetworkSpec.ExchangeLag"/>).</summary>
    public int Lag => _clock.Lag;
    /// <summary>Epochs whose spikes have been delivered (the next <see cref="Deliver"/> is for this epoch).</summary>
    public long DeliveredEpochs => _clock.DeliveredEpochs;
    /// <summary>Steps to simulate in total.</summary>
    public long TotalSteps => _clock.TotalSteps;
    /// <summary>Epochs in the run (the last one may be shorter).</summary>
    public long Epochs => _clock.Epochs;
    /// <summary>The next step to be simulated.</summary>
    public long CurrentStep => _clock.CurrentStep;
    /// <summary>Index of the next epoch to run.</summary>
    public long NextEpoch => _clock.NextEpoch;
    /// <summary>Whether every step has been simulated.</summary>
    public bool Finished => _clock.Finished;
    /// <inheritdoc />
    public PartitionCounters Counters => new(NeuronCount, SynapseCount, SynapseBytes, SynapticEvents, SpikesEmitted, BuildSeconds,
        PlasticSynapseCount);
    /// <summary>Synapses held.</summary>
    public long SynapseCount { get; }
    /// <summary>Bytes of synapse storage (targets, weights, delays, row index).</summary>
    public long SynapseBytes { get; }
    /// <summary>Synaptic events delivered so far.</summary>
    public long SynapticEvents { get; private set; }
    /// <summary>Spikes emitted so far by this partition's neurons and sources.</summary>
    public long SpikesEmitted => _host.SpikesEmitted;
    /// <summary>Seconds spent building.</summary>
    public double BuildSeconds { get; }
    /// <summary>Neurons and sources owned.</summary>
    public long NeuronCount => _host.NeuronCount;
    /// <summary>The population-local indices owned, per population.</summary>
    public IReadOnlyList<int[]> Owned => _host.Owned;
    /// <summary>Recorded spikes per population (null where not recorded).</summary>
    public IReadOnlyList<SpikeRecord?> SpikeRecords => _host.SpikeRecords;
    /// <summary>State recorders with at least one neuron here.</summary>
    public IReadOnlyList<StateRecord> StateRecords => _host.StateRecords;

    /// <summary>The group of population <paramref name="population"/>, or null when none of its neurons is here.</summary>
    public NeuronGroup? Group(int population) => _host.Group(population);

    /// <summary>Whether any synapse on this partition has <paramref name="gid"/> as its source.</summary>
    public bool ReceivesFrom(long gid)
    {
        int p = _host.PopulationOf(gid);
        int row = (int)(gid - _first[p]);
        foreach (var b in _blocksByPre[p])
            if (b.HasRow(row)) return true;
        foreach (var b in _delayedByPre[p])
            if (b.HasRow(row)) return true;
        foreach (var b in _plasticByPre[p])
            if (b.HasRow(row)) return true;
        foreach (var t in _transmittersByPre[p])
            if (t.HasRow(row)) return true;
        return false;
    }

    /// <summary>
    /// Delivers the spikes of one epoch from all in-neighbours (this partition included) into the input ring
    /// buffers. Batches may come in any order; spikes are merged and delivered in (stamp, gid) order so that
    /// floating-point sums do not depend on where spikes came from. Spikes from neurons with no synapse here
    /// are ignored.
    /// </summary>
    public void Deliver(IReadOnlyList<SpikeBatch> batches)
    {
        long epoch = _clock.TakeDelivery(Partition);
        long analogFrom = epoch * EpochSteps + 1, analogTo = Math.Min((epoch + 1) * EpochSteps, TotalSteps);
        // Indexed loops: foreach over the interface would allocate an enumerator every epoch.
        int total = 0;
        for (int k = 0; k < batches.Count; k++) total += batches[k].Count;
        if (total == 0)
        {
            if (_analog is not null) SynapticEvents += DeliverAnalog(analogFrom, analogTo);
            ProcessPlastic();
            return;
        }
        if (_mergeKeys.Length < total) _mergeKeys = new long[Math.Max(total, _mergeKeys.Length * 2)];
        long n = _first[^1];
        int at = 0;
        for (int k = 0; k < batches.Count; k++)
        {
            var b = batches[k];
            for (int i = 0; i < b.Count; i++)
                _mergeKeys[at++] = b.Stamps[i] * n + b.Gids[i];
        }
        var keys = _mergeKeys.AsSpan(0, total);
        keys.Sort();
        long events = 0;
        int pop = 0;
        for (int j = 0; j < keys.Length; j++)
        {
            // The rows of a spike a few places ahead start on their way to the cache while this one is delivered:
            // rows begin at random places in the synapse arrays, which the hardware prefetcher cannot guess.
            if (j + PrefetchAhead < keys.Length) PrefetchRows(keys[j + PrefetchAhead] % n);
            long stamp = Math.DivRem(keys[j], n, out long gid);
            // Analog input comes from the first population: before every spike of its stamp.
            if (_analog is not null && analogFrom <= stamp)
            {
                events += DeliverAnalog(analogFrom, stamp);
                analogFrom = stamp + 1;
            }
            if (gid < _first[pop] || gid >= _first[pop + 1]) pop = _host.PopulationOf(gid);
            int row = (int)(gid - _first[pop]);
            foreach (var block in _blocksByPre[pop]) events += block.Deliver(row, stamp);
            foreach (var rows in _delayedByPre[pop]) events += rows.Enqueue(row, stamp);
            foreach (var block in _plasticByPre[pop]) block.AddPre(row, stamp);
            foreach (var t in _transmittersByPre[pop]) t.AddPre(row, stamp);
        }
        if (_analog is not null) events += DeliverAnalog(analogFrom, analogTo);
        for (int t = 0; t < _transmitters.Length; t++) events += _transmitters[t].Flush();
        SynapticEvents += events;
        ProcessPlastic();
    }

    /// <summary>How many spikes ahead of the one being delivered <see cref="Deliver"/> prefetches rows.</summary>
    private const int PrefetchAhead = 2;

    private void PrefetchRows(long gid)
    {
        int pop = _host.PopulationOf(gid);
        int row = (int)(gid - _first[pop]);
        foreach (var block in _blocksByPre[pop]) block.PrefetchRow(row);
        foreach (var rows in _delayedByPre[pop]) rows.PrefetchRow(row);
    }

    /// <summary>
    /// Reward for reward-modulated synapses at the coming epoch boundaries; null (default) = the network's reward
    /// schedule. A run that computes reward from a readout sets it identically on every partition.
    /// </summary>
    public double? RewardOverride { get; set; }

    /// <summary>
    /// Whether plastic synapses learn (default). When false their weights are frozen — spikes still travel with the
    /// current weights — as for evaluating a trained network.
    /// </summary>
    public bool Learning
    {
        get => _learning;
        set
        {
            _learning = value;
            _host.FreezeAdaptation(!value);
        }
    }

    private bool _learning = true;

    /// <summary>Sets <see cref="PlasticBlock.LearningRateScale"/> of every plastic block held here.</summary>
    public void ScaleLearningRates(double scale)
    {
        if (!(scale >= 0) || double.IsInfinity(scale))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the learning-rate scale must be finite and >= 0");
        foreach (var b in _plastic) b.LearningRateScale = scale;
    }

    /// <summary>
    /// Sets the rate (Hz) of every source of <paramref name="population"/> (a <c>poisson_generator</c>) held here,
    /// given by population-local index; applies from the next step.
    /// </summary>
    public void SetPoissonRates(int population, Func<int, double> rateOfIndex)
    {
        ArgumentNullException.ThrowIfNull(rateOfIndex);
        if (_host.Group(population) is null) return;
        if (_host.Group(population) is not PoissonSourceGroup g)
            throw new ArgumentException($"population {_spec.Populations[population].Name} is not a poisson_generator", nameof(population));
        var owned = _host.Owned[population];
        var rates = new double[owned.Length];
        for (int k = 0; k < owned.Length; k++) rates[k] = rateOfIndex(owned[k]);
        g.SetRates(rates);
    }

    /// <summary>Synapses with plastic weights held here.</summary>
    public long PlasticSynapseCount { get; }

    /// <summary>The plastic blocks, in projection order.</summary>
    public IReadOnlyList<PlasticBlock> PlasticBlocks => _plastic;

    /// <inheritdoc />
    public ulong WeightsChecksum
    {
        get
        {
            ulong sum = 0;
            foreach (var b in _plastic) b.AddChecksum(ref sum, _host.Gids(b.TargetPopulation));
            return sum;
        }
    }

    /// <summary>
    /// Plasticity at the epoch boundary: every event up to the last stamp of the epoch just delivered (later epochs
    /// may already have run here; their pre spikes are not known yet).
    /// </summary>
    private void ProcessPlastic()
    {
        if (_plastic.Length == 0) return;
        long horizon = _clock.DeliveredHorizon;
        double dt = _spec.Run.Dt;
        double reward = RewardOverride ?? _spec.Reward?.At((horizon - EpochSteps) * dt) ?? 0;
        long events = 0;
        for (int b = 0; b < _plastic.Length; b++)
        {
            var block = _plastic[b];
            events += block.Process(horizon, EpochSteps, _postLogs[block.TargetPopulation]!, ref _plasticCursor[b], reward, dt, Learning);
        }
        SynapticEvents += events;
        // Drop the post spikes every block onto a population has passed.
        for (int p = 0; p < _postLogs.Length; p++)
        {
            if (_postLogs[p] is not { } log) continue;
            int min = int.MaxValue;
            for (int b = 0; b < _plastic.Length; b++)
                if (_plastic[b].TargetPopulation == p) min = Math.Min(min, _plasticCursor[b]);
            if (min < 64 && min < log.Count) continue;
            log.Drop(min);
            for (int b = 0; b < _plastic.Length; b++)
                if (_plastic[b].TargetPopulation == p) _plasticCursor[b] -= min;
        }
    }

    /// <summary>
    /// Runs the next epoch (fewer steps at the end of the run) and returns the spikes it emitted, sorted by
    /// (stamp, gid). The returned batch is reused by the next call.
    /// </summary>
    public SpikeBatch RunEpoch()
    {
        var (start, end) = _clock.TakeEpoch(Partition);
        _out.Clear();
        for (long step = start; step < end; step++)
        {
            if (_lanes.Length > 0)
            {
                // A reset to the initial state discards input on its way, as it empties the ring buffers.
                if (_host.ResetsAt(step))
                    foreach (var lane in _lanes) lane.Clear();
                foreach (var lane in _lanes) lane.Drain(step);
            }
            _host.Step(step, _out, _postLogs);
        }
        return _out.View;
    }

    /// <summary>Input port of a receptor: voltage-jump models have one port for both signs.</summary>
    public static int PortOf(NeuronModel model, Receptor receptor) =>
        model is LifDelta or Izhikevich or IfSubtract ? 0 : receptor == Receptor.Exc ? 0 : 1;

    /// <summary>
    /// Factor from a weight's file unit to the model's input unit (pA to mV-scaled current for lif_exp_current). Weights
    /// onto lif_alpha_current stay in pA: its kernel turns the summed weights of a step into the jump of the current's
    /// drive (e / tau_syn per pA, which differs between its receptors), as NEST does when it reads its spike buffers.
    /// </summary>
    public static double WeightScale(NeuronModel model, Dimension weightDim) =>
        model is LifExpCurrent m && weightDim == Dimension.Current ? m.TauM / m.CM : 1.0;
}
