using PureHDF;
using PureHDF.VOL.Native;

namespace DistSnn.Model.Sonata;

/// <summary>Reads the datasets and attributes of SONATA files whatever integer or float width they were written with.</summary>
internal static class SonataH5
{
    public static NativeFile Open(string path, string shown)
    {
        if (!File.Exists(path)) throw new SonataFormatException($"{shown}: file not found (looked for {path})");
        try
        {
            return H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SonataFormatException($"{shown}: not a readable HDF5 file: {e.Message}");
        }
    }

    public static IH5Group Group(IH5Group parent, string name, string where)
    {
        if (!parent.LinkExists(name)) throw new SonataFormatException($"{where}: missing group '{name}'");
        try
        {
            return parent.Group(name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SonataFormatException($"{where}/{name}: not a group: {e.Message}");
        }
    }

    public static IH5Dataset? OptionalDataset(IH5Group parent, string name, string where)
    {
        if (!parent.LinkExists(name)) return null;
        try
        {
            return parent.Dataset(name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SonataFormatException($"{where}/{name}: not a dataset: {e.Message}");
        }
    }

    public static IH5Dataset Dataset(IH5Group parent, string name, string where) =>
        OptionalDataset(parent, name, where) ?? throw new SonataFormatException($"{where}: missing dataset '{name}'");

    public static long Length(IH5Dataset ds, string where)
    {
        var dims = ds.Space.Dimensions;
        if (dims.Length != 1) throw new SonataFormatException($"{where}: expected a one-dimensional dataset, got {dims.Length} dimensions");
        if (dims[0] > (ulong)Array.MaxLength) throw new SonataFormatException($"{where}: {dims[0]} elements are more than an array holds");
        return (long)dims[0];
    }

    /// <summary>An integer dataset of any width as long values (negative unsigned values are refused as too large).</summary>
    public static long[] Integers(IH5Dataset ds, string where)
    {
        Length(ds, where);
        try
        {
            if (ds.Type.Class != H5DataTypeClass.FixedPoint)
                throw new SonataFormatException($"{where}: holds {ds.Type.Class} values; expected integers");
            long[] values = ds.Type.Size switch
            {
                8 => ds.Read<long[]>(),
                4 => Array.ConvertAll(ds.Read<int[]>(), v => (long)v),
                2 => Array.ConvertAll(ds.Read<short[]>(), v => (long)v),
                1 => Array.ConvertAll(ds.Read<byte[]>(), v => (long)v),
                _ => throw new SonataFormatException($"{where}: {ds.Type.Size}-byte integers are not supported"),
            };
            for (int i = 0; i < values.Length; i++)
                if (values[i] < 0) throw new SonataFormatException($"{where}[{i}]: {values[i]} is negative");
            return values;
        }
        catch (Exception e) when (e is not SonataFormatException and not OutOfMemoryException)
        {
            throw new SonataFormatException($"{where}: cannot be read: {e.Message}");
        }
    }

    /// <summary>A float or integer dataset as double values.</summary>
    public static double[] Numbers(IH5Dataset ds, string where)
    {
        Length(ds, where);
        try
        {
            double[] values = ds.Type.Class switch
            {
                H5DataTypeClass.FloatingPoint when ds.Type.Size == 8 => ds.Read<double[]>(),
                H5DataTypeClass.FloatingPoint when ds.Type.Size == 4 => Array.ConvertAll(ds.Read<float[]>(), v => (double)v),
                H5DataTypeClass.FixedPoint => Array.ConvertAll(Integers(ds, where), v => (double)v),
                _ => throw new SonataFormatException($"{where}: holds {ds.Type.Class} values of {ds.Type.Size} bytes; expected numbers"),
            };
            for (int i = 0; i < values.Length; i++)
                if (!double.IsFinite(values[i])) throw new SonataFormatException($"{where}[{i}]: {values[i]} is not finite");
            return values;
        }
        catch (Exception e) when (e is not SonataFormatException and not OutOfMemoryException)
        {
            throw new SonataFormatException($"{where}: cannot be read: {e.Message}");
        }
    }

    public static string? StringAttribute(IH5Object obj, string name, string where)
    {
        if (!obj.AttributeExists(name)) return null;
        try
        {
            return obj.Attribute(name).Read<string>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SonataFormatException($"{where}: attribute '{name}' is not a string: {e.Message}");
        }
    }

    public static IEnumerable<string> ChildNames(IH5Group group) => group.Children().Select(c => c.Name);
}
