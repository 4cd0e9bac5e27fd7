using DistSnn.Model;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Random;

namespace DistSnn.Nodes;

/// <summary>
/// A <c>poisson_input</c> onto one group: each step, neuron i receives a Poisson count of events (mean
/// sources * rate * dt), keyed by (seed, input index, gid, step), times its weight, added to the ring slot the
/// step consumes — after the spikes delivered there, so the sum order is fixed.
/// </summary>
internal sealed class PoissonInputDriver
{
    private readonly NeuronGroup _group;
    private readonly long[] _gids;
    private readonly PoissonSampler _sampler;
    private readonly ulong _key;
    private readonly float[] _weights;
    private readonly int _port;

    public PoissonInputDriver(NeuronGroup group, long[] gids, PoissonInputSpec spec, int inputIndex, int port, double weightScale, NetworkSpec net)
    {
        _group = group;
        _gids = gids;
        _port = port;
        _sampler = new PoissonSampler(spec.Sources * spec.Rate * net.Run.Dt * 1e-3);
        ulong seed = net.Run.Seed;
        _key = CounterRng.StreamKey(seed, RngPurpose.PoissonInput, (ulong)inputIndex);
        var wKey = CounterRng.StreamKey(seed, RngPurpose.Weight, 1UL << 32 | (uint)inputIndex);
        _weights = new float[gids.Length];
        for (int i = 0; i < gids.Length; i++)
            _weights[i] = (float)(ValueDraw.Draw(spec.Weight, wKey, (ulong)gids[i], 0) * weightScale);
    }

    public void Apply(long step)
    {
        if (_sampler.Mean == 0) return;
        _sampler.AddWeighted(_key, _gids, (ulong)step, _weights, _group.InputSlot(_port, step));
    }
}

/// <summary>
/// The injected currents of one group. Currents are piecewise constant; at each change point the per-neuron
/// current is recomputed from scratch (summing sources in spec order), so switching off restores exactly zero.
/// </summary>
internal sealed class CurrentSchedule
{
    private readonly NeuronGroup _group;
    private readonly List<(CurrentSourceSpec Spec, int[] GroupIndices, int[] Places)> _sources = new();
    private readonly long[] _changes;
    private readonly TimeGrid _grid;
    private int _next;

    public CurrentSchedule(NeuronGroup group, int[] owned, IEnumerable<CurrentSourceSpec> specs, double dt)
    {
        _group = group;
        _grid = new TimeGrid(dt);
        var localOf = new Dictionary<int, int>();
        for (int k = 0; k < owned.Length; k++) localOf[owned[k]] = k;
        var changes = new SortedSet<long> { 0 };
        foreach (var s in specs)
        {
            // perNeuron[k]: where local neuron idx[k]'s own amplitude stands (its target index, or its place in the neuron list).
            var listed = s.Neurons is null ? owned.Select((n, k) => (Neuron: n, Place: n)).ToArray()
                : s.Neurons.Select((n, k) => (Neuron: n, Place: k)).Where(x => localOf.ContainsKey(x.Neuron)).ToArray();
            var idx = listed.Select(x => localOf[x.Neuron]).ToArray();
            _sources.Add((s, idx, listed.Select(x => x.Place).ToArray()));
            switch (s)
            {
                case DcCurrentSpec dc:
                    changes.Add(StartStep(dc.Start));
                    if (!double.IsPositiveInfinity(dc.Stop)) changes.Add(StartStep(dc.Stop));
                    break;
                case StepCurrentSpec sc:
                    foreach (var t in sc.Times) changes.Add(StartStep(t));
                    break;
            }
        }
        _changes = changes.ToArray();
    }

    /// <summary>First step whose start time is at or after <paramref name="ms"/>.</summary>
    private long StartStep(double ms) => _grid.StepsAtOrAfter(ms);

    public bool Empty => _sources.Count == 0;

    /// <summary>Saves or restores the position in the change schedule; the currents themselves live in the group.</summary>
    public void VisitState(Checkpoints.StateVisitor visitor) => visitor.Value("next_change", ref _next);

    public void Apply(long step)
    {
        if (_next >= _changes.Length || _changes[_next] > step) return;
        while (_next < _changes.Length && _changes[_next] <= step) _next++;
        var cur = _group.CurrentPa;
        Array.Clear(cur);
        foreach (var (spec, idx, perNeuron) in _sources)
        {
            if (spec is DcCurrentSpec { Amplitudes: { } values } dc)
            {
                if (!DcOn(dc, step)) continue;
                for (int k = 0; k < idx.Length; k++) cur[idx[k]] += values.Values[perNeuron[k]];
                continue;
            }
            double a = Amplitude(spec, step);
            if (a == 0) continue;
            foreach (var i in idx) cur[i] += (float)a;
        }
    }

    private bool DcOn(DcCurrentSpec dc, long step) =>
        step >= StartStep(dc.Start) && (double.IsPositiveInfinity(dc.Stop) || step < StartStep(dc.Stop));

    private double Amplitude(CurrentSourceSpec spec, long step)
    {
        switch (spec)
        {
            case DcCurrentSpec dc:
                return DcOn(dc, step) ? dc.Amplitude : 0;
            case StepCurrentSpec sc:
                double a = 0;
                for (int k = 0; k < sc.Times.Count; k++)
                    if (step >= StartStep(sc.Times[k])) a = sc.Amplitudes[k];
                return a;
            default:
                return 0;
        }
    }
}
