using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Exchange;
using DistSnn.Partitioner;

namespace DistSnn.Learning.DiehlCook;

/// <summary>Builds the engine of partition <paramref name="partition"/> (neurons <paramref name="owned"/>) on backend <paramref name="backend"/>.</summary>
public delegate PartitionEngine EngineFactory(NetworkSpec spec, int partition, IReadOnlyList<int[]> owned, string backend);

/// <summary>
/// A network split into CPU partitions that run in this process on the in-process transport
/// (<see cref="InProcessRunner"/>: the epoch protocol of the actor runtime), driven step block by step block so that a
/// trainer can change inputs between presentations. Results are identical for any number of partitions.
/// </summary>
public sealed class PartitionSet
{
    private readonly PartitionEngine[] _engines;
    private readonly InProcessRunner _runner;
    private readonly long _first, _count;
    private int[] _counts = [];

    /// <summary>
    /// Builds <paramref name="partitions"/> partitions of <paramref name="spec"/> in parallel (a backend's populations get
    /// partitions of their own); <paramref name="engines"/> builds each partition's engine from the model, its index,
    /// its neurons and its backend's name (null: CPU engines, for models wholly on the CPU).
    /// </summary>
    public PartitionSet(NetworkSpec spec, int partitions, int countedPopulation, EngineFactory? engines = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        Spec = spec;
        Plan = PartitionPlan.Create(spec, partitions, PartitionStrategy.RoundRobin);
        _engines = new PartitionEngine[Plan.Parts];
        Parallel.For(0, Plan.Parts, q => _engines[q] = engines is null
            ? Plan.Backend(q) == PopulationSpec.DefaultBackend ? new PartitionEngine(spec, q, Plan.Owned(q))
                : throw new ArgumentException($"partition {q} is on backend '{Plan.Backend(q)}': give an engine factory for it")
            : engines(spec, q, Plan.Owned(q), Plan.Backend(q)));
        var first = spec.FirstGids();
        _first = first[countedPopulation];
        _count = spec.Populations[countedPopulation].Size;
        _runner = new InProcessRunner(_engines, RoutingTable.Of(spec, _engines.Select(e => e.Owned).ToArray(), _engines));
        // Runs on the partition's thread; partitions own distinct neurons, so they add into distinct counters.
        foreach (var loop in _runner.Loops) loop.AfterRun = CountSpikes;
    }

    /// <summary>The network.</summary>
    public NetworkSpec Spec { get; }
    /// <summary>Where each neuron lives.</summary>
    public PartitionPlan Plan { get; }
    /// <summary>The partitions.</summary>
    public IReadOnlyList<PartitionEngine> Engines => _engines;
    /// <summary>Steps simulated so far.</summary>
    public long Step => _engines[0].CurrentStep;

    /// <summary>Learning on or off in every partition.</summary>
    public bool Learning
    {
        set
        {
            foreach (var e in _engines) e.Learning = value;
        }
    }

    /// <summary>Scales the learning rates of every plastic synapse in every partition (1: as specified).</summary>
    public void ScaleLearningRates(double scale)
    {
        foreach (var e in _engines) e.ScaleLearningRates(scale);
    }

    /// <summary>Sets the rates of a Poisson population in every partition.</summary>
    public void SetRates(int population, Func<int, double> rateOfIndex)
    {
        foreach (var e in _engines) e.SetPoissonRates(population, rateOfIndex);
    }

    /// <summary>
    /// Runs whole epochs until at least <paramref name="steps"/> more steps are done, adding each spike of the
    /// counted population to <paramref name="counts"/> (by population-local index). Partitions run in parallel
    /// within an epoch when <paramref name="parallel"/>.
    /// </summary>
    public void Run(long steps, int[] counts, bool parallel)
    {
        ArgumentNullException.ThrowIfNull(counts);
        _counts = counts;
        _runner.Parallel = parallel;
        _runner.RunUntil(Step + steps);
    }

    private void CountSpikes(long epoch, SpikeBatch spikes)
    {
        var counts = _counts;
        for (int i = 0; i < spikes.Count; i++)
        {
            long g = spikes.Gids[i] - _first;
            if (g >= 0 && g < _count) counts[g]++;
        }
    }

    /// <summary>The weights of plastic projection <paramref name="projection"/> as a dense input-major matrix [pre * posts + post].</summary>
    public float[] DenseWeights(int projection)
    {
        var dense = new float[DenseShape(projection).Size];
        VisitWeights(projection, (weights, k, at) => dense[at] = weights[k]);
        return dense;
    }

