using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;

namespace DistSnn.Hardware.Memristive;

/// <summary>
/// The memristive backends as registry entries: <c>memristive</c> (the <c>rram_neurosim</c> preset) and
/// <c>memristive:PRESET</c> for every preset. Each hosts every neuron model of the CPU (its kernels are the chip's
/// peripheral neurons) and puts the chosen projections onto its neurons on crossbars; the rest of its synapses stay on
/// the CPU. Nodes that host chips take the cluster role <c>memristive</c>.
/// </summary>
public static class MemristiveBackend
{
    /// <summary>The cluster role of nodes that host modelled memristive chips (<c>distsnn node --role memristive</c>).</summary>
    public const string Role = "memristive";

    /// <summary>Every memristive backend: the plain name first, then one per preset.</summary>
    public static IReadOnlyList<BackendType> Types { get; } =
        new[] { MemristiveSettings.Section }.Concat(DeviceParameters.PresetNames.Select(p => $"{MemristiveSettings.Section}:{p}")).Select(Type).ToArray();

    /// <summary><paramref name="registry"/> with every memristive backend added.</summary>
    public static BackendRegistry AddTo(BackendRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var t in Types) registry = registry.With(t);
        return registry;
    }

    private static BackendType Type(string name) => new(name, new BackendCapabilities
    {
        NeuronModels = NeuronModel.Kinds,
        PlasticityRules = SynapseModel.Kinds.Where(k => k != StaticSynapse.Instance.Kind).ToArray(),
        MaxDelaySteps = ushort.MaxValue,
        CheckModel = (spec, hosted) => CheckModel(spec, hosted, name),
    }, (spec, partition, owned) => new MemristivePartition(spec, partition, owned, name))
    {
        Summarize = MemristiveSummary.Summarize,
        Role = Role,
    };

    /// <summary>
    /// What keeps <paramref name="spec"/> off the chips: bad <c>backends.memristive</c> options, a <c>crossbars</c>
    /// entry that names no projection onto a hosted population, crossbar projections whose delays differ between
    /// synapses or whose weights are all 0, and more tiles than the chips given hold.
    /// </summary>
    public static IEnumerable<ModelError> CheckModel(NetworkSpec spec, IReadOnlyList<int> hosted, string name)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(hosted);
        string preset = MemristiveSettings.PresetOf(name) ?? name;
        var (p, errors) = MemristiveSettings.Read(spec, preset);
        foreach (var e in errors) yield return e;
        if (p is null) yield break;
        var (chosen, choiceErrors) = MemristiveSettings.Chosen(spec, p, hosted);
        foreach (var e in choiceErrors) yield return e;
        if (choiceErrors.Count > 0) yield break;
        bool bad = false;
        for (int j = 0; j < spec.Projections.Count; j++)
        {
            if (!chosen[j]) continue;
            var proj = spec.Projections[j];
            var (lo, hi) = proj.DelayStepRange(spec.Run.Grid);
            if (lo != hi || proj.Delay is NormalValue { Sigma: > 0 })
            {
                bad = true;
                yield return new ModelError($"projections[{j}].delay", $"population '{proj.Target}' on backend '{name}': a crossbar reads all its rows into one input slot, so projections[{j}] needs one delay for all its synapses (got {lo} to {hi} steps); keep it on the CPU with backends.memristive.crossbars");
            }
            double range = CrossbarSubstrate.WeightRange(spec, j);
            if (!(range > 0) || !double.IsFinite(range))
            {
                bad = true;
                yield return new ModelError($"projections[{j}].weight", $"population '{proj.Target}' on backend '{name}': the weights of projections[{j}] give no conductance range (largest magnitude {range})");
            }
        }
        if (bad) yield break;
        if (CrossbarTiling.Overflow(CrossbarTiling.Of(spec, p, chosen), p) is { } overflow)
            yield return new ModelError($"backends.{MemristiveSettings.Section}.chips",
                $"backend '{name}': projections[{overflow.Projection.Projection}] ({overflow.Projection.Name}, {overflow.Projection.Rows} x {overflow.Projection.Columns} neurons, {overflow.Projection.Tiles} tiles of {p.TileRows} x {p.TileColumns}) " +
                $"does not fit: {overflow.Needed} tiles needed so far, {p.Chips} chip(s) of {p.TilesPerChip} tiles hold {overflow.Available}");
    }

    /// <summary>
    /// The CPU engine of one memristive partition, for runtimes that drive engines directly (the trainer): the chosen
    /// projections on crossbars of preset <paramref name="backend"/>'s devices.
    /// </summary>
    public static PartitionEngine Engine(NetworkSpec spec, int partition, IReadOnlyList<int[]> owned, string backend) =>
        new MemristivePartition(spec, partition, owned, backend).Engine;
}
