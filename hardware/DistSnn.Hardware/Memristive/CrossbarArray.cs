using System.Numerics.Tensors;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Random;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Hardware.Memristive;

/// <summary>
/// The crossbar cells of one projection that end on this partition's neurons: every presynaptic neuron is a row,
/// every target neuron held here a column, and each cell a differential pair of devices (g⁺ − g⁻) whether or not the
/// model has a synapse there (a cell without one sits at g_min on both sides, with its own variation and faults).
/// Tiles are cut from the whole projection (rows 0..127, 128..255, … by columns 0..127, … of the target population),
/// so which tile a cell is in never depends on the partitioning.
/// <para>
/// A read at synapse time t: per row tile, the differential column sums of the rows that spiked (plus read noise),
/// each converted by its column's ADC, scaled by the tile column's drift compensation, added over the row tiles and
/// scaled from µS to the projection's weight unit, into the ring slot of t + delay. <see cref="Diff"/> holds g⁺ − g⁻
/// as read at t_inference, <c>[row × columns + column]</c>.
/// </para>
/// </summary>
internal sealed partial class CrossbarArray
{
    private readonly DeviceModel _model;
    private readonly DeviceParameters _p;
    private readonly NeuronGroup _target;
    private readonly int _port, _delay, _postSize;
    private readonly int[] _owned;
    private readonly float[] _diff;
    private float[]? _variance;
    private double[] _compensation;
    private readonly double[] _rowConductance;
    private readonly double[] _acc;
    private readonly float[] _partial, _partialVariance;
    private readonly ulong _readStream;
    // Spikes queued since the last flush, in (stamp, row) order.
    private int[] _rows = new int[64];
    private long[] _stamps = new long[64];
    private int _rowCount;

    /// <summary>
    /// An array for projection <paramref name="projection"/> from <paramref name="rows"/> presynaptic neurons onto the
    /// target population indices <paramref name="owned"/> (of <paramref name="postSize"/>), read into
    /// <paramref name="target"/>'s port <paramref name="port"/> after <paramref name="delay"/> steps; weights of
    /// magnitude <paramref name="weightMax"/> (input unit) map to the full conductance range.
    /// </summary>
    public CrossbarArray(DeviceModel model, int projection, int rows, int postSize, int[] owned, NeuronGroup target, int port, int delay, double weightMax)
    {
        if (!(weightMax > 0) || !double.IsFinite(weightMax))
            throw new ArgumentOutOfRangeException(nameof(weightMax), weightMax, $"projections[{projection}]: the weight range of a crossbar projection must be finite and > 0");
        _model = model;
        _p = model.Parameters;
        Projection = projection;
        Rows = rows;
        _postSize = postSize;
        _owned = owned;
        _target = target;
        _port = port;
        _delay = delay;
        WeightMax = weightMax;
        Scale = weightMax / _p.RangeUs;
        if ((long)rows * owned.Length > Array.MaxLength)
            throw new ArgumentException($"projections[{projection}]: {rows:N0} rows x {owned.Length:N0} columns are more cells than one partition's array holds; use more partitions");
        _diff = new float[(long)rows * owned.Length];
        int rowTiles = (rows + _p.TileRows - 1) / _p.TileRows;
        _compensation = [];
        _rowConductance = new double[rows];
        _acc = new double[owned.Length];
        _partial = new float[owned.Length];
        _partialVariance = new float[owned.Length];
        _readStream = model.ReadStream(projection);
        RowTiles = rowTiles;
    }

    /// <summary>Index of the projection in the network spec.</summary>
    public int Projection { get; }
    /// <summary>Rows (presynaptic neurons).</summary>
    public int Rows { get; }
    /// <summary>Columns held here.</summary>
    public int Columns => _owned.Length;
    /// <summary>Row tiles of the projection.</summary>
    public int RowTiles { get; }
    /// <summary>The weight (input unit) of a full-range conductance difference.</summary>
    public double WeightMax { get; }
    /// <summary>Input unit per µS of differential conductance.</summary>
    public double Scale { get; }
    /// <summary>g⁺ − g⁻ of every cell held here as read (µS), <c>[row × columns + column]</c>.</summary>
    public ReadOnlySpan<float> Diff => _diff;
    /// <summary>Bytes of cell storage.</summary>
    public long Bytes => (long)_diff.Length * sizeof(float) * (_variance is null ? 1 : 2) + (_plastic?.Bytes ?? 0);

    /// <summary>Synapses of the model in each row here (set by the programming); a row's spike is that many synaptic events.</summary>
    public int[] RowSynapses { get; private set; } = [];
    /// <summary>Synaptic events transmitted so far.</summary>
    public long Events { get; private set; }

    /// <summary>Row activations read so far, counted per cell (a row of a full tile is <see cref="DeviceParameters.TileColumns"/> cells).</summary>
    public long CellReads { get; private set; }
    /// <summary>ADC conversions so far.</summary>
    public long Conversions { get; private set; }
    /// <summary>Conversions the ADC clipped.</summary>
    public long Clips => _clips;
    private long _clips;
    /// <summary>Read energy so far (J): V² t Σ (g⁺ + g⁻) over the cells of every active row.</summary>
    public double ReadEnergyJ { get; private set; }
    /// <summary>Steps with at least one read.</summary>
    public long ReadSteps { get; private set; }
    /// <summary>Weights beyond the range, programmed at its end.</summary>
    public long ClippedWeights { get; private set; }

