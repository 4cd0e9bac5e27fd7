using DistSnn.Nodes.Checkpoints;
using DistSnn.Nodes.Random;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Hardware.Memristive;

internal sealed partial class CrossbarArray
{
    private PlasticCells? _plastic;
    private bool _normalizing;

    /// <summary>The device state of a plastic array: both sides of every cell, their fixed draws and pulse counts.</summary>
    private sealed class PlasticCells(int cells, int synapses)
    {
        public readonly float[] GPlus = new float[cells], GMinus = new float[cells];
        public readonly float[] GainPlus = new float[cells], GainMinus = new float[cells];
        public readonly sbyte[] StuckPlus = new sbyte[cells], StuckMinus = new sbyte[cells];
        public readonly int[] PulsesPlus = new int[cells], PulsesMinus = new int[cells];
        public readonly int[] Writes = new int[cells];
        public readonly int[] CellOf = new int[synapses];
        public int SignMode; // +1: weights >= 0 only, -1: <= 0 only, 0: either
        public double WMin, WMax; // the rule's bounds: what the rule is shown of the devices' weights
        public ulong PulsePlus, PulseMinus;
        public long Bytes => (long)GPlus.Length * (4 * 4 + 2 + 3 * 4) + CellOf.Length * 4L;
    }

    /// <summary>Programming pulses so far (learning and normalisation).</summary>
    public long Pulses { get; private set; }
    /// <summary>Energy of those pulses (J): V_write² t_write G after each pulse.</summary>
    public double PulseEnergyJ { get; private set; }
    /// <summary>Pulses spent on weight normalisation.</summary>
    public long NormalizePulses { get; private set; }
    /// <summary>Energy of the normalisation pulses (J).</summary>
    public double NormalizeEnergyJ { get; private set; }

    /// <summary>Devices with more pulses than the endurance (0 when endurance is not counted).</summary>
    public long DevicesPastEndurance
    {
        get
        {
            if (_plastic is null || _p.Endurance <= 0) return 0;
            long n = 0;
            foreach (var c in _plastic.PulsesPlus) if (c > _p.Endurance) n++;
            foreach (var c in _plastic.PulsesMinus) if (c > _p.Endurance) n++;
            return n;
        }
    }

    /// <summary>
    /// Programs the devices from the plastic block's initial weights (rule bounds <paramref name="wMin"/> to
    /// <paramref name="wMax"/>) and replaces them by what the devices hold. Throws when two synapses share a cell.
    /// </summary>
    public void ProgramPlastic(PlasticBlock block, double wMin, double wMax)
    {
        int cols = Columns;
        var cells = new PlasticCells(_diff.Length, block.Count)
        {
            SignMode = wMin >= 0 ? 1 : wMax <= 0 ? -1 : 0,
            WMin = wMin,
            WMax = wMax,
            PulsePlus = _model.PulseStream(Projection, 1),
            PulseMinus = _model.PulseStream(Projection, -1),
        };
        ulong plus = _model.Stream(Projection, 1), minus = _model.Stream(Projection, -1);
        RowSynapses = new int[Rows];
        for (int row = 0; row < Rows; row++) RowSynapses[row] = block.RowStart[row + 1] - block.RowStart[row];
        var used = new bool[_diff.Length];
        var dense = new float[_diff.Length];
        for (int row = 0; row + 1 < block.RowStart.Length; row++)
            for (int k = block.RowStart[row]; k < block.RowStart[row + 1]; k++)
            {
                int cell = row * cols + block.Targets[k];
                if (used[cell]) throw new ArgumentException($"projections[{Projection}]: two plastic synapses join the same pair of neurons (source {row}); a crossbar cell holds one");
                used[cell] = true;
                cells.CellOf[k] = cell;
                dense[cell] = block.Weights[k];
            }
        for (int cell = 0; cell < _diff.Length; cell++)
        {
            int row = cell / cols, c = cell % cols;
            ulong id = (ulong)row * (ulong)_postSize + (ulong)_owned[c];
            double f = Math.Clamp(dense[cell] / WeightMax, -1, 1);
            var dp = _model.DrawsOf(plus, id);
            var dm = _model.DrawsOf(minus, id);
            cells.GainPlus[cell] = (float)dp.Gain;
            cells.GainMinus[cell] = (float)dm.Gain;
            cells.StuckPlus[cell] = (sbyte)dp.Stuck;
            cells.StuckMinus[cell] = (sbyte)dm.Stuck;
            cells.GPlus[cell] = (float)_model.Program(Math.Max(f, 0), plus, id).G0;
            cells.GMinus[cell] = (float)_model.Program(Math.Max(-f, 0), minus, id).G0;
        }
        _plastic = cells;
        if (_model.NoisyReads) _variance = new float[_diff.Length];
        for (int cell = 0; cell < _diff.Length; cell++) Refresh(cell);
        for (int k = 0; k < block.Count; k++) block.Weights[k] = Shown(cells.CellOf[k]);
        for (int row = 0; row < Rows; row++)
        {
            double g = 0;
            for (int c = 0; c < cols; c++) g += cells.GPlus[row * cols + c] + cells.GMinus[row * cols + c];
            _rowConductance[row] = g;
        }
    }

