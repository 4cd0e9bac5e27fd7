using DistSnn.Model;
using DistSnn.Nodes.Random;

namespace DistSnn.Nodes.Synapses;

/// <summary>Synapses of one projection onto one partition before they are attached to a neuron group.</summary>
public sealed record SynapseData(int Projection, int PrePopulation, int TargetPopulation, int Port, int[] RowStart,
    int[] Targets, float[]? Weights, float ConstWeight, ushort[]? Delays, int ConstDelay)
{
    /// <summary>Largest delay in steps.</summary>
    public int MaxDelay => Delays is null ? ConstDelay : Delays.Length == 0 ? ConstDelay : Math.Max(ConstDelay, Delays.Max());
}

/// <summary>
/// Generates the synapses of one projection that end on the neurons a partition owns (synapses live with their
/// target). Each connector draws from counter-based random numbers keyed by ids that do not depend on the
/// partitioning: per target neuron (all_to_all, one_to_one, fixed_probability, fixed_number_pre), per source
/// neuron (fixed_number_post: every partition replays each source's draw and keeps its own targets), or per
/// synapse index (fixed_total_number). Weights and delays drawn from distributions are keyed the same way.
/// </summary>
public static class SynapseBuilder
{
    /// <summary>
    /// Builds the synapses of projection <paramref name="projectionIndex"/> onto the target-population indices
    /// <paramref name="owned"/> (sorted ascending). <paramref name="weightScale"/> converts the weight to the target
    /// model's input unit.
    /// </summary>
    /// <param name="twoPass">
    /// Whether to generate the synapses twice, first counting each source's row and then writing every synapse straight
    /// into its place, instead of buffering them and sorting the buffer into rows. The result is the same; two passes
    /// hold no buffer (4 to 10 bytes per synapse less at the peak of a build) but draw the connectivity twice. Null
    /// chooses two passes for projections expected to put more than <see cref="TwoPassAbove"/> synapses here.
    /// </param>
    public static SynapseData Build(NetworkSpec spec, int projectionIndex, int[] owned, int port, double weightScale, bool? twoPass = null)
    {
        var proj = spec.Projections[projectionIndex];
        int pre = spec.PopulationIndex(proj.Source), post = spec.PopulationIndex(proj.Target);
        if (pre < 0 || post < 0) throw new ArgumentException($"projections[{projectionIndex}]: unknown population");
        var first = spec.FirstGids();
        var g = new Generator(spec, projectionIndex, pre, post, owned, first, weightScale);
        Action generate = proj.Connector switch
        {
            AllToAll => g.AllToAll,
            OneToOne => g.OneToOne,
            FixedProbability fp => () => g.FixedProbability(fp.P),
            FixedNumberPre fn => () => g.FixedNumberPre(fn.N, fn.WithReplacement, fn.Sources),
            FixedNumberPost fn => () => g.FixedNumberPost(fn.N, fn.WithReplacement),
            FixedTotalNumber ft => () => g.FixedTotalNumber(ft.N),
            FromList fl => () => g.FromList(fl),
            Conv cv => () => g.Conv(cv),
            _ => throw new ArgumentException($"projections[{projectionIndex}].connector: unsupported {proj.Connector.Type}"),
        };
        if (!(twoPass ?? Expected(proj.Connector, owned.Length, g.Ns, g.Nt) > TwoPassAbove))
        {
            generate();
            return g.ToData(port);
        }
        g.StartCounting();
        generate();
        g.StartPlacing();
        generate();
        return g.PlacedData(port);
    }

    /// <summary>
    /// Projections expected to put more synapses than this on one partition are built in two passes: their buffer
    /// (4 bytes per synapse, more with drawn weights and delays) would add a third or more to the build's peak.
    /// </summary>
    public const double TwoPassAbove = 8_000_000;

