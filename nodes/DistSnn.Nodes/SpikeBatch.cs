namespace DistSnn.Nodes;

/// <summary>
/// Spikes as two parallel arrays, sorted by (stamp, gid). A stamp is the integer step at whose end the spike
/// happened (time = stamp * dt); gid is the global neuron id. Only the first <see cref="Count"/> entries are valid.
/// </summary>
public readonly record struct SpikeBatch(long[] Stamps, long[] Gids, int Count)
{
    /// <summary>A batch with no spikes.</summary>
    public static SpikeBatch Empty { get; } = new([], [], 0);
}

/// <summary>A growable pair of arrays for spikes; reused across epochs so steady state allocates nothing.</summary>
public sealed class SpikeBuffer
{
    private long[] _stamps = new long[256];
    private long[] _gids = new long[256];

    /// <summary>Number of spikes held.</summary>
    public int Count { get; private set; }

    /// <summary>Appends one spike.</summary>
    public void Add(long stamp, long gid)
    {
        if (Count == _stamps.Length)
        {
            Array.Resize(ref _stamps, Count * 2);
            Array.Resize(ref _gids, Count * 2);
        }
        _stamps[Count] = stamp;
        _gids[Count] = gid;
        Count++;
    }

    /// <summary>Forgets all spikes, keeping the storage.</summary>
    public void Clear() => Count = 0;

    /// <summary>A view of the current contents (valid until the next change).</summary>
    public SpikeBatch View => new(_stamps, _gids, Count);
}
