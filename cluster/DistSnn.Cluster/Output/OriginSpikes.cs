using DistSnn.Model;

namespace DistSnn.Cluster.Output;

/// <summary>
/// Spikes as the populations a model was imported from name them: the parts of a SONATA population that needed
/// several DistSnn populations (<see cref="PopulationSpec.Origin"/>) are written together again under its name, each
/// spike with its node id there.
/// </summary>
public static class OriginSpikes
{
    /// <summary>
    /// <paramref name="spikes"/> (one entry per recorded population of <paramref name="spec"/>) with the parts of each
    /// origin merged in place of its first part; unchanged when no population has an origin.
    /// </summary>
    public static IReadOnlyList<PopulationSpikes> Merge(NetworkSpec spec, IReadOnlyList<PopulationSpikes> spikes)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(spikes);
        if (spec.Populations.All(p => p.Origin is null)) return spikes;
        var result = new List<PopulationSpikes>();
        var merged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pop in spikes)
        {
            var origin = spec.Populations[spec.PopulationIndex(pop.Name)].Origin;
            if (origin is null)
            {
                result.Add(pop);
                continue;
            }
            if (!merged.Add(origin.Population)) continue;
            var parts = spikes.Where(s => spec.Populations[spec.PopulationIndex(s.Name)].Origin?.Population == origin.Population).ToList();
            int count = parts.Sum(p => p.Count);
            var steps = new long[count];
            var ids = new int[count];
            int n = 0, size = 0;
            foreach (var part in parts)
            {
                var nodeIds = spec.Populations[spec.PopulationIndex(part.Name)].Origin!.NodeIds;
                for (int i = 0; i < part.Count; i++, n++)
                {
                    steps[n] = part.Steps[i];
                    ids[n] = nodeIds[part.LocalIds[i]];
                }
            }
            // The origin's size: every part of it, recorded or not.
            foreach (var p in spec.Populations)
                if (p.Origin?.Population == origin.Population) size += p.Size;
            result.Add(PopulationSpikes.FromUnsorted(origin.Population, 0, size, steps, ids));
        }
        return result;
    }
}