    /// <summary>About how many synapses a connector makes onto <paramref name="owned"/> of <paramref name="nt"/> targets.</summary>
    private static double Expected(Connector c, int owned, int ns, int nt) => c switch
    {
        AllToAll => (double)owned * ns,
        OneToOne => owned,
        FixedProbability fp => (double)owned * ns * Math.Min(1, fp.P),
        FixedNumberPre fn => (double)owned * fn.N,
        FixedNumberPost fn => nt == 0 ? 0 : (double)ns * fn.N * owned / nt,
        FixedTotalNumber ft => nt == 0 ? 0 : (double)ft.N * owned / nt,
        FromList fl => fl.Synapses.Count,
        Conv cv => (double)owned * cv.Channels * cv.Kernel * cv.Kernel,
        _ => 0,
    };

    private sealed class Generator
    {
        private readonly NetworkSpec _spec;
        private readonly ProjectionSpec _proj;
        private readonly int _projIndex, _pre, _post;
        private readonly int[] _owned;
        private readonly int[] _localOf;
        private readonly long _preFirst, _postFirst;
        private readonly bool _noSelf;
        private readonly double _weightScale, _dt;
        private readonly TimeGrid _grid;
        private readonly ulong _connectKey, _weightKey, _delayKey;
        private readonly bool _constWeight, _constDelay;
        private int _n;
        private int[] _pres = new int[1024], _tgts = new int[1024];
        // Connectors that make all of a target's synapses before the next target's (targets ascending) keep no target
        // per synapse, only where each target's synapses end: 4 bytes per synapse less at the peak of a build.
        private readonly bool _byTarget;
        private readonly int[] _groupEnd = [];
        private float[]? _ws;
        private ushort[]? _ds;

        public Generator(NetworkSpec spec, int projIndex, int pre, int post, int[] owned, long[] first, double weightScale)
        {
            _spec = spec;
            _proj = spec.Projections[projIndex];
            _projIndex = projIndex;
            _pre = pre;
            _post = post;
            _owned = owned;
            Ns = spec.Populations[pre].Size;
            Nt = spec.Populations[post].Size;
            _localOf = new int[Nt];
            Array.Fill(_localOf, -1);
            for (int k = 0; k < owned.Length; k++) _localOf[owned[k]] = k;
            _preFirst = first[pre];
            _postFirst = first[post];
            _noSelf = pre == post && !_proj.Connector.AllowSelfConnections;
            _weightScale = weightScale;
            _dt = spec.Run.Dt;
            _grid = spec.Run.Grid;
            ulong seed = spec.Run.Seed;
            _connectKey = CounterRng.StreamKey(seed, RngPurpose.Connect, (ulong)projIndex);
            _weightKey = CounterRng.StreamKey(seed, RngPurpose.Weight, (ulong)projIndex);
            _delayKey = CounterRng.StreamKey(seed, RngPurpose.Delay, (ulong)projIndex);
            bool listed = _proj.Connector is FromList;
            bool listedWeights = listed && ((FromList)_proj.Connector).Synapses.Any(s => s.Weight is not null);
            bool listedDelays = listed && ((FromList)_proj.Connector).Synapses.Any(s => s.Delay is not null);
            _constWeight = _proj.Weight is ConstantValue && !listedWeights;
            _constDelay = _proj.Delay is ConstantValue && !listedDelays;
            if (!_constWeight) _ws = new float[1024];
            if (!_constDelay) _ds = new ushort[1024];
            _byTarget = _proj.Connector is DistSnn.Model.AllToAll or DistSnn.Model.OneToOne or DistSnn.Model.FixedProbability
                or DistSnn.Model.FixedNumberPre or DistSnn.Model.Conv;
            if (_byTarget)
            {
                _groupEnd = new int[owned.Length];
                _tgts = [];
            }
        }

        public int Ns { get; }
        public int Nt { get; }

        private int DelaySteps(double ms)
        {
            long steps = Math.Abs(ms) <= TimeGrid.MaxMs ? Math.Max(1, _grid.Steps(ms)) : long.MaxValue;
            if (steps > ushort.MaxValue)
                throw new ArgumentException($"projections[{_projIndex}].delay: {ms} ms is more than {ushort.MaxValue} steps");
            return (int)steps;
        }

