using DistSnn.Model;
using DistSnn.Model.Sonata;
using DistSnn.Nodes;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Cluster.Sonata;

/// <summary>A DistSnn population as a SONATA node population (one node type: id = population index + 1).</summary>
/// <param name="Index">Population index.</param>
/// <param name="Spec">The population.</param>
/// <param name="Nest">Its NEST counterpart; null for the spike sources (virtual nodes).</param>
internal sealed record NodePopulation(int Index, PopulationSpec Spec, NestModels.Entry? Nest)
{
    public string Name => Spec.Name;
    public ulong TypeId => (ulong)Index + 1;
    /// <summary>The file of the population's parameters in point_neuron_models/, or null (spike_generator).</summary>
    public string? ParamsFile => Spec.Model is SpikeGenerator ? null : Name + ".json";
}

/// <summary>
/// A projection as a SONATA edge population (one edge type: id = 100 + projection index), with its synapses as the
/// engine builds them onto all target neurons, in the engine's row order (source by source, each row in the order the
/// engine keeps it), and the rule that gives their NEST weights.
/// </summary>
internal sealed record EdgePopulation(int Projection, string Name, ProjectionSpec Spec, SynapseData Data, NestWeights Rule,
    IReadOnlyDictionary<string, double> RuleWeights)
{
    private float _last = float.NaN;
    private double _lastNest;

    public long Count => Data.Targets.Length;
    public ulong TypeId => 100 + (ulong)Projection;
    public string? RuleFile => Spec.Synapse.IsPlastic ? Name + ".json" : null;

    /// <summary>Delay of synapse <paramref name="k"/> in steps.</summary>
    public int DelaySteps(long k) => Data.Delays is { } d ? d[k] : Data.ConstDelay;

    /// <summary>The engine's weight of synapse <paramref name="k"/> (the target's input unit).</summary>
    public float EngineWeight(long k) => Data.Weights is { } w ? w[k] : Data.ConstWeight;

    /// <summary>
    /// The NEST weight of synapse <paramref name="k"/>, which the plan has checked can be written. Runs of equal weights
    /// (all of them for a constant weight) are converted once.
    /// </summary>
    public double NestWeight(long k)
    {
        float w = EngineWeight(k);
        if (!w.Equals(_last))
        {
            if (!Rule.TryToNest(w, out _lastNest, out var why)) throw new InvalidOperationException($"weight {w} {why}");
            _last = w;
        }
        return _lastNest;
    }
}

/// <summary>
/// Everything an export needs, checked before any file is written: the node and edge populations and the synapses.
/// Whatever SONATA (with DistSnn's few extensions) cannot say is refused here with a <see cref="ModelException"/>
/// listing every such field.
/// </summary>
internal sealed class ExportPlan
{
    private readonly List<ModelError> _errors = new();
    private readonly string? _file;

    private ExportPlan(NetworkSpec spec, string? file)
    {
        Spec = spec;
        _file = file;
    }

    public NetworkSpec Spec { get; }
    public List<NodePopulation> Nodes { get; } = new();
    public List<EdgePopulation> Edges { get; } = new();

    /// <summary>The neurons as the engine initialises them (one partition holding all).</summary>
    public NeuronHost Host { get; private set; } = null!;

    /// <summary>Whether the model draws random numbers while it runs (and so needs its seed).</summary>
    public bool DrawsDuringRun => Spec.PoissonInputs.Count > 0 || Spec.Populations.Any(p => p.Model is PoissonGenerator);

    /// <summary>Checks <paramref name="spec"/> (valid already) and builds its synapses; <paramref name="file"/> names it in errors.</summary>
    public static ExportPlan Create(NetworkSpec spec, string? file)
    {
        var plan = new ExportPlan(spec, file);
        plan.CheckPopulations();
        plan.CheckInputs();
        plan.ThrowIfErrors();
        plan.BuildEdges();
        plan.ThrowIfErrors();
        plan.Host = new NeuronHost(spec, spec.Populations.Select(p => Enumerable.Range(0, p.Size).ToArray()).ToList(),
            spec.Populations.Select(_ => 1).ToList(), poissonInputs: false);
        return plan;
    }

    private void Add(string path, string message) => _errors.Add(new ModelError(_file, null, path, message));

    private void ThrowIfErrors()
    {
        if (_errors.Count > 0) throw new ModelException(_errors.ToList());
    }

