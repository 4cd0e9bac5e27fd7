namespace DistSnn.Model;

/// <summary>
/// Builds a <see cref="NetworkSpec"/> in C#, in the spirit of PyNN:
/// <code>
/// var b = new NetworkBuilder("net").WithDt(0.1).WithDuration(1000).WithSeed(42);
/// var exc = b.Population("exc", 100, new LifDelta { TauM = 20 }).Initial("v", new UniformValue(0, 20, Dimension.Voltage));
/// b.Connect(exc, exc, new FixedProbability(0.1), weight: 0.1, delay: 1.5);
/// NetworkSpec spec = b.Build();
/// </code>
/// Plain numbers are in canonical units (ms, mV, nS, pF, pA, Hz); a numeric weight takes the first weight
/// dimension of the target's model (mV for <see cref="LifDelta"/>, nS for <see cref="LifExpCond"/>). Nothing is
/// checked until <see cref="Build"/>, which reports every problem at once.
/// </summary>
public sealed class NetworkBuilder
{
    private readonly List<PopulationHandle> _populations = [];
    private readonly List<ProjectionSpec> _projections = [];
    private readonly List<PoissonInputSpec> _poissonInputs = [];
    private readonly List<CurrentSourceSpec> _currents = [];
    private readonly List<string> _spikes = [];
    private readonly List<(string Population, IReadOnlyList<string> Variables, IReadOnlyList<int> Neurons, double? Interval)> _state = [];
    private readonly string _name;
    private RunSettings _run = new();

    /// <summary>Starts an empty network called <paramref name="name"/>.</summary>
    public NetworkBuilder(string name = "network")
    {
        _name = name;
    }

    private RewardSchedule? _reward;

    /// <summary>Sets the integration step (ms).</summary>
    public NetworkBuilder WithDt(double dtMs)
    {
        _run = _run with { Dt = dtMs };
        return this;
    }

    /// <summary>Sets the simulated time (ms).</summary>
    public NetworkBuilder WithDuration(double durationMs)
    {
        _run = _run with { Duration = durationMs };
        return this;
    }

    /// <summary>Sets the master seed.</summary>
    public NetworkBuilder WithSeed(ulong seed)
    {
        _run = _run with { Seed = seed };
        return this;
    }

    /// <summary>Sets the exchange lag (see <see cref="RunSettings.ExchangeLag"/>); unset = automatic.</summary>
    public NetworkBuilder WithExchangeLag(int lag)
    {
        _run = _run with { ExchangeLag = lag };
        return this;
    }

    /// <summary>Adds a population; populations get global ids in the order they are added.</summary>
    public PopulationHandle Population(string name, int size, NeuronModel model)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(model);
        var handle = new PopulationHandle(this, name, size, model);
        _populations.Add(handle);
        return handle;
    }

    /// <summary>Connects two populations; weight in the target model's first weight unit, delay in ms.</summary>
    public NetworkBuilder Connect(PopulationHandle source, PopulationHandle target, Connector connector,
        double weight, double delay, Receptor receptor = Receptor.Exc, string? label = null, SynapseModel? synapse = null) =>
        Connect(source, target, connector, Own(target).WeightOf(weight), ValueSpec.Of(delay, Dimension.Time), receptor, label, synapse);

    /// <summary>Connects two populations with weights and delays given as values or distributions.</summary>
    public NetworkBuilder Connect(PopulationHandle source, PopulationHandle target, Connector connector,
        ValueSpec weight, ValueSpec delay, Receptor receptor = Receptor.Exc, string? label = null, SynapseModel? synapse = null)
    {
        ArgumentNullException.ThrowIfNull(connector);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(delay);
        _projections.Add(new ProjectionSpec(Own(source).Name, Own(target).Name, connector, weight, delay)
        {
            Receptor = receptor,
            Label = label,
            Synapse = synapse ?? StaticSynapse.Instance,
        });
        return this;
    }

    /// <summary>
    /// Drives every neuron of <paramref name="target"/> with <paramref name="sources"/> independent Poisson
    /// sources of <paramref name="rateHz"/>, each with the given weight (target model's first weight unit).
    /// </summary>
    public NetworkBuilder PoissonInput(PopulationHandle target, int sources, double rateHz, double weight, Receptor receptor = Receptor.Exc) =>
        PoissonInput(target, sources, rateHz, Own(target).WeightOf(weight), receptor);

    /// <summary>Poisson input with the weight given as a value or distribution.</summary>
    public NetworkBuilder PoissonInput(PopulationHandle target, int sources, double rateHz, ValueSpec weight, Receptor receptor = Receptor.Exc)
    {
        ArgumentNullException.ThrowIfNull(weight);
        _poissonInputs.Add(new PoissonInputSpec(Own(target).Name, sources, rateHz, weight) { Receptor = receptor });
        return this;
    }

    /// <summary>Injects a constant current (pA) from <paramref name="startMs"/> to <paramref name="stopMs"/>.</summary>
    public NetworkBuilder Dc(PopulationHandle target, double amplitudePa, double startMs = 0, double stopMs = double.PositiveInfinity,
        IReadOnlyList<int>? neurons = null)
    {
        _currents.Add(new DcCurrentSpec(Own(target).Name, amplitudePa, startMs, stopMs) { Neurons = neurons });
        return this;
    }

    /// <summary>Injects a piecewise-constant current: from timesMs[k] the amplitude is amplitudesPa[k].</summary>
    public NetworkBuilder StepCurrent(PopulationHandle target, IReadOnlyList<double> timesMs, IReadOnlyList<double> amplitudesPa,
        IReadOnlyList<int>? neurons = null)
    {
        ArgumentNullException.ThrowIfNull(timesMs);
        ArgumentNullException.ThrowIfNull(amplitudesPa);
        _currents.Add(new StepCurrentSpec(Own(target).Name, timesMs, amplitudesPa) { Neurons = neurons });
        return this;
    }

    /// <summary>Records the spikes of the given populations.</summary>
    public NetworkBuilder RecordSpikes(params PopulationHandle[] populations)
    {
        ArgumentNullException.ThrowIfNull(populations);
        foreach (var p in populations) _spikes.Add(Own(p).Name);
        return this;
    }

    /// <summary>Records the spikes of every population added so far.</summary>
    public NetworkBuilder RecordAllSpikes()
    {
        foreach (var p in _populations)
            if (!_spikes.Contains(p.Name))
                _spikes.Add(p.Name);
        return this;
    }

    /// <summary>Samples state variables of some neurons every <paramref name="intervalMs"/> (default: every step).</summary>
    public NetworkBuilder RecordState(PopulationHandle population, IReadOnlyList<string> variables, IReadOnlyList<int> neurons,
        double? intervalMs = null)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(neurons);
        _state.Add((Own(population).Name, variables, neurons, intervalMs));
        return this;
    }

    /// <summary>Sets the reward signal for reward-modulated synapses: Values[k] from Times[k] (ms) on.</summary>
    public NetworkBuilder WithReward(IReadOnlyList<double> timesMs, IReadOnlyList<double> values)
    {
        _reward = new RewardSchedule([.. timesMs], [.. values]);
        return this;
    }

    /// <summary>The network described so far, without validation.</summary>
    public NetworkSpec ToSpec() => new()
    {
        Reward = _reward,
        Name = _name,
        Run = _run,
        Populations = _populations.Select(p => p.ToSpec()).ToList(),
        Projections = [.. _projections],
        PoissonInputs = [.. _poissonInputs],
        Currents = [.. _currents],
        Recording = new RecordingSpec
        {
            Spikes = [.. _spikes],
            State = _state.Select(s => new StateRecorderSpec(s.Population, s.Variables, s.Neurons) { Interval = s.Interval ?? _run.Dt })
                .ToList(),
        },
    };

    /// <summary>The validated network; throws <see cref="ModelException"/> listing every problem.</summary>
    public NetworkSpec Build() => ToSpec().Validated();

    private PopulationHandle Own(PopulationHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!ReferenceEquals(handle.Owner, this))
            throw new ArgumentException($"population '{handle.Name}' belongs to another NetworkBuilder", nameof(handle));
        return handle;
    }
}

