namespace DistSnn.Reports;

/// <summary>Limits that keep a report's memory and drawing bounded whatever the size of the run.</summary>
public sealed record DigestLimits
{
    /// <summary>At most this many neurons of a population appear in the raster (every k-th neuron).</summary>
    public int RasterNeuronsPerPopulation { get; init; } = 200;

    /// <summary>At most this many spikes are drawn in the whole raster, shared evenly by the populations.</summary>
    public int RasterSpikes { get; init; } = 20_000;

    /// <summary>At most this many neurons of a population contribute inter-spike intervals (every k-th neuron).</summary>
    public int IsiNeuronsPerPopulation { get; init; } = 20_000;

    /// <summary>Number of time bins the rate plot aims at; the bin is rounded up to 1, 2 or 5 × 10^k ms.</summary>
    public int RateBins { get; init; } = 200;
}

/// <summary>
/// Bounded-size summary of a run's spikes, filled one spike at a time as the spike file is streamed: a raster of
/// every k-th neuron (capped in spikes too), spike counts in time bins and an inter-spike-interval histogram over
/// every k-th neuron. Memory is O(bins + sampled neurons + drawn spikes), never O(spikes).
/// </summary>
public sealed class SpikeDigest
{
    /// <summary>ISI histogram range: 10^-1 ms to 10^4 ms, <see cref="IsiBinsPerDecade"/> logarithmic bins per decade.</summary>
    public const int IsiMinDecade = -1, IsiMaxDecade = 4, IsiBinsPerDecade = 20;

    private readonly Dictionary<string, PopulationDigest> _byName = new(StringComparer.Ordinal);