    /// <summary>Marks the writes that follow as weight normalisation (or not).</summary>
    public void SetNormalizing(bool active) => _normalizing = active;

    /// <summary>
    /// Moves synapse <paramref name="synapse"/> from <paramref name="current"/> towards <paramref name="requested"/>
    /// with programming pulses (exact writes when the device has neither pulses nor levels) and returns the weight it
    /// then holds.
    /// </summary>
    public float Write(int synapse, float current, float requested)
    {
        var s = _plastic!;
        if (_normalizing && !_p.NormalizeOnDevice) return current;
        int cell = s.CellOf[synapse];
        double want = Math.Clamp((double)requested, -WeightMax, WeightMax);
        double have = (s.GPlus[cell] - s.GMinus[cell]) * Scale;
        if (requested == current) return current;
        int side = s.SignMode != 0 ? s.SignMode : want > 0 || want == 0 && have > 0 ? 1 : -1;
        long pulsesBefore = Pulses;
        double energyBefore = PulseEnergyJ;
        // The change the rule asks for, in pulses of the nominal step; crossing zero, the side in use is reset to g_min
        // (one pulse) and the other side programmed from there.
        double change = requested - current;
        float other = side > 0 ? s.GMinus[cell] : s.GPlus[cell];
        if (other > _p.GMinUs && s.SignMode == 0)
        {
            SetSide(cell, -side, _p.GMinUs);
            have = (s.GPlus[cell] - s.GMinus[cell]) * Scale;
            change = want - have;
        }
        if (_p.Pulses == 0 && _p.Levels == 0)
        {
            float gain = side > 0 ? s.GainPlus[cell] : s.GainMinus[cell];
            SetSide(cell, side, _p.GMinUs + Math.Abs(want) / WeightMax * _p.RangeUs * gain);
        }
        else
        {
            int full = _model.PulsesFullRange;
            double x = change / WeightMax * full;
            int n;
            if (_p.Update == UpdateMode.Greedy) n = Math.Sign(x);
            else
            {
                double a = Math.Abs(x), whole = Math.Floor(a);
                double u = CounterRng.Uniform(s.PulsePlus, DeviceId(cell), (1UL << 40) + (ulong)s.Writes[cell]++);
                n = (int)Math.Min(whole + (u < a - whole ? 1 : 0), 4L * full) * Math.Sign(x);
            }
            // Raising the weight raises g⁺ or lowers g⁻.
            bool up = n > 0 == side > 0;
            for (int k = 0; k < Math.Abs(n); k++) PulseSide(cell, side, up);
        }
        if (_normalizing)
        {
            NormalizePulses += Pulses - pulsesBefore;
            NormalizeEnergyJ += PulseEnergyJ - energyBefore;
        }
        Refresh(cell);
        return Shown(cell);
    }

    /// <summary>
    /// The weight the learning rule is shown of a cell: the devices' difference in the weight unit, within the rule's
    /// bounds (variation may take a device beyond them; the device keeps its conductance, reads use it as it is).
    /// </summary>
    private float Shown(int cell) => (float)Math.Clamp(_diff[cell] * Scale, _plastic!.WMin, _plastic.WMax);

