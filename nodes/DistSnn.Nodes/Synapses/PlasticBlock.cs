using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Synapses;

/// <summary>
/// The plastic synapses of one projection onto one partition. Like <see cref="SynapseBlock"/> it is CSR by source
/// row, with per-synapse weights; a reverse index (synapses of each target, ascending) serves the post-synaptic
/// side. Traces are kept per neuron, not per synapse: one pre trace per source row (every synapse of a row sees a
/// pre spike at the same time because the delay is dendritic and one per projection) and one post trace per target.
/// Storage per synapse: target 4 B, weight 4 B, reverse index 4 B and its source row 2 B (4 B for source populations
/// over 65,536 neurons), plus 4 B eligibility for the reward rule: 14 B for STDP (NEST: 24 B).
/// <para>
/// Timing (NEST's <c>stdp_synapse</c>): a pre spike with stamp s reaches the synapse at s and the soma at s + d; a
/// post spike with stamp t reaches the synapse at t + d. Events are processed at epoch boundaries in synapse-time
/// order. At a boundary with horizon H (the last stamp of the epoch just run) the block handles the pre spikes of
/// that epoch (queued with <see cref="AddPre"/>) and the post spikes with t + d in (H - D, H]; since d ≥ D those were
/// emitted in earlier epochs, so every event up to H is known. A pre spike transmits the weight it has after its
/// own depression, into the ring buffer slot for s + d. Events at the same synapse time do not pair: potentiation
/// reads pre traces and depression reads post traces as they were just before that time.
/// </para>
/// </summary>
public sealed class PlasticBlock
{
    private readonly PlasticRule _rule;
    private readonly int[] _postStart, _postSyn;
    // Source row of each reverse-index entry: 2 bytes when the source population has at most 65,536 neurons.
    private readonly ushort[]? _postRow16;
    private readonly int[]? _postRow32;
    private readonly float[]? _elig;
    private readonly double[] _x1, _x2, _y1, _y2;
    private readonly long[] _xTime, _yTime;
    // The fast post trace of each target at the synapse time it was last read: every pre spike of one time step reads
    // the same values, so they are decayed once per step and target rather than once per synapse.
    private readonly double[] _yNow;
    private readonly long[] _yNowTime;
    // Rows whose targets are consecutive local indices (all-to-all projections) take the vector paths of VectorMath:
    // frozen transmission and the triplet rule's depression, with the same operations per target as the scalar
    // loops, so bit for bit as they are. Only rows with synapses are queued (AddPre), so such a row has a first target.
    private readonly bool[] _consecutiveRow;
    // The synapse time at which every entry of _yNow was last brought up to date (-1: never).
    private long _allNowTime = -1;
    // Pre spikes of the current epoch, in (stamp, row) order.
    private long[] _preStamps = new long[256];
    private int[] _preRows = new int[256];
    private int _preCount;
    // Post spikes whose synapse time is reached at this boundary, and their deferred trace jumps.
    private readonly List<int> _postsNow = new();
    private long _lastNormalized;

    /// <summary>
    /// Multiplies every weight change of the rule (its amplitudes), for schedules that anneal learning during a run;
    /// 1 (the default) leaves the rule exactly as specified. A run-time control like learning on or off, not state.
    /// </summary>
    public double LearningRateScale { get; set; } = 1;

    /// <summary>
    /// The device that holds the weights (a modelled memristive array), set once before the first step; null: the
    /// weights are plain floats. With a device every weight change is a write through it, and when it transmits, pre
    /// spikes reach the targets through it rather than by adding <see cref="Weights"/> into the input rings.
    /// </summary>
    public IWeightDevice? Device
    {
        get => _device;
        set
        {
            if (_device is not null) throw new InvalidOperationException($"plastic block of projections[{Projection}] already has a device");
            _device = value;
            _deviceTransmits = value?.Transmits ?? false;
            _everyRow = _deviceTransmits && value!.ReadsEveryRow;
        }
    }

