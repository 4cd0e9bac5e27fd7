namespace DistSnn.Cluster.Output;

/// <summary>
/// The recorded spikes of one population. <c>Steps[i]</c> is the simulation step (time = step * dt)
/// at which the neuron with population-local index <c>LocalIds[i]</c> fired; its global id is
/// <c>FirstGid + LocalIds[i]</c>. Entries are sorted by (step, local id).
/// </summary>
/// <remarks>
/// A positional record cannot validate in its constructor, so every consumer in this namespace calls
/// <see cref="Validate"/>; use <see cref="Create"/> or <see cref="FromUnsorted"/> to fail early.
/// </remarks>
public sealed record PopulationSpikes(string Name, long FirstGid, int Size, long[] Steps, int[] LocalIds)
{
    public int Count => Steps.Length;

    public static PopulationSpikes Create(string name, long firstGid, int size, long[] steps, int[] localIds)
    {
        var pop = new PopulationSpikes(name, firstGid, size, steps, localIds);
        pop.Validate();
        return pop;
    }

    public static PopulationSpikes Empty(string name, long firstGid, int size) =>
        Create(name, firstGid, size, [], []);

    /// <summary>Copies and sorts spikes gathered in arbitrary order (e.g. concatenated from several partitions).</summary>
    public static PopulationSpikes FromUnsorted(string name, long firstGid, int size, ReadOnlySpan<long> steps, ReadOnlySpan<int> localIds)
    {
        if (steps.Length != localIds.Length)
        {
            throw new ArgumentException(
                $"Population '{name}': {steps.Length} steps but {localIds.Length} local ids.", nameof(localIds));
        }

        var keys = new (long Step, int LocalId)[steps.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            keys[i] = (steps[i], localIds[i]);
        }
        Array.Sort(keys);

        var sortedSteps = new long[keys.Length];
        var sortedIds = new int[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            sortedSteps[i] = keys[i].Step;
            sortedIds[i] = keys[i].LocalId;
        }
        return Create(name, firstGid, size, sortedSteps, sortedIds);
    }

    /// <summary>
    /// Checks array lengths, id ranges and ordering. The order must be strictly increasing in
    /// (step, local id): a neuron firing twice in one step means a spike was recorded twice, and the
    /// writers label their output as sorted, so neither is let through silently.
    /// </summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Name))
        {
            throw new ArgumentException("Population name must not be empty.");
        }
        if (Steps is null || LocalIds is null)
        {
            throw new ArgumentException($"Population '{Name}': Steps and LocalIds must not be null.");
        }
        if (Size < 0)
        {
            throw new ArgumentException($"Population '{Name}': size {Size} is negative.");
        }
        if (FirstGid < 0)
        {
            throw new ArgumentException($"Population '{Name}': first gid {FirstGid} is negative.");
        }
        if (Steps.Length != LocalIds.Length)
        {
            throw new ArgumentException(
                $"Population '{Name}': {Steps.Length} steps but {LocalIds.Length} local ids; the arrays must have equal length.");
        }

        long prevStep = long.MinValue;
        int prevId = -1;
        for (int i = 0; i < Steps.Length; i++)
        {
            long step = Steps[i];
            int id = LocalIds[i];
            if ((uint)id >= (uint)Size)
            {
                throw new ArgumentException(
                    $"Population '{Name}': spike {i} has local id {id}, outside [0, {Size}).");
            }
            if (step < 0)
            {
                throw new ArgumentException($"Population '{Name}': spike {i} has negative step {step}.");
            }
            if (step < prevStep || (step == prevStep && id <= prevId))
            {
                throw new ArgumentException(
                    $"Population '{Name}': spike {i} (step {step}, id {id}) is not strictly after (step {prevStep}, id {prevId}); spikes must be sorted by (step, local id) without duplicates.");
            }
            prevStep = step;
            prevId = id;
        }
    }
}
