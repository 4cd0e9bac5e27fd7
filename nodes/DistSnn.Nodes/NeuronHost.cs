using DistSnn.Model;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Random;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Nodes;

/// <summary>
/// Makes the group of population <paramref name="population"/> (<paramref name="count"/> neurons, input rings of
/// <paramref name="slots"/> steps); returns null for the default kernel of the model.
/// </summary>
public delegate NeuronGroup? NeuronGroupFactory(NeuronModel model, int population, int count, int slots, double dt);

/// <summary>
/// The neuron side of a partition, shared by every backend that steps DistSnn's neuron groups: one group per
/// population with neurons here, their initial state, the <c>poisson_inputs</c> and injected currents that drive them,
/// and the spike and state recorders. <see cref="Step"/> advances everything one step; how spikes reach the input
/// rings (synapses, a modelled machine) is the backend's business.
/// </summary>
public sealed class NeuronHost
{
    private readonly NetworkSpec _spec;
    private readonly long[] _first;
    private readonly NeuronGroup?[] _groups;
    private readonly long[][] _gids;
    private readonly int[][] _owned;
    private readonly SpikeRecord?[] _spikeRecords;
    private readonly PoissonInputDriver[] _poisson;
    private readonly CurrentSchedule[] _currents;
    private readonly StateRecord[] _stateRecords;

    /// <summary>
    /// Builds the groups of the neurons in <paramref name="owned"/> (per population, ascending population-local
    /// indices) with input rings of <paramref name="slots"/>[p] steps. <paramref name="factory"/> may supply a group
    /// for a population (null: the CPU kernels). With <paramref name="poissonInputs"/> false the
    /// <c>poisson_inputs</c> are left to the caller.
    /// </summary>
    public NeuronHost(NetworkSpec spec, IReadOnlyList<int[]> owned, IReadOnlyList<int> slots, NeuronGroupFactory? factory = null,
        bool poissonInputs = true)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(owned);
        ArgumentNullException.ThrowIfNull(slots);
        if (owned.Count != spec.Populations.Count) throw new ArgumentException("one owned-index list per population is required");
        _spec = spec;
        _first = spec.FirstGids();
        int pops = spec.Populations.Count;
        _owned = owned.Select(o => o.ToArray()).ToArray();
        _gids = new long[pops][];
        for (int p = 0; p < pops; p++)
        {
            var o = _owned[p];
            for (int k = 1; k < o.Length; k++)
                if (o[k] <= o[k - 1]) throw new ArgumentException($"owned indices of population {p} are not strictly ascending");
            _gids[p] = o.Select(i => _first[p] + i).ToArray();
        }
        double dt = spec.Run.Dt;
        _groups = new NeuronGroup?[pops];
        for (int p = 0; p < pops; p++)
            if (_owned[p].Length > 0)
                _groups[p] = factory?.Invoke(spec.Populations[p].Model, p, _owned[p].Length, slots[p], dt)
                             ?? CreateGroup(spec.Populations[p].Model, p, slots[p], dt);
        SetPerNeuronParameters();
        InitialiseState();
        if (spec.Dataset is { Reset: true } data) TakeResetSnapshots(data.PeriodSteps(spec.Run.Grid));
        NeuronCount = _owned.Sum(o => (long)o.Length);

        _poisson = !poissonInputs ? [] : spec.PoissonInputs.Select((pi, idx) => (pi, idx))
            .Where(x => _groups[spec.PopulationIndex(x.pi.Target)] is not null)
            .Select(x =>
            {
                int p = spec.PopulationIndex(x.pi.Target);
                var model = spec.Populations[p].Model;
                return new PoissonInputDriver(_groups[p]!, _gids[p], x.pi, x.idx, PartitionEngine.PortOf(model, x.pi.Receptor),
                    PartitionEngine.WeightScale(model, x.pi.Weight.Dim), spec);
            }).ToArray();

        _currents = Enumerable.Range(0, pops)
            .Where(p => _groups[p] is not null)
            .Select(p => new CurrentSchedule(_groups[p]!, _owned[p], spec.Currents.Where(c => c.Target == spec.Populations[p].Name), dt))
            .Where(c => !c.Empty).ToArray();

