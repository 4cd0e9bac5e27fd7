using DistSnn.Model;
using FsCheck.Xunit;

namespace DistSnn.Model.Tests;

/// <summary>
/// Writing a random valid spec and reading it back gives the same spec, for YAML and JSON. The specs come from a
/// generator seeded by FsCheck that covers every neuron model (with every parameter changed from its default),
/// every connector (from_list with and without per-synapse weights and delays), every value kind, both current
/// kinds, Poisson inputs, recorders, and names that need quoting.
/// </summary>
public class ModelWriterRandomSpecTests
{
    [Property(MaxTest = 300)]
    public void Random_specs_read_back_equal_from_yaml(int seed)
    {
        var spec = RandomSpecs.Create(seed);
        Assert.Empty(NetworkValidator.Validate(spec));

        var text = ModelWriter.ToYaml(spec);

        SpecAssert.Equal(spec, ModelLoader.Parse(text, "random.yaml"));
    }

    [Property(MaxTest = 150)]
    public void Random_specs_read_back_equal_from_json(int seed)
    {
        var spec = RandomSpecs.Create(seed);

        var text = ModelWriter.ToJson(spec);

        SpecAssert.Equal(spec, ModelLoader.Parse(text, "random.json"));
    }

    [Property(MaxTest = 100)]
    public void Writing_is_deterministic_and_a_fixed_point(int seed)
    {
        var spec = RandomSpecs.Create(seed);
        var text = ModelWriter.ToYaml(spec);

        // Reading and writing again gives the same text: the output is a canonical form of the spec.
        Assert.Equal(text, ModelWriter.ToYaml(ModelLoader.Parse(text)));
    }

    [Fact]
    public void The_generator_covers_every_model_connector_value_and_input_kind()
    {
        var specs = Enumerable.Range(0, 300).Select(RandomSpecs.Create).ToList();
        var models = specs.SelectMany(s => s.Populations).Select(p => p.Model.Kind).ToHashSet();
        var connectors = specs.SelectMany(s => s.Projections).Select(p => p.Connector.Type).ToHashSet();
        var values = specs.SelectMany(s => s.Projections).SelectMany(p => new[] { p.Weight, p.Delay })
            .Concat(specs.SelectMany(s => s.Populations).SelectMany(p => p.Initial.Values))
            .Select(v => v.GetType()).ToHashSet();
        var currents = specs.SelectMany(s => s.Currents).Select(c => c.GetType()).ToHashSet();
        var listed = specs.SelectMany(s => s.Projections).Select(p => p.Connector).OfType<FromList>().SelectMany(f => f.Synapses).ToList();

        // dataset_input exists only with a dataset block (DatasetTests).
        Assert.Equal(NeuronModel.Kinds.Where(k => k != "dataset_input").ToHashSet(), models);
        var lifs = specs.SelectMany(s => s.Populations).Select(p => p.Model).Where(m => m is LifDelta or LifExpCurrent or LifExpCond).ToList();
        Assert.Contains(lifs, m => m.Parameters.Single(f => f.Name == "theta_plus").Get(m) > 0);
        Assert.Contains(lifs, m => m.Parameters.Single(f => f.Name == "tau_theta").Get(m) != 1e7);
        Assert.Contains(specs.SelectMany(s => s.Populations), p => p.Initial.ContainsKey("theta"));
        Assert.Equal(7, connectors.Count);
        Assert.Equal(3, values.Count);
        Assert.Equal(2, currents.Count);
        Assert.Contains(specs, s => s.PoissonInputs.Count > 0);
        Assert.Contains(specs, s => s.Recording.State.Count > 0);
        Assert.Contains(listed, s => s.Weight is null && s.Delay is null);
        Assert.Contains(listed, s => s.Weight is not null && s.Delay is not null);
        Assert.Contains(listed, s => s.Weight is not null && s.Delay is null);
        Assert.Contains(listed, s => s.Weight is null && s.Delay is not null);
    }
}

/// <summary>Valid specs drawn from a seeded generator; every draw is checked by the validator in the tests.</summary>
internal static class RandomSpecs
{
    private static readonly string[] Names =
    [
        "exc", "inh", "pop 1", "null", "true", "- dash", "a: b", "#hash", " padded ", "quote\"d", "back\\slash",
        "tab\there", "new\nline", "unicode µ-Ω", "emoji 😀", "[list]", "{map}", "1e3", "-5", "x,y", "'single'", "~",
        "*star", "&amp", "!bang", "%pct", "@at", "`tick`", "...", "---", "L\u2028sep", "ctl\u0001",
    ];

    private static readonly double[] Steps = [0.1, 0.05, 0.25, 0.125, 1, 0.333, 0.025];

