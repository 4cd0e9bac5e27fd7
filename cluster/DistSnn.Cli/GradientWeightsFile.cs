using DistSnn.Learning.Gradient;
using PureHDF;

namespace DistSnn.Cli;

/// <summary>
/// Reads back the parameters of a network from the <c>weights.h5</c> that <c>distsnn train surrogate</c>, <c>ann</c>
/// or <c>convert</c> wrote (one dataset per parameter block, <c>/layerL/weight</c>, <c>/layerL/bias</c>,
/// <c>/layerL/recurrent</c>, and the <c>architecture</c> attribute), so that training can start from them: a converted
/// network fine-tuned with surrogate gradients, or a run trained on with other settings.
/// </summary>
public static class GradientWeightsFile
{
    private const string Origin = "a weights.h5 of distsnn train surrogate, ann or convert";

    /// <summary>
    /// The parameter vector of <paramref name="network"/> from <paramref name="path"/>. Throws
    /// <see cref="InvalidDataException"/> naming the file and the dataset when the file is not such a file, was written
    /// for another architecture, lacks a block of the network or has biases the network does not train.
    /// </summary>
    public static float[] Read(string path, Network<float> network)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var file = Hdf5Input.Open(path);
        string? architecture;
        try
        {
            architecture = file.AttributeExists("architecture") ? file.Attribute("architecture").Read<string>() : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: the attribute 'architecture' cannot be read as a string: {e.Message}", e);
        }
        if (architecture is null) throw new InvalidDataException($"{path}: no 'architecture' attribute (not {Origin})");
        if (architecture != network.Architecture.Text)
            throw new InvalidDataException($"{path}: the weights are of architecture {architecture}; this run trains {network.Architecture.Text}");

        var parameters = new float[network.ParameterCount];
        foreach (var block in network.Blocks)
        {
            string name = block.Name.Replace('.', '/');
            if (!file.LinkExists(name))
            {
                throw new InvalidDataException(block.Kind != BlockKind.Bias ? $"{path}: no /{name} dataset (not {Origin})"
                    : network.Analog ? $"{path}: no /{name} dataset: the file's network has no biases, which a ReLU network needs"
                    : $"{path}: no /{name} dataset: the network was trained without biases; leave out --bias to train from it");
            }
            var dataset = Hdf5Input.Dataset(file, path, name, Origin);
            ulong[] dims;
            try
            {
                dims = dataset.Space.Dimensions;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"{path}: /{name}: the shape cannot be read: {e.Message}", e);
            }
            if (!dims.SequenceEqual(block.Shape.Select(d => (ulong)d)))
                throw new InvalidDataException($"{path}: /{name} is [{string.Join(", ", dims)}]; the network's {block.Name} is [{string.Join(", ", block.Shape)}]");
            float[] values;
            try
            {
                values = dataset.Read<float[]>();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"{path}: /{name} cannot be read as 32-bit floats: {e.Message}", e);
            }
            if (values.Length != block.Length)
                throw new InvalidDataException($"{path}: /{name} holds {values.Length} values; the network's {block.Name} has {block.Length}");
            if (Array.FindIndex(values, v => !float.IsFinite(v)) is var bad and >= 0)
                throw new InvalidDataException($"{path}: /{name}[{bad}] is {values[bad]}; parameters must be finite");
            values.CopyTo(parameters, block.Offset);
        }
        for (int l = 0; l < network.Stages.Count; l++)
        {
            if (network.Stages[l].BiasOffset >= 0) continue;
            string bias = $"layer{l + 1}/bias";
            if (file.LinkExists(bias))
                throw new InvalidDataException($"{path}: /{bias}: the network was trained with biases; give --bias to train from it");
        }
        return parameters;
    }
}
