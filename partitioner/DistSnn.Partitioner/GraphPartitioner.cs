namespace DistSnn.Partitioner;

/// <summary>
/// The <c>graph</c> strategy: balanced partitions that cut few synapses, found on the population graph.
/// <para>
/// Why populations: every connector but <c>one_to_one</c> and <c>from_list</c> connects the neurons of a projection
/// uniformly, so which neurons of a population sit together carries no information; only how much of each
/// population each partition holds does. The graph therefore has one node per population, weighted by its load (neurons plus expected
/// incoming synapses, see <see cref="Connectivity"/>), and one edge per pair of connected populations, weighted by
/// the expected synapses between them in both directions, all computed analytically from the connectors. The
/// graph has as many nodes as the model has populations, never as many as it has neurons or synapses.
/// </para>
/// <para>
/// Algorithm (deterministic, ties to the lowest index):
/// <list type="number">
/// <item>Order the populations so that strongly connected ones are adjacent, by greedy region growing: start at
/// a population, then repeatedly append the unplaced population with the most expected synapses to the part of
/// the sequence that will share the current partition (falling back to the most synapses to everything placed).
/// Partition borders are known while growing, because the sequence is cut by cumulative load.</item>
/// <item>Lay the populations end to end in that order, each in index order, and cut the sequence into contiguous
/// chunks whose loads are the capacity shares of the total. A population larger than a share is thereby split into
/// contiguous slices; smaller ones stay whole unless a border happens to fall inside them.</item>
/// <item>Refine: move each border, one at a time, to a population border if that lowers the expected cut and both
/// neighbouring partitions stay within <c>MaxImbalance</c> of their share; repeat until nothing improves. Only
/// population borders are tried: within one population the cut is concave in the border's position (the |A||B|
/// terms), so a move inside a population would only trade balance for a marginal gain, whereas a move onto a
/// population border keeps a whole population, and its internal synapses, on one partition.</item>
/// <item>Do this for the declaration order and for growth started at each of the (up to) eight heaviest
/// populations, and keep the plan with the smallest expected cut among those within the balance limit. The
/// <c>contiguous</c> plan is a candidate too, and is kept only when strictly better, so that <c>graph</c> is never
/// worse than <c>contiguous</c>. In a network where every pair of neurons connects with the same probability,
/// e.g. Brunel's, the cut p·(N² − Σ n_q²) depends only on the partition sizes, so every balanced plan cuts the
/// same. Index-aligned structure (<c>one_to_one</c> between different populations) is better served by
/// <c>contiguous</c> blocks than by any population order, and this is how it is caught; lists that connect nearby
/// indices are kept local by both, as each population is sliced into contiguous ranges.</item>
/// </list>
/// Cost: O(S·P²) for the orders and O(S·passes·K·B·(E·K + L)) for refinement, with S ≤ 9 orders, P populations,
/// K partitions, B candidate borders, E projections and L listed synapses; no synapse is generated.
/// </para>
/// </summary>
internal static class GraphPartitioner
{
    private const int MaxStarts = 8;
    private const int MaxPasses = 8;

    public static RangeLayout Partition(Connectivity c, double[] fractions, double maxImbalance, RangeLayout contiguous)
    {
        int parts = fractions.Length, pops = c.Sizes.Length;
        if (parts == 1 || pops == 0) return contiguous;
        var adjacency = Adjacency(c);
        RangeLayout? best = null;
        Score bestScore = default;
        foreach (var order in CandidateOrders(c, adjacency, fractions))
        {
            var seq = new Sequence(c, order);
            var borders = seq.Chunk(fractions);
            Refine(c, seq, borders, fractions, maxImbalance);
            var layout = seq.Layout(borders);
            var score = Evaluate(c, layout, fractions, maxImbalance);
            if (best is null || score.Beats(bestScore)) (best, bestScore) = (layout, score);
        }
        var fallback = Evaluate(c, contiguous, fractions, maxImbalance);
        return fallback.Beats(bestScore) ? contiguous : best!;
    }

    private readonly record struct Score(bool Feasible, double Imbalance, double Cut)
    {
        /// <summary>Strictly better: within the limit first, then a smaller cut (or, both outside, better balance).</summary>
        public bool Beats(Score other)
        {
            if (Feasible != other.Feasible) return Feasible;
            if (!Feasible && Math.Abs(Imbalance - other.Imbalance) > 1e-12) return Imbalance < other.Imbalance;
            return Cut < other.Cut - 1e-9 * Math.Abs(other.Cut);
        }
    }

