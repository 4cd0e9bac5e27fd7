using DistSnn.Learning.DiehlCook;
using DistSnn.Learning.Evaluation;
using DistSnn.Model;

namespace DistSnn.Learning.Tests;

/// <summary>
/// The Diehl &amp; Cook network on real Fashion-MNIST images, at CI size: it must learn (accuracy clearly above the 10%
/// of chance) and learn the same weights whatever the number of partitions.
/// </summary>
public sealed class DiehlCookTests(FashionMnistFixture fixture) : IClassFixture<FashionMnistFixture>
{
    [Fact]
    public void A_few_hundred_images_give_accuracy_clearly_above_chance()
    {
        var trainer = new StdpTrainer(new StdpTrainingOptions { Neurons = 100, TrainSamples = 400, TestSamples = 200, ReportEvery = 200 });
        var result = trainer.Run(fixture.Data.Train, fixture.Data.Test);
        Assert.Equal(400, result.TrainSamples);
        Assert.Equal(200, result.Confusion.Total);
        // Chance is 10%: 20 of 200 test images, give or take 4.2; 60 or more is over 9 standard deviations above it
        // (this run gets 40.5% with the default proportion readout, 36.5% with the mean count).
        Assert.True(result.TestAccuracy >= 0.30, $"test accuracy {result.TestAccuracy:P1} after 400 images");
        Assert.True(result.NeuronClasses.Distinct().Count(c => c >= 0) >= 5, "neurons specialise on at least 5 classes");
        // All readouts are scored on the same spike counts; the default one is the headline and the confusion matrix.
        Assert.Equal(Readout.Proportion, result.Readout);
        Assert.Equal([Readout.MeanCount, Readout.Proportion, Readout.Profile, Readout.Linear], result.AccuracyByReadout.Keys.Order());
        Assert.Equal(result.AccuracyByReadout[Readout.Proportion], result.TestAccuracy);
        Assert.Equal(result.TestAccuracy, (double)result.Confusion.Correct / result.Confusion.Total);
        Assert.True(result.AccuracyByReadout[Readout.MeanCount] >= 0.30, $"mean-count accuracy {result.AccuracyByReadout[Readout.MeanCount]:P1}");
        Assert.True(result.AccuracyByReadout[Readout.Linear] >= 0.30, $"linear accuracy {result.AccuracyByReadout[Readout.Linear]:P1}");
        Assert.Equal(result.Neurons, result.NeuronProportions.Length);
        Assert.All(result.NeuronProportions, p => Assert.InRange(p, 0.1, 1.0));
        // Normalisation keeps the input weights of every neuron summing to 78 nS.
        for (int j = 0; j < result.Neurons; j++)
        {
            double sum = 0;
            for (int i = 0; i < 784; i++) sum += result.Weights[i * result.Neurons + j];
            Assert.InRange(sum, 77.9, 78.1);
        }
        Assert.True(result.Theta.Max() > 0, "adaptive thresholds grew");
    }

    [Fact]
    public void Labelling_runs_on_the_frozen_network_and_changes_no_weight_or_threshold()
    {
        var options = new StdpTrainingOptions { Neurons = 20, TrainSamples = 30, TestSamples = 5, ReportEvery = 10 };
        var inWindow = new StdpTrainer(options with { LabelSamples = 0 }).Run(fixture.Data.Train, fixture.Data.Test);
        var trainer = new StdpTrainer(options with { LabelSamples = 20 });
        var frozen = trainer.Run(fixture.Data.Train, fixture.Data.Test);
        Assert.Equal(inWindow.WeightsChecksum, frozen.WeightsChecksum);
        Assert.Equal(inWindow.Theta, frozen.Theta);
        // The result is taken when training ends; the network after labelling and testing still holds exactly it.
        Assert.Equal(frozen.Weights, trainer.Network.DenseWeights(0));
        Assert.Equal(frozen.Theta, trainer.Network.Gather(trainer.Network.Spec.PopulationIndex(DiehlCookNetwork.Excitatory), "theta"));
        Assert.Contains(frozen.NeuronClasses, c => c >= 0);
        // The frozen responses label differently from the ones recorded while the weights moved.
        Assert.NotEqual(inWindow.NeuronClasses, frozen.NeuronClasses);
        // Only frozen labelling counts fit the linear readout: labels recorded while learning give the voting ones.
        Assert.DoesNotContain(Readout.Linear, inWindow.AccuracyByReadout.Keys);
        Assert.Contains(Readout.Linear, frozen.AccuracyByReadout.Keys);
    }