    private void PulseSide(int cell, int side, bool up)
    {
        var s = _plastic!;
        bool plus = side > 0;
        float g = plus ? s.GPlus[cell] : s.GMinus[cell];
        int count = plus ? s.PulsesPlus[cell]++ : s.PulsesMinus[cell]++;
        Pulses++;
        if ((plus ? s.StuckPlus[cell] : s.StuckMinus[cell]) == 0)
        {
            double span = _p.RangeUs * (plus ? s.GainPlus[cell] : s.GainMinus[cell]);
            double noise = _p.C2C > 0 ? CounterRng.Normal(plus ? s.PulsePlus : s.PulseMinus, DeviceId(cell), (ulong)count) : 0;
            float before = g;
            g = (float)(_p.GMinUs + _model.Pulse((g - _p.GMinUs) / span, up, noise) * span);
            _rowConductance[cell / Columns] += g - before;
            if (plus) s.GPlus[cell] = g;
            else s.GMinus[cell] = g;
        }
        PulseEnergyJ += _p.WriteVoltage * _p.WriteVoltage * g * 1e-6 * _p.WriteNs * 1e-9;
    }

    /// <summary>The partition-free name of a cell held here: presynaptic index × target population size + target index.</summary>
    private ulong DeviceId(int cell) => (ulong)(cell / Columns) * (ulong)_postSize + (ulong)_owned[cell % Columns];

    private void SetSide(int cell, int side, double g)
    {
        var s = _plastic!;
        bool plus = side > 0;
        if (plus) s.PulsesPlus[cell]++;
        else s.PulsesMinus[cell]++;
        Pulses++;
        if ((plus ? s.StuckPlus[cell] : s.StuckMinus[cell]) == 0)
        {
            _rowConductance[cell / Columns] += (float)g - (plus ? s.GPlus[cell] : s.GMinus[cell]);
            if (plus) s.GPlus[cell] = (float)g;
            else s.GMinus[cell] = (float)g;
        }
        PulseEnergyJ += _p.WriteVoltage * _p.WriteVoltage * (plus ? s.GPlus[cell] : s.GMinus[cell]) * 1e-6 * _p.WriteNs * 1e-9;
    }

    /// <summary>Brings the read values of a plastic cell up to date with its devices (the plastic arrays do not drift).</summary>
    private void Refresh(int cell)
    {
        var s = _plastic!;
        _diff[cell] = s.GPlus[cell] - s.GMinus[cell];
        if (_variance is not null)
        {
            double sp = _model.ReadSigma(s.GPlus[cell]), sm = _model.ReadSigma(s.GMinus[cell]);
            _variance[cell] = (float)(sp * sp + sm * sm);
        }
    }

    /// <summary>Saves or restores the devices of a plastic array and the counters of any array.</summary>
    public void VisitState(StateVisitor v)
    {
        long events = Events, reads = CellReads, conversions = Conversions, steps = ReadSteps, pulses = Pulses, normPulses = NormalizePulses;
        double readJ = ReadEnergyJ, pulseJ = PulseEnergyJ, normJ = NormalizeEnergyJ;
        v.Value("events", ref events);
        v.Value("cell_reads", ref reads);
        v.Value("conversions", ref conversions);
        v.Value("clips", ref _clips);
        v.Value("read_steps", ref steps);
        v.Value("read_energy_j", ref readJ);
        v.Value("pulses", ref pulses);
        v.Value("pulse_energy_j", ref pulseJ);
        v.Value("normalize_pulses", ref normPulses);
        v.Value("normalize_energy_j", ref normJ);
        (Events, CellReads, Conversions, ReadSteps, ReadEnergyJ, Pulses, PulseEnergyJ, NormalizePulses, NormalizeEnergyJ) =
            (events, reads, conversions, steps, readJ, pulses, pulseJ, normPulses, normJ);
        if (_plastic is not { } s) return;
        v.Array("g_plus", s.GPlus);
        v.Array("g_minus", s.GMinus);
        v.Array("pulses_plus", s.PulsesPlus);
        v.Array("pulses_minus", s.PulsesMinus);
        v.Array("writes", s.Writes);
        if (!v.Restoring) return;
        for (int cell = 0; cell < _diff.Length; cell++) Refresh(cell);
        for (int row = 0; row < Rows; row++)
        {
            double g = 0;
            for (int c = 0; c < Columns; c++) g += s.GPlus[row * Columns + c] + s.GMinus[row * Columns + c];
            _rowConductance[row] = g;
        }
    }
}