    /// <summary>
    /// Sets the weights of plastic projection <paramref name="projection"/> from a dense input-major matrix laid out
    /// as <see cref="DenseWeights"/> returns it (entries of absent synapses are ignored).
    /// </summary>
    public void SetDenseWeights(int projection, float[] dense)
    {
        ArgumentNullException.ThrowIfNull(dense);
        long size = DenseShape(projection).Size;
        if (dense.Length != size)
            throw new ArgumentException($"projection {projection} needs {size} weights, got {dense.Length}", nameof(dense));
        NotOnDevice(projection);
        VisitWeights(projection, (weights, k, at) => weights[k] = dense[at]);
    }

    /// <summary>Calls <paramref name="visit"/> with each synapse of a plastic projection: its block's weights, its index there and its place in the dense matrix.</summary>
    private void VisitWeights(int projection, Action<float[], int, long> visit)
    {
        var (posts, _) = DenseShape(projection);
        int post = Spec.PopulationIndex(Spec.Projections[projection].Target);
        for (int q = 0; q < _engines.Length; q++)
        {
            var owned = Plan.Owned(q)[post];
            foreach (var block in _engines[q].PlasticBlocks)
            {
                if (block.Projection != projection) continue;
                for (int row = 0; row + 1 < block.RowStart.Length; row++)
                    for (int k = block.RowStart[row]; k < block.RowStart[row + 1]; k++)
                        visit(block.Weights, k, row * (long)posts + owned[block.Targets[k]]);
            }
        }
    }

    /// <summary>Multiplies every weight of plastic projection <paramref name="projection"/> by <paramref name="factor"/>.</summary>
    public void ScaleWeights(int projection, float factor)
    {
        NotOnDevice(projection);
        foreach (var e in _engines)
            foreach (var block in e.PlasticBlocks)
                if (block.Projection == projection)
                    for (int k = 0; k < block.Weights.Length; k++) block.Weights[k] *= factor;
    }

    /// <summary>Weights held by a device change only through it: setting them from outside is refused.</summary>
    private void NotOnDevice(int projection)
    {
        if (_engines.Any(e => e.PlasticBlocks.Any(b => b.Projection == projection && b.Device is not null)))
            throw new InvalidOperationException($"the weights of projections[{projection}] are held by a modelled device and change only through its programming");
    }

    private (int Posts, long Size) DenseShape(int projection)
    {
        var proj = Spec.Projections[projection];
        int posts = Spec.Populations[Spec.PopulationIndex(proj.Target)].Size;
        return (posts, Spec.Populations[Spec.PopulationIndex(proj.Source)].Size * (long)posts);
    }

    /// <summary>
    /// Sets a state variable of a population in every partition from values by population-local index, the inverse
    /// of <see cref="Gather"/>. Set an adaptive threshold before the first step: its float residual (see
    /// AdaptiveThreshold) is not reset here, so afterwards theta would be the value given plus the old residual.
    /// </summary>
    public void Scatter(int population, string variable, ReadOnlySpan<float> values)
    {
        int size = Spec.Populations[population].Size;
        if (values.Length != size)
            throw new ArgumentException($"population {Spec.Populations[population].Name} has {size} neurons, got {values.Length} values of {variable}", nameof(values));
        for (int q = 0; q < _engines.Length; q++)
        {
            if (_engines[q].Group(population) is not { } g) continue;
            var target = g.State(variable);
            var owned = Plan.Owned(q)[population];
            for (int k = 0; k < owned.Length; k++) target[k] = values[owned[k]];
        }
    }

    /// <summary>A state variable of a population, gathered from all partitions by population-local index.</summary>
    public float[] Gather(int population, string variable)
    {
        var result = new float[Spec.Populations[population].Size];
        for (int q = 0; q < _engines.Length; q++)
        {
            if (_engines[q].Group(population) is not { } g) continue;
            var values = g.State(variable);
            var owned = Plan.Owned(q)[population];
            for (int k = 0; k < owned.Length; k++) result[owned[k]] = values[k];
        }
        return result;
    }

    /// <summary>Sum over partitions of the weights checksum (order-independent).</summary>
    public ulong WeightsChecksum => _engines.Aggregate(0UL, (s, e) => unchecked(s + e.WeightsChecksum));
}
