using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// The two SpiNNaker backends as registry entries: <c>spinnaker</c> (s16.15 kernels, modelled time, buffers and links)
/// and <c>spinnaker:ideal</c> (the CPU's float kernels through the same keys, tables and master population tables,
/// nothing limited). Both host <c>lif_delta</c>, <c>lif_exp_current</c> and the spike sources, static synapses on the
/// excitatory and inhibitory receptors, delays of 1 to 16 + 16 × stages ticks (the machine's settings decide), Poisson inputs, injected currents and
/// state recording; the whole model is checked against the machine (options, weight signs, the mapping) before a run.
/// </summary>
public static class SpiNNakerBackend
{
    private static readonly string[] Models = ["lif_delta", "lif_exp_current", "poisson_generator", "spike_generator"];

    /// <summary>The fixed-point, timed backend.</summary>
    public static BackendType Fixed { get; } = Type(SpiNNakerPartition.FixedName, ideal: false);

    /// <summary>The ideal backend.</summary>
    public static BackendType Ideal { get; } = Type(SpiNNakerPartition.IdealName, ideal: true);

    /// <summary><paramref name="registry"/> with both SpiNNaker backends added.</summary>
    public static BackendRegistry AddTo(BackendRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.With(Fixed).With(Ideal);
    }

    private static BackendType Type(string name, bool ideal) => new(name, new BackendCapabilities
    {
        NeuronModels = Models,
        CheckModel = (spec, hosted) => CheckModel(spec, hosted, name, ideal),
    }, (spec, partition, owned) => new SpiNNakerPartition(spec, partition, owned, ideal))
    {
        Summarize = SpiNNakerSummary.Summarize,
        Role = Role,
    };

    /// <summary>The cluster role of nodes that host modelled SpiNNaker boards (<c>distsnn node --role spinnaker</c>).</summary>
    public const string Role = "spinnaker";

    /// <summary>
    /// What keeps <paramref name="spec"/> off the machine: bad <c>backends.spinnaker</c> options, the two SpiNNaker
    /// backends mixed, adaptive thresholds (the kernels have none), weights whose sign the receptor cannot give, and
    /// anything the mapping refuses (delays too long, a machine too small, a router table too full).
    /// </summary>
    private static IEnumerable<ModelError> CheckModel(NetworkSpec spec, IReadOnlyList<int> hosted, string name, bool ideal)
    {
        var (settings, errors) = SpiNNakerSettings.Read(spec);
        foreach (var e in errors) yield return e;
        if (settings is null) yield break;
        var other = ideal ? SpiNNakerPartition.FixedName : SpiNNakerPartition.IdealName;
        int mixed = spec.Populations.ToList().FindIndex(p => p.BackendName == other);
        if (mixed >= 0)
        {
            yield return new ModelError($"populations[{mixed}].backend", $"population '{spec.Populations[mixed].Name}' is on '{other}' and others on '{name}': a run uses one SpiNNaker machine, modelled one way");
            yield break;
        }
        bool bad = false;
        long maxDelay = settings.Parameters.MaxDelayTicks;
        foreach (int p in hosted)
        {
            var pop = spec.Populations[p];
            for (int j = 0; j < spec.Projections.Count; j++)
            {
                if (spec.Projections[j].Target != pop.Name) continue;
                // The machine's limit comes from its settings (delay_extension_stages), so it is checked here.
                var (lo, hi) = spec.Projections[j].DelayStepRange(spec.Run.Grid);
                if (hi <= maxDelay) continue;
                bad = true;
                yield return new ModelError($"projections[{j}].delay", $"population '{pop.Name}' on backend '{name}': delays of {lo} to {hi} steps are outside the supported 1 to {maxDelay} " +
                                                                       $"({settings.Parameters.CoreDelayTicks} on the core and {settings.Parameters.DelayExtensionStages} delay-extension stages of {settings.Parameters.CoreDelayTicks})");
            }
            double theta = pop.Model switch { LifDelta d => d.ThetaPlus, LifExpCurrent e => e.ThetaPlus, _ => 0 };
            if (theta != 0 && !ideal)
            {
                bad = true;
                yield return new ModelError($"populations[{p}].parameters.theta_plus", $"population '{pop.Name}' on backend '{name}': adaptive thresholds are not supported (theta_plus must be 0)");
            }
            for (int j = 0; j < spec.Projections.Count; j++)
            {
                var proj = spec.Projections[j];
                if (proj.Target != pop.Name || pop.Model.IsSource) continue;
                if (SignError(proj.Weight, proj.Receptor) is { } why)
                {
                    bad = true;
                    yield return new ModelError($"projections[{j}].weight", $"population '{pop.Name}' on backend '{name}': {why}");
                }
            }
            for (int k = 0; k < spec.PoissonInputs.Count; k++)
                if (spec.PoissonInputs[k].Target == pop.Name && SignError(spec.PoissonInputs[k].Weight, spec.PoissonInputs[k].Receptor) is { } why)
                {
                    bad = true;
                    yield return new ModelError($"poisson_inputs[{k}].weight", $"population '{pop.Name}' on backend '{name}': {why}");
                }
        }
        if (bad) yield break;
        string? refused = null;
        try
        {
            settings.Map(spec);
        }
        catch (MappingException e)
        {
            refused = e.Message;
        }
        if (refused is not null)
            yield return new ModelError(refused.StartsWith("projections[", StringComparison.Ordinal) ? refused[..refused.IndexOf(':', StringComparison.Ordinal)] : $"backends.{SpiNNakerSettings.Section}",
                $"backend '{name}': {refused}");
    }

    /// <summary>Why weights of <paramref name="weight"/> cannot go through <paramref name="receptor"/> as unsigned words, or null.</summary>
    private static string? SignError(ValueSpec weight, Receptor receptor)
    {
        // Distributions without bounds may draw the odd weight of the other sign: those are stored as 0 and counted.
        if (weight is NormalValue { Sigma: > 0 }) return null;
        if (receptor == Receptor.Exc && weight.Lower < 0)
            return $"weights down to {weight.Lower} on the excitatory receptor; SpiNNaker weights are unsigned and the receptor gives the sign, so excitatory weights must be >= 0";
        if (receptor == Receptor.Inh && weight.Upper > 0)
            return $"weights up to {weight.Upper} on the inhibitory receptor; SpiNNaker weights are unsigned and the receptor gives the sign, so inhibitory weights must be <= 0";
        return null;
    }
}