    private static Score Evaluate(Connectivity c, Layout layout, double[] fractions, double maxImbalance)
    {
        double imbalance = Traffic.Imbalance(layout.Loads(c), fractions);
        return new Score(imbalance <= maxImbalance + 1e-12, imbalance, Traffic.Cut(c, layout));
    }

    /// <summary>Symmetric population graph: expected synapses between two different populations, both directions.</summary>
    private static List<(int Other, double Weight)>[] Adjacency(Connectivity c)
    {
        int pops = c.Sizes.Length;
        var weights = new Dictionary<(int, int), double>();
        foreach (var d in c.Projections)
        {
            if (d.Source == d.Target) continue;
            var key = (Math.Min(d.Source, d.Target), Math.Max(d.Source, d.Target));
            weights[key] = weights.GetValueOrDefault(key) + d.Total;
        }
        var adjacency = Enumerable.Range(0, pops).Select(_ => new List<(int, double)>()).ToArray();
        foreach (var ((a, b), w) in weights.OrderBy(kv => kv.Key))
        {
            if (w <= 0) continue;
            adjacency[a].Add((b, w));
            adjacency[b].Add((a, w));
        }
        return adjacency;
    }

    private static List<int[]> CandidateOrders(Connectivity c, List<(int Other, double Weight)>[] adjacency, double[] fractions)
    {
        int pops = c.Sizes.Length;
        var orders = new List<int[]> { Enumerable.Range(0, pops).ToArray() };
        var starts = Enumerable.Range(0, pops).OrderByDescending(p => c.PopulationLoads[p]).ThenBy(p => p).Take(MaxStarts);
        foreach (int s in starts)
        {
            var order = Grow(c, adjacency, fractions, s);
            if (!orders.Any(o => o.AsSpan().SequenceEqual(order))) orders.Add(order);
        }
        return orders;
    }

    /// <summary>Greedy region growing from <paramref name="start"/> (step 1 of the class description).</summary>
    private static int[] Grow(Connectivity c, List<(int Other, double Weight)>[] adjacency, double[] fractions, int start)
    {
        int pops = c.Sizes.Length, parts = fractions.Length;
        double total = c.TotalLoad, eps = 1e-9 * total;
        var border = new double[parts + 1];
        for (int q = 0; q < parts; q++) border[q + 1] = border[q] + fractions[q] * total;
        int ChunkOf(double x)
        {
            int q = 0;
            while (q < parts - 1 && x >= border[q + 1]) q++;
            return q;
        }

        var placed = new bool[pops];
        var toChunk = new double[pops];   // expected synapses to the populations in the current chunk
        var toPlaced = new double[pops];  // expected synapses to every placed population
        var order = new List<int>(pops);
        int chunk = 0, next = start;
        double cumulative = 0;
        while (true)
        {
            order.Add(next);
            placed[next] = true;
            cumulative += c.PopulationLoads[next];
            int endChunk = ChunkOf(cumulative - eps);
            bool closes = cumulative >= border[endChunk + 1] - eps;
            if (endChunk != chunk || closes) Array.Clear(toChunk);
            chunk = closes ? endChunk + 1 : endChunk;
            foreach (var (r, w) in adjacency[next])
            {
                // A population that ends exactly on a border leaves the next chunk empty.
                if (!closes) toChunk[r] += w;
                toPlaced[r] += w;
            }
            if (order.Count == pops) break;
            next = -1;
            for (int r = 0; r < pops; r++)
            {
                if (placed[r]) continue;
                if (next < 0 || toChunk[r] > toChunk[next] || toChunk[r] == toChunk[next] && toPlaced[r] > toPlaced[next])
                    next = r;
            }
        }
        return order.ToArray();
    }

    /// <summary>Border moves of step 3 of the class description; <paramref name="borders"/> is updated in place.</summary>
    private static void Refine(Connectivity c, Sequence seq, long[] borders, double[] fractions, double maxImbalance)
    {
        int parts = fractions.Length;
        double total = c.TotalLoad;
        for (int pass = 0; pass < MaxPasses; pass++)
        {
            bool improved = false;
            for (int q = 1; q < parts; q++)
            {
                // Border q separates chunk q - 1 from chunk q; only those two loads change when it moves.
                double lowLoad = seq.LoadAt(borders[q - 1]), highLoad = seq.LoadAt(borders[q + 1]);
                long lo = Math.Max(borders[q - 1], seq.Ceil(highLoad - (1 + maxImbalance) * fractions[q] * total));
                long hi = Math.Min(borders[q + 1], seq.Floor(lowLoad + (1 + maxImbalance) * fractions[q - 1] * total));
                if (lo > hi) continue;
                long current = borders[q];
                bool inside = current >= lo && current <= hi;
                var candidates = seq.PopulationBorders(lo, hi).ToList();
                if (!inside) candidates.AddRange([lo, hi]);
                double bestCut = inside ? Traffic.Cut(c, seq.Layout(borders)) : double.PositiveInfinity;
                long bestAt = current;
                foreach (long at in candidates)
                {
                    if (at == current) continue;
                    borders[q] = at;
                    double cut = Traffic.Cut(c, seq.Layout(borders));
                    if (cut < bestCut - 1e-9 * Math.Abs(bestCut)) (bestCut, bestAt) = (cut, at);
                }
                borders[q] = bestAt;
                improved |= bestAt != current;
            }
            if (!improved) break;
        }
    }

