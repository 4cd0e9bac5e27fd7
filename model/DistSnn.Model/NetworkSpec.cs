namespace DistSnn.Model;

/// <summary>Simulation settings. All times in ms.</summary>
public sealed record RunSettings
{
    /// <summary>Integration step (ms). Every delay is a whole number of steps.</summary>
    public double Dt { get; init; } = 0.1;
    /// <summary>Biological time to simulate (ms).</summary>
    public double Duration { get; init; } = 1000;
    /// <summary>Master seed; with the model it fixes every random number of the run.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// How many exchange epochs a partition may run ahead of the spikes it has received (null = automatic, see
    /// <see cref="NetworkSpec.ExchangeLag"/>). With lag k an epoch is min delay / k steps long and the packets of
    /// epoch e are needed only before epoch e + k runs, so their transit overlaps k - 1 epochs of computation.
    /// Part of the model because plasticity is processed at epoch boundaries.
    /// </summary>
    public int? ExchangeLag { get; init; }

    /// <summary>The time grid of <see cref="Dt"/>: the one place where ms become steps.</summary>
    public TimeGrid Grid => new(Dt);

    /// <summary>Number of steps to simulate (duration rounded to whole steps, see <see cref="TimeGrid.Steps"/>).</summary>
    public long Steps => Grid.Steps(Duration);
}

/// <summary>
/// A group of neurons (or spike sources) of one model. <see cref="Initial"/> maps state variable names to
/// initial values; variables not listed start at their model's resting value.
/// </summary>
public sealed record PopulationSpec(string Name, int Size, NeuronModel Model)
{
    /// <summary>Initial values of state variables, by variable name.</summary>
    public IReadOnlyDictionary<string, ValueSpec> Initial { get; init; } = new Dictionary<string, ValueSpec>();

    /// <summary>
    /// Parameters that differ between neurons (a list, an HDF5 dataset or a distribution per neuron), by parameter
    /// name; each must be one of <see cref="NeuronModel.PerNeuronParameters"/>. They override the model's value of
    /// the same parameter, which then only serves as a default.
    /// </summary>
    public IReadOnlyDictionary<string, ValueSpec> PerNeuron { get; init; } = new Dictionary<string, ValueSpec>();

    /// <summary>
    /// For a part of an imported population (a SONATA population whose nodes need different models or parameters):
    /// that population and each neuron's node id there. Spike files are written under that population with those ids.
    /// Null for populations that stand for themselves.
    /// </summary>
    public PopulationOrigin? Origin { get; init; }

    /// <summary>
    /// The kind of partition that hosts this population's neurons (a backend name such as <c>cpu</c>); null is the
    /// default, <see cref="DefaultBackend"/>. A partition holds populations of one backend only.
    /// </summary>
    public string? Backend { get; init; }

    /// <summary>The backend of populations that name none.</summary>
    public const string DefaultBackend = "cpu";

    /// <summary>The backend that hosts this population.</summary>
    public string BackendName => Backend ?? DefaultBackend;
}

/// <summary>The population a part of an imported population belongs to, and the node id there of each of its neurons.</summary>
public sealed record PopulationOrigin(string Population, IReadOnlyList<int> NodeIds);

/// <summary>
/// Synapses from <see cref="Source"/> to <see cref="Target"/> (population names). Weight is in the unit of the
/// target model's synaptic variable (mV for delta/current-in-voltage synapses, pA, or nS); delay in ms, rounded to
/// whole steps.
/// </summary>
public sealed record ProjectionSpec(string Source, string Target, Connector Connector, ValueSpec Weight, ValueSpec Delay)
{
    /// <summary>Which input of the target neurons the synapses feed.</summary>
    public Receptor Receptor { get; init; } = Receptor.Exc;
    /// <summary>Optional label, used in messages and reports.</summary>
    public string? Label { get; init; }
    /// <summary>Synapse type: static (default) or one of the plastic rules.</summary>
    public SynapseModel Synapse { get; init; } = StaticSynapse.Instance;

