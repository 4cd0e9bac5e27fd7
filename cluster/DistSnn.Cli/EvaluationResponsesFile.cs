using DistSnn.Learning.DiehlCook;
using PureHDF;

namespace DistSnn.Cli;

/// <summary>
/// The <c>responses.h5</c> of <c>distsnn train stdp --save-responses</c>: <c>label_counts</c> and <c>test_counts</c>
/// (images x neurons, spikes per image summed over its evaluation presentations) with <c>label_classes</c> and
/// <c>test_classes</c>, so that any readout can be computed from the same spikes (h5py, numpy).
/// </summary>
public static class EvaluationResponsesFile
{
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

    private static int[,] Matrix(int[] flat, int rows, int columns)
    {
        if (flat.Length != rows * columns)
            throw new ArgumentException($"{flat.Length} counts do not make {rows} images x {columns} neurons", nameof(flat));
        var m = new int[rows, columns];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(int));
        return m;
    }
}