    public static NetworkSpec Create(int seed)
    {
        var g = new Draw(seed);
        double dt = g.Pick(Steps);
        var pops = new List<PopulationSpec>();
        int popCount = g.Int(1, 5);
        for (int i = 0; i < popCount; i++) pops.Add(Population(g, i, dt));
        // At least one population that can receive synapses, so that projections are drawn on most specs.
        if (pops.All(p => p.Model.IsSource)) pops.Add(Population(g, popCount, dt, new LifDelta()));
        var receivers = pops.Where(p => !p.Model.IsSource).ToList();

        var projections = Enumerable.Range(0, g.Int(0, 6)).Select(_ => Projection(g, pops, receivers, dt)).ToList();
        var inputs = Enumerable.Range(0, g.Int(0, 3)).Select(_ =>
        {
            var t = g.Pick(receivers);
            return new PoissonInputSpec(t.Name, g.Int(1, 1_000_000), g.Chance(0.1) ? 0 : g.Real(0, 100), Weight(g, t.Model))
            { Receptor = g.Chance(0.5) ? Receptor.Exc : Receptor.Inh };
        }).ToList();
        var currents = Enumerable.Range(0, g.Int(0, 3)).Select(_ => Current(g, g.Pick(receivers))).ToList();
        var state = Enumerable.Range(0, g.Int(0, 2)).Select(_ =>
        {
            var p = g.Pick(receivers);
            var vars = g.Subset(p.Model.StateVariables.Select(v => v.Name).ToList(), atLeastOne: true);
            return new StateRecorderSpec(p.Name, vars, Neurons(g, p.Size)) { Interval = dt * g.Int(1, 10) };
        }).ToList();

        return new NetworkSpec
        {
            Name = g.Chance(0.5) ? "net" : g.Pick(Names),
            Run = new RunSettings { Dt = dt, Duration = g.Chance(0.2) ? 0 : g.Real(0, 2000), Seed = g.Seed() },
            Populations = pops,
            Projections = projections,
            PoissonInputs = inputs,
            Currents = currents,
            Recording = new RecordingSpec { Spikes = g.Subset(pops.Select(p => p.Name).ToList(), atLeastOne: false), State = state },
        };
    }

    private static PopulationSpec Population(Draw g, int index, double dt, NeuronModel? model = null)
    {
        // Names are distinct: a random awkward name, made unique by its index.
        var name = g.Chance(0.3) ? $"p{index}" : $"{g.Pick(Names)}{index}";
        int size = g.Int(1, 40);
        model ??= NeuronModel.Create(g.Pick(NeuronModel.Kinds.Where(k => k != "dataset_input").ToList()))!;
        model = model is SpikeGenerator sg ? SpikeTimes(g, sg, size, dt) : Parameters(g, model);
        var initial = new Dictionary<string, ValueSpec>();
        foreach (var (variable, dim) in model.StateVariables)
            if (g.Chance(0.6)) initial[variable] = Value(g, dim, min: double.NegativeInfinity);
        return new PopulationSpec(name, size, model) { Initial = initial };
    }

    /// <summary>Each parameter is moved away from its default when the model's own checks still pass.</summary>
    private static NeuronModel Parameters(Draw g, NeuronModel model)
    {
        foreach (var p in model.Parameters)
        {
            if (g.Chance(0.2)) continue;
            double old = p.Get(model);
            double value = p.Name == "substeps" ? g.Int(1, 100)
                : double.IsFinite(old) && old != 0 ? old * g.Real(0.5, 1.5)
                : g.Real(-10, 10);
            var candidate = p.Set(model, value);
            if (!candidate.Check().Any()) model = candidate;
        }
        return model;
    }

    private static SpikeGenerator SpikeTimes(Draw g, SpikeGenerator sg, int size, double dt)
    {
        List<double> Times() => Enumerable.Range(0, g.Int(0, 5)).Select(_ => dt + g.Real(0, 500)).Order().ToList();
        var lists = g.Chance(0.5) || size == 1 ? [Times()] : Enumerable.Range(0, size).Select(_ => (IReadOnlyList<double>)Times()).ToList();
        return sg with { SpikeTimes = lists };
    }

    private static ProjectionSpec Projection(Draw g, List<PopulationSpec> pops, List<PopulationSpec> receivers, double dt)
    {
        var source = g.Pick(pops);
        var target = g.Pick(receivers);
        bool allowSelf = g.Chance(0.5);
        bool noSelf = !allowSelf && ReferenceEquals(source, target);
        var weight = Weight(g, target.Model);
        Connector connector = g.Int(0, 6) switch
        {
            0 => new AllToAll(),
            1 when source.Size == target.Size => new OneToOne(),
            1 => new AllToAll(),
            2 => new FixedProbability(g.Chance(0.2) ? g.Pick([0.0, 1.0]) : g.Real(0, 1)),
            3 => g.Chance(0.5)
                ? new FixedNumberPre(g.Int(0, 100), WithReplacement: true)
                : new FixedNumberPre(g.Int(0, Math.Max(0, source.Size - (noSelf ? 1 : 0)))),
            4 => g.Chance(0.5)
                ? new FixedNumberPost(g.Int(0, 100), WithReplacement: true)
                : new FixedNumberPost(g.Int(0, Math.Max(0, target.Size - (noSelf ? 1 : 0)))),
            5 => new FixedTotalNumber(g.Chance(0.2) ? 1_000_000_000_000 : g.Int(0, 1000)),
            _ => FromList(g, source, target, noSelf, weight.Dim, dt),
        };
        if (noSelf && connector is FixedNumberPre { WithReplacement: true } or FixedNumberPost { WithReplacement: true } && source.Size == 1)
            connector = new AllToAll();
        return new ProjectionSpec(source.Name, target.Name, connector with { AllowSelfConnections = allowSelf }, weight,
            Value(g, Dimension.Time, min: dt))
        {
            Receptor = g.Chance(0.5) ? Receptor.Exc : Receptor.Inh,
            Label = g.Chance(0.5) ? null : g.Pick(Names),
        };
    }

