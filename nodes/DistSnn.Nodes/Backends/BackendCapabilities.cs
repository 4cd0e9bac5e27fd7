using DistSnn.Model;

namespace DistSnn.Nodes.Backends;

/// <summary>
/// What a backend can host, checked when a run is planned (<see cref="BackendRegistry.Check"/>) so that an
/// unsupported model is refused before anything is built, with an error naming the population (or projection) and
/// what is unsupported. Only what acts on the population's own neurons counts: its model, the synapses onto it
/// (synapses live with their target), and the inputs and recorders attached to it.
/// </summary>
public sealed record BackendCapabilities
{
    /// <summary>Neuron models (<see cref="NeuronModel.Kind"/>) the backend runs.</summary>
    public required IReadOnlyList<string> NeuronModels { get; init; }

    /// <summary>Receptors synapses onto its neurons may use.</summary>
    public IReadOnlyList<Receptor> Receptors { get; init; } = [Receptor.Exc, Receptor.Inh];

    /// <summary>Plastic synapse models (<see cref="SynapseModel.Kind"/>) onto its neurons; static synapses are always supported.</summary>
    public IReadOnlyList<string> PlasticityRules { get; init; } = [];

    /// <summary>The shortest synaptic delay onto its neurons, in steps (at least 1).</summary>
    public long MinDelaySteps { get; init; } = 1;

    /// <summary>The longest synaptic delay onto its neurons, in steps (bounded delays only; normal draws are checked by their mean).</summary>
    public long MaxDelaySteps { get; init; } = long.MaxValue;

    /// <summary>Whether <c>poisson_inputs</c> may drive its neurons.</summary>
    public bool PoissonInputs { get; init; } = true;

    /// <summary>Whether <c>currents</c> may be injected into its neurons.</summary>
    public bool Currents { get; init; } = true;

    /// <summary>Whether its neurons' state can be recorded (<c>record.state</c>).</summary>
    public bool StateRecording { get; init; } = true;

    /// <summary>Whether its neurons may take parameters that differ per neuron (<see cref="PopulationSpec.PerNeuron"/>).</summary>
    public bool PerNeuronParameters { get; init; }

    /// <summary>
    /// Checks of the whole model beyond the fields above (the backend's options, whether the model fits its machine):
    /// every reason the model cannot run on the backend, given the populations it hosts. Null: none.
    /// </summary>
    public Func<NetworkSpec, IReadOnlyList<int>, IEnumerable<ModelError>>? CheckModel { get; init; }

    /// <summary>
    /// Every reason why backend <paramref name="backend"/> with these capabilities cannot host population
    /// <paramref name="population"/> of <paramref name="spec"/>; empty when it can.
    /// </summary>
    public IEnumerable<ModelError> Check(NetworkSpec spec, int population, string backend)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var pop = spec.Populations[population];
        string path = $"populations[{population}]";
        string who = $"population '{pop.Name}' on backend '{backend}'";
        if (!NeuronModels.Contains(pop.Model.Kind))
            yield return new ModelError($"{path}.model", $"{who}: neuron model {pop.Model.Kind} is not supported (supported: {string.Join(", ", NeuronModels)})");
        if (!PerNeuronParameters)
            foreach (var name in pop.PerNeuron.Keys.Order(StringComparer.Ordinal))
                yield return new ModelError($"{path}.parameters.{name}", $"{who}: parameters that differ per neuron are not supported; give {name} one value");
        var grid = spec.Run.Grid;
        for (int j = 0; j < spec.Projections.Count; j++)
        {
            var proj = spec.Projections[j];
            if (proj.Target != pop.Name) continue;
            string jpath = $"projections[{j}]";
            if (!Receptors.Contains(proj.Receptor))
                yield return new ModelError($"{jpath}.receptor", $"{who}: receptor {Name(proj.Receptor)} is not supported (supported: {string.Join(", ", Receptors.Select(Name))})");
            if (proj.Synapse.IsPlastic && !PlasticityRules.Contains(proj.Synapse.Kind))
                yield return new ModelError($"{jpath}.synapse", $"{who}: plasticity rule {proj.Synapse.Kind} is not supported (supported: {(PlasticityRules.Count == 0 ? "none" : string.Join(", ", PlasticityRules))})");
            var (lo, hi) = proj.DelayStepRange(grid);
            if (lo < MinDelaySteps || hi > MaxDelaySteps)
                yield return new ModelError($"{jpath}.delay", $"{who}: delays of {lo} to {hi} steps are outside the supported {MinDelaySteps} to {MaxDelaySteps}");
        }
        if (!PoissonInputs)
            for (int k = 0; k < spec.PoissonInputs.Count; k++)
                if (spec.PoissonInputs[k].Target == pop.Name)
                    yield return new ModelError($"poisson_inputs[{k}]", $"{who}: Poisson inputs are not supported");
        if (!Currents)
            for (int k = 0; k < spec.Currents.Count; k++)
                if (spec.Currents[k].Target == pop.Name)
                    yield return new ModelError($"currents[{k}]", $"{who}: injected currents are not supported");
        if (!StateRecording)
            for (int k = 0; k < spec.Recording.State.Count; k++)
                if (spec.Recording.State[k].Population == pop.Name)
                    yield return new ModelError($"record.state[{k}]", $"{who}: state recording is not supported");
    }

    private static string Name(Receptor r) => r == Receptor.Exc ? "exc" : "inh";
}