/// <summary>A population added to a <see cref="NetworkBuilder"/>; pass it to Connect, RecordSpikes and the like.</summary>
public sealed class PopulationHandle
{
    private readonly Dictionary<string, ValueSpec> _initial = new(StringComparer.Ordinal);

    internal PopulationHandle(NetworkBuilder owner, string name, int size, NeuronModel model)
    {
        Owner = owner;
        Name = name;
        Size = size;
        Model = model;
    }

    internal NetworkBuilder Owner { get; }

    /// <summary>Population name.</summary>
    public string Name { get; }

    /// <summary>Number of neurons or sources.</summary>
    public int Size { get; }

    /// <summary>Neuron model with its parameters.</summary>
    public NeuronModel Model { get; }

    /// <summary>Sets the initial value (or distribution) of a state variable.</summary>
    public PopulationHandle Initial(string variable, ValueSpec value)
    {
        ArgumentNullException.ThrowIfNull(variable);
        ArgumentNullException.ThrowIfNull(value);
        _initial[variable] = value;
        return this;
    }

    /// <summary>Sets a constant initial value, in the canonical unit of the variable's dimension.</summary>
    public PopulationHandle Initial(string variable, double value)
    {
        ArgumentNullException.ThrowIfNull(variable);
        // An unknown variable keeps a plain number so that Build reports the name rather than a unit.
        var dim = Model.StateVariables.Where(s => s.Name == variable).Select(s => (Dimension?)s.Dim).FirstOrDefault()
                  ?? Dimension.Dimensionless;
        return Initial(variable, ValueSpec.Of(value, dim));
    }

    /// <summary>
    /// Gives parameter <paramref name="parameter"/> one value per neuron (data, e.g. <see cref="ArrayValue.FromList"/>,
    /// or a distribution); it must be one of the model's <see cref="NeuronModel.PerNeuronParameters"/>.
    /// </summary>
    public PopulationHandle PerNeuron(string parameter, ValueSpec value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(value);
        _perNeuron[parameter] = value;
        return this;
    }

    private readonly Dictionary<string, ValueSpec> _perNeuron = new(StringComparer.Ordinal);

    internal ValueSpec WeightOf(double weight) =>
        ValueSpec.Of(weight, Model.WeightDimensions.Count > 0 ? Model.WeightDimensions[0] : Dimension.Dimensionless);

    /// <summary>Hosts the population on the partitions of backend <paramref name="backend"/> (default <c>cpu</c>).</summary>
    public PopulationHandle OnBackend(string backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        _backend = backend;
        return this;
    }

    private string? _backend;

    internal PopulationSpec ToSpec() => new(Name, Size, Model) { Initial = new Dictionary<string, ValueSpec>(_initial), PerNeuron = new Dictionary<string, ValueSpec>(_perNeuron), Backend = _backend };

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Size} x {Model.Kind})";
}