    [Fact]
    public void Learned_weights_do_not_depend_on_the_number_of_partitions()
    {
        string? checksum = null;
        foreach (int p in new[] { 1, 3 })
        {
            var trainer = new StdpTrainer(new StdpTrainingOptions { Neurons = 20, TrainSamples = 12, TestSamples = 5, ReportEvery = 6, Partitions = p });
            var result = trainer.Run(fixture.Data.Train, fixture.Data.Test);
            Assert.Equal(p, result.Partitions);
            checksum ??= result.WeightsChecksum;
            Assert.Equal(checksum, result.WeightsChecksum);
        }
    }

    [Fact]
    public void Annealing_lowers_the_learning_rates_linearly_from_its_start_to_the_last_image()
    {
        Assert.Equal(1, StdpTrainer.AnnealedRateScale(0, 11, 0, 0.1));
        Assert.Equal(0.55, StdpTrainer.AnnealedRateScale(5, 11, 0, 0.1), 12);
        Assert.Equal(0.1, StdpTrainer.AnnealedRateScale(10, 11, 0, 0.1), 12);
        // Flat until the start (image 50 of 101), then down to the end value at the last image.
        Assert.Equal(1, StdpTrainer.AnnealedRateScale(50, 101, 0.5, 0));
        Assert.Equal(1 - 24.5 / 49.5, StdpTrainer.AnnealedRateScale(75, 101, 0.5, 0), 12);
        Assert.Equal(0, StdpTrainer.AnnealedRateScale(100, 101, 0.5, 0), 12);
        Assert.Equal(1, StdpTrainer.AnnealedRateScale(100, 101, 1, 0));
    }

    [Fact]
    public void Annealed_training_learns_other_weights_and_the_same_for_any_partitioning()
    {
        var options = new StdpTrainingOptions { Neurons = 20, TrainSamples = 12, TestSamples = 5, ReportEvery = 6, AnnealStart = 1 };
        string plain = new StdpTrainer(options).Run(fixture.Data.Train, fixture.Data.Test).WeightsChecksum;
        var annealed = options with { AnnealStart = 0.25, AnnealEndScale = 0.1 };
        string one = new StdpTrainer(annealed).Run(fixture.Data.Train, fixture.Data.Test).WeightsChecksum;
        string three = new StdpTrainer(annealed with { Partitions = 3 }).Run(fixture.Data.Train, fixture.Data.Test).WeightsChecksum;
        Assert.NotEqual(plain, one);
        Assert.Equal(one, three);
    }

    [Fact]
    public void Euclidean_normalisation_holds_every_neurons_weight_norm()
    {
        var options = new StdpTrainingOptions
        {
            Neurons = 20, TrainSamples = 30, TestSamples = 5, ReportEvery = 10,
            EuclideanRateHz = 551, WeightNormOrder = 2, WeightNormNs = 4.3,
        };
        var result = new StdpTrainer(options).Run(fixture.Data.Train, fixture.Data.Test);
        var sums = new double[result.Neurons];
        for (int j = 0; j < result.Neurons; j++)
        {
            double squares = 0;
            for (int i = 0; i < 784; i++)
            {
                double w = result.Weights[i * result.Neurons + j];
                (squares, sums[j]) = (squares + w * w, sums[j] + w);
            }
            Assert.Equal(4.3, Math.Sqrt(squares), 3);
        }
        // The norm is held, not the sum: neurons whose weights have spread differently sum to different totals.
        Assert.True(sums.Max() - sums.Min() > 1, $"weight sums from {sums.Min():F2} to {sums.Max():F2} nS");
        Assert.Contains(result.NeuronClasses, c => c >= 0);
    }

    [Theory]
    [InlineData(2, 4.3, 1.0)]
    [InlineData(1, 78.0, 1.0)]
    [InlineData(2, 4.3, 4.0)]
    public void Imprinted_weights_are_the_first_images_scaled_to_the_weight_norm(int order, double norm, double rateScale)
    {
        var train = fixture.Data.Train;
        var options = new StdpTrainingOptions { Neurons = 7, WeightNormOrder = order, WeightNormNs = norm, TrainRateScale = rateScale };
        var dense = StdpTrainer.ImprintedWeights(train, 7, options);
        Assert.Equal(784 * 7, dense.Length);
        double bound = 1 / rateScale;
        for (int j = 0; j < 7; j++)
        {
            var image = train.Image(j);
            double size = 0, brightest = 0;
            for (int p = 0; p < 784; p++)
            {
                size += order == 1 ? image[p] : (double)image[p] * image[p];
                brightest = Math.Max(brightest, image[p]);
            }
            if (order == 2) size = Math.Sqrt(size);
            double scale = norm / rateScale / size;
            for (int p = 0; p < 784; p++)
            {
                float w = dense[p * 7 + j];
                Assert.Equal(Math.Min(bound, image[p] * scale), w, 1e-6);
                if (image[p] == 0) Assert.Equal(0f, w);
            }
            // None of these images is so compact that the bound cuts it: the column holds the norm exactly.
            Assert.True(brightest * scale < bound, $"image {j}: {brightest * scale} nS");
            double held = 0;
            for (int p = 0; p < 784; p++) held += order == 1 ? dense[p * 7 + j] : (double)dense[p * 7 + j] * dense[p * 7 + j];
            Assert.Equal(norm / rateScale, order == 1 ? held : Math.Sqrt(held), 4);
        }
    }

