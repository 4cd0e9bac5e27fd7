using System.Globalization;
using PureHDF;
using PureHDF.Selections;

namespace DistSnn.Model;

/// <summary>
/// One value per element, given as data: <c>Values[i]</c> in the canonical unit of <see cref="ValueSpec.Dim"/>. In a
/// file it is written <c>{file: w.h5, dataset: /layer1/weight, unit: mV}</c> (an HDF5 dataset of float32 or float64,
/// the path relative to the model file; <see cref="File"/> holds it resolved) or as a list <c>[-56.9 mV, -55.1 mV]</c>.
/// Which element is index i is fixed by where the value stands: for a projection's weights or delays it is the synapse
/// order of its connector (all_to_all: source × N_target + target, a [N_source, N_target] dataset; one_to_one: i;
/// from_list: the list's order). Per-neuron values of a population are read when they are needed, each partition only
/// the range of its own neurons (<see cref="Take"/>).
/// </summary>
public sealed record ArrayValue : ValueSpec
{
    private float[]? _values;
    private readonly Func<int, int, float[]>? _read;

    /// <summary>Values in memory, in the canonical unit of <paramref name="dim"/>.</summary>
    public ArrayValue(float[] values, Dimension dim, string file, string dataset, string unit) : base(dim)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = values;
        Count = values.Length;
        (File, Dataset, Unit) = (file, dataset, unit);
    }

    /// <summary><paramref name="count"/> values that <paramref name="read"/> gives by range (start, count) when asked.</summary>
    private ArrayValue(int count, Func<int, int, float[]> read, Dimension dim, string file, string dataset, string unit) : base(dim)
    {
        _read = read;
        Count = count;
        (File, Dataset, Unit) = (file, dataset, unit);
    }

    /// <summary>Every value (read whole on first use when the value was read lazily).</summary>
    public float[] Values => _values ??= _read!(0, Count);

    /// <summary>The HDF5 file, resolved; empty for a list.</summary>
    public string File { get; }
    /// <summary>The dataset's path in <see cref="File"/>.</summary>
    public string Dataset { get; }
    /// <summary>The unit the dataset's numbers are in, as written.</summary>
    public string Unit { get; }
    /// <summary>Number of values.</summary>
    public int Count { get; }

    /// <summary>True when the values were given inline as a list (<c>[-56.9 mV, -55.1 mV]</c>) rather than from a file.</summary>
    public bool IsList => File.Length == 0;

    /// <summary>How the value is written in a model file (a list as "the list").</summary>
    public string Source => IsList ? "the list" : $"{{file: {File}, dataset: {Dataset}, unit: {Unit}}}";

    /// <summary>Values given inline, already in the canonical unit of <paramref name="dim"/>.</summary>
    public static ArrayValue FromList(float[] values, Dimension dim) => new(values, dim, "", "", Units.Canonical(dim));
    /// <inheritdoc />
    public override double Lower => Values.Length == 0 ? 0 : Values.Min();
    /// <inheritdoc />
    public override double Upper => Values.Length == 0 ? 0 : Values.Max();
    /// <inheritdoc />
    public override string ToString() => Source;

    /// <summary>
    /// The values of elements <paramref name="indices"/>: from memory when they are there, else reading only the range
    /// of the dataset the indices span (a partition's neurons). Throws <see cref="FormatException"/> naming the file,
    /// dataset and index of a value that cannot be used.
    /// </summary>
    public float[] Take(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var result = new float[indices.Count];
        if (indices.Count == 0) return result;
        if (_values is null && _read is not null)
        {
            int lo = indices.Min(), hi = indices.Max();
            var range = _read(lo, hi - lo + 1);
            for (int i = 0; i < result.Length; i++) result[i] = range[indices[i] - lo];
            return result;
        }
        var all = Values;
        for (int i = 0; i < result.Length; i++) result[i] = all[indices[i]];
        return result;
    }

    /// <summary>
    /// Reads dataset <paramref name="dataset"/> of the HDF5 file <paramref name="file"/> (relative to
    /// <paramref name="baseDirectory"/>), scaling each value by <paramref name="toCanonical"/>. With
    /// <paramref name="byRange"/> a one-dimensional dataset is only opened and sized here and its values are read when
    /// needed, by range (<see cref="Take"/>). Throws <see cref="FormatException"/> naming the file and dataset when it
    /// cannot.
    /// </summary>
    public static ArrayValue Read(string baseDirectory, string file, string dataset, double toCanonical, Dimension dim, string unitText, bool byRange = false)
    {
        string full = Path.GetFullPath(Path.Combine(baseDirectory, file));
        if (!System.IO.File.Exists(full)) throw new FormatException($"file {file} not found (looked for {full})");
        ulong count;
        int rank;
        try
        {
            using var h5 = H5File.OpenRead(full);
            var ds = Open(h5, file, dataset);
            rank = ds.Space.Dimensions.Length;
            count = ds.Space.Dimensions.Aggregate(1UL, (a, d) => a * d);
            if (count > (ulong)Array.MaxLength) throw new FormatException($"{file}:{dataset} holds {count} values, more than an array can");
        }
        catch (Exception e) when (e is not FormatException and not OutOfMemoryException)
        {
            throw new FormatException($"cannot read {file}:{dataset}: {e.Message}");
        }
        float[] ReadRange(int start, int n) => ReadValues(full, file, dataset, toCanonical, rank == 1 ? (start, n) : null);
        return byRange && rank == 1
            ? new ArrayValue((int)count, ReadRange, dim, full, dataset, unitText)
            : new ArrayValue(ReadRange(0, (int)count), dim, full, dataset, unitText);
    }

    private static IH5Dataset Open(IH5Group h5, string file, string dataset)
    {
        string name = dataset.TrimStart('/');
        if (!h5.LinkExists(name)) throw new FormatException($"{file} has no dataset {dataset}");
        var ds = h5.Dataset(name);
        if (ds.Type.Class != H5DataTypeClass.FloatingPoint || ds.Type.Size is not (4 or 8))
            throw new FormatException($"{file}:{dataset} holds {ds.Type.Class} values; expected float32 or float64");
        return ds;
    }

    /// <summary>The values of the dataset, or of one range of a one-dimensional one, scaled and checked to be finite.</summary>
    private static float[] ReadValues(string full, string file, string dataset, double toCanonical, (int Start, int Count)? range)
    {
        float[] values;
        try
        {
            using var h5 = H5File.OpenRead(full);
            var ds = Open(h5, file, dataset);
            var selection = range is { } r ? new HyperslabSelection((ulong)r.Start, (ulong)r.Count) : null;
            values = ds.Type.Size == 8
                ? (selection is null ? ds.Read<double[]>() : ds.Read<double[]>(fileSelection: selection)).Select(v => (float)(v * toCanonical)).ToArray()
                : ScaleFloats(selection is null ? ds.Read<float[]>() : ds.Read<float[]>(fileSelection: selection), toCanonical);
        }
        catch (Exception e) when (e is not FormatException and not OutOfMemoryException)
        {
            throw new FormatException($"cannot read {file}:{dataset}: {e.Message}");
        }
        int offset = range?.Start ?? 0;
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new FormatException($"{file}:{dataset}[{offset + i}] is {values[i].ToString(CultureInfo.InvariantCulture)}; values must be finite");
        return values;
    }

    private static float[] ScaleFloats(float[] values, double scale)
    {
        if (scale != 1.0)
            for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] * scale);
        return values;
    }
}