        /// <param name="dataIndex">The synapse's place in the connector's order, which indexes weights and delays given as data.</param>
        private void Add(int preIndex, int group, ulong id, ulong k, double? listedWeight = null, double? listedDelay = null, long dataIndex = -1)
        {
            if (_mode == Mode.Count)
            {
                _rowStart[preIndex + 1]++;
                _n++;
                return;
            }
            if (dataIndex >= 0)
            {
                if (_proj.Weight is ArrayValue aw) listedWeight ??= aw.Values[dataIndex];
                if (_proj.Delay is ArrayValue ad) listedDelay ??= ad.Values[dataIndex];
            }
            if (_mode == Mode.Place)
            {
                Place(preIndex, group, id, k, listedWeight, listedDelay);
                return;
            }
            if (_n == _pres.Length)
            {
                int len = checked(_n * 2);
                Array.Resize(ref _pres, len);
                if (!_byTarget) Array.Resize(ref _tgts, len);
                if (_ws is not null) Array.Resize(ref _ws, len);
                if (_ds is not null) Array.Resize(ref _ds, len);
            }
            _pres[_n] = preIndex;
            if (_byTarget) _groupEnd[group] = _n + 1;
            else _tgts[_n] = group;
            if (_ws is not null) _ws[_n] = WeightOf(id, k, listedWeight);
            if (_ds is not null) _ds[_n] = DelayOf(id, k, listedDelay);
            _n++;
        }

        /// <summary>A synapse's weight in the target's input unit: the one given, else the projection's draw.</summary>
        private float WeightOf(ulong id, ulong k, double? listed) =>
            (float)((listed ?? ValueDraw.Draw(_proj.Weight, _weightKey, id, k)) * _weightScale);

        /// <summary>A synapse's delay in steps: the one given, else the projection's draw.</summary>
        private ushort DelayOf(ulong id, ulong k, double? listed) => (ushort)DelaySteps(listed ?? DrawDelay(id, k));

        /// <summary>
        /// A delay from the projection's distribution; draws below dt (possible with a normal distribution) are
        /// redrawn with fresh counters, as NEST does, and after 100 tries the delay is dt.
        /// </summary>
        private double DrawDelay(ulong id, ulong k)
        {
            for (ulong attempt = 0; attempt < 100; attempt++)
            {
                double d = ValueDraw.Draw(_proj.Delay, _delayKey, id, k + (attempt << 40));
                if (d >= _dt) return d;
            }
            return _dt;
        }

        /// <summary>Every source onto every owned target, sources ascending; synapse (i, j) is data index i · N_target + j.</summary>
        /// <summary>
        /// Sizes the buffers for about <paramref name="expected"/> synapses before generation, with room for
        /// <paramref name="spread"/> standard deviations more: growing them by doubling would leave on average a quarter
        /// of them unused (and at worst half) at the moment the rows are built from them, the peak of a build.
        /// </summary>
        private void Expect(double expected, double spread = 0)
        {
            if (_mode != Mode.Buffer) return;
            long want = (long)Math.Ceiling(expected + 6 * spread) + 16;
            if (want <= _pres.Length || _n > 0) return;
            int len = (int)Math.Min(want, Array.MaxLength);
            _pres = new int[len];
            if (!_byTarget) _tgts = new int[len];
            if (_ws is not null) _ws = new float[len];
            if (_ds is not null) _ds = new ushort[len];
        }

        public void AllToAll()
        {
            Expect((double)_owned.Length * Ns);
            for (int g = 0; g < _owned.Length; g++)
            {
                int j = _owned[g];
                ulong gid = (ulong)(_postFirst + j);
                ulong k = 0;
                for (int i = 0; i < Ns; i++)
                    if (!(_noSelf && i == j)) Add(i, g, gid, k++, dataIndex: (long)i * Nt + j);
            }
        }