    /// <summary>
    /// The delays its synapses can have, in whole steps of <paramref name="grid"/> (at least 1): the bounds of the delay
    /// distribution, a normal one taken as its mean ± <paramref name="normalSigmas"/> standard deviations, and every
    /// listed delay. A delay beyond the grid's range counts as <see cref="long.MaxValue"/> steps.
    /// </summary>
    public (long Lo, long Hi) DelayStepRange(TimeGrid grid, double normalSigmas = 0)
    {
        long Steps(double ms) => Math.Abs(ms) <= TimeGrid.MaxMs ? Math.Max(1, grid.Steps(ms)) : long.MaxValue;
        var (lo, hi) = Delay is NormalValue { Sigma: > 0 } n
            ? (Steps(n.Mu - normalSigmas * n.Sigma), Steps(n.Mu + normalSigmas * n.Sigma))
            : (Steps(Delay.Lower), Steps(Delay.Upper));
        if (Connector is FromList list)
            foreach (var s in list.Synapses)
                if (s.Delay is double d)
                {
                    lo = Math.Min(lo, Steps(d));
                    hi = Math.Max(hi, Steps(d));
                }
        return (lo, hi);
    }
}

/// <summary>
/// <see cref="Sources"/> independent Poisson sources of rate <see cref="Rate"/> onto every neuron of
/// <see cref="Target"/>, each with weight <see cref="Weight"/>. Drawn per step and neuron as one Poisson count of
/// mean Sources * Rate * dt (Brian2's <c>PoissonInput</c>), so its cost does not grow with the number of sources.
/// </summary>
public sealed record PoissonInputSpec(string Target, int Sources, double Rate, ValueSpec Weight)
{
    /// <summary>Which input the events feed.</summary>
    public Receptor Receptor { get; init; } = Receptor.Exc;
}

/// <summary>A current injected into some or all neurons of a population (pA, added to i_e).</summary>
public abstract record CurrentSourceSpec(string Target)
{
    /// <summary>Local indices of the neurons that receive the current; null for all.</summary>
    public IReadOnlyList<int>? Neurons { get; init; }
}

/// <summary>
/// Constant <see cref="Amplitude"/> (pA) from <see cref="Start"/> to <see cref="Stop"/> (ms); with
/// <see cref="Amplitudes"/> each neuron (of the target, or of <see cref="CurrentSourceSpec.Neurons"/> in that order)
/// has its own amplitude instead, e.g. the bias of a trained network.
/// </summary>
public sealed record DcCurrentSpec(string Target, double Amplitude, double Start = 0, double Stop = double.PositiveInfinity)
    : CurrentSourceSpec(Target)
{
    /// <summary>One amplitude (pA) per neuron, or null for <see cref="Amplitude"/> on all.</summary>
    public ArrayValue? Amplitudes { get; init; }
}

/// <summary>Piecewise-constant current: from Times[k] (ms) the amplitude is Amplitudes[k] (pA); zero before Times[0].</summary>
public sealed record StepCurrentSpec(string Target, IReadOnlyList<double> Times, IReadOnlyList<double> Amplitudes)
    : CurrentSourceSpec(Target);

/// <summary>Sampled state variables of chosen neurons of one population, every <see cref="Interval"/> ms.</summary>
public sealed record StateRecorderSpec(string Population, IReadOnlyList<string> Variables, IReadOnlyList<int> Neurons)
{
    /// <summary>Sampling interval (ms), a whole number of steps.</summary>
    public double Interval { get; init; } = 0.1;
}

/// <summary>What a run records: spikes of the named populations, and sampled state.</summary>
public sealed record RecordingSpec
{
    /// <summary>Populations whose spikes are recorded.</summary>
    public IReadOnlyList<string> Spikes { get; init; } = [];
    /// <summary>State recorders.</summary>
    public IReadOnlyList<StateRecorderSpec> State { get; init; } = [];
}

