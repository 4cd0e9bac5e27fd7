namespace DistSnn.Nodes;

/// <summary>Spikes of one population recorded on one partition, in time order.</summary>
public sealed class SpikeRecord
{
    private long[] _stamps = new long[64];
    private int[] _ids = new int[64];

    /// <summary>Creates an empty record for population <paramref name="population"/>.</summary>
    public SpikeRecord(int population) => Population = population;

    /// <summary>Population index.</summary>
    public int Population { get; }
    /// <summary>Number of spikes recorded.</summary>
    public int Count { get; private set; }

    /// <summary>Appends one spike: its stamp and the neuron's population-local index.</summary>
    public void Add(long stamp, int localId)
    {
        if (Count == _stamps.Length)
        {
            Array.Resize(ref _stamps, Count * 2);
            Array.Resize(ref _ids, Count * 2);
        }
        _stamps[Count] = stamp;
        _ids[Count] = localId;
        Count++;
    }

    /// <summary>Saves or restores the spikes recorded so far (checkpoints).</summary>
    internal void VisitState(Checkpoints.StateVisitor visitor)
    {
        int count = Count;
        visitor.PairedPrefix("stamps", ref _stamps, "ids", ref _ids, ref count);
        Count = count;
    }

    /// <summary>Copies of the stamps and population-local ids, sorted by (stamp, id).</summary>
    public (long[] Stamps, int[] Ids) ToArrays() => (_stamps[..Count], _ids[..Count]);
}

/// <summary>
/// Sampled state of chosen neurons on one partition: <c>Values[k * Neurons.Length + j]</c> is the value of neuron
/// <c>Neurons[j]</c> (population-local index) at stamp <c>(k + 1) * IntervalSteps</c>, sampled at the end of
/// that step as a NEST multimeter does.
/// </summary>
public sealed class StateRecord
{
    private float[] _values;
    private readonly float[] _source;
    private readonly int[] _groupIndex;

    internal StateRecord(int recorder, int population, string variable, int[] neurons, int[] groupIndex, long intervalSteps, float[] source)
    {
        Recorder = recorder;
        Population = population;
        Variable = variable;
        Neurons = neurons;
        _groupIndex = groupIndex;
        IntervalSteps = intervalSteps;
        _source = source;
        _values = new float[Math.Max(16, neurons.Length * 64)];
    }

    /// <summary>Index of the recorder in the spec.</summary>
    public int Recorder { get; }
    /// <summary>Population index.</summary>
    public int Population { get; }
    /// <summary>State variable name.</summary>
    public string Variable { get; }
    /// <summary>Population-local indices of the recorded neurons held here.</summary>
    public int[] Neurons { get; }
    /// <summary>Steps between samples.</summary>
    public long IntervalSteps { get; }
    /// <summary>Number of samples taken.</summary>
    public int Samples { get; private set; }

    internal void Sample()
    {
        int n = Neurons.Length;
        if ((Samples + 1) * n > _values.Length) Array.Resize(ref _values, Math.Max(_values.Length * 2, (Samples + 1) * n));
        int at = Samples * n;
        for (int j = 0; j < n; j++) _values[at + j] = _source[_groupIndex[j]];
        Samples++;
    }

    /// <summary>Saves or restores the samples taken so far (checkpoints).</summary>
    internal void VisitState(Checkpoints.StateVisitor visitor)
    {
        int n = Neurons.Length, values = Samples * n;
        visitor.Prefix("samples", ref _values, ref values);
        if (values % n != 0) throw visitor.Fail($"{values} samples do not divide into rows of {n} neurons");
        Samples = values / n;
    }

    /// <summary>A copy of the samples, time-major.</summary>
    public float[] Values => _values[..(Samples * Neurons.Length)];
}
