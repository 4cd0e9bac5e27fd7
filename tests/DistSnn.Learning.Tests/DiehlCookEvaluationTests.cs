using DistSnn.Learning.DiehlCook;
using DistSnn.Learning.Evaluation;

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
    public void Repeated_evaluation_presentations_change_the_labelling_but_not_what_is_learned_on_any_partitioning()
    {
        var plain = new StdpTrainer(Small).Run(fixture.Data.Train, fixture.Data.Test);
        var twice = new StdpTrainer(Small with { EvalPresentations = 2 }).Run(fixture.Data.Train, fixture.Data.Test);
        var twiceThree = new StdpTrainer(Small with { EvalPresentations = 2, Partitions = 3 }).Run(fixture.Data.Train, fixture.Data.Test);
        // Training is the same run; only labelling and testing see each image twice.
        Assert.Equal(plain.WeightsChecksum, twice.WeightsChecksum);
        Assert.Equal(plain.Weights, twice.Weights);
        Assert.Equal(plain.Theta, twice.Theta);
        Assert.Equal(20, twice.Confusion.Total);
        // The second presentation adds its own Poisson spikes: other labelling responses, hence other proportions.
        Assert.False(plain.NeuronClasses.SequenceEqual(twice.NeuronClasses) && plain.NeuronProportions.SequenceEqual(twice.NeuronProportions),
            "showing each image twice gave exactly the labelling of one presentation");
        Assert.Equal(twice.NeuronClasses, twiceThree.NeuronClasses);
        Assert.Equal(twice.NeuronProportions, twiceThree.NeuronProportions);
        Assert.Equal(twice.TestAccuracy, twiceThree.TestAccuracy);
    }

    [Fact]
    public void Kept_responses_are_the_spike_counts_the_labelling_and_every_readout_came_from_on_any_partitioning()
    {
        var plain = new StdpTrainer(Small).Run(fixture.Data.Train, fixture.Data.Test);
        Assert.Null(plain.Responses);
        var kept = new StdpTrainer(Small with { KeepResponses = true }).Run(fixture.Data.Train, fixture.Data.Test);
        var keptThree = new StdpTrainer(Small with { KeepResponses = true, Partitions = 3 }).Run(fixture.Data.Train, fixture.Data.Test);
        // Keeping the counts changes nothing that is computed from them.
        Assert.Equal(plain.WeightsChecksum, kept.WeightsChecksum);
        Assert.Equal(plain.NeuronClasses, kept.NeuronClasses);
        Assert.Equal(plain.AccuracyByReadout, kept.AccuracyByReadout);
        var r = Assert.IsType<EvaluationResponses>(kept.Responses);
        Assert.Equal(20, r.Neurons);
        Assert.Equal(20 * 20, r.LabelCounts.Length);
        Assert.Equal(20 * 20, r.TestCounts.Length);
        // The last 20 of the 30 training images labelled, the first 20 test images tested.
        Assert.Equal(fixture.Data.Train.Labels.AsSpan(10, 20).ToArray(), r.LabelClasses);
        Assert.Equal(fixture.Data.Test.Labels.AsSpan(0, 20).ToArray(), r.TestClasses);
        Assert.Contains(r.TestCounts, c => c > 0);
        // The labelling and each readout's accuracy are recomputed exactly from the kept counts.
        var assignment = ClassAssignment.Assign(r.LabelCounts, r.Neurons, r.LabelClasses);
        Assert.Equal(kept.NeuronClasses, assignment.NeuronClasses.ToArray());
        Assert.Equal(Enum.GetValues<Readout>(), kept.AccuracyByReadout.Keys.Order());
        var linear = LinearReadout.Fit(r.LabelCounts, r.Neurons, r.LabelClasses);
        foreach (var (readout, accuracy) in kept.AccuracyByReadout)
            Assert.Equal(accuracy, ClassAssignment.Accuracy(readout == Readout.Linear
                ? linear.Predict(r.TestCounts, r.TestClasses.Length)
                : assignment.Predict(r.TestCounts, r.TestClasses.Length, readout), r.TestClasses));
        var three = Assert.IsType<EvaluationResponses>(keptThree.Responses);
        Assert.Equal(r.LabelCounts, three.LabelCounts);
        Assert.Equal(r.TestCounts, three.TestCounts);
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
        foreach (double k in new[] { 0, -1, double.NaN, double.PositiveInfinity, 100.5 })
            Assert.Contains("training rate scale must be > 0 and at most 100", Assert.Throws<ArgumentOutOfRangeException>(() => new StdpTrainer(Small with { TrainRateScale = k })).Message);
        Assert.Contains("needs labelling on the frozen network", Assert.Throws<ArgumentException>(() => new StdpTrainer(Small with { EvalRateScale = 2, LabelSamples = 0 })).Message);
        Assert.Contains("linear readout is fitted on the frozen network's labelling counts: it needs at least 20 label samples, got 0",
            Assert.Throws<ArgumentException>(() => new StdpTrainer(Small with { Readout = Readout.Linear, LabelSamples = 0 })).Message);
        foreach (int r in new[] { 0, -1, 17 })
            Assert.Contains("evaluation presentations must be 1 to 16", Assert.Throws<ArgumentOutOfRangeException>(() => new StdpTrainer(Small with { EvalPresentations = r })).Message);
        Assert.Contains("need labelling on the frozen network", Assert.Throws<ArgumentException>(() => new StdpTrainer(Small with { EvalPresentations = 2, LabelSamples = 0 })).Message);
        var nothingToLabel = new StdpTrainer(Small with { TrainSamples = 0, LabelSamples = 0 });
        Assert.Contains("images to label", Assert.Throws<ArgumentException>(() => nothingToLabel.Run(fixture.Data.Train, fixture.Data.Test)).Message);
    }

    [Fact]
    public void The_network_for_a_training_rate_scale_has_its_weights_traces_and_depression_scaled()
    {
        var plain = DiehlCookNetwork.Build(5, 1);
        var scaled = DiehlCookNetwork.Build(5, 1, rateScale: 4);
        var (p, s) = ((Model.TripletStdpSynapse)plain.Projections[0].Synapse, (Model.TripletStdpSynapse)scaled.Projections[0].Synapse);
        Assert.Equal((20.0, 0.0001, 1.0, 78.0), (p.TauPlus, p.A2Minus, p.WMax, p.NormalizeTotal!.Value));
        Assert.Equal((5.0, 0.000025, 0.25, 19.5), (s.TauPlus, s.A2Minus, s.WMax, s.NormalizeTotal!.Value));
        // What does not depend on the pre rate is left alone.
        Assert.Equal((p.A3Plus, p.TauMinus, p.TauY, p.NormalizeOrder), (s.A3Plus, s.TauMinus, s.TauY, s.NormalizeOrder));
        Assert.Throws<ArgumentOutOfRangeException>(() => DiehlCookNetwork.Build(5, 1, rateScale: 0));
    }

    [Fact]
    public void Training_at_a_rate_scale_reports_weights_in_the_units_of_the_plain_network_on_every_partitioning()
    {
        var plain = new StdpTrainer(Small).Run(fixture.Data.Train, fixture.Data.Test);
        var results = new List<StdpTrainingResult>();
        foreach (int parts in new[] { 1, 3 })
        {
            var trainer = new StdpTrainer(Small with { TrainRateScale = 4, Partitions = parts });
            var result = trainer.Run(fixture.Data.Train, fixture.Data.Test);
            // Normalised to Diehl & Cook's 78 nS per neuron after the last image, as at K = 1, not to 78 / 4.
            for (int j = 0; j < result.Neurons; j++)
            {
                double sum = 0;
                for (int i = 0; i < 784; i++) sum += result.Weights[i * result.Neurons + j];
                Assert.True(Math.Abs(sum - 78) < 1e-3, $"neuron {j}: input weights sum to {sum} nS");
            }
            Assert.Equal(result.Weights, trainer.Network.DenseWeights(0));
            results.Add(result);
        }
        Assert.NotEqual(plain.WeightsChecksum, results[0].WeightsChecksum);
        Assert.Equal(results[0].WeightsChecksum, results[1].WeightsChecksum);
        Assert.Equal(results[0].Weights, results[1].Weights);
        Assert.Equal(results[0].TestAccuracy, results[1].TestAccuracy);
    }

    [Fact]
    public void Saved_weights_trained_at_a_rate_scale_start_a_network_at_that_scale_exactly()
    {
        var first = new StdpTrainer(Small with { TrainRateScale = 4 }).Run(fixture.Data.Train, fixture.Data.Test);
        // The network holds a quarter of the saved weights, as it would have after its own training at K = 4.
        var again = new StdpTrainer(Small with { TrainRateScale = 4, TrainSamples = 0, StartFrom = new DiehlCookState(first.Weights, first.Theta) });
        Assert.Equal(first.Weights.Select(w => w * 0.25f), again.Network.DenseWeights(0));
        var evaluated = again.Run(fixture.Data.Train, fixture.Data.Test);
        Assert.Equal(first.WeightsChecksum, evaluated.WeightsChecksum);
    }
}