    [Fact]
    public void Imprinting_trains_on_the_images_after_the_imprinted_ones_the_same_for_any_partitioning()
    {
        var options = new StdpTrainingOptions
        {
            Neurons = 20, TrainSamples = 32, TestSamples = 5, ReportEvery = 6, LabelSamples = 0,
            EuclideanRateHz = 551, WeightNormOrder = 2, InitialWeights = InitialWeights.Images,
        };
        var one = new StdpTrainer(options).Run(fixture.Data.Train, fixture.Data.Test);
        var three = new StdpTrainer(options with { Partitions = 3 }).Run(fixture.Data.Train, fixture.Data.Test);
        Assert.Equal(one.WeightsChecksum, three.WeightsChecksum);
        var random = new StdpTrainer(options with { InitialWeights = InitialWeights.Random }).Run(fixture.Data.Train, fixture.Data.Test);
        Assert.NotEqual(random.WeightsChecksum, one.WeightsChecksum);
        // 12 images presented after the 20 imprinted ones: two report blocks of 6, the second scored with the first's labels.
        Assert.Equal([32], one.TrainingAccuracy.Select(h => h.Samples));
        Assert.Equal(32, one.TrainSamples);
        Assert.Equal(20, one.ImprintedSamples);
        Assert.Equal(0, random.ImprintedSamples);
        Assert.Equal(12 / one.TrainSeconds, one.TrainSamplesPerSecond, 9);
        // Learning moved the imprints, but each neuron still looks most like the image it started from.
        var imprint = StdpTrainer.ImprintedWeights(fixture.Data.Train, 20, options);
        Assert.NotEqual(imprint, one.Weights);
        for (int j = 0; j < 20; j++)
        {
            int best = -1;
            double bestCos = -1;
            for (int k = 0; k < 20; k++)
            {
                double dot = 0, a = 0, b = 0;
                for (int p = 0; p < 784; p++)
                {
                    double w = one.Weights[p * 20 + j], x = imprint[p * 20 + k];
                    (dot, a, b) = (dot + w * x, a + w * w, b + x * x);
                }
                double cos = dot / Math.Sqrt(a * b);
                if (cos > bestCos) (best, bestCos) = (k, cos);
            }
            Assert.Equal(j, best);
        }
    }

    [Fact]
    public void Imprinting_needs_more_training_images_than_neurons()
    {
        var options = new StdpTrainingOptions { Neurons = 20, TrainSamples = 20, TestSamples = 5, InitialWeights = InitialWeights.Images };
        var e = Assert.Throws<ArgumentException>(() => new StdpTrainer(options).Run(fixture.Data.Train, fixture.Data.Test));
        Assert.Contains("first 20 training images", e.Message);
    }

    [Fact]
    public void All_to_all_pairing_learns_other_weights_and_the_same_for_any_partitioning()
    {
        var spec = DiehlCookNetwork.Build(5, 1, pairing: SpikePairing.AllToAll);
        var rule = Assert.IsType<TripletStdpSynapse>(spec.Projections.Single(p => p.Label == "input_exc").Synapse);
        Assert.Equal(SpikePairing.AllToAll, rule.Pairing);
        var options = new StdpTrainingOptions { Neurons = 20, TrainSamples = 12, TestSamples = 5, ReportEvery = 6 };
        string nearest = new StdpTrainer(options).Run(fixture.Data.Train, fixture.Data.Test).WeightsChecksum;
        var allToAll = options with { Pairing = SpikePairing.AllToAll };
        string one = new StdpTrainer(allToAll).Run(fixture.Data.Train, fixture.Data.Test).WeightsChecksum;
        string three = new StdpTrainer(allToAll with { Partitions = 3 }).Run(fixture.Data.Train, fixture.Data.Test).WeightsChecksum;
        Assert.NotEqual(nearest, one);
        Assert.Equal(one, three);
    }
}