        /// <summary>
        /// Each owned target (oy, ox, o) from the sources its kernel covers, channels then kernel rows then columns; the
        /// data index of a synapse is its kernel weight ((c · K + ky) · K + kx) · C_out + o.
        /// </summary>
        public void Conv(Conv cv)
        {
            for (int g = 0; g < _owned.Length; g++)
            {
                int j = _owned[g], o = j % cv.OutChannels, pos = j / cv.OutChannels, oy = pos / cv.OutWidth, ox = pos % cv.OutWidth;
                ulong gid = (ulong)(_postFirst + j);
                ulong k = 0;
                for (int c = 0; c < cv.Channels; c++)
                for (int ky = 0; ky < cv.Kernel; ky++)
                for (int kx = 0; kx < cv.Kernel; kx++)
                {
                    int iy = oy * cv.Stride + ky - cv.Padding, ix = ox * cv.Stride + kx - cv.Padding;
                    if (iy < 0 || ix < 0 || iy >= cv.Height || ix >= cv.Width) continue;
                    Add((iy * cv.Width + ix) * cv.Channels + c, g, gid, k++, dataIndex: ((long)(c * cv.Kernel + ky) * cv.Kernel + kx) * cv.OutChannels + o);
                }
            }
        }

        /// <summary>Source j onto target j; data index j.</summary>
        public void OneToOne()
        {
            Expect(_owned.Length);
            for (int g = 0; g < _owned.Length; g++)
            {
                int j = _owned[g];
                if (j < Ns && !_noSelf) Add(j, g, (ulong)(_postFirst + j), 0, dataIndex: j);
            }
        }

        /// <summary>Runs <paramref name="sources"/> for each owned target; it calls add(i) per source index.</summary>
        public void PerTarget(Action<int, Action<int>> sources)
        {
            for (int g = 0; g < _owned.Length; g++)
            {
                int j = _owned[g];
                ulong gid = (ulong)(_postFirst + j);
                ulong k = 0;
                sources(j, i =>
                {
                    if (_noSelf && i == j) return;
                    Add(i, g, gid, k++);
                });
            }
        }

        public void FixedProbability(double p)
        {
            if (p <= 0) return;
            if (p >= 1)
            {
                PerTarget((j, add) => { for (int i = 0; i < Ns; i++) add(i); });
                return;
            }
            double logQ = double.LogP1(-p);
            double trials = (double)_owned.Length * Ns;
            Expect(trials * p, Math.Sqrt(trials * p * (1 - p)));
            for (int g = 0; g < _owned.Length; g++)
            {
                int j = _owned[g];
                ulong gid = (ulong)(_postFirst + j);
                ulong k = 0, c = 0;
                long i = -1;
                while (true)
                {
                    // Geometric skipping: the gap to the next connected source is Geometric(p).
                    double gap = Math.Floor(Math.Log(CounterRng.UniformOpenZero(_connectKey, gid, c++)) / logQ);
                    if (gap >= Ns) break;
                    i += (long)gap + 1;
                    if (i >= Ns) break;
                    if (_noSelf && i == j) continue;
                    Add((int)i, g, gid, k++);
                }
            }
        }

        public void FixedNumberPre(int n, bool withReplacement, IReadOnlyList<int>? sources)
        {
            if (sources is not null)
            {
                // Given sources: target j's are sources[j·n …], and synapse j·n + k indexes weights and delays given as data.
                Expect((double)_owned.Length * n);
                for (int g = 0; g < _owned.Length; g++)
                {
                    int j = _owned[g];
                    ulong gid = (ulong)(_postFirst + j);
                    for (int k = 0; k < n; k++) Add(sources[j * n + k], g, gid, (ulong)k, dataIndex: (long)j * n + k);
                }
                return;
            }
            var picked = new int[n];
            var set = new HashSet<int>();
            Expect((double)_owned.Length * n);
            for (int g = 0; g < _owned.Length; g++)
            {
                int j = _owned[g];
                ulong gid = (ulong)(_postFirst + j);
                Sample(picked, n, Ns, _noSelf ? j : -1, withReplacement, gid, set);
                for (int k = 0; k < n; k++) Add(picked[k], g, gid, (ulong)k);
            }
        }