    /// <summary>Prepares digests for the populations of <paramref name="summary"/>.</summary>
    public SpikeDigest(ReportSummary summary, DigestLimits limits)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.RasterNeuronsPerPopulation < 1 || limits.RasterSpikes < 1 || limits.IsiNeuronsPerPopulation < 1 || limits.RateBins < 1)
            throw new ArgumentOutOfRangeException(nameof(limits), limits, "every limit must be at least 1");
        DurationMs = Math.Max(summary.DurationMs, summary.DtMs);
        RateBinMs = NiceBin(DurationMs / limits.RateBins, summary.DtMs);
        int rateBins = (int)Math.Ceiling(DurationMs / RateBinMs - 1e-9);
        int withSpikes = Math.Max(1, summary.Populations.Count(p => p.Spikes > 0));
        int spikeCap = Math.Max(1, limits.RasterSpikes / withSpikes);
        Populations = summary.Populations
            .Select(p => new PopulationDigest(p.Name, p.Size, p.Spikes, limits, spikeCap, Math.Max(1, rateBins), RateBinMs))
            .ToArray();
        foreach (var p in Populations) _byName.Add(p.Name, p);
    }

    /// <summary>Biological time covered by the rate bins, ms.</summary>
    public double DurationMs { get; }

    /// <summary>Width of a rate bin, ms.</summary>
    public double RateBinMs { get; }

    /// <summary>Per population, in summary order.</summary>
    public IReadOnlyList<PopulationDigest> Populations { get; }

    /// <summary>The digest of population <paramref name="name"/>, or null if the summary does not list it.</summary>
    public PopulationDigest? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Lower edge of ISI bin <paramref name="bin"/>, ms.</summary>
    public static double IsiBinEdge(int bin) => Math.Pow(10, IsiMinDecade + (double)bin / IsiBinsPerDecade);

    /// <summary>Number of ISI bins.</summary>
    public static int IsiBinCount => (IsiMaxDecade - IsiMinDecade) * IsiBinsPerDecade;

    /// <summary>The smallest 1, 2 or 5 × 10^k ms that is at least <paramref name="raw"/> and at least <paramref name="dt"/>.</summary>
    internal static double NiceBin(double raw, double dt)
    {
        if (!(raw > dt)) return dt;
        double decade = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (double m in new[] { 1.0, 2.0, 5.0, 10.0 })
            if (m * decade >= raw * (1 - 1e-12)) return m * decade;
        return 10 * decade;
    }

    /// <summary>What the digest keeps of one population.</summary>
    public sealed class PopulationDigest
    {
        private readonly double[] _lastSpike;
        private readonly List<double> _rasterTimes = [];
        private readonly List<int> _rasterRows = [];
        private readonly int _rasterSpikeCap;
        private readonly double _binMs;

        internal PopulationDigest(string name, int size, long expectedSpikes, DigestLimits limits, int rasterSpikeCap, int rateBins, double binMs)
        {
            Name = name;
            _binMs = binMs;
            Size = size;
            _rasterSpikeCap = rasterSpikeCap;
            // Fewer raster neurons when the population fires a lot, so that the spike cap still leaves the whole
            // run visible: the expected spikes of the drawn neurons fit under the cap.
            long byRate = expectedSpikes > 0 ? Math.Max(1, (long)((double)rasterSpikeCap * size / expectedSpikes)) : size;
            int rasterNeurons = (int)Math.Min(Math.Min(size, limits.RasterNeuronsPerPopulation), byRate);
            RasterStride = Math.Max(1, (int)Math.Ceiling((double)size / Math.Max(1, rasterNeurons)));
            RasterRows = size == 0 ? 0 : (size + RasterStride - 1) / RasterStride;
            IsiStride = Math.Max(1, (int)Math.Ceiling((double)size / limits.IsiNeuronsPerPopulation));
            _lastSpike = new double[size == 0 ? 0 : (size + IsiStride - 1) / IsiStride];
            Array.Fill(_lastSpike, double.NaN);
            RateCounts = new long[rateBins];
            IsiCounts = new long[IsiBinCount];
        }

        /// <summary>Population name.</summary>
        public string Name { get; }
        /// <summary>Number of neurons.</summary>
        public int Size { get; }
        /// <summary>Neurons 0, k, 2k, … are drawn in the raster; this is k.</summary>
        public int RasterStride { get; }
        /// <summary>Neurons drawn in the raster.</summary>
        public int RasterRows { get; }
        /// <summary>Neurons 0, k, 2k, … contribute ISIs; this is k.</summary>
        public int IsiStride { get; }
        /// <summary>Spikes seen.</summary>
        public long Spikes { get; private set; }
        /// <summary>Spike count per rate bin.</summary>
        public long[] RateCounts { get; }
        /// <summary>Interval count per logarithmic ISI bin (see <see cref="IsiBinEdge"/>); out-of-range intervals go to the end bins.</summary>
        public long[] IsiCounts { get; }
        /// <summary>Intervals counted.</summary>
        public long Intervals { get; private set; }
        /// <summary>Neurons sampled for ISIs.</summary>
        public int IsiNeurons => _lastSpike.Length;
        /// <summary>Raster spike times, ms.</summary>
        public IReadOnlyList<double> RasterTimes => _rasterTimes;
        /// <summary>Raster rows (neuron id / <see cref="RasterStride"/>).</summary>
        public IReadOnlyList<int> RasterRowsOfSpikes => _rasterRows;
        /// <summary>Time of the last drawn spike when the raster spike cap was reached, else null.</summary>
        public double? RasterTruncatedAtMs { get; private set; }

        /// <summary>Adds one spike; spikes of one neuron must come in time order (the spike files are sorted by time).</summary>
        internal void Add(int node, double timeMs)
        {
            Spikes++;
            // Spike times are whole steps; the tolerance puts a spike on a bin edge into the bin it starts, whether
            // its time was computed as step * dt (HDF5) or parsed from decimal text (CSV).
            int bin = (int)Math.Min(RateCounts.Length - 1, Math.Floor(timeMs / _binMs + 1e-9));
            RateCounts[bin]++;
            if (node % RasterStride == 0)
            {
                if (_rasterTimes.Count < _rasterSpikeCap)
                {
                    _rasterTimes.Add(timeMs);
                    _rasterRows.Add(node / RasterStride);
                }
                else RasterTruncatedAtMs ??= _rasterTimes[^1];
            }
            if (node % IsiStride == 0)
            {
                int slot = node / IsiStride;
                double last = _lastSpike[slot];
                _lastSpike[slot] = timeMs;
                if (!double.IsNaN(last))
                {
                    double isi = timeMs - last;
                    int b = isi > 0 ? (int)Math.Floor((Math.Log10(isi) - IsiMinDecade) * IsiBinsPerDecade + 1e-9) : 0;
                    IsiCounts[Math.Clamp(b, 0, IsiCounts.Length - 1)]++;
                    Intervals++;
                }
            }
        }
    }

    /// <summary>
    /// Adds one spike of population <paramref name="population"/>; <paramref name="where"/> names the file (and
    /// line) for errors.
    /// </summary>
    /// <exception cref="ReportInputException">Unknown population, node id out of range, or a time outside the run.</exception>
    public void Add(PopulationDigest population, long node, double timeMs, string where)
    {
        if (!TryAdd(population, node, timeMs)) throw Rejection(population, node, timeMs, where);
    }

    /// <summary>
    /// Adds one spike if its node id and time are within the population and the run; false (nothing added) if not,
    /// so that a reader builds the description of where the spike came from only for a spike it rejects.
    /// </summary>
    public bool TryAdd(PopulationDigest population, long node, double timeMs)
    {
        if (node < 0 || node >= population.Size || !(timeMs >= 0) || timeMs > DurationMs + 1e-6) return false;
        population.Add((int)node, timeMs);
        return true;
    }

    /// <summary>The error for a spike that <see cref="TryAdd"/> rejected; <paramref name="where"/> names the file (and line).</summary>
    public ReportInputException Rejection(PopulationDigest population, long node, double timeMs, string where) =>
        node < 0 || node >= population.Size
            ? new ReportInputException($"{where}: population '{population.Name}' has node id {node}, outside [0, {population.Size})")
            : new ReportInputException($"{where}: population '{population.Name}' has a spike at {timeMs} ms, outside the run [0, {DurationMs}] ms");

    /// <summary>
    /// Checks that every population of <paramref name="summary"/> got as many spikes as the summary counts, so that a
    /// truncated or foreign spike source is reported, not plotted; <paramref name="source"/> names it in the error.
    /// </summary>
    /// <exception cref="ReportInputException">A count differs.</exception>
    public void CheckCounts(ReportSummary summary, string source)
    {
        ArgumentNullException.ThrowIfNull(summary);
        foreach (var pop in summary.Populations)
        {
            long seen = Find(pop.Name)!.Spikes;
            if (seen != pop.Spikes)
                throw new ReportInputException(
                    $"{source}: population '{pop.Name}' has {seen} spikes but summary.json says {pop.Spikes} (truncated or from another run?)");
        }
    }

    /// <summary>Gets the digest of <paramref name="name"/> ready for <see cref="Add"/>.</summary>
    /// <exception cref="ReportInputException">The summary does not list the population.</exception>
    public PopulationDigest Population(string name, string where)
    {
        var p = Find(name) ?? throw new ReportInputException(
            $"{where}: population '{name}' is not in summary.json (known: {string.Join(", ", _byName.Keys)})");
        return p;
    }
}
