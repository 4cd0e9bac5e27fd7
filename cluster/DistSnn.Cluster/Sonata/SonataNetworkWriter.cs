using DistSnn.Model;

namespace DistSnn.Cluster.Sonata;

/// <summary>What an export wrote.</summary>
/// <param name="Directory">The folder written.</param>
/// <param name="NodePopulations">Node populations (name, nodes), in the model's order.</param>
/// <param name="EdgePopulations">Edge populations (name, edges), in the model's order of projections.</param>
/// <param name="Extensions">The <c>distsnn:</c> keys and templates used, sorted; empty for a network SONATA says in full.</param>
public sealed record SonataExport(string Directory, IReadOnlyList<(string Name, long Nodes)> NodePopulations,
    IReadOnlyList<(string Name, long Edges)> EdgePopulations, IReadOnlyList<string> Extensions);

/// <summary>
/// Writes a DistSnn network as a SONATA point-neuron network (the exchange format of BMTK, NEST's
/// <c>SonataNetwork</c> and libsonata), which <c>distsnn run simulation_config.json</c> reads back into the same
/// spikes. Every synapse is written as the engine builds it, every per-neuron value as the engine sets it, so the
/// files hold the network itself rather than the recipe that draws it:
/// <list type="bullet">
/// <item><c>circuit_config.json</c>, <c>simulation_config.json</c> (run, inputs, reports, node sets);</item>
/// <item><c>nodes.h5</c>, <c>node_types.csv</c>, <c>point_neuron_models/&lt;pop&gt;.json</c> (see <see cref="NodeFiles"/>);</item>
/// <item><c>edges.h5</c>, <c>edge_types.csv</c>, <c>synaptic_models/&lt;edges&gt;.json</c> (see <see cref="EdgeFiles"/>);</item>
/// <item><c>inputs/&lt;pop&gt;_spikes.h5</c> for spike_generator populations (see <see cref="SimulationFiles"/>).</item>
/// </list>
/// What SONATA cannot say is written as <c>distsnn:</c> extensions where DistSnn can read it back (Poisson inputs,
/// plasticity rules, poisson_generator sources, the seed of draws made while running, adaptive thresholds) and refused
/// otherwise (models without a NEST counterpart, data sets, per-neuron current amplitudes, weights whose sign NEST's
/// convention would misread), with a <see cref="ModelException"/> naming every such field before anything is written.
/// </summary>
public static class SonataNetworkWriter
{
    /// <summary>
    /// Writes <paramref name="spec"/> into <paramref name="directory"/> (created if needed; files of the same names are
    /// replaced). <paramref name="modelFile"/> names the model in errors.
    /// </summary>
    /// <exception cref="ModelException">The model is invalid, or holds something SONATA cannot say.</exception>
    public static SonataExport Write(NetworkSpec spec, string directory, string? modelFile = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        NetworkValidator.ThrowIfInvalid(spec, modelFile);
        var plan = ExportPlan.Create(spec, modelFile);

        Directory.CreateDirectory(directory);
        var extensions = new SortedSet<string>(StringComparer.Ordinal);
        NodeFiles.Write(plan, directory, extensions);
        EdgeFiles.Write(plan, directory, extensions);
        SimulationFiles.WriteCircuit(plan, directory);
        SimulationFiles.WriteSimulation(plan, directory, extensions);
        return new SonataExport(directory,
            plan.Nodes.Select(n => (n.Name, (long)n.Spec.Size)).ToList(),
            plan.Edges.Select(e => (e.Name, e.Count)).ToList(),
            extensions.ToList());
    }
}