/// <summary>
/// A whole network: pure data, validated by <see cref="NetworkValidator"/>. Populations get consecutive global
/// ids in declaration order, starting at 0.
/// </summary>
public sealed record NetworkSpec
{
    /// <summary>Name of the network (reports, summary).</summary>
    public string Name { get; init; } = "network";
    /// <summary>Simulation settings.</summary>
    public RunSettings Run { get; init; } = new();
    /// <summary>Populations, in global-id order.</summary>
    public IReadOnlyList<PopulationSpec> Populations { get; init; } = [];
    /// <summary>Projections.</summary>
    public IReadOnlyList<ProjectionSpec> Projections { get; init; } = [];
    /// <summary>Poisson inputs onto populations.</summary>
    public IReadOnlyList<PoissonInputSpec> PoissonInputs { get; init; } = [];
    /// <summary>Injected currents.</summary>
    public IReadOnlyList<CurrentSourceSpec> Currents { get; init; } = [];
    /// <summary>What to record.</summary>
    public RecordingSpec Recording { get; init; } = new();
    /// <summary>Reward signal for reward-modulated plasticity; null = no reward.</summary>
    public RewardSchedule? Reward { get; init; }
    /// <summary>A data set presented to the network, or null.</summary>
    public DatasetSpec? Dataset { get; init; }

    /// <summary>
    /// Settings of the backends the populations name, by backend name (YAML <c>backends:</c>), each a map of option
    /// name to its text as written; the backend reads and checks its own (e.g. the machine of <c>spinnaker</c>).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> BackendOptions { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>Total number of neurons and sources.</summary>
    public long TotalNeurons => Populations.Sum(p => (long)p.Size);

    /// <summary>Index of the population named <paramref name="name"/>, or -1.</summary>
    public int PopulationIndex(string name)
    {
        for (int i = 0; i < Populations.Count; i++)
            if (Populations[i].Name == name) return i;
        return -1;
    }

    /// <summary>First global id of each population, plus the total at the end.</summary>
    public long[] FirstGids()
    {
        var first = new long[Populations.Count + 1];
        for (int i = 0; i < Populations.Count; i++) first[i + 1] = first[i] + Populations[i].Size;
        return first;
    }

    /// <summary>A delay in ms as whole steps (rounded to nearest, see <see cref="TimeGrid.Steps"/>).</summary>
    public long DelaySteps(double delayMs) => Run.Grid.Steps(delayMs);

    /// <summary>
    /// The smallest delay any synapse can have, in steps: the epoch length. Derived from the specification (the
    /// lower bounds of delay distributions, with drawn delays never below one step), never from the synapses a
    /// partition happens to hold, so it does not change with partitioning. Networks without projections get an
    /// epoch of 1 ms worth of steps.
    /// </summary>
    public long MinDelaySteps()
    {
        long min = long.MaxValue;
        foreach (var p in Projections)
        {
            long lo = p.Delay.Lower is var l && double.IsFinite(l) ? Math.Max(1, DelaySteps(l)) : 1;
            if (p.Connector is FromList fl)
                foreach (var s in fl.Synapses)
                    if (s.Delay is double d) lo = Math.Min(lo, Math.Max(1, DelaySteps(d)));
            min = Math.Min(min, lo);
        }
        return min == long.MaxValue ? Math.Max(1, Run.Grid.Steps(1.0)) : min;
    }

    /// <summary>
    /// The exchange lag in effect: <see cref="RunSettings.ExchangeLag"/> when set, otherwise 2 for networks without
    /// plastic synapses whose minimum delay is at least 2 steps (their spikes do not depend on the epoch length, so
    /// the lag only hides transit time) and 1 otherwise (plasticity keeps its boundaries at every minimum delay).
    /// Never more than the minimum delay in steps.
    /// </summary>
    public int ExchangeLag()
    {
        long min = MinDelaySteps();
        if (Run.ExchangeLag is int set) return (int)Math.Clamp(set, 1, min);
        bool plastic = Projections.Any(p => p.Synapse.IsPlastic);
        return !plastic && min >= 2 ? 2 : 1;
    }

    /// <summary>
    /// Steps per exchange epoch: the minimum delay divided by the lag (rounded down), so that a spike emitted in
    /// epoch e arrives no earlier than epoch e + lag. Depends on the model only, never on the partitioning.
    /// </summary>
    public long EpochSteps() => Math.Max(1, MinDelaySteps() / ExchangeLag());
}