        public void FixedNumberPost(int n, bool withReplacement)
        {
            var picked = new int[n];
            var set = new HashSet<int>();
            for (int i = 0; i < Ns; i++)
            {
                ulong gid = (ulong)(_preFirst + i);
                Sample(picked, n, Nt, _noSelf ? i : -1, withReplacement, gid, set);
                for (int k = 0; k < n; k++)
                {
                    int g = _localOf[picked[k]];
                    if (g >= 0) Add(i, g, gid, (ulong)k);
                }
            }
        }

        public void FixedTotalNumber(long total)
        {
            // Each synapse lands on an owned target with probability owned / Nt.
            double share = (double)_owned.Length / Nt;
            Expect(total * share, Math.Sqrt(total * share * (1 - share)));
            for (long s = 0; s < total; s++)
            {
                ulong id = (ulong)s;
                int pre, post;
                ulong attempt = 0;
                do
                {
                    pre = (int)CounterRng.Below(_connectKey, id, 2 * attempt, Ns);
                    post = (int)CounterRng.Below(_connectKey, id, 2 * attempt + 1, Nt);
                    attempt++;
                } while (_noSelf && pre == post && attempt < 1000);
                if (_noSelf && pre == post) continue;
                int g = _localOf[post];
                if (g >= 0) Add(pre, g, id, 0);
            }
        }

        public void FromList(FromList list)
        {
            for (int s = 0; s < list.Synapses.Count; s++)
            {
                var syn = list.Synapses[s];
                if (syn.Post < 0 || syn.Post >= Nt || syn.Pre < 0 || syn.Pre >= Ns)
                    throw new ArgumentException($"projections[{_projIndex}].connector.synapses[{s}]: index out of range");
                if (_noSelf && syn.Pre == syn.Post) continue;
                int g = _localOf[syn.Post];
                if (g >= 0) Add(syn.Pre, g, (ulong)s, 0, syn.Weight, syn.Delay, dataIndex: s);
            }
        }

        /// <summary>
        /// Draws n indices from [0, range) excluding <paramref name="exclude"/> (or none when -1), sorted ascending.
        /// Without replacement it uses Floyd's algorithm (n draws, no rejection loop).
        /// </summary>
        private void Sample(int[] picked, int n, int range, int exclude, bool withReplacement, ulong id, HashSet<int> set)
        {
            int m = exclude >= 0 ? range - 1 : range;
            if (n > 0 && m <= 0 || !withReplacement && n > m)
                throw new ArgumentException($"projections[{_projIndex}].connector.n: cannot draw {n} distinct of {m}");
            if (withReplacement)
            {
                for (int k = 0; k < n; k++) picked[k] = (int)CounterRng.Below(_connectKey, id, (ulong)k, m);
            }
            else
            {
                set.Clear();
                int k = 0;
                for (int t = m - n; t < m; t++)
                {
                    int x = (int)CounterRng.Below(_connectKey, id, (ulong)k, t + 1);
                    if (!set.Add(x)) set.Add(x = t);
                    picked[k++] = x;
                }
            }
            Array.Sort(picked, 0, n);
            if (exclude >= 0)
                for (int k = 0; k < n; k++)
                    if (picked[k] >= exclude) picked[k]++;
        }

        private enum Mode { Buffer, Count, Place }

        private Mode _mode;
        private int[] _rowStart = [], _cursor = [], _placedTargets = [];
        private float[]? _placedWeights;
        private ushort[]? _placedDelays;

        /// <summary>The first of two passes: generation only counts each source's synapses.</summary>
        public void StartCounting()
        {
            _mode = Mode.Count;
            _rowStart = new int[Ns + 1];
            _n = 0;
            _pres = _tgts = [];
            _ws = null;
            _ds = null;
        }

