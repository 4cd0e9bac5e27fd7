using DistSnn.Learning.DiehlCook;
using PureHDF;
using PureHDF.VOL.Native;

namespace DistSnn.Cli;

/// <summary>
/// The <c>responses.h5</c> of <c>distsnn train stdp --save-responses</c>: <c>label_counts</c> and <c>test_counts</c>
/// (images x neurons, spikes per image summed over its evaluation presentations) with <c>label_classes</c> and
/// <c>test_classes</c>, so that any readout can be computed from the same spikes (h5py, numpy).
/// </summary>
public static class EvaluationResponsesFile
{
    private const string Origin = "a responses.h5 of distsnn train stdp --save-responses";

    /// <summary>Writes <paramref name="responses"/>.</summary>
    public static void Write(string path, EvaluationResponses responses)
    {
        var file = new H5File
        {
            ["label_counts"] = Matrix(responses.LabelCounts, responses.LabelClasses.Length, responses.Neurons),
            ["label_classes"] = responses.LabelClasses,
            ["test_counts"] = Matrix(responses.TestCounts, responses.TestClasses.Length, responses.Neurons),
            ["test_classes"] = responses.TestClasses,
        };
        file.Write(path);
    }

    /// <summary>
    /// Reads a <c>responses.h5</c>. Throws <see cref="InvalidDataException"/> naming the file and the dataset when it
    /// is not one (missing dataset, shapes that disagree, a negative count, a class above 255).
    /// </summary>
    public static EvaluationResponses Read(string path)
    {
        using (var file = Hdf5Input.Open(path))
        {
            var (labelCounts, labelImages, neurons) = Counts(file, path, "label_counts");
            var (testCounts, testImages, testNeurons) = Counts(file, path, "test_counts");
            if (testNeurons != neurons)
                throw new InvalidDataException($"{path}: /test_counts has {testNeurons} neurons but /label_counts has {neurons}");
            var labelClasses = Classes(file, path, "label_classes", labelImages);
            var testClasses = Classes(file, path, "test_classes", testImages);
            return new EvaluationResponses(neurons, labelCounts, labelClasses, testCounts, testClasses);
        }
    }

    private static (int[] Flat, int Rows, int Columns) Counts(NativeFile file, string path, string name)
    {
        var dataset = Hdf5Input.Dataset(file, path, name, Origin);
        var dims = dataset.Space.Dimensions;
        if (dims.Length != 2 || dims[1] < 1 || dims[0] * dims[1] > int.MaxValue)
            throw new InvalidDataException($"{path}: /{name} is [{string.Join(", ", dims)}]; expected [images, neurons]");
        int rows = (int)dims[0], columns = (int)dims[1];
        int[,] m;
        try
        {
            m = dataset.Read<int[,]>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: /{name} cannot be read as 32-bit integers: {e.Message}", e);
        }
        var flat = new int[rows * columns];
        Buffer.BlockCopy(m, 0, flat, 0, flat.Length * sizeof(int));
        if (Array.FindIndex(flat, x => x < 0) is var bad and >= 0)
            throw new InvalidDataException($"{path}: /{name}[{bad / columns}, {bad % columns}] is {flat[bad]}; spike counts are >= 0");
        return (flat, rows, columns);
    }

    private static byte[] Classes(NativeFile file, string path, string name, int images)
    {
        var dataset = Hdf5Input.Dataset(file, path, name, Origin);
        if (dataset.Space.Dimensions is not [var length] || length != (ulong)images)
            throw new InvalidDataException($"{path}: /{name} is [{string.Join(", ", dataset.Space.Dimensions)}]; expected [{images}], one class per row of the counts");
        try
        {
            return dataset.Read<byte[]>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: /{name} cannot be read as 8-bit classes: {e.Message}", e);
        }
    }

    private static int[,] Matrix(int[] flat, int rows, int columns)
    {
        if (flat.Length != rows * columns)
            throw new ArgumentException($"{flat.Length} counts do not make {rows} images x {columns} neurons", nameof(flat));
        var m = new int[rows, columns];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(int));
        return m;
    }
}