    /// <summary>
    /// Programs the cells from the static synapses <paramref name="data"/>: their weights (input unit) are first summed
    /// into the cells (several synapses between one pair of neurons share its cell), then each cell is programmed in place.
    /// </summary>
    public void ProgramStatic(SynapseData data)
    {
        int columns = Columns;
        var rowSynapses = new int[Rows];
        for (int row = 0; row < Rows; row++)
            for (int k = data.RowStart[row]; k < data.RowStart[row + 1]; k++)
            {
                _diff[(long)row * columns + data.Targets[k]] += data.Weights?[k] ?? data.ConstWeight;
                rowSynapses[row]++;
            }
        RowSynapses = rowSynapses;
        var dense = _diff;
        bool physical = _p.AnyNonIdeality;
        bool drifting = (_p.DriftNu > 0 || _p.DriftNuSigma > 0) && _p.TInferenceS > 0;
        bool compensate = _p.DriftCompensation && drifting;
        double[]? g0Sum = compensate ? new double[RowTiles * Columns] : null;
        double[]? gtSum = compensate ? new double[RowTiles * Columns] : null;
        if (_model.NoisyReads) _variance = new float[_diff.Length];
        ulong plus = _model.Stream(Projection, 1), minus = _model.Stream(Projection, -1);
        int cols = Columns;
        for (int row = 0; row < Rows; row++)
        {
            double rowG = 0;
            int tile = row / _p.TileRows;
            for (int c = 0; c < cols; c++)
            {
                long at = (long)row * cols + c;
                double f = dense[at] / WeightMax;
                if (Math.Abs(f) > 1)
                {
                    // Float weights at the range's end come out a rounding above it.
                    if (Math.Abs(f) > 1 + 1e-6) ClippedWeights++;
                    f = Math.Clamp(f, -1, 1);
                }
                if (!physical)
                {
                    _diff[at] = (float)(f * _p.RangeUs);
                    rowG += 2 * _p.GMinUs + Math.Abs(f) * _p.RangeUs;
                    continue;
                }
                ulong cell = (ulong)row * (ulong)_postSize + (ulong)_owned[c];
                var (p0, pt) = _model.Program(Math.Max(f, 0), plus, cell);
                var (m0, mt) = _model.Program(Math.Max(-f, 0), minus, cell);
                _diff[at] = (float)(pt - mt);
                rowG += pt + mt;
                if (_variance is not null)
                {
                    double sp = _model.ReadSigma(pt), sm = _model.ReadSigma(mt);
                    _variance[at] = (float)(sp * sp + sm * sm);
                }
                if (g0Sum is not null)
                {
                    g0Sum[tile * cols + c] += p0 + m0;
                    gtSum![tile * cols + c] += pt + mt;
                }
            }
            _rowConductance[row] = rowG;
        }
        if (g0Sum is not null)
        {
            _compensation = new double[g0Sum.Length];
            for (int k = 0; k < g0Sum.Length; k++) _compensation[k] = gtSum![k] > 0 ? g0Sum[k] / gtSum[k] : 1;
        }
    }

    /// <summary>Queues the spike of source <paramref name="row"/> reaching the cells at synapse time <paramref name="time"/>; calls come in (time, row) order.</summary>
    public void Queue(int row, long time)
    {
        if (_rowCount == _rows.Length)
        {
            Array.Resize(ref _rows, _rowCount * 2);
            Array.Resize(ref _stamps, _rowCount * 2);
        }
        _stamps[_rowCount] = time;
        _rows[_rowCount++] = row;
        Events += RowSynapses[row];
    }

    /// <summary>Reads the queued spikes, one read per synapse time in time order, and forgets them.</summary>
    public void Flush()
    {
        int from = 0;
        while (from < _rowCount)
        {
            int to = from + 1;
            while (to < _rowCount && _stamps[to] == _stamps[from]) to++;
            Read(_stamps[from], from, to);
            from = to;
        }
        _rowCount = 0;
    }

    private void Read(long time, int from, int end)
    {
        int cols = Columns;
        var acc = _acc.AsSpan();
        acc.Clear();
        var partial = _partial.AsSpan();
        var partialVar = _partialVariance.AsSpan();
        bool noisy = _variance is not null;
        double energy = 0;
        int i = from;
        while (i < end)
        {
            int tile = _rows[i] / _p.TileRows;
            partial.Clear();
            if (noisy) partialVar.Clear();
            for (; i < end && _rows[i] / _p.TileRows == tile; i++)
            {
                int row = _rows[i];
                TensorPrimitives.Add(partial, _diff.AsSpan(row * cols, cols), partial);
                if (noisy) TensorPrimitives.Add(partialVar, _variance.AsSpan(row * cols, cols), partialVar);
                energy += _rowConductance[row];
                CellReads += cols;
            }
            bool compensate = _compensation.Length > 0;
            for (int c = 0; c < cols; c++)
            {
                double v = partial[c];
                if (noisy && partialVar[c] > 0)
                    v += Math.Sqrt(partialVar[c]) * CounterRng.Normal(_readStream, (ulong)tile * (ulong)_postSize + (ulong)_owned[c], (ulong)time);
                v = _model.Convert(v, ref _clips);
                if (compensate) v *= _compensation[tile * cols + c];
                acc[c] += v;
            }
            Conversions += cols;
        }
        ReadEnergyJ += energy * 1e-6 * _p.ReadVoltage * _p.ReadVoltage * _p.ReadNs * 1e-9;
        ReadSteps++;
        int slots = _target.Slots, padded = _target.Padded;
        int rowBase = (_port * slots + (int)((time - 1 + _delay) % slots)) * padded;
        var input = _target.Input;
        for (int c = 0; c < cols; c++) input[rowBase + c] += (float)(acc[c] * Scale);
    }
}
