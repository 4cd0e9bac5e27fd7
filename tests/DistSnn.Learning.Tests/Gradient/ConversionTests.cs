using DistSnn.Learning.Gradient;

namespace DistSnn.Learning.Tests.Gradient;

public sealed class ConversionTests
{
    [Theory]
    [InlineData("64-32-10")]
    [InlineData("1x8x8-4c3p1-a2-10")]
    public void ConvertedNetworkApproachesItsAnalogNetworkWithMoreSteps(string arch)
    {
        var data = GradientTrainerTests.Synthetic(600, 5);
        var test = GradientTrainerTests.Synthetic(300, 6);
        var ann = new GradientTrainingOptions
        {
            Architecture = Architecture.Parse(arch), Neuron = new NeuronSpec { Kind = UnitKind.Relu }, Bias = true, Steps = 1,
            Epochs = 6, BatchSize = 30, LearningRate = 1e-2, Validation = 0, Replicas = 2,
        };
        var trainer = new GradientTrainer(ann, data);
        for (int e = 0; e < ann.Epochs; e++) trainer.RunEpoch();
        double annAccuracy = trainer.Evaluate(test).Accuracy;
        Assert.True(annAccuracy > 0.9, $"the analog network reaches only {annAccuracy:P1}");

        var lambda = Conversion.Scales(trainer.Network, trainer.Parameters, data, Enumerable.Range(0, 300).ToArray(), 99.9);
        Assert.All(lambda, l => Assert.True(l > 0));
        var converted = Conversion.Convert(trainer.Network, trainer.Parameters, lambda);
        var accuracies = new List<double>();
        foreach (int steps in new[] { 4, 64 })
        {
            var snn = new GradientTrainer(Conversion.SpikingOptions(ann, steps), data);
            converted.CopyTo(snn.Parameters, 0);
            accuracies.Add(snn.Evaluate(test).Accuracy);
        }
        Assert.True(accuracies[1] >= annAccuracy - 0.03, $"{arch}: converted at 64 steps {accuracies[1]:P1}, analog {annAccuracy:P1}");
        Assert.True(accuracies[1] > accuracies[0], $"more steps should answer better: 4 steps {accuracies[0]:P1}, 64 steps {accuracies[1]:P1}");
    }

    [Fact]
    public void ScalesAreThePercentileOfPositiveActivations()
    {
        // One layer whose activations are known: input i → unit i with weight 1, bias 0, inputs i/255 · 1.
        var net = new Network<float>(Architecture.Parse("4-4"), new NeuronSpec { Kind = UnitKind.Relu }, default, LossKind.Count, true, 1);
        var p = new float[net.ParameterCount];
        for (int i = 0; i < 4; i++) p[i * 4 + i] = 1;
        var pixels = new byte[] { 0, 51, 102, 255, 0, 0, 153, 204 };
        var data = new DistSnn.Learning.Datasets.LabeledImages(new DistSnn.Model.Datasets.IdxImages(pixels, 2, 2, 2), [0, 1]);
        var lambda = Conversion.Scales(net, p, data, [0, 1], 100);
        Assert.Equal(1.0, lambda[0], 6);
        lambda = Conversion.Scales(net, p, data, [0, 1], 50);
        // positive values 0.2, 0.4, 0.6, 0.8, 1.0: the 50th percentile is the third.
        Assert.Equal(0.6, lambda[0], 6);
    }
}
