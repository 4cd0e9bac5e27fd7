using DistSnn.Learning.DiehlCook;
using PureHDF;
using PureHDF.VOL.Native;

namespace DistSnn.Cli;

/// <summary>
/// The <c>weights.h5</c> of <c>distsnn train stdp</c>: <c>weights</c> (inputs x neurons, nS), <c>theta</c> (mV), the
/// neurons' <c>labels</c> and <c>proportions</c>, and the <c>image_shape</c> attribute; readable with h5py, and read
/// back by <c>--weights</c> to evaluate or train on from a saved network.
/// </summary>
public static class TrainedWeightsFile
{
    private const string Origin = "a weights.h5 of distsnn train stdp";

    /// <summary>Writes <paramref name="result"/>'s learned state.</summary>
    public static void Write(string path, StdpTrainingResult result, int rows, int columns)
    {
        int inputs = rows * columns;
        var weights = new float[inputs, result.Neurons];
        for (int i = 0; i < inputs; i++)
            for (int j = 0; j < result.Neurons; j++)
                weights[i, j] = result.Weights[i * result.Neurons + j];
        var file = new H5File
        {
            ["weights"] = weights,
            ["theta"] = result.Theta,
            ["labels"] = result.NeuronClasses,
            ["proportions"] = result.NeuronProportions,
        };
        file.Attributes["image_shape"] = new[] { rows, columns };
        file.Write(path);
    }

    /// <summary>
    /// Reads the weights and thresholds of a network for images of <paramref name="inputs"/> pixels. Throws
    /// <see cref="InvalidDataException"/> naming the file and the dataset when it is not such a file.
    /// </summary>
    public static DiehlCookState Read(string path, int inputs)
    {
        using (var file = Hdf5Input.Open(path))
        {
            var weights = Hdf5Input.Dataset(file, path, "weights", Origin);
            var dims = weights.Space.Dimensions;
            if (dims.Length != 2 || dims[0] != (ulong)inputs || dims[1] < 1 || dims[1] > int.MaxValue / (ulong)inputs)
                throw new InvalidDataException($"{path}: /weights is [{string.Join(", ", dims)}]; expected [{inputs}, neurons] for images of {inputs} pixels");
            int neurons = (int)dims[1];
            var theta = Hdf5Input.Dataset(file, path, "theta", Origin);
            if (theta.Space.Dimensions is not [var t] || t != (ulong)neurons)
                throw new InvalidDataException($"{path}: /theta is [{string.Join(", ", theta.Space.Dimensions)}]; expected [{neurons}], one per neuron of /weights");
            var w = ReadFloats<float[,]>(weights, path, "weights");
            var dense = new float[inputs * neurons];
            for (int i = 0; i < inputs; i++)
                for (int j = 0; j < neurons; j++)
                {
                    float x = w[i, j];
                    // Conductances: a negative or non-finite one is no weight a network can have learned.
                    if (!(x >= 0) || float.IsInfinity(x))
                        throw new InvalidDataException($"{path}: /weights[{i}, {j}] is {x}; weights are finite conductances >= 0 nS");
                    dense[i * neurons + j] = x;
                }
            var th = ReadFloats<float[]>(theta, path, "theta");
            if (Array.FindIndex(th, x => !(x >= 0) || float.IsInfinity(x)) is var bad and >= 0)
                throw new InvalidDataException($"{path}: /theta[{bad}] is {th[bad]}; thresholds are finite and >= 0 mV");
            return new DiehlCookState(dense, th);
        }
    }

    private static T ReadFloats<T>(IH5Dataset dataset, string path, string name)
    {
        try
        {
            return dataset.Read<T>();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: /{name} cannot be read as 32-bit floats: {e.Message}", e);
        }
    }
}