        /// <summary>The second pass: the rows are laid out from the counts and generation writes each synapse into its row.</summary>
        public void StartPlacing()
        {
            for (int i = 0; i < Ns; i++) _rowStart[i + 1] += _rowStart[i];
            _cursor = _rowStart[..^1].ToArray();
            _placedTargets = new int[_n];
            (_chunkPre, _chunkTarget) = (new int[ChunkSize], new int[ChunkSize]);
            if (!_constWeight) (_placedWeights, _chunkWeights) = (new float[_n], new float[ChunkSize]);
            if (!_constDelay) (_placedDelays, _chunkDelays) = (new ushort[_n], new ushort[ChunkSize]);
            _mode = Mode.Place;
        }

        // Synapses are placed a chunk at a time: scattering them into their rows in a tight loop keeps many writes to
        // far-apart rows in flight, where one write between draws waits for its cache line (several times slower).
        private const int ChunkSize = 1 << 16;
        private int[] _chunkPre = [], _chunkTarget = [];
        private float[]? _chunkWeights;
        private ushort[]? _chunkDelays;
        private int _chunkN;

        private void Place(int preIndex, int group, ulong id, ulong k, double? listedWeight, double? listedDelay)
        {
            _chunkPre[_chunkN] = preIndex;
            _chunkTarget[_chunkN] = group;
            if (_chunkWeights is not null) _chunkWeights[_chunkN] = WeightOf(id, k, listedWeight);
            if (_chunkDelays is not null) _chunkDelays[_chunkN] = DelayOf(id, k, listedDelay);
            if (++_chunkN == ChunkSize) Flush();
        }

        private void Flush()
        {
            for (int c = 0; c < _chunkN; c++)
            {
                int at = _cursor[_chunkPre[c]]++;
                _placedTargets[at] = _chunkTarget[c];
                if (_placedWeights is not null) _placedWeights[at] = _chunkWeights![c];
                if (_placedDelays is not null) _placedDelays[at] = _chunkDelays![c];
            }
            _chunkN = 0;
        }

        /// <summary>The rows written by the second pass.</summary>
        public SynapseData PlacedData(int port)
        {
            Flush();
            for (int i = 0; i < Ns; i++)
                if (_cursor[i] != _rowStart[i + 1])
                    throw new InvalidOperationException($"projections[{_projIndex}]: the second pass made other synapses than the first");
            float constWeight = _constWeight ? (float)(((ConstantValue)_proj.Weight).Value * _weightScale) : 0f;
            int constDelay = _constDelay ? DelaySteps(((ConstantValue)_proj.Delay).Value) : 0;
            return new SynapseData(_projIndex, _pre, _post, port, _rowStart, _placedTargets, _placedWeights, constWeight, _placedDelays, constDelay);
        }

        public SynapseData ToData(int port)
        {
            // Counting sort by source keeps generation order inside each row (a stable sort).
            var rowStart = new int[Ns + 1];
            for (int s = 0; s < _n; s++) rowStart[_pres[s] + 1]++;
            for (int i = 0; i < Ns; i++) rowStart[i + 1] += rowStart[i];
            var cursor = rowStart[..^1].ToArray();
            var targets = new int[_n];
            var weights = _ws is null ? null : new float[_n];
            var delays = _ds is null ? null : new ushort[_n];
            void Place(int s, int target)
            {
                int at = cursor[_pres[s]]++;
                targets[at] = target;
                if (weights is not null) weights[at] = _ws![s];
                if (delays is not null) delays[at] = _ds![s];
            }
            if (_byTarget)
            {
                // Target g's synapses are those after the previous target's end (a target without synapses keeps 0).
                int begin = 0;
                for (int g = 0; g < _groupEnd.Length; g++)
                {
                    int end = Math.Max(begin, _groupEnd[g]);
                    for (int s = begin; s < end; s++) Place(s, g);
                    begin = end;
                }
            }
            else
                for (int s = 0; s < _n; s++) Place(s, _tgts[s]);
            float constWeight = _constWeight ? (float)(((ConstantValue)_proj.Weight).Value * _weightScale) : 0f;
            int constDelay = _constDelay ? DelaySteps(((ConstantValue)_proj.Delay).Value) : 0;
            _pres = _tgts = [];
            return new SynapseData(_projIndex, _pre, _post, port, rowStart, targets, weights, constWeight, delays, constDelay);
        }
    }
}
