using PureHDF;
using PureHDF.VOL.Native;

namespace DistSnn.Cli;

/// <summary>Opens the datasets of an HDF5 file the CLI wrote, with errors that name the file and dataset.</summary>
internal static class Hdf5Input
{
    /// <summary>Opens <paramref name="path"/> for reading; a missing or damaged file is an <see cref="InvalidDataException"/> naming it.</summary>
    public static NativeFile Open(string path)
    {
        try
        {
            return H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // PureHDF reports a missing or damaged file with several exception types.
            throw new InvalidDataException($"{path}: not a readable HDF5 file: {e.Message}", e);
        }
    }

    /// <param name="origin">What writes such a file, named when the dataset is missing (e.g. "a weights.h5 of distsnn train stdp").</param>
    public static IH5Dataset Dataset(NativeFile file, string path, string name, string origin)
    {
        if (!file.LinkExists(name)) throw new InvalidDataException($"{path}: no /{name} dataset (not {origin})");
        try
        {
            return file.Dataset(name);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: /{name} is not a dataset: {e.Message}", e);
        }
    }
}
