namespace DistSnn.Cluster.Output;

internal static class OutputChecks
{
    public static void Dt(double dtMs)
    {
        if (!(dtMs > 0) || double.IsInfinity(dtMs))
        {
            throw new ArgumentOutOfRangeException(nameof(dtMs), dtMs, "dt must be a positive, finite number of milliseconds.");
        }
    }

    /// <summary>
    /// HDF5 treats '/' as a path separator and "." as the current group, so such names would silently
    /// land somewhere other than where the layout says.
    /// </summary>
    public static void LinkName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/') || name == "." || name.Contains('\0'))
        {
            throw new ArgumentException($"{what} name '{name}' cannot be used as an HDF5 group name (empty, '.', or containing '/' or NUL).");
        }
    }

    public static void UniqueNames(IReadOnlyList<PopulationSpikes> pops)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pop in pops)
        {
            ArgumentNullException.ThrowIfNull(pop, nameof(pops));
            pop.Validate();
            if (!seen.Add(pop.Name))
            {
                throw new ArgumentException($"Population '{pop.Name}' is listed more than once.", nameof(pops));
            }
        }
    }
}
