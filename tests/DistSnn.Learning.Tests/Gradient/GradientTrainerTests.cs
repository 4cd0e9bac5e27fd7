using DistSnn.Model.Datasets;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.Gradient;
using DistSnn.Nodes.Random;

namespace DistSnn.Learning.Tests.Gradient;

public sealed class GradientTrainerTests
{
    /// <summary>
    /// 10 classes of 8 × 8 images: class k lights row k mod 8 and column k div 2 (with different brightness), plus
    /// noise; separable, but not by one pixel.
    /// </summary>
    internal static LabeledImages Synthetic(int count, ulong seed)
    {
        var pixels = new byte[count * 64];
        var labels = new byte[count];
        ulong key = CounterRng.StreamKey(seed, RngPurpose.TrainInput, 1234);
        for (int s = 0; s < count; s++)
        {
            int k = (int)CounterRng.Below(key, (ulong)s, 0, 10);
            labels[s] = (byte)k;
            for (int i = 0; i < 64; i++)
            {
                int y = i / 8, x = i % 8;
                double v = 40 * CounterRng.Uniform(key, (ulong)s, (ulong)(i + 1));
                if (y == k % 8) v += 150;
                if (x == k / 2) v += k % 2 == 0 ? 200 : 100;
                pixels[s * 64 + i] = (byte)Math.Min(255, v);
            }
        }
        return new LabeledImages(new IdxImages(pixels, count, 8, 8), labels);
    }

    private static GradientTrainingOptions Options(string arch, int replicas, string neuron = "lif_delta", EncodingKind encoding = EncodingKind.Poisson) => new()
    {
        Architecture = Architecture.Parse(arch),
        Neuron = neuron == "relu" ? new NeuronSpec { Kind = UnitKind.Relu } : new NeuronSpec { Kind = NeuronSpec.ParseKind(neuron), TRef = 1 },
        Encoding = new InputEncoding { Kind = encoding, MaxRateHz = 300 },
        Steps = 12,
        Epochs = 2,
        BatchSize = 30,
        MicroBatches = 12,
        Replicas = replicas,
        LearningRate = 5e-3,
        WeightDecay = 1e-4,
        RateWeight = 0.1,
        Validation = 40,
        Bias = true,
    };

    [Theory]
    [InlineData("64-24r-10", "lif_delta")]
    [InlineData("1x8x8-4c3-a2-10", "lif_exp_current")]
    [InlineData("64-16-10", "relu")]
    public void WeightsAreBitIdenticalForOneTwoAndThreeReplicas(string arch, string neuron)
    {
        var data = Synthetic(160, 3);
        var sums = new List<string>();
        foreach (int r in new[] { 1, 2, 3 })
        {
            var trainer = new GradientTrainer(Options(arch, r, neuron), data);
            trainer.RunEpoch();
            trainer.RunEpoch();
            sums.Add(GradientTrainer.Checksum(trainer.Parameters));
            Assert.Equal(2 * trainer.BatchesPerEpoch, trainer.Optimizer.StepCount);
        }
        Assert.Equal(sums[0], sums[1]);
        Assert.Equal(sums[0], sums[2]);
        // And training moved them: the checksum is not that of the initial weights.
        Assert.NotEqual(GradientTrainer.Checksum(GradientTrainer.InitialParameters(
            new GradientTrainer(Options(arch, 1, neuron), data).Network, 1, 1.0)), sums[0]);
    }

    [Fact]
    public void AugmentedTrainingIsReplicaIndependentAndNotThatOfPlainImages()
    {
        var data = Synthetic(160, 3);
        string Train(int replicas, int shift, bool flip)
        {
            var trainer = new GradientTrainer(Options("1x8x8-4c3-a2-10", replicas) with { Shift = shift, Flip = flip }, data);
            trainer.RunEpoch();
            return GradientTrainer.Checksum(trainer.Parameters);
        }
        string augmented = Train(1, 2, true);
        Assert.Equal(augmented, Train(3, 2, true));
        Assert.NotEqual(Train(1, 0, false), augmented);
        Assert.NotEqual(Train(1, 2, false), augmented);
    }

    [Fact]
    public void AugmentationMovesAndMirrorsImagesAsDrawn()
    {
        const int rows = 5, columns = 7;
        var image = Enumerable.Range(1, rows * columns).Select(i => (byte)i).ToArray();
        var into = new byte[image.Length];
        var seen = new HashSet<(int, int, bool)>();
        for (long sample = 0; sample < 400; sample++)
        {
            var (dx, dy, mirror) = Augmentation.Draw(2, true, 5, 1, sample);
            Assert.InRange(dx, -2, 2);
            Assert.InRange(dy, -2, 2);
            seen.Add((dx, dy, mirror));
            Augmentation.Apply(image, rows, columns, 2, true, 5, 1, sample, into);
            for (int y = 0; y < rows; y++)
                for (int x = 0; x < columns; x++)
                {
                    int sy = y - dy, sx = x - dx;
                    int expected = sy < 0 || sy >= rows || sx < 0 || sx >= columns ? 0 : image[sy * columns + (mirror ? columns - 1 - sx : sx)];
                    Assert.Equal(expected, into[y * columns + x]);
                }
        }
        Assert.Equal(50, seen.Count); // every move, mirrored and not
        Assert.Equal(Augmentation.Draw(2, true, 5, 1, 17), Augmentation.Draw(2, true, 5, 1, 17));
        Assert.NotEqual(Enumerable.Range(0, 20).Select(s => Augmentation.Draw(2, true, 5, 1, s)), Enumerable.Range(0, 20).Select(s => Augmentation.Draw(2, true, 5, 2, s)));
        Assert.Equal((0, 0, false), Augmentation.Draw(0, false, 5, 1, 3));
    }

