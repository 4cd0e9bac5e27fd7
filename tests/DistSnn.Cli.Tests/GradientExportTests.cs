using DistSnn.Backends.Testing;
using DistSnn.Cluster.Runtime;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.Gradient;
using DistSnn.Model;
using DistSnn.Model.Datasets;
using DistSnn.Nodes.Random;
using DistSnn.Partitioner;

namespace DistSnn.Cli.Tests;

/// <summary>
/// A trained network, exported as a model file with its weights in HDF5 and run by the simulator over a data set,
/// spikes exactly what the trainer's reference forward pass says, for any partitioning.
/// </summary>
public sealed class GradientExportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-export-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    private static LabeledImages Synthetic(int count, ulong seed)
    {
        var (pixels, labels) = SyntheticImages.Generate(count, seed);
        return new LabeledImages(new IdxImages(pixels, count, 8, 8), labels);
    }

    private static void WriteIdx(string path, byte type, uint[] dims, byte[] data) => SyntheticImages.WriteIdx(path, type, dims, data);

    public static TheoryData<string, string, string, bool, bool> Cases => new()
    {
        // architecture, units, encoding, trained biases, reset at every sample
        { "64-24r-10", "lif_exp_current", "direct", false, false },
        { "64-20-16-10", "lif_delta", "poisson", true, true },
        { "64-20-10", "if_subtract", "latency", false, true },
        { "64-20-10", "if_subtract", "direct", true, false },
        // Convolutions; pooling folded into the next projection (a dense matrix, or a convolution with a larger kernel).
        { "1x8x8-4c3-a2-10", "lif_exp_current", "direct", true, true },
        { "1x8x8-3c3p1-a2-4c3-10", "lif_delta", "poisson", false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SimulatorSpikesEqualTheReferenceForwardPass(string arch, string neuron, string encoding, bool bias, bool reset)
    {
        var train = Synthetic(600, 1);
        var test = Synthetic(100, 2);
        string images = Path.Combine(_dir, "images.idx"), labels = Path.Combine(_dir, "labels.idx");
        WriteIdx(images, 0x08, [100, 8, 8], test.Images.Pixels);
        WriteIdx(labels, 0x08, [100], test.Labels);
        var options = new GradientTrainingOptions
        {
            Architecture = Architecture.Parse(arch),
            Neuron = new NeuronSpec { Kind = NeuronSpec.ParseKind(neuron), TRef = neuron == "lif_delta" ? 2 : 0 },
            Encoding = new InputEncoding { Kind = InputEncoding.ParseKind(encoding), MaxRateHz = 300 },
            Bias = bias, Steps = 15, Epochs = 8, BatchSize = 30, Replicas = 2, LearningRate = 1e-2, Validation = 50, InitGain = neuron == "lif_delta" ? 1.0 : 0.5, Seed = 9,
        };
        var trainer = new GradientTrainer(options, train);
        for (int e = 0; e < options.Epochs; e++) trainer.RunEpoch();
        double trainerAccuracy = trainer.Evaluate(test).Accuracy;
        Assert.True(trainerAccuracy > 0.5, $"{arch} {neuron} {encoding}: the trained network answers only {trainerAccuracy:P0} of the test images");

        int rest = 20;
        string model = NetworkExport.Write(Path.Combine(_dir, "export"), "exported", trainer.Network, trainer.Parameters, options,
            new ExportPresentation(images, labels, 100, rest * options.Neuron.Dt, reset, RecordAll: true));
        var reference = new List<ReferenceSpike>();
        var counts = ReferenceForward.Run(trainer.Network, trainer.Parameters, options, test, 100, rest, reference, reset);
        Assert.True(reference.Count(s => s.Layer == ExportedLayers.Of(trainer.Network).Count - 1) > 100, "the output layer hardly spikes");

        var spec = ModelLoader.LoadFile(model);
        foreach (int partitions in new[] { 1, 3 })
        {
            var report = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = partitions, Strategy = partitions == 1 ? PartitionStrategy.Contiguous : PartitionStrategy.RoundRobin });
            var simulated = new List<ReferenceSpike>();
            var layers = ExportedLayers.Of(trainer.Network);
            for (int l = 0; l < layers.Count; l++)
            {
                var pop = report.Spikes.Single(p => p.Name == layers[l].Name);
                for (int s = 0; s < pop.Count; s++) simulated.Add(new ReferenceSpike(l, pop.Steps[s] - 1, pop.LocalIds[s]));
            }
            var expected = reference.OrderBy(s => s.Step).ThenBy(s => s.Layer).ThenBy(s => s.Neuron).ToList();
            var actual = simulated.OrderBy(s => s.Step).ThenBy(s => s.Layer).ThenBy(s => s.Neuron).ToList();
            Assert.Equal(expected.Count, actual.Count);
            Assert.Equal(expected, actual);

            // The simulator's readout: the same counts, so the same answers.
            var score = report.Summary.Dataset!;
            int correct = 0;
            for (int s = 0; s < 100; s++)
            {
                int best = 0;
                for (int k = 1; k < 10; k++) if (counts[s, k] > counts[s, best]) best = k;
                if (best == test.Labels[s]) correct++;
            }
            Assert.Equal(100, score.Samples);
            Assert.Equal(correct, score.Correct);
        }
    }

    [Fact]
    public void WeightsFromDataMustFitTheConnector()
    {
        var train = Synthetic(100, 1);
        var options = new GradientTrainingOptions { Architecture = Architecture.Parse("64-12-10"), Epochs = 0, Validation = 10 };
        var trainer = new GradientTrainer(options, train);
        string images = Path.Combine(_dir, "images.idx"), labels = Path.Combine(_dir, "labels.idx");
        WriteIdx(images, 0x08, [100, 8, 8], train.Images.Pixels);
        WriteIdx(labels, 0x08, [100], train.Labels);
        string model = NetworkExport.Write(Path.Combine(_dir, "bad"), "bad", trainer.Network, trainer.Parameters, options,
            new ExportPresentation(images, labels, 100, 10));
        // Point layer2's projection at layer1's weights: 64 × 12 values for a 12 × 10 connector.
        File.WriteAllText(model, File.ReadAllText(model).Replace("dataset: /layer2/weight", "dataset: /layer1/weight"));
        var e = Assert.Throws<ModelException>(() => ModelLoader.LoadFile(model));
        Assert.Contains("projections[1].weight", e.Message + "\n" + File.ReadAllText(model));
        Assert.Contains("holds 768 values", e.Message);
        Assert.Contains("has 120 synapses", e.Message);
        Assert.Contains("model.yaml:", e.Message);

        File.WriteAllText(model, File.ReadAllText(model).Replace("dataset: /layer1/weight, unit: mV}, delay: 1 ms}\n  - {source: layer1", "dataset: /nope, unit: mV}, delay: 1 ms}\n  - {source: layer1"));
        e = Assert.Throws<ModelException>(() => ModelLoader.LoadFile(model));
        Assert.Contains("weights.h5 has no dataset /nope", e.Message);
    }
}
