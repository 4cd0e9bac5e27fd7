using DistSnn.Learning.DiehlCook;

namespace DistSnn.Learning.Tests;

/// <summary>
/// Starting from a saved network (weights and thresholds) and evaluating with a lower-noise input
/// (<see cref="StdpTrainingOptions.EvalRateScale"/>): the state round-trips exactly, evaluation never changes what
/// was learned, and all of it is the same for any partitioning.
/// </summary>
public sealed class DiehlCookEvaluationTests(FashionMnistFixture fixture) : IClassFixture<FashionMnistFixture>
{
    private static readonly StdpTrainingOptions Small = new() { Neurons = 20, TrainSamples = 30, TestSamples = 20, ReportEvery = 10, LabelSamples = 20 };

    [Fact]
    public void A_network_started_from_saved_weights_holds_them_exactly_on_every_partitioning()
    {
        var trained = new StdpTrainer(Small).Run(fixture.Data.Train, fixture.Data.Test);
        var state = new DiehlCookState(trained.Weights, trained.Theta);
        var results = new List<StdpTrainingResult>();
        foreach (int p in new[] { 1, 3 })
        {
            var trainer = new StdpTrainer(Small with { TrainSamples = 0, StartFrom = state, Partitions = p });
            Assert.Equal(trained.Weights, trainer.Network.DenseWeights(0));
            Assert.Equal(trained.Theta, trainer.Network.Gather(trainer.Network.Spec.PopulationIndex(DiehlCookNetwork.Excitatory), "theta"));
            var evaluated = trainer.Run(fixture.Data.Train, fixture.Data.Test);
            // Nothing trained: the weights and thresholds are the ones given, and so is the checksum of the training run.
            Assert.Equal(0, evaluated.TrainSamples);
            Assert.Equal(trained.WeightsChecksum, evaluated.WeightsChecksum);
            Assert.Equal(trained.Theta, evaluated.Theta);
            // Labelled with the last 20 images of the whole training set, then tested.
            Assert.Equal(20, evaluated.LabelSamples);
            Assert.Equal(20, evaluated.Confusion.Total);
            Assert.Contains(evaluated.NeuronClasses, c => c >= 0);
            results.Add(evaluated);
        }
        Assert.Equal(results[0].NeuronClasses, results[1].NeuronClasses);
        Assert.Equal(results[0].NeuronProportions, results[1].NeuronProportions);
        Assert.Equal(results[0].TestAccuracy, results[1].TestAccuracy);
    }

    [Fact]
    public void Training_on_from_saved_weights_continues_where_they_left_off()
    {
        var first = new StdpTrainer(Small).Run(fixture.Data.Train, fixture.Data.Test);
        var more = new StdpTrainer(Small with { StartFrom = new DiehlCookState(first.Weights, first.Theta) }).Run(fixture.Data.Train, fixture.Data.Test);
        Assert.NotEqual(first.WeightsChecksum, more.WeightsChecksum);
        // Thresholds only grow by spiking and decay with a 1e7 ms time constant: 30 more images raise every one
        // that fired, and lower none by more than that decay.
        for (int j = 0; j < first.Neurons; j++) Assert.True(more.Theta[j] >= first.Theta[j] * 0.999, $"theta of neuron {j}: {first.Theta[j]} then {more.Theta[j]}");
        Assert.True(more.Theta.Sum() > first.Theta.Sum());
    }

    [Fact]
    public void The_evaluation_rate_scale_changes_the_responses_but_not_what_is_learned()
    {
        var plain = new StdpTrainer(Small).Run(fixture.Data.Train, fixture.Data.Test);
        var sharpTrainer = new StdpTrainer(Small with { EvalRateScale = 4 });
        float[]? whileLabelling = null;
        var sharp = sharpTrainer.Run(fixture.Data.Train, fixture.Data.Test, p =>
        {
            if (p.Phase == "label") whileLabelling ??= sharpTrainer.Network.DenseWeights(0);
        });
        // While labelling, the network runs at a quarter of the learned weights.
        Assert.NotNull(whileLabelling);
        Assert.Equal(plain.Weights.Select(w => w * 0.25f), whileLabelling);
        var sharpThree = new StdpTrainer(Small with { EvalRateScale = 4, Partitions = 3 }).Run(fixture.Data.Train, fixture.Data.Test);
        Assert.Equal(plain.WeightsChecksum, sharp.WeightsChecksum);
        Assert.Equal(plain.Weights, sharp.Weights);
        // After testing the network is back to the learned weights, bit for bit.
        Assert.Equal(plain.Weights, sharpTrainer.Network.DenseWeights(0));
        // Four times the input spikes at a quarter of the weight: other labelling responses, hence other labels or proportions.
        Assert.False(plain.NeuronClasses.SequenceEqual(sharp.NeuronClasses) && plain.NeuronProportions.SequenceEqual(sharp.NeuronProportions),
            "the scaled evaluation gave exactly the plain one's labelling");
        Assert.Equal(sharp.NeuronClasses, sharpThree.NeuronClasses);
        Assert.Equal(sharp.NeuronProportions, sharpThree.NeuronProportions);
        Assert.Equal(sharp.TestAccuracy, sharpThree.TestAccuracy);
    }

    [Fact]
    public void A_run_cancelled_while_labelling_with_scaled_inputs_leaves_the_learned_weights()
    {
        var plain = new StdpTrainer(Small).Run(fixture.Data.Train, fixture.Data.Test);
        // Started from the trained state with 300 labelling images: progress comes after the 100th, mid-labelling.
        var trainer = new StdpTrainer(Small with
        {
            TrainSamples = 0, EvalRateScale = 4, LabelSamples = 300, StartFrom = new DiehlCookState(plain.Weights, plain.Theta),
        });
        using var cancel = new CancellationTokenSource();
        int labelled = 0;
        Assert.Throws<OperationCanceledException>(() => trainer.Run(fixture.Data.Train, fixture.Data.Test, p =>
        {
            if (p.Phase != "label") return;
            labelled = p.Done;
            cancel.Cancel();
        }, cancel.Token));
        Assert.Equal(100, labelled);
        Assert.Equal(plain.Weights, trainer.Network.DenseWeights(0));
    }

    [Fact]
    public void Bad_starting_states_and_scales_are_refused_by_name()
    {
        var wrongWeights = Assert.Throws<ArgumentException>(() => new StdpTrainer(Small with { StartFrom = new DiehlCookState(new float[784 * 19], new float[20]) }));
        Assert.Contains("784 inputs x 20 neurons need 15680", wrongWeights.Message);
        var wrongTheta = Assert.Throws<ArgumentException>(() => new StdpTrainer(Small with { StartFrom = new DiehlCookState(new float[784 * 20], new float[19]) }));
        Assert.Contains("thresholds are 19 values", wrongTheta.Message);
        foreach (double k in new[] { 0, -1, double.NaN, double.PositiveInfinity, 100.5 })
            Assert.Contains("evaluation rate scale must be > 0 and at most 100", Assert.Throws<ArgumentOutOfRangeException>(() => new StdpTrainer(Small with { EvalRateScale = k })).Message);
        Assert.Contains("needs labelling on the frozen network", Assert.Throws<ArgumentException>(() => new StdpTrainer(Small with { EvalRateScale = 2, LabelSamples = 0 })).Message);
        var nothingToLabel = new StdpTrainer(Small with { TrainSamples = 0, LabelSamples = 0 });
        Assert.Contains("images to label", Assert.Throws<ArgumentException>(() => nothingToLabel.Run(fixture.Data.Train, fixture.Data.Test)).Message);
    }
}
