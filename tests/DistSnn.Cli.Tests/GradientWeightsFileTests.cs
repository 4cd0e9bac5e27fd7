using System.Text.Json;
using DistSnn.Learning.Gradient;

namespace DistSnn.Cli.Tests;

/// <summary>
/// <c>--init-from</c>: the parameters a trainer wrote to weights.h5 read back into a network of the same architecture,
/// bad files named, and a converted network fine-tuned from where conversion left it.
/// </summary>
public sealed class GradientWeightsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-init-from-").FullName;

    public void Dispose() => TestProcesses.DeleteDirectory(_dir);

    private static Network<float> Net(string arch, bool bias, UnitKind kind = UnitKind.LifDelta) =>
        new(Architecture.Parse(arch), new NeuronSpec { Kind = kind }, new Surrogate(SurrogateKind.FastSigmoid, 5), LossKind.Count, bias, steps: 4);

    private static float[] Numbered(Network<float> net) =>
        Enumerable.Range(0, net.ParameterCount).Select(i => (float)Math.Sin(i + 0.5)).ToArray();

    [Theory]
    [InlineData("1x8x8-3c3p1-a2-5r-10", true)]
    [InlineData("1x8x8-3c3s2-7-10", false)]
    public void WrittenParametersReadBackBitForBit(string arch, bool bias)
    {
        var net = Net(arch, bias);
        var parameters = Numbered(net);
        string path = Path.Combine(_dir, "w.h5");
        NetworkExport.WriteWeights(path, net, parameters, net.Neuron);
        Assert.Equal(parameters, GradientWeightsFile.Read(path, net));
    }

    [Fact]
    public void AnAnalogNetworksWeightsStartASpikingNetworkWithBiases()
    {
        var ann = new Network<float>(Architecture.Parse("1x8x8-3c3p1-a2-10"), new NeuronSpec { Kind = UnitKind.Relu }, default, LossKind.Count, true, 1);
        var parameters = Numbered(ann);
        string path = Path.Combine(_dir, "ann.h5");
        NetworkExport.WriteWeights(path, ann, parameters);
        var snn = Net("1x8x8-3c3p1-a2-10", bias: true, UnitKind.IfSubtract);
        Assert.Equal(ann.ParameterCount, snn.ParameterCount);
        Assert.Equal(parameters, GradientWeightsFile.Read(path, snn));
    }

    [Fact]
    public void BadFilesAreNamed()
    {
        string path = Path.Combine(_dir, "w.h5");
        var withBias = Net("1x8x8-3c3p1-a2-10", bias: true);
        var parameters = Numbered(withBias);
        NetworkExport.WriteWeights(path, withBias, parameters);

        var other = Assert.Throws<InvalidDataException>(() => GradientWeightsFile.Read(path, Net("1x8x8-4c3p1-a2-10", true)));
        Assert.Equal($"{path}: the weights are of architecture 1x8x8-3c3p1-a2-10; this run trains 1x8x8-4c3p1-a2-10", other.Message);
        var extra = Assert.Throws<InvalidDataException>(() => GradientWeightsFile.Read(path, Net("1x8x8-3c3p1-a2-10", false)));
        Assert.Equal($"{path}: /layer1/bias: the network was trained with biases; give --bias to train from it", extra.Message);

        string plain = Path.Combine(_dir, "plain.h5");
        NetworkExport.WriteWeights(plain, Net("1x8x8-3c3p1-a2-10", false), new float[Net("1x8x8-3c3p1-a2-10", false).ParameterCount]);
        var missing = Assert.Throws<InvalidDataException>(() => GradientWeightsFile.Read(plain, withBias));
        Assert.Equal($"{plain}: no /layer1/bias dataset: the network was trained without biases; leave out --bias to train from it", missing.Message);

        parameters[withBias.Blocks[2].Offset + 3] = float.NaN;
        NetworkExport.WriteWeights(path, withBias, parameters);
        var nan = Assert.Throws<InvalidDataException>(() => GradientWeightsFile.Read(path, withBias));
        Assert.Equal($"{path}: /{withBias.Blocks[2].Name.Replace('.', '/')}[3] is NaN; parameters must be finite", nan.Message);

        string text = Path.Combine(_dir, "text.h5");
        File.WriteAllText(text, "not hdf5");
        Assert.StartsWith($"{text}: not a readable HDF5 file", Assert.Throws<InvalidDataException>(() => GradientWeightsFile.Read(text, withBias)).Message);
    }

    [Fact]
    public void AConvertedNetworkIsFineTunedFromWhereConversionLeftIt()
    {
        string converted = Path.Combine(_dir, "convert");
        var (code, _, stderr) = CliProcess.Run("train", "convert", "--arch", "784-48-10", "--epochs", "1", "--train-samples", "900",
            "--validation", "100", "--test-samples", "200", "--norm-samples", "300", "--steps", "12", "--out", converted);
        Assert.True(code == 0, stderr);
        using var conversion = JsonDocument.Parse(File.ReadAllText(Path.Combine(converted, "train_summary.json")));
        double atConversion = conversion.RootElement.GetProperty("converted")[0].GetProperty("test_accuracy").GetDouble();

        // No training: the spiking network of the file, tested as conversion tested it, answers the same.
        string weights = Path.Combine(converted, "weights.h5");
        string[] common = ["train", "surrogate", "--arch", "784-48-10", "--neuron", "if_subtract", "--bias", "--steps", "12", "--train-samples", "900",
            "--validation", "100", "--test-samples", "200", "--init-from", weights];
        (code, _, stderr) = CliProcess.Run([.. common, "--epochs", "0", "--out", Path.Combine(_dir, "as-converted")]);
        Assert.True(code == 0, stderr);
        using var same = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "as-converted", "train_summary.json")));
        Assert.Equal(atConversion, same.RootElement.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(weights, same.RootElement.GetProperty("init_from").GetString());

        // Without --bias the file's biases have nowhere to go: refused before training, nothing written.
        (code, _, stderr) = CliProcess.Run([.. common.Where(a => a != "--bias"), "--epochs", "1", "--out", Path.Combine(_dir, "no-bias")]);
        Assert.Equal(2, code);
        Assert.Contains($"error: --init-from: {weights}: /layer1/bias: the network was trained with biases; give --bias to train from it", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "no-bias", "train_summary.json")));

        // A cluster job starts from its seed's weights: a file is refused rather than silently not used.
        (code, _, stderr) = CliProcess.Run([.. common, "--epochs", "1", "--endpoint", "http://127.0.0.1:9", "--out", Path.Combine(_dir, "cluster")]);
        Assert.Equal(2, code);
        Assert.Contains("error: --init-from: a cluster job starts from the initial weights of its seed", stderr);

        // Resuming needs the starting weights the checkpoint was taken from.
        string resumed = Path.Combine(_dir, "resumed");
        (code, _, stderr) = CliProcess.Run([.. common, "--epochs", "1", "--checkpoint-every", "5", "--out", resumed]);
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CliProcess.Run([.. common.Take(common.Length - 2), "--epochs", "1", "--resume", "--out", resumed]);
        Assert.Equal(2, code);
        Assert.Contains("taken under other settings", stderr);
    }
}
