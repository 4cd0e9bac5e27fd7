using DistSnn.Model;

namespace DistSnn.Nodes.Backends;

/// <summary>Builds one partition of a backend: the model, the partition's index and, per population, the population-local indices it owns (ascending).</summary>
public delegate IPartitionBackend BackendFactory(NetworkSpec spec, int partition, IReadOnlyList<int[]> owned);

/// <summary>A kind of partition: its name in models and checkpoints, what it can host, and how to build one.</summary>
public sealed record BackendType(string Name, BackendCapabilities Capabilities, BackendFactory Create)
{
    /// <summary>Turns the merged <see cref="IPartitionBackend.Report"/>s of a run into its summary (null: reports are not summarized).</summary>
    public BackendSummarizer? Summarize { get; init; }

    /// <summary>
    /// The cluster role a node needs to host this backend's partitions (<c>distsnn node --role NAME</c>); null: any node.
    /// One process hosts every backend it knows whatever its roles.
    /// </summary>
    public string? Role { get; init; }
}

/// <summary>
/// The backends a process can host, by name. Immutable: <see cref="With"/> returns a new registry. A population names
/// its backend in the model (<c>backend:</c>, default <c>cpu</c>); the partitioner gives each backend partitions of its
/// own, and every runtime builds a partition with <see cref="Create"/>.
/// </summary>
public sealed class BackendRegistry
{
    private readonly IReadOnlyDictionary<string, BackendType> _types;

    private BackendRegistry(IReadOnlyDictionary<string, BackendType> types) => _types = types;

    /// <summary>The registry with the CPU backend (<c>cpu</c>, <see cref="PartitionEngine"/>) alone.</summary>
    public static BackendRegistry Default { get; } = new(new Dictionary<string, BackendType>(StringComparer.Ordinal)
    {
        [PartitionEngine.Type.Name] = PartitionEngine.Type,
    });

    /// <summary>The names of the backends, sorted.</summary>
    public IReadOnlyList<string> Names => _types.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>This registry with <paramref name="type"/> added (or replacing the one of the same name).</summary>
    public BackendRegistry With(BackendType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var types = new Dictionary<string, BackendType>(_types, StringComparer.Ordinal) { [type.Name] = type };
        return new BackendRegistry(types);
    }

    /// <summary>The backend named <paramref name="name"/>; throws <see cref="ArgumentException"/> naming the known ones when there is none.</summary>
    public BackendType this[string name] => _types.TryGetValue(name, out var type)
        ? type
        : throw new ArgumentException($"unknown backend '{name}' (known: {string.Join(", ", Names)})", nameof(name));

    /// <summary>The cluster roles the backends need (see <see cref="BackendType.Role"/>), sorted.</summary>
    public IReadOnlyList<string> Roles => _types.Values.Select(t => t.Role).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>Whether a backend of that name is registered.</summary>
    public bool Contains(string name) => _types.ContainsKey(name);

    /// <summary>
    /// Every reason why <paramref name="spec"/> cannot run on these backends: a population naming an unknown backend,
    /// or something its backend does not support (see <see cref="BackendCapabilities.Check"/>). Empty when it can.
    /// </summary>
    public IReadOnlyList<ModelError> Check(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<ModelError>();
        for (int p = 0; p < spec.Populations.Count; p++)
        {
            var name = spec.Populations[p].BackendName;
            if (!_types.TryGetValue(name, out var type))
                errors.Add(new ModelError($"populations[{p}].backend", $"population '{spec.Populations[p].Name}': unknown backend '{name}' (known: {string.Join(", ", Names)})"));
            else errors.AddRange(type.Capabilities.Check(spec, p, name));
        }
        // Whole-model checks only once every population is known to be hostable: they may need that to run at all.
        if (errors.Count > 0) return errors;
        foreach (var group in Enumerable.Range(0, spec.Populations.Count).GroupBy(p => spec.Populations[p].BackendName))
            if (_types[group.Key].Capabilities.CheckModel is { } check)
                errors.AddRange(check(spec, group.ToArray()));
        return errors;
    }

    /// <summary>Builds partition <paramref name="partition"/> on backend <paramref name="name"/>, which must host every population it owns neurons of.</summary>
    public IPartitionBackend Create(string name, NetworkSpec spec, int partition, IReadOnlyList<int[]> owned)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(owned);
        var type = this[name];
        for (int p = 0; p < owned.Count && p < spec.Populations.Count; p++)
            if (owned[p].Length > 0 && spec.Populations[p].BackendName != name)
                throw new ArgumentException($"partition {partition} on backend '{name}' owns neurons of population '{spec.Populations[p].Name}', which is on backend '{spec.Populations[p].BackendName}'; a partition never mixes backends");
        var backend = type.Create(spec, partition, owned);
        if (backend.BackendName != name) throw new InvalidOperationException($"backend '{name}' built a partition that calls itself '{backend.BackendName}'");
        return backend;
    }
}
