using System.Globalization;
using PureHDF;

namespace DistSnn.Model;

/// <summary>
/// One value per element, given as data: <c>Values[i]</c> in the canonical unit of <see cref="ValueSpec.Dim"/>. In a
/// file it is written <c>{file: w.h5, dataset: /layer1/weight, unit: mV}</c> (an HDF5 dataset of float32 or float64,
/// the path relative to the model file; <see cref="File"/> holds it resolved). Which element is index i is fixed by where the value stands: for a
/// projection's weights or delays it is the synapse order of its connector (all_to_all: source × N_target + target,
/// a [N_source, N_target] dataset; one_to_one: i; from_list: the list's order).
/// </summary>
public sealed record ArrayValue(float[] Values, Dimension Dim, string File, string Dataset, string Unit) : ValueSpec(Dim)
{
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
    /// <summary>Number of values.</summary>
    public int Count => Values.Length;
    /// <inheritdoc />
    public override string ToString() => Source;

    /// <summary>
    /// Reads dataset <paramref name="dataset"/> of the HDF5 file <paramref name="file"/> (relative to
    /// <paramref name="baseDirectory"/>), scaling each value by <paramref name="toCanonical"/>. Throws
    /// <see cref="FormatException"/> naming the file and dataset when it cannot.
    /// </summary>
    public static ArrayValue Read(string baseDirectory, string file, string dataset, double toCanonical, Dimension dim, string unitText)
    {
        string full = Path.GetFullPath(Path.Combine(baseDirectory, file));
        if (!System.IO.File.Exists(full)) throw new FormatException($"file {file} not found (looked for {full})");
        float[] values;
        try
        {
            using var h5 = H5File.OpenRead(full);
            string name = dataset.TrimStart('/');
            if (!h5.LinkExists(name)) throw new FormatException($"{file} has no dataset {dataset}");
            var ds = h5.Dataset(name);
            ulong count = ds.Space.Dimensions.Aggregate(1UL, (a, d) => a * d);
            if (count > (ulong)Array.MaxLength) throw new FormatException($"{file}:{dataset} holds {count} values, more than an array can");
            values = ds.Type.Class == H5DataTypeClass.FloatingPoint && ds.Type.Size == 8
                ? ds.Read<double[]>().Select(v => (float)(v * toCanonical)).ToArray()
                : ds.Type.Class == H5DataTypeClass.FloatingPoint && ds.Type.Size == 4
                    ? ScaleFloats(ds.Read<float[]>(), toCanonical)
                    : throw new FormatException($"{file}:{dataset} holds {ds.Type.Class} values; expected float32 or float64");
        }
        catch (Exception e) when (e is not FormatException and not OutOfMemoryException)
        {
            throw new FormatException($"cannot read {file}:{dataset}: {e.Message}");
        }
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new FormatException($"{file}:{dataset}[{i}] is {values[i].ToString(CultureInfo.InvariantCulture)}; values must be finite");
        return new ArrayValue(values, dim, full, dataset, unitText);
    }

    private static float[] ScaleFloats(float[] values, double scale)
    {
        if (scale != 1.0)
            for (int i = 0; i < values.Length; i++) values[i] = (float)(values[i] * scale);
        return values;
    }
}