    /// <summary>
    /// The populations laid end to end in a given order; a position t is the number of neurons before it, and
    /// borders are positions.
    /// </summary>
    private sealed class Sequence
    {
        private readonly Connectivity _c;
        private readonly int[] _order;
        private readonly long[] _start;         // by position in the order, plus the total length at the end
        private readonly double[] _loadBefore;  // by position in the order, plus the total load at the end
        private readonly long[] _startOf;       // by population

        public Sequence(Connectivity c, int[] order)
        {
            _c = c;
            _order = order;
            _start = new long[order.Length + 1];
            _loadBefore = new double[order.Length + 1];
            _startOf = new long[order.Length];
            for (int k = 0; k < order.Length; k++)
            {
                _startOf[order[k]] = _start[k];
                _start[k + 1] = _start[k] + c.Sizes[order[k]];
                _loadBefore[k + 1] = _loadBefore[k] + c.PopulationLoads[order[k]];
            }
        }

        public long Length => _start[^1];

        /// <summary>Load of the first <paramref name="t"/> neurons of the sequence.</summary>
        public double LoadAt(long t)
        {
            if (t >= Length) return _loadBefore[^1];
            int k = Array.BinarySearch(_start, t);
            if (k < 0) k = ~k - 1;
            while (k + 1 < _order.Length && _start[k + 1] == t) k++; // skip empty populations
            return _loadBefore[k] + _c.RangeLoad(_order[k], 0, (int)(t - _start[k]));
        }

        /// <summary>The last position whose load is at most <paramref name="x"/>.</summary>
        public long Floor(double x)
        {
            long lo = 0, hi = Length;
            while (lo < hi)
            {
                long mid = lo + (hi - lo + 1) / 2;
                if (LoadAt(mid) <= x) lo = mid; else hi = mid - 1;
            }
            return lo;
        }

        /// <summary>The first position whose load is at least <paramref name="x"/>.</summary>
        public long Ceil(double x)
        {
            long f = Floor(x);
            return f < Length && LoadAt(f) < x ? f + 1 : f;
        }

        /// <summary>Borders q = 0..K at cumulative capacity shares of the load, each at the nearest neuron.</summary>
        public long[] Chunk(double[] fractions)
        {
            int parts = fractions.Length;
            var borders = new long[parts + 1];
            double total = _loadBefore[^1], cumulative = 0;
            for (int q = 1; q < parts; q++)
            {
                cumulative += fractions[q - 1];
                double x = cumulative * total;
                long f = Floor(x);
                if (f < Length && LoadAt(f + 1) - x < x - LoadAt(f)) f++;
                borders[q] = Math.Max(borders[q - 1], f);
            }
            borders[parts] = Length;
            return borders;
        }

        /// <summary>Positions in [lo, hi] where a population starts or the sequence ends.</summary>
        public IEnumerable<long> PopulationBorders(long lo, long hi)
        {
            int k = Array.BinarySearch(_start, lo);
            if (k < 0) k = ~k;
            for (; k < _start.Length && _start[k] <= hi; k++)
                if (k == 0 || _start[k] != _start[k - 1]) yield return _start[k];
        }

        /// <summary>The layout with partition q holding the positions [borders[q], borders[q + 1]).</summary>
        public RangeLayout Layout(long[] borders)
        {
            int parts = borders.Length - 1;
            var cuts = new int[_c.Sizes.Length][];
            for (int p = 0; p < cuts.Length; p++)
            {
                var cut = cuts[p] = new int[parts + 1];
                long start = _startOf[p];
                int size = _c.Sizes[p];
                for (int q = 0; q <= parts; q++) cut[q] = (int)Math.Clamp(borders[q] - start, 0, size);
            }
            return new RangeLayout(cuts);
        }
    }
}
