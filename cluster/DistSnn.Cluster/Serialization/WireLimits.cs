namespace DistSnn.Cluster.Serialization;

/// <summary>
/// Bounds every length, count and size read from the wire is checked against before anything is allocated, so
/// that a malformed or hostile frame cannot make a node allocate more than a legitimate message of its kind
/// would. A frame over a limit is rejected with a <see cref="WireFormatException"/> naming the message and field.
/// </summary>
/// <remarks>
/// Plain arrays are additionally bounded by the frame itself: every element takes at least one byte, and the
/// reader refuses a count larger than the bytes left. Run-length encoded data (bit sets, owned neuron indices)
/// can expand, so its decoded size is charged against <see cref="MaxExpandedElements"/> per frame.
/// </remarks>
public static class WireLimits
{
    /// <summary>Spikes in one packet or recording: 2^26 (about 67 million; 1 GiB of decoded stamps and ids).</summary>
    public const int MaxSpikes = 1 << 26;

    /// <summary>UTF-8 bytes of an identifier: job ids, variable names (the coordinator accepts 200 characters).</summary>
    public const int MaxIdBytes = 4 * 1024;

    /// <summary>UTF-8 bytes of free text: failure reasons, errors, actor paths. 1 MiB.</summary>
    public const int MaxTextBytes = 1 << 20;

    /// <summary>UTF-8 bytes of a model file shipped with a job. 64 MiB.</summary>
    public const int MaxModelBytes = 64 << 20;

    /// <summary>Partitions of one job, and routes of one partition: 2^20.</summary>
    public const int MaxPartitions = 1 << 20;

    /// <summary>64-bit words of one bit set over global ids: 2^23 words, i.e. 2^29 (about 537 million) neurons.</summary>
    public const int MaxBitSetWords = 1 << 23;

    /// <summary>Neurons one partition may be given: 2^28.</summary>
    public const int MaxOwnedNeurons = 1 << 28;

    /// <summary>Elements that run-length encoded fields of one frame may expand to: 2^26 (512 MiB of words).</summary>
    public const long MaxExpandedElements = 1L << 26;

    /// <summary>Recorded spike or state entries in one partition result, and jobs in one list: 2^20.</summary>
    public const int MaxEntries = 1 << 20;

    /// <summary>Sampled values of one state recording: 2^28 floats (1 GiB).</summary>
    public const int MaxStateValues = 1 << 28;

    /// <summary>Parts a spike packet may be split into: 2^16.</summary>
    public const int MaxParts = 1 << 16;
}
