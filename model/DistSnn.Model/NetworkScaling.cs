namespace DistSnn.Model;

/// <summary>
/// Resizes a network while keeping each neuron's expected number of inputs, the usual way benchmark networks
/// (NEST's hpc_benchmark, Brunel's scale parameter) are run smaller or larger: population sizes are multiplied by
/// the factor, <c>fixed_probability</c> p is divided by it (capped at 1), <c>fixed_total_number</c> N is
/// multiplied by it, in-degree and out-degree connectors keep N. Recorded state neurons that no longer exist are
/// dropped. Spike generators and <c>from_list</c> projections cannot be rescaled meaningfully and are refused.
/// </summary>
public static class NetworkScaling
{
    /// <summary>The network scaled by <paramref name="factor"/> (&gt; 0); factor 1 returns the spec unchanged.</summary>
    public static NetworkSpec Scale(NetworkSpec spec, double factor)
    {
        if (!(factor > 0) || double.IsInfinity(factor))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "scale must be a finite number > 0");
        if (factor == 1) return spec;
        var sizes = new Dictionary<string, int>();
        var pops = spec.Populations.Select(p =>
        {
            if (p.Model is SpikeGenerator)
                throw new ArgumentException($"population '{p.Name}': spike_generator populations cannot be rescaled");
            int size = Math.Max(1, (int)Math.Round(p.Size * factor));
            sizes[p.Name] = size;
            return p with { Size = size };
        }).ToArray();
        var projections = spec.Projections.Select((p, i) => p with
        {
            Connector = p.Connector switch
            {
                FixedProbability fp => fp with { P = Math.Min(1.0, fp.P / factor) },
                FixedTotalNumber ft => ft with { N = Math.Max(1, (long)Math.Round(ft.N * factor)) },
                FixedNumberPre { Sources: not null } => throw new ArgumentException($"projections[{i}]: a fixed_number_pre with given sources cannot be rescaled"),
                FixedNumberPre fn => fn with { N = Math.Min(fn.N, sizes[p.Source] - (p.Source == p.Target && !fn.AllowSelfConnections ? 1 : 0)) },
                FixedNumberPost fn => fn with { N = Math.Min(fn.N, sizes[p.Target] - (p.Source == p.Target && !fn.AllowSelfConnections ? 1 : 0)) },
                FromList => throw new ArgumentException($"projections[{i}]: from_list projections cannot be rescaled"),
                Conv => throw new ArgumentException($"projections[{i}]: conv projections cannot be rescaled"),
                var c => c,
            },
        }).ToArray();
        var state = spec.Recording.State
            .Select(r => r with { Neurons = r.Neurons.Where(n => n < sizes[r.Population]).ToArray() })
            .Where(r => r.Neurons.Count > 0).ToArray();
        var currents = spec.Currents.Select(c => c.Neurons is null ? c : c with { Neurons = c.Neurons.Where(n => n < sizes[c.Target]).ToArray() }).ToArray();
        return spec with
        {
            Populations = pops,
            Projections = projections,
            Currents = currents,
            Recording = spec.Recording with { State = state },
        };
    }
}