    [Fact]
    public void MicroBatchSplitAndTreeAreFixed()
    {
        Assert.Equal((0, 3), MicroBatches.Range(34, 12, 0));
        Assert.Equal((27, 3), MicroBatches.Range(34, 12, 9));
        Assert.Equal((30, 2), MicroBatches.Range(34, 12, 10));
        Assert.Equal([4, 5, 6, 7], MicroBatches.OfReplica(12, 3, 1));
        Assert.Equal([0, 1, 2, 3, 4], MicroBatches.OfReplica(13, 3, 0));
        // ((g0 + g1) + (g2 + g3)) + g4: values chosen so that any other grouping rounds differently.
        var g = new[] { new[] { 1e8f }, new[] { 1f }, new[] { -1e8f }, new[] { 1f }, new[] { 0.5f } };
        MicroBatches.TreeReduce(g);
        Assert.Equal((1e8f + 1f + (-1e8f + 1f)) + 0.5f, g[0][0]);
    }

    [Theory]
    [InlineData("64-32-10", "lif_delta", EncodingKind.Poisson)]
    [InlineData("64-32-10", "lif_exp_current", EncodingKind.Direct)]
    [InlineData("64-32-10", "lif_delta", EncodingKind.Latency)]
    [InlineData("64-32-10", "relu", EncodingKind.Direct)]
    public void LearnsASeparableTask(string arch, string neuron, EncodingKind encoding)
    {
        var data = Synthetic(600, 5);
        var test = Synthetic(200, 6);
        var options = Options(arch, 2, neuron, encoding) with { Epochs = 8, Validation = 100, LearningRate = 1e-2 };
        var trainer = new GradientTrainer(options, data);
        double before = trainer.Evaluate(test).Accuracy;
        EpochReport last = null!;
        for (int e = 0; e < options.Epochs; e++) last = trainer.RunEpoch();
        double after = trainer.Evaluate(test).Accuracy;
        Assert.True(after >= 0.9, $"{neuron}/{encoding}: test accuracy {after:P1} after training (from {before:P1})");
        Assert.True(last.ValidationAccuracy >= 0.85, $"validation accuracy {last.ValidationAccuracy:P1}");
        if (neuron != "relu") Assert.InRange(last.Rates[0], 1e-3, 0.9);
    }

    [Fact]
    public void ValidationSplitIsDisjointAndSeeded()
    {
        var (train, validation) = GradientTrainer.Split(1000, 100, 7);
        Assert.Equal(900, train.Length);
        Assert.Equal(100, validation.Length);
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(validation, GradientTrainer.Split(1000, 100, 7).Validation);
        Assert.NotEqual(validation, GradientTrainer.Split(1000, 100, 8).Validation);
    }

    [Fact]
    public void BadSettingsNameTheOption()
    {
        var data = Synthetic(50, 1);
        var e = Assert.Throws<ArgumentException>(() => new GradientTrainer(Options("64-10", 13), data));
        Assert.Contains("--replicas", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GradientTrainer(Options("100-10", 1), data));
        Assert.Contains("--arch '100-10'", e.Message);
        Assert.Contains("8x8 = 64 pixels", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GradientTrainer(Options("64-10", 1) with { Validation = 50 }, data));
        Assert.Contains("--validation 50", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GradientTrainer(Options("64-10", 1) with { Shift = 8 }, data));
        Assert.Equal("--shift: must lie in 0 … 7 pixels, got 8", e.Message);
    }
}

public sealed class TrainingCheckpointTests
{
    [Fact]
    public void ResumedMidEpochWithOtherReplicasEndsWithTheSameWeights()
    {
        var data = GradientTrainerTests.Synthetic(200, 3);
        GradientTrainingOptions Options(int r) => new()
        {
            Architecture = Architecture.Parse("64-16r-10"), Steps = 8, Epochs = 2, BatchSize = 20, Replicas = r, Validation = 20,
            Encoding = new InputEncoding { Kind = EncodingKind.Poisson },
        };
        var whole = new GradientTrainer(Options(1), data);
        whole.RunEpoch();
        whole.RunEpoch();

        string path = Path.Combine(Path.GetTempPath(), $"distsnn-ckpt-{Guid.NewGuid():N}.bin");
        try
        {
            var first = new GradientTrainer(Options(2), data);
            using (var stop = new CancellationTokenSource())
            {
                Assert.Throws<OperationCanceledException>(() => first.RunEpoch(cancel: stop.Token, afterStep: t =>
                {
                    if (t.Optimizer.StepCount == 4) { TrainingCheckpoint.Save(path, t, []); stop.Cancel(); }
                }));
            }
            var resumed = new GradientTrainer(Options(3), data);
            TrainingCheckpoint.Load(path, resumed);
            Assert.Equal(4, resumed.BatchInEpoch);
            resumed.RunEpoch();
            resumed.RunEpoch();
            Assert.Equal(GradientTrainer.Checksum(whole.Parameters), GradientTrainer.Checksum(resumed.Parameters));

            var other = new GradientTrainer(Options(1) with { Seed = 2 }, data);
            var e = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path, other));
            Assert.Contains(path, e.Message);
            Assert.Contains("taken under other settings", e.Message);
        }
        finally { File.Delete(path); }
    }
}
