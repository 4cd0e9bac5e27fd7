using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Checkpoints;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Hardware.Memristive;

/// <summary>
/// The crossbars of one memristive partition: every projection chosen for crossbars (see
/// <see cref="MemristiveSettings.Chosen"/>) that ends on its neurons becomes a <see cref="CrossbarArray"/>; static
/// ones are read at every synapse time with spikes, plastic ones hold their weights in devices that the learning rule
/// programs with pulses. The rest stays on the CPU.
/// </summary>
public sealed class CrossbarSubstrate : ISynapseSubstrate
{
    private readonly NetworkSpec _spec;
    private readonly DeviceModel _model;
    private readonly bool[] _chosen;
    private readonly List<(CrossbarArray Array, long Synapses)> _arrays = new();

    /// <summary>The crossbars of a partition of <paramref name="spec"/> with devices <paramref name="parameters"/>; <paramref name="chosen"/>[j]: projection j goes on crossbars.</summary>
    public CrossbarSubstrate(NetworkSpec spec, DeviceParameters parameters, bool[] chosen)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        _model = new DeviceModel(parameters, spec.Run.Seed);
        _chosen = chosen;
    }

    /// <summary>The device model.</summary>
    public DeviceModel Model => _model;

    /// <summary>The arrays held, in projection order.</summary>
    internal IEnumerable<CrossbarArray> Arrays => _arrays.Select(a => a.Array).OrderBy(a => a.Projection);

    /// <inheritdoc />
    public IRowTransmitter? TakeStatic(SynapseData data, NeuronGroup target, int[] owned)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!_chosen[data.Projection]) return null;
        // Drawn or listed delays that all round to one step count are one delay (the model check refuses others); taken
        // from the model, so a partition with none of the projection's synapses reads into the same slot.
        int delay = (int)_spec.Projections[data.Projection].DelayStepRange(_spec.Run.Grid).Lo;
        if (data.Delays is { Length: > 0 } delays && delays.Any(d => d != delay))
            throw new ArgumentException($"projections[{data.Projection}].delay: a crossbar projection needs one delay for all its synapses");
        var proj = _spec.Projections[data.Projection];
        var model = _spec.Populations[data.TargetPopulation].Model;
        double scale = PartitionEngine.WeightScale(model, proj.Weight.Dim);
        var array = new CrossbarArray(_model, data.Projection, data.RowStart.Length - 1, _spec.Populations[data.TargetPopulation].Size, owned, target,
            data.Port, delay, WeightRange(_spec, data.Projection) * scale);
        array.ProgramStatic(data);
        _arrays.Add((array, data.Targets.Length));
        return new StaticTransmitter(array, _model.Parameters.AnyNonIdeality, data.Targets.Length);
    }

    /// <inheritdoc />
    public IWeightDevice? TakePlastic(PlasticBlock block, int[] owned)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (!_chosen[block.Projection]) return null;
        var rule = block.Rule;
        double wMax = Math.Max(Math.Abs(rule.WMin), Math.Abs(rule.WMax));
        var array = new CrossbarArray(_model, block.Projection, block.RowStart.Length - 1, _spec.Populations[block.TargetPopulation].Size, owned,
            block.Target, block.Port, block.Delay, wMax);
        array.ProgramPlastic(block, rule.WMin, rule.WMax);
        _arrays.Add((array, block.Count));
        return new PlasticDevice(array, _model.Parameters.AnyNonIdeality);
    }

    /// <inheritdoc />
    public void VisitState(StateVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        foreach (var (array, _) in _arrays.OrderBy(a => a.Array.Projection))
        {
            visitor.Section($"crossbar of projections[{array.Projection}]");
            visitor.Expect("columns", array.Columns);
            array.VisitState(visitor);
        }
    }

    /// <summary>The columns of the <c>crossbars</c> report table.</summary>
    public static readonly string[] ReportColumns =
    [
        "synapses", "cells", "events", "cell_reads", "conversions", "clips", "read_steps", "read_energy_j", "adc_energy_j",
        "pulses", "pulse_energy_j", "normalize_pulses", "normalize_energy_j", "devices_past_endurance", "clipped_weights",
    ];

    /// <summary>One row per array held here, keyed by projection and partition.</summary>
    public IEnumerable<ReportRow> ReportRows(int partition) => _arrays.OrderBy(a => a.Array.Projection).Select(a =>
    {
        var x = a.Array;
        return new ReportRow($"projections[{x.Projection:D4}] partition {partition:D4}",
        [
            a.Synapses, (double)x.Rows * x.Columns, x.Events, x.CellReads, x.Conversions, x.Clips, x.ReadSteps, x.ReadEnergyJ,
            x.Conversions * _model.AdcEnergyJ, x.Pulses, x.PulseEnergyJ, x.NormalizePulses, x.NormalizeEnergyJ,
            x.DevicesPastEndurance, x.ClippedWeights,
        ]);
    });

    /// <summary>
    /// The weight magnitude (model unit) mapped to the full conductance range of projection <paramref name="j"/>: the
    /// plastic rule's larger bound; else the largest weight the spec can give (a normal distribution: |μ| + 3σ, larger
    /// draws are programmed at the range's end and counted).
    /// </summary>
    public static double WeightRange(NetworkSpec spec, int j)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var proj = spec.Projections[j];
        if (proj.Synapse.IsPlastic) return Math.Max(Math.Abs(proj.Synapse.WMin), Math.Abs(proj.Synapse.WMax));
        double range = proj.Weight is NormalValue n ? Math.Abs(n.Mu) + 3 * n.Sigma : Math.Max(Math.Abs(proj.Weight.Lower), Math.Abs(proj.Weight.Upper));
        if (proj.Connector is FromList list)
            foreach (var s in list.Synapses)
                if (s.Weight is double w) range = Math.Max(range, Math.Abs(w));
        return range;
    }

    private sealed class StaticTransmitter(CrossbarArray array, bool everyRow, long synapses) : IRowTransmitter
    {
        // Events of the spikes queued since the last flush (none at an epoch boundary).
        private long _pending;
        public int Projection => array.Projection;
        public long Synapses => synapses;
        public long Bytes => array.Bytes + array.RowSynapses.Length * sizeof(int);
        // A row with no synapse here still drives its cells, which conduct when the devices are not ideal.
        public bool HasRow(int row) => everyRow || array.RowSynapses[row] > 0;

        public void AddPre(int row, long stamp)
        {
            array.Queue(row, stamp);
            _pending += array.RowSynapses[row];
        }

        public long Flush()
        {
            array.Flush();
            long events = _pending;
            _pending = 0;
            return events;
        }
    }

    private sealed class PlasticDevice(CrossbarArray array, bool everyRow) : IWeightDevice
    {
        // A row with no synapse here still drives its cells, which conduct when the devices are not ideal.
        public bool ReadsEveryRow => everyRow;
        public float Write(int synapse, float current, float requested) => array.Write(synapse, current, requested);
        public void Normalizing(bool active) => array.SetNormalizing(active);
        public bool Transmits => true;
        public void Transmit(int row, long time) => array.Queue(row, time);
        public void EndTime(long time) => array.Flush();
    }
}