        _spikeRecords = new SpikeRecord?[pops];
        foreach (var name in spec.Recording.Spikes)
        {
            int p = spec.PopulationIndex(name);
            if (p >= 0) _spikeRecords[p] = new SpikeRecord(p);
        }
        _stateRecords = BuildStateRecorders();
    }

    /// <summary>The model.</summary>
    public NetworkSpec Spec => _spec;
    /// <summary>The first global id of every population, plus the total (see <see cref="NetworkSpec.FirstGids"/>).</summary>
    public IReadOnlyList<long> First => _first;
    /// <summary>Neurons and sources held.</summary>
    public long NeuronCount { get; }
    /// <summary>Spikes emitted so far by the neurons and sources held.</summary>
    public long SpikesEmitted { get; set; }
    /// <summary>The population-local indices held, per population.</summary>
    public IReadOnlyList<int[]> Owned => _owned;
    /// <summary>Recorded spikes per population (null where not recorded).</summary>
    public IReadOnlyList<SpikeRecord?> SpikeRecords => _spikeRecords;
    /// <summary>State recorders with at least one neuron here.</summary>
    public IReadOnlyList<StateRecord> StateRecords => _stateRecords;

    /// <summary>The group of population <paramref name="population"/>, or null when none of its neurons is here.</summary>
    public NeuronGroup? Group(int population) => _groups[population];

    /// <summary>
    /// Called with the step in every <see cref="Step"/> after the injected currents and the built-in Poisson inputs and
    /// before the groups update: where a backend adds input of its own to the ring slots the step consumes.
    /// </summary>
    public Action<long>? Drive { get; set; }

    /// <summary>The global ids of the neurons of <paramref name="population"/> held here, in group order.</summary>
    public long[] Gids(int population) => _gids[population];

    /// <summary>The population a global id belongs to.</summary>
    public int PopulationOf(long gid)
    {
        int idx = Array.BinarySearch(_first, gid);
        int p = idx >= 0 ? idx : ~idx - 1;
        while (p + 1 < _first.Length - 1 && _first[p + 1] == gid) p++; // skip empty populations
        if (p < 0 || p >= _spec.Populations.Count) throw new ArgumentOutOfRangeException(nameof(gid), gid, "not a neuron of this network");
        return p;
    }

    /// <summary>Holds (or releases) every group's adaptive threshold (see <see cref="NeuronGroup.FreezeAdaptation"/>).</summary>
    public void FreezeAdaptation(bool frozen)
    {
        foreach (var g in _groups) g?.FreezeAdaptation(frozen);
    }

    /// <summary>
    /// Advances step <paramref name="step"/>: injected currents, <c>poisson_inputs</c>, every group's update; spikes
    /// go to <paramref name="spikes"/> stamped step + 1 and to the recorders; state recorders sample at their interval.
    /// </summary>
    public void Step(long step, SpikeBuffer spikes) => Step(step, spikes, null);

    /// <summary><see cref="Step(long, SpikeBuffer)"/>, also logging each spike of population p in <paramref name="postLogs"/>[p].</summary>
    internal void Step(long step, SpikeBuffer spikes, PostSpikeLog?[]? postLogs)
    {
        if (ResetsAt(step)) ResetToInitial();
        foreach (var c in _currents) c.Apply(step);
        foreach (var pi in _poisson) pi.Apply(step);
        Drive?.Invoke(step);
        for (int p = 0; p < _groups.Length; p++)
        {
            var g = _groups[p];
            if (g is null) continue;
            int n = g.Update(step);
            if (n == 0) continue;
            var gids = _gids[p];
            var rec = _spikeRecords[p];
            var spiked = g.Spiked;
            var log = postLogs?[p];
            for (int s = 0; s < n; s++)
            {
                spikes.Add(step + 1, gids[spiked[s]]);
                rec?.Add(step + 1, _owned[p][spiked[s]]);
                log?.Add(step + 1, spiked[s]);
            }
            SpikesEmitted += n;
        }
        foreach (var r in _stateRecords)
            if ((step + 1) % r.IntervalSteps == 0) r.Sample();
    }

    /// <summary>Saves or restores the groups' state (one section per population, named in <paramref name="v"/>'s errors).</summary>
    public void VisitGroups(Checkpoints.StateVisitor v)
    {
        ArgumentNullException.ThrowIfNull(v);
        for (int p = 0; p < _groups.Length; p++)
        {
            if (_groups[p] is not { } g) continue;
            v.Section($"population '{_spec.Populations[p].Name}' ({_spec.Populations[p].Model.Kind})");
            v.Expect("neurons", g.Count);
            g.VisitState(v);
        }
        for (int c = 0; c < _currents.Length; c++)
        {
            v.Section($"current schedule {c}");
            _currents[c].VisitState(v);
        }
    }

    /// <summary>Saves or restores the recordings so far.</summary>
    public void VisitRecords(Checkpoints.StateVisitor v)
    {
        ArgumentNullException.ThrowIfNull(v);
        for (int p = 0; p < _spikeRecords.Length; p++)
        {
            if (_spikeRecords[p] is not { } rec) continue;
            v.Section($"spike recording of '{_spec.Populations[p].Name}'");
            rec.VisitState(v);
        }
        foreach (var r in _stateRecords)
        {
            v.Section($"state recording {r.Recorder} of '{_spec.Populations[r.Population].Name}'.{r.Variable}");
            r.VisitState(v);
        }
    }

    private NeuronGroup CreateGroup(NeuronModel model, int p, int slots, double dt) => model switch
    {
        LifDelta m => new LifDeltaGroup(m, _owned[p].Length, slots, dt),
        LifExpCurrent m => new LifExpCurrentGroup(m, _owned[p].Length, slots, dt),
        LifExpCond m => new LifExpCondGroup(m, _owned[p].Length, slots, dt),
        LifAlphaCurrent m => new LifAlphaCurrentGroup(m, _owned[p].Length, slots, dt),
        Izhikevich m => new IzhikevichGroup(m, _owned[p].Length, slots, dt),
        IfSubtract m => new IfSubtractGroup(m, _owned[p].Length, slots, dt),
        AdEx m => new AdExGroup(m, _owned[p].Length, slots, dt),
        PoissonGenerator m => new PoissonSourceGroup(m, _gids[p], dt, _spec.Run.Seed),
        SpikeGenerator m => new SpikeGeneratorGroup(m, _owned[p], dt),
        DatasetInput => new DatasetInputGroup(_spec.Dataset ?? throw new ArgumentException($"populations[{p}]: dataset_input without a dataset"),
            _owned[p], _spec.Run.Grid, _spec.Run.Seed),
        _ => throw new ArgumentException($"populations[{p}].model: unsupported model {model.Kind}"),
    };

    /// <summary>Steps between resets to the initial state (a data set with <c>reset: true</c>), or 0.</summary>
    private long _resetPeriod;

    /// <summary>Whether <see cref="Step"/> of <paramref name="step"/> first resets every group to its initial state.</summary>
    public bool ResetsAt(long step) => _resetPeriod > 0 && step > 0 && step % _resetPeriod == 0;
    private byte[]?[] _resetSnapshots = [];

    private void TakeResetSnapshots(long period)
    {
        _resetPeriod = period;
        _resetSnapshots = new byte[]?[_groups.Length];
        for (int p = 0; p < _groups.Length; p++)
        {
            if (_groups[p] is not { } g) continue;
            using var ms = new MemoryStream();
            g.VisitState(new Checkpoints.StateWriter(ms));
            _resetSnapshots[p] = ms.ToArray();
        }
    }

    /// <summary>
    /// Every neuron back to its initial state and every pending input dropped, as at step 0; the injected currents stay
    /// (they follow their own schedule). Happens at the start of every sample, before any neuron updates.
    /// </summary>
    private void ResetToInitial()
    {
        for (int p = 0; p < _groups.Length; p++)
        {
            if (_groups[p] is not { } g || _resetSnapshots[p] is not { } snapshot) continue;
            var currents = g.CurrentPa.ToArray();
            using var ms = new MemoryStream(snapshot);
            g.VisitState(new Checkpoints.StateReader(ms));
            currents.CopyTo(g.CurrentPa, 0);
        }
    }

    /// <summary>
    /// Per-neuron parameters: this partition's slice of the given values, or draws keyed by (population, parameter,
    /// gid), so that a neuron's value never depends on partitioning.
    /// </summary>
    private void SetPerNeuronParameters()
    {
        for (int p = 0; p < _groups.Length; p++)
        {
            if (_groups[p] is not { } g) continue;
            foreach (var name in _spec.Populations[p].PerNeuron.Keys.Order(StringComparer.Ordinal))
                g.SetParameter(name, PerNeuronValues(_spec, p, name, _owned[p]));
        }
    }

    /// <summary>
    /// The values of per-neuron parameter <paramref name="name"/> of population <paramref name="population"/> for its
    /// neurons <paramref name="owned"/> (population-local indices), as the kernels hold them: the given values, or
    /// draws keyed by (seed, population, parameter, gid) so that a neuron's value never depends on partitioning. The
    /// one definition of those draws, also used by writers that must reproduce them (SONATA export).
    /// </summary>
    public static float[] PerNeuronValues(NetworkSpec spec, int population, string name, IReadOnlyList<int> owned)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(owned);
        var pop = spec.Populations[population];
        if (!pop.PerNeuron.TryGetValue(name, out var value))
            throw new ArgumentException($"populations[{population}].parameters.{name}: is not given per neuron");
        int index = pop.Model.Parameters.Select(f => f.Name).ToList().IndexOf(name);
        if (index < 0) throw new ArgumentException($"populations[{population}].parameters.{name}: {pop.Model.Kind} has no parameter '{name}'");
        var key = CounterRng.StreamKey(spec.Run.Seed, RngPurpose.Parameter, (ulong)population << 8 | (uint)index);
        long first = spec.FirstGids()[population];
        if (value is ArrayValue given) return Slice(given, owned, $"populations[{population}].parameters.{name}");
        var values = new float[owned.Count];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)ValueDraw.Draw(value, key, (ulong)(first + owned[i]), 0);
        return values;
    }

    /// <summary>The values of the owned neurons only: a dataset is read for the range they span, not whole.</summary>
    private static float[] Slice(ArrayValue given, IReadOnlyList<int> owned, string path)
    {
        try
        {
            return given.Take(owned);
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"{path}: {e.Message}", e);
        }
    }

    private void InitialiseState()
    {
        for (int p = 0; p < _groups.Length; p++)
        {
            var g = _groups[p];
            if (g is null) continue;
            var pop = _spec.Populations[p];
            var vars = pop.Model.StateVariables;
            for (int v = 0; v < vars.Count; v++)
            {
                if (!pop.Initial.TryGetValue(vars[v].Name, out var value)) continue;
                var key = CounterRng.StreamKey(_spec.Run.Seed, RngPurpose.Initial, (ulong)p << 8 | (uint)v);
                var arr = g.State(vars[v].Name);
                if (value is ArrayValue given)
                    Slice(given, _owned[p], $"populations[{p}].initial.{vars[v].Name}").CopyTo(arr, 0);
                else
                    for (int i = 0; i < _gids[p].Length; i++)
                        arr[i] = (float)ValueDraw.Draw(value, key, (ulong)_gids[p][i], 0);
            }
            // Izhikevich: u starts at b * v unless given, as in Izhikevich's code.
            if (g is IzhikevichGroup iz && !pop.Initial.ContainsKey("u") && pop.Initial.ContainsKey("v"))
                for (int i = 0; i < iz.Count; i++) iz.U[i] = iz.B[i] * iz.V[i];
            g.Initialised();
        }
    }

    private StateRecord[] BuildStateRecorders()
    {
        var list = new List<StateRecord>();
        var rs = _spec.Recording.State;
        for (int r = 0; r < rs.Count; r++)
        {
            int p = _spec.PopulationIndex(rs[r].Population);
            var g = p >= 0 ? _groups[p] : null;
            if (g is null) continue;
            var neurons = new List<int>();
            var groupIdx = new List<int>();
            foreach (var n in rs[r].Neurons.Distinct().Order())
            {
                int k = Array.BinarySearch(_owned[p], n);
                if (k < 0) continue;
                neurons.Add(n);
                groupIdx.Add(k);
            }
            if (neurons.Count == 0) continue;
            long interval = Math.Max(1, _spec.Run.Grid.Steps(rs[r].Interval));
            foreach (var variable in rs[r].Variables)
                list.Add(new StateRecord(r, p, variable, neurons.ToArray(), groupIdx.ToArray(), interval, g.State(variable)));
        }
        return list.ToArray();
    }
}