    /// <summary>
    /// A population's name becomes an HDF5 group, a file name and a field of a space-separated CSV file, so it may
    /// hold letters, digits and <c>_ - . +</c> only, and may not start with a dot.
    /// </summary>
    public static bool IsSonataName(string name) =>
        name.Length > 0 && name[0] != '.' && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '+');

    private void CheckPopulations()
    {
        for (int p = 0; p < Spec.Populations.Count; p++)
        {
            var pop = Spec.Populations[p];
            if (!IsSonataName(pop.Name))
                Add($"populations[{p}].name", $"'{pop.Name}' cannot name a SONATA population (it names an HDF5 group, files and " +
                    "CSV fields): use letters, digits, '_', '-', '.' and '+', not starting with '.'");
            var nest = NestModels.ByKind(pop.Model.Kind);
            if (nest is null && pop.Model is not (SpikeGenerator or PoissonGenerator))
                Add($"populations[{p}].model", $"population '{pop.Name}' uses model {pop.Model.Kind}, which has no NEST counterpart; " +
                    "it cannot be written as a SONATA point-neuron network");
            Nodes.Add(new NodePopulation(p, pop, nest));
        }
        if (Spec.Dataset is not null)
            Add("dataset", "a data set presented to the network cannot be written as SONATA");
    }

    private void CheckInputs()
    {
        for (int k = 0; k < Spec.Currents.Count; k++)
            if (Spec.Currents[k] is DcCurrentSpec { Amplitudes: not null })
                Add($"currents[{k}].amplitude", "amplitudes per neuron cannot be written as SONATA current clamps (one amplitude each)");
        for (int k = 0; k < Spec.PoissonInputs.Count; k++)
            if (Spec.PoissonInputs[k].Weight is ArrayValue)
                Add($"poisson_inputs[{k}].weight", "weights given as data cannot be written");
    }

    private void BuildEdges()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int j = 0; j < Spec.Projections.Count; j++)
        {
            var proj = Spec.Projections[j];
            int post = Spec.PopulationIndex(proj.Target);
            var model = Spec.Populations[post].Model;
            var all = Enumerable.Range(0, Spec.Populations[post].Size).ToArray();
            SynapseData data;
            try
            {
                // Exactly as the engine builds the projection (PartitionEngine), onto every target neuron.
                data = SynapseBuilder.Build(Spec, j, all, PartitionEngine.PortOf(model, proj.Receptor),
                    PartitionEngine.WeightScale(model, proj.Weight.Dim));
            }
            catch (ArgumentException e)
            {
                Add("", e.Message);
                continue;
            }
            var rule = new NestWeights(model, proj.Receptor);
            float last = float.NaN;
            for (long k = 0; k < data.Targets.Length; k++)
            {
                float w = data.Weights is { } ws ? ws[k] : data.ConstWeight;
                if (w.Equals(last)) continue;
                last = w;
                if (rule.Refusal(w) is { } why)
                {
                    double given = w / PartitionEngine.WeightScale(model, proj.Weight.Dim);
                    Add($"projections[{j}].weight", $"synapse {k} ({Synapse(data, k)}) has weight {Units.Format(given, proj.Weight.Dim)}: " +
                        $"{why}; the projection '{proj.Source}' -> '{proj.Target}' cannot be written as SONATA edges");
                    break;
                }
            }
            string name = $"{proj.Source}_to_{proj.Target}";
            while (!names.Add(name)) name += $"_{j}";
            Edges.Add(new EdgePopulation(j, name, proj, data, rule, RuleWeights(j, proj, rule)));
        }
    }

    /// <summary>"source i -> target t" of synapse <paramref name="k"/> (rows are per source).</summary>
    private static string Synapse(SynapseData data, long k)
    {
        int i = Array.BinarySearch(data.RowStart, (int)k);
        i = i >= 0 ? i : ~i - 1;
        while (i + 1 < data.RowStart.Length && data.RowStart[i + 1] <= k) i++;
        return $"source {i} -> target {data.Targets[k]}";
    }

    /// <summary>
    /// The weight-valued fields of a plastic rule (w_min, w_max, normalize_total) in the unit of the edges' weights,
    /// chosen so that the engine, scaling them as it scales those weights, gets the same bounds as from the model.
    /// </summary>
    private Dictionary<string, double> RuleWeights(int j, ProjectionSpec proj, NestWeights rule)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!proj.Synapse.IsPlastic) return result;
        double engineScale = PartitionEngine.WeightScale(rule.Model, proj.Weight.Dim);
        foreach (var f in proj.Synapse.Parameters.Where(f => f.Kind == SynapseFieldKind.Weight))
        {
            double v = f.Get(proj.Synapse);
            if (double.IsNaN(v)) continue; // normalize_total unset
            double? nest = proj.Weight.Dim == rule.Unit ? v : NestWeights.UnscaleExact(v * engineScale, rule.ImportScale);
            if (nest is double x) result[f.Name] = x;
            else
                Add($"projections[{j}].synapse.{f.Name}", $"{v} {Units.Canonical(proj.Weight.Dim)} has no exact equivalent in " +
                    $"{Units.Canonical(rule.Unit)}, the unit of the written weights; give the projection's weights in {Units.Canonical(rule.Unit)}");
        }
        return result;
    }

    /// <summary>
    /// The model's minimum delay (steps) where a plastic network's edges alone would not give it back, else null. A
    /// plastic network's epochs (when plasticity is applied) follow the minimum delay the model allows, which can be
    /// below the smallest delay actually drawn (or belong to a projection without synapses).
    /// </summary>
    public long? MinDelayOverride()
    {
        if (!Spec.Projections.Any(p => p.Synapse.IsPlastic)) return null;
        long min = long.MaxValue;
        foreach (var e in Edges)
        {
            if (e.Count == 0) continue;
            min = Math.Min(min, e.Data.Delays is { } d ? d.Min() : e.Data.ConstDelay);
        }
        return min == long.MaxValue || min == Spec.MinDelaySteps() ? null : Spec.MinDelaySteps();
    }
}