    private IWeightDevice? _device;
    private bool _deviceTransmits;
    // Rows without synapses here still reach the device (their spikes are queued and transmitted through it).
    private bool _everyRow;

    /// <summary>Creates the block; arrays are owned by it from now on. Initial weights are clipped to the rule's bounds.</summary>
    public PlasticBlock(int projection, int prePopulation, int targetPopulation, NeuronGroup target, int port,
        int[] rowStart, int[] targets, float[] weights, int delay, PlasticRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rowStart.Length == 0 || rowStart[^1] != targets.Length) throw new ArgumentException("row index does not match the number of synapses");
        if (weights.Length != targets.Length) throw new ArgumentException("weights length");
        if (port < 0 || port >= target.Ports) throw new ArgumentOutOfRangeException(nameof(port));
        if (delay < 1) throw new ArgumentOutOfRangeException(nameof(delay));
        Projection = projection;
        PrePopulation = prePopulation;
        TargetPopulation = targetPopulation;
        Target = target;
        Port = port;
        RowStart = rowStart;
        Targets = targets;
        Weights = weights;
        Delay = delay;
        _rule = rule;
        for (int k = 0; k < weights.Length; k++) weights[k] = (float)Math.Clamp(weights[k], rule.WMin, rule.WMax);

        int n = target.Count;
        _postStart = new int[n + 1];
        foreach (var t in targets) _postStart[t + 1]++;
        for (int i = 0; i < n; i++) _postStart[i + 1] += _postStart[i];
        _postSyn = new int[targets.Length];
        int rows = rowStart.Length - 1;
        if (rows <= ushort.MaxValue + 1) _postRow16 = new ushort[targets.Length];
        else _postRow32 = new int[targets.Length];
        // Scattering row by row keeps each target's entries in ascending synapse order and gives their rows for free.
        var fill = _postStart[..n];
        for (int row = 0; row < rows; row++)
            for (int k = rowStart[row]; k < rowStart[row + 1]; k++)
            {
                int m = fill[targets[k]]++;
                _postSyn[m] = k;
                if (_postRow16 is not null) _postRow16[m] = (ushort)row;
                else _postRow32![m] = row;
            }
        _consecutiveRow = new bool[rows];
        for (int row = 0; row < rows; row++)
        {
            bool consecutive = true;
            for (int k = rowStart[row] + 1; k < rowStart[row + 1] && consecutive; k++) consecutive = targets[k] == targets[k - 1] + 1;
            _consecutiveRow[row] = consecutive;
        }
        _x1 = new double[rows];
        _x2 = new double[rows];
        _xTime = new long[rows];
        _y1 = new double[n];
        _y2 = new double[n];
        _yTime = new long[n];
        _yNow = new double[n];
        _yNowTime = new long[n];
        Array.Fill(_yNowTime, -1);
        if (rule.Kind == PlasticKind.Reward) _elig = new float[targets.Length];
    }

    /// <summary>Index of the projection in the network spec.</summary>
    public int Projection { get; }
    /// <summary>Index of the source population.</summary>
    public int PrePopulation { get; }
    /// <summary>Index of the target population.</summary>
    public int TargetPopulation { get; }
    /// <summary>The neurons these synapses end on.</summary>
    public NeuronGroup Target { get; }
    /// <summary>Input port of the target neurons.</summary>
    public int Port { get; }
    /// <summary>Row offsets, one per source neuron plus one.</summary>
    public int[] RowStart { get; }
    /// <summary>Target (group-local index) of each synapse.</summary>
    public int[] Targets { get; }
    /// <summary>Current weight of each synapse (input unit).</summary>
    public float[] Weights { get; }
    /// <summary>Delay in steps (all dendritic).</summary>
    public int Delay { get; }
    /// <summary>The learning rule.</summary>
    public PlasticRule Rule => _rule;
    /// <summary>Eligibility trace per synapse (reward rule), at the last boundary.</summary>
    public ReadOnlySpan<float> Eligibility => _elig;
    /// <summary>Number of synapses.</summary>
    public int Count => Targets.Length;

    /// <summary>Bytes held, row and reverse indices included (traces are per neuron and not counted per synapse).</summary>
    public long Bytes => (long)Targets.Length * (sizeof(int) + sizeof(float) + sizeof(int)) + (_elig?.Length ?? 0) * sizeof(float) +
                         (_postRow16?.Length ?? 0) * sizeof(ushort) + (_postRow32?.Length ?? 0) * sizeof(int) +
                         (long)(RowStart.Length + _postStart.Length) * sizeof(int);

    /// <summary>Whether source <paramref name="row"/> has any synapse here.</summary>
    public bool HasRow(int row) => _everyRow || RowStart[row + 1] > RowStart[row];

    /// <summary>Queues a pre spike of this epoch; calls must come in (stamp, row) order.</summary>
    public void AddPre(int row, long stamp)
    {
        if (!_everyRow && RowStart[row + 1] == RowStart[row]) return;
        if (_preCount == _preStamps.Length)
        {
            Array.Resize(ref _preStamps, _preCount * 2);
            Array.Resize(ref _preRows, _preCount * 2);
        }
        _preStamps[_preCount] = stamp;
        _preRows[_preCount++] = row;
    }

    /// <summary>
    /// Processes every event up to synapse time <paramref name="horizon"/> (the last stamp of the epoch just run;
    /// <paramref name="epochSteps"/> = D): queued pre spikes, and the post spikes of <paramref name="posts"/> from
    /// <paramref name="cursor"/> on whose stamp + delay ≤ horizon (the cursor advances past them). Then, for the
    /// reward rule, applies <paramref name="reward"/>; then normalises if due. Returns the synaptic events
    /// transmitted.
    /// </summary>
    public long Process(long horizon, long epochSteps, PostSpikeLog posts, ref int cursor, double reward, double dt, bool learn = true)
    {
        if (!learn) return Transmit(horizon, posts, ref cursor);
        if (_elig is not null)
        {
            // The eligibility is kept as its value at the last boundary; bring it to this one.
            float f = (float)_rule.DecayC(epochSteps);
            for (int k = 0; k < _elig.Length; k++) _elig[k] *= f;
        }
        long events = 0;
        int pre = 0;
        while (true)
        {
            long postTime = cursor < posts.Count && posts.Stamps[cursor] + Delay <= horizon ? posts.Stamps[cursor] + Delay : long.MaxValue;
            long preTime = pre < _preCount ? _preStamps[pre] : long.MaxValue;
            long time = Math.Min(postTime, preTime);
            if (time == long.MaxValue) break;
            // All post spikes reaching the synapse now: potentiation first, trace jumps deferred.
            _postsNow.Clear();
            while (cursor < posts.Count && posts.Stamps[cursor] + Delay == time)
            {
                int i = posts.Indices[cursor++];
                Potentiate(i, time, horizon);
                _postsNow.Add(i);
            }
            bool preNow = pre < _preCount && _preStamps[pre] == time;
            while (pre < _preCount && _preStamps[pre] == time)
                events += Depress(_preRows[pre++], time, horizon);
            if (preNow && _deviceTransmits) _device!.EndTime(time);
            foreach (int i in _postsNow) JumpPost(i, time);
        }
        _preCount = 0;
        if (_elig is not null && reward != 0)
        {
            double scale = _rule.LearningRate * reward * (epochSteps * dt / 1000.0) * _rule.Range;
            for (int k = 0; k < _elig.Length; k++)
                Set(k, (float)Math.Clamp(Weights[k] + scale * _elig[k], _rule.WMin, _rule.WMax));
        }
        if (_rule.NormalizeTotal is { } total && NormalizeDue(horizon, epochSteps)) Normalize(total);
        return events;
    }

    /// <summary>Frozen weights: the queued pre spikes only transmit; post spikes are passed over.</summary>
    private long Transmit(long horizon, PostSpikeLog posts, ref int cursor)
    {
        while (cursor < posts.Count && posts.Stamps[cursor] + Delay <= horizon) cursor++;
        var t = Target;
        int slots = t.Slots, padded = t.Padded;
        var input = t.Input;
        long events = 0;
        if (_deviceTransmits)
        {
            for (int p = 0; p < _preCount; p++)
            {
                int row = _preRows[p];
                _device!.Transmit(row, _preStamps[p]);
                if (p + 1 == _preCount || _preStamps[p + 1] != _preStamps[p]) _device.EndTime(_preStamps[p]);
                events += RowStart[row + 1] - RowStart[row];
            }
            _preCount = 0;
            return events;
        }
        for (int p = 0; p < _preCount; p++)
        {
            int row = _preRows[p];
            int rowBase = (Port * slots + (int)((_preStamps[p] - 1 + Delay) % slots)) * padded;
            int begin = RowStart[row], end = RowStart[row + 1];
            if (_consecutiveRow[row])
                VectorMath.AddInPlace(input.AsSpan(rowBase + Targets[begin], end - begin), Weights.AsSpan(begin, end - begin));
            else
                for (int k = begin; k < end; k++) input[rowBase + Targets[k]] += Weights[k];
            events += end - begin;
        }
        _preCount = 0;
        return events;
    }

    private bool NormalizeDue(long horizon, long epochSteps)
    {
        long every = _rule.NormalizeIntervalSteps;
        if (every <= epochSteps) return true;
        if (horizon / every == _lastNormalized / every) return false;
        _lastNormalized = horizon;
        return true;
    }

    /// <summary>
    /// Scales the weights onto each target so that they sum to <paramref name="total"/>, or so that their Euclidean
    /// norm is <paramref name="total"/> (targets with no weight are left alone).
    /// </summary>
    private void Normalize(double total)
    {
        bool euclidean = _rule.EuclideanNormalize;
        _device?.Normalizing(true);
        for (int i = 0; i + 1 < _postStart.Length; i++)
        {
            double sum = 0;
            for (int m = _postStart[i]; m < _postStart[i + 1]; m++)
            {
                double w = Weights[_postSyn[m]];
                sum += euclidean ? w * w : w;
            }
            if (!(sum > 0)) continue;
            double scale = total / (euclidean ? Math.Sqrt(sum) : sum);
            for (int m = _postStart[i]; m < _postStart[i + 1]; m++) Set(_postSyn[m], (float)(Weights[_postSyn[m]] * scale));
        }
        _device?.Normalizing(false);
    }

    private void Potentiate(int i, long time, long horizon)
    {
        var r = _rule;
        var w = Weights;
        int begin = _postStart[i], end = _postStart[i + 1];
        switch (r.Kind)
        {
            case PlasticKind.Pair:
                double aPlus = r.APlus * LearningRateScale;
                for (int m = begin; m < end; m++)
                {
                    int row = SourceRow(m);
                    if (_x1[row] == 0) continue;
                    double x1 = _x1[row] * r.DecayPlus(time - _xTime[row]);
                    if (x1 == 0) continue;
                    int k = _postSyn[m];
                    double fPlus = r.Multiplicative ? r.WMax - w[k] : r.Range;
                    Set(k, (float)Math.Min(w[k] + aPlus * x1 * fPlus, r.WMax));
                }
                break;
            case PlasticKind.Triplet:
                double gain = (r.A2Plus + r.A3Plus * _y2[i] * r.DecayY(time - _yTime[i])) * r.Range * LearningRateScale;
                for (int m = begin; m < end; m++)
                {
                    int row = SourceRow(m);
                    if (_x1[row] == 0) continue;
                    double x1 = _x1[row] * r.DecayPlus(time - _xTime[row]);
                    if (x1 == 0) continue;
                    int k = _postSyn[m];
                    Set(k, (float)Math.Min(w[k] + x1 * gain, r.WMax));
                }
                break;
            case PlasticKind.Reward:
                double toBoundary = r.APlus * LearningRateScale * r.DecayC(horizon - time);
                for (int m = begin; m < end; m++)
                {
                    int row = SourceRow(m);
                    double x1 = _x1[row] == 0 ? 0 : _x1[row] * r.DecayPlus(time - _xTime[row]);
                    if (x1 != 0) _elig![_postSyn[m]] += (float)(toBoundary * x1);
                }
                break;
        }
    }

    private int SourceRow(int m) => _postRow16 is not null ? _postRow16[m] : _postRow32![m];

    private long Depress(int row, long time, long horizon)
    {
        var r = _rule;
        var t = Target;
        int slots = t.Slots, padded = t.Padded;
        int slot = (int)((time - 1 + Delay) % slots);
        int rowBase = (Port * slots + slot) * padded;
        var input = t.Input;
        int begin = RowStart[row], end = RowStart[row + 1];
        double x2 = _x2[row] * r.DecayX(time - _xTime[row]);
        var w = Weights;
        switch (r.Kind)
        {
            case PlasticKind.Pair:
                double aMinus = r.AMinus * LearningRateScale;
                for (int k = begin; k < end; k++)
                {
                    int i = Targets[k];
                    double y1 = PostTrace(i, time);
                    if (y1 != 0)
                    {
                        double fMinus = r.Multiplicative ? w[k] - r.WMin : r.Range;
                        Set(k, (float)Math.Max(w[k] - aMinus * y1 * fMinus, r.WMin));
                    }
                    if (!_deviceTransmits) input[rowBase + i] += w[k];
                }
                break;
            case PlasticKind.Triplet:
                double loss = (r.A2Minus + r.A3Minus * x2) * r.Range * LearningRateScale;
                if (_consecutiveRow[row] && _device is null)
                {
                    int first = Targets[begin], count = end - begin;
                    if (_allNowTime != time)
                    {
                        // Once per step for every target, not once per row that spikes in it.
                        for (int i = 0; i < _yNow.Length; i++) PostTrace(i, time);
                        _allNowTime = time;
                    }
                    VectorMath.DepressAndAdd(w.AsSpan(begin, count), _yNow.AsSpan(first, count), loss, r.WMin,
                        input.AsSpan(rowBase + first, count));
                    break;
                }
                for (int k = begin; k < end; k++)
                {
                    int i = Targets[k];
                    double y1 = PostTrace(i, time);
                    if (y1 != 0) Set(k, (float)Math.Max(w[k] - y1 * loss, r.WMin));
                    if (!_deviceTransmits) input[rowBase + i] += w[k];
                }
                break;
            case PlasticKind.Reward:
                double toBoundary = r.AMinus * LearningRateScale * r.DecayC(horizon - time);
                for (int k = begin; k < end; k++)
                {
                    int i = Targets[k];
                    double y1 = PostTrace(i, time);
                    if (y1 != 0) _elig![k] -= (float)(toBoundary * y1);
                    if (!_deviceTransmits) input[rowBase + i] += w[k];
                }
                break;
        }
        if (_deviceTransmits) _device!.Transmit(row, time);
        // The pre traces jump after the row's depression.
        long gap = time - _xTime[row];
        double x1 = _x1[row] * r.DecayPlus(gap);
        _x1[row] = r.Nearest ? 1 : x1 + 1;
        _x2[row] = r.Nearest ? 1 : x2 + 1;
        _xTime[row] = time;
        return end - begin;
    }

    /// <summary>Sets synapse <paramref name="k"/>'s weight, through the device when there is one.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void Set(int k, float value)
    {
        var w = Weights;
        w[k] = _device is null ? value : _device.Write(k, w[k], value);
    }

    private double PostTrace(int i, long time)
    {
        if (_yNowTime[i] == time) return _yNow[i];
        double y1 = _y1[i] == 0 ? 0 : _y1[i] * _rule.DecayMinus(time - _yTime[i]);
        _yNow[i] = y1;
        _yNowTime[i] = time;
        return y1;
    }

    private void JumpPost(int i, long time)
    {
        var r = _rule;
        long gap = time - _yTime[i];
        double y1 = _y1[i] * r.DecayMinus(gap), y2 = _y2[i] * r.DecayY(gap);
        _y1[i] = r.Nearest ? 1 : y1 + 1;
        _y2[i] = r.Nearest ? 1 : y2 + 1;
        _yTime[i] = time;
    }

    /// <summary>
    /// Saves or restores what learning changes: weights, eligibility, pre and post traces with their times, queued pre
    /// spikes (none at an epoch boundary) and the last normalisation (checkpoints).
    /// </summary>
    internal void VisitState(Checkpoints.StateVisitor visitor)
    {
        visitor.Array("weights", Weights);
        if (_elig is not null) visitor.Array("eligibility", _elig);
        visitor.Array("x1", _x1);
        visitor.Array("x2", _x2);
        visitor.Array("x_time", _xTime);
        visitor.Array("y1", _y1);
        visitor.Array("y2", _y2);
        visitor.Array("y_time", _yTime);
        visitor.Array("y_now", _yNow);
        visitor.Array("y_now_time", _yNowTime);
        // A cache over y_now; after a restore it must not vouch for entries it did not see filled.
        _allNowTime = -1;
        visitor.PairedPrefix("pre_stamps", ref _preStamps, "pre_rows", ref _preRows, ref _preCount);
        visitor.Value("last_normalized", ref _lastNormalized);
    }

    /// <summary>
    /// Adds to <paramref name="sum"/> a hash of every synapse's (projection, source row, target gid, weight), so that
    /// the sum over all partitions does not depend on how the targets are split.
    /// </summary>
    public void AddChecksum(ref ulong sum, long[] targetGids)
    {
        for (int row = 0; row + 1 < RowStart.Length; row++)
            for (int k = RowStart[row]; k < RowStart[row + 1]; k++)
            {
                ulong h = Mix((ulong)Projection * 0x9E3779B97F4A7C15UL ^ (ulong)row);
                h = Mix(h ^ (ulong)targetGids[Targets[k]]);
                h = Mix(h ^ BitConverter.SingleToUInt32Bits(Weights[k]));
                sum += h;
            }
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>The spikes of one population's local neurons, in emission order, kept until plastic blocks have seen them.</summary>
public sealed class PostSpikeLog
{
    /// <summary>Stamps of the logged spikes.</summary>
    public long[] Stamps { get; private set; } = new long[256];
    /// <summary>Group-local neuron index of each logged spike.</summary>
    public int[] Indices { get; private set; } = new int[256];
    /// <summary>Number of logged spikes.</summary>
    public int Count { get; private set; }

    /// <summary>Appends a spike.</summary>
    public void Add(long stamp, int index)
    {
        if (Count == Stamps.Length)
        {
            var s = Stamps;
            var i = Indices;
            Array.Resize(ref s, Count * 2);
            Array.Resize(ref i, Count * 2);
            Stamps = s;
            Indices = i;
        }
        Stamps[Count] = stamp;
        Indices[Count++] = index;
    }

    /// <summary>Saves or restores the logged spikes (checkpoints).</summary>
    internal void VisitState(Checkpoints.StateVisitor visitor)
    {
        var stamps = Stamps;
        var indices = Indices;
        int count = Count;
        visitor.PairedPrefix("stamps", ref stamps, "indices", ref indices, ref count);
        Stamps = stamps;
        Indices = indices;
        Count = count;
    }

    /// <summary>Forgets the first <paramref name="n"/> spikes (all readers are past them).</summary>
    public void Drop(int n)
    {
        if (n <= 0) return;
        Array.Copy(Stamps, n, Stamps, 0, Count - n);
        Array.Copy(Indices, n, Indices, 0, Count - n);
        Count -= n;
    }
}