    private static FromList FromList(Draw g, PopulationSpec source, PopulationSpec target, bool noSelf, Dimension weightDim, double dt)
    {
        var synapses = new List<ListedSynapse>();
        for (int k = g.Int(0, 8); k > 0; k--)
        {
            int pre = g.Int(0, source.Size - 1), post = g.Int(0, target.Size - 1);
            if (noSelf && pre == post) continue;
            double min = weightDim == Dimension.Conductance ? 0 : -50;
            synapses.Add(new ListedSynapse(pre, post,
                g.Chance(0.5) ? g.Real(min, 50) : null,
                g.Chance(0.5) ? dt + g.Real(0, 20) : null));
        }
        return new FromList(synapses);
    }

    private static ValueSpec Weight(Draw g, NeuronModel target)
    {
        var dim = g.Pick(target.WeightDimensions.ToArray());
        // Conductance weights must not go below zero, which rules out a spread normal.
        return Value(g, dim, min: dim == Dimension.Conductance ? 0 : double.NegativeInfinity);
    }

    /// <summary>A constant, uniform or normal value never below <paramref name="min"/> (normal: mean at least min).</summary>
    private static ValueSpec Value(Draw g, Dimension dim, double min)
    {
        double lo = double.IsFinite(min) ? min : -100;
        switch (g.Int(0, 2))
        {
            case 0:
                return new ConstantValue(g.Chance(0.1) && !double.IsFinite(min) ? g.Pick([1e-300, -5e-324, 1.7976931348623157e308, -0.0]) : lo + g.Real(0, 100), dim);
            case 1:
                double a = lo + g.Real(0, 100);
                return new UniformValue(a, a + g.Real(1e-9, 50), dim);
            default:
                bool spread = !(min == 0) && g.Chance(0.7);
                return new NormalValue(lo + g.Real(0, 100), spread ? g.Real(0, 20) : 0, dim);
        }
    }

    private static CurrentSourceSpec Current(Draw g, PopulationSpec target)
    {
        CurrentSourceSpec c;
        if (g.Chance(0.5))
        {
            double start = g.Chance(0.3) ? 0 : g.Real(0, 500);
            c = new DcCurrentSpec(target.Name, g.Real(-500, 500), start, g.Chance(0.5) ? double.PositiveInfinity : start + g.Real(1e-6, 500));
        }
        else
        {
            var times = new List<double>();
            double t = g.Chance(0.3) ? 0 : g.Real(0, 10);
            for (int k = g.Int(1, 5); k > 0; k--, t += g.Real(1e-6, 100)) times.Add(t);
            c = new StepCurrentSpec(target.Name, times, times.Select(_ => g.Real(-500, 500)).ToList());
        }
        return g.Chance(0.5) ? c : c with { Neurons = Neurons(g, target.Size) };
    }

    private static List<int> Neurons(Draw g, int size) => g.Subset(Enumerable.Range(0, size).ToList(), atLeastOne: true);

    /// <summary>Seeded draws.</summary>
    private sealed class Draw(int seed)
    {
        private readonly Random _rng = new(seed);

        public int Int(int lo, int hi) => _rng.Next(lo, hi + 1);

        public bool Chance(double p) => _rng.NextDouble() < p;

        /// <summary>A full-precision double in [lo, hi): its shortest decimal form has up to 17 digits.</summary>
        public double Real(double lo, double hi) => lo + (hi - lo) * _rng.NextDouble();

        public ulong Seed() => Chance(0.2) ? Pick([0UL, ulong.MaxValue]) : (ulong)_rng.NextInt64() * 2 + (ulong)_rng.Next(2);

        public T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

        /// <summary>A random subset in a random order.</summary>
        public List<T> Subset<T>(List<T> items, bool atLeastOne)
        {
            var chosen = items.Where(_ => Chance(0.5)).OrderBy(_ => _rng.Next()).ToList();
            if (atLeastOne && chosen.Count == 0 && items.Count > 0) chosen.Add(Pick(items));
            return chosen;
        }
    }
}
