using DistSnn.Learning.Evaluation;

namespace DistSnn.Learning.Tests;

public class ClassAssignmentTests
{
    [Fact]
    public void Each_neuron_gets_the_class_of_its_highest_mean_response()
    {
        int[,] counts =
        {
            // neuron: 0  1  2  3
            { 5, 0, 0, 0 }, // class 0
            { 3, 1, 0, 0 }, // class 0
            { 0, 4, 0, 0 }, // class 1
            { 0, 2, 1, 0 }, // class 2
            { 1, 0, 0, 0 }, // class 2
        };
        byte[] labels = [0, 0, 1, 2, 2];

        var assignment = ClassAssignment.Assign(counts, labels, classCount: 3);

        // Means: neuron 0: 4, 0, 0.5; neuron 1: 0.5, 4, 1; neuron 2: 0, 0, 0.5; neuron 3 never fired.
        Assert.Equal([0, 1, 2, ClassAssignment.Unassigned], assignment.NeuronClasses);
        Assert.Equal(4, assignment.NeuronCount);
        Assert.Equal(3, assignment.ClassCount);
        Assert.Equal(1, assignment.NeuronsInClass(0));
        Assert.Equal(1, assignment.NeuronsInClass(2));
    }

    [Fact]
    public void Means_not_sums_decide()
    {
        // Neuron 0 fires 6 spikes over two class-0 samples (mean 3) but 4 in one class-1 sample (mean 4).
        int[,] counts = { { 3 }, { 3 }, { 4 } };
        var assignment = ClassAssignment.Assign(counts, [0, 0, 1], classCount: 2);
        Assert.Equal([1], assignment.NeuronClasses);
    }

    [Fact]
    public void Ties_go_to_the_lowest_class()
    {
        // Neuron 0: mean 2 for classes 1 and 2; neuron 1: mean 1 for classes 0, 1 and 2.
        int[,] counts = { { 0, 1 }, { 2, 1 }, { 2, 1 }, { 2, 1 } };
        var assignment = ClassAssignment.Assign(counts, [0, 1, 2, 2], classCount: 3);
        Assert.Equal([1, 0], assignment.NeuronClasses);
    }

    [Fact]
    public void Classes_absent_from_the_samples_are_never_assigned()
    {
        int[,] counts = { { 1, 0 }, { 0, 2 } };
        var assignment = ClassAssignment.Assign(counts, [3, 7], classCount: 10);
        Assert.Equal([3, 7], assignment.NeuronClasses);
        Assert.Equal(0, assignment.NeuronsInClass(0));
    }

    [Fact]
    public void Flat_and_matrix_counts_give_the_same_assignment()
    {
        int[,] matrix = { { 1, 0, 2 }, { 0, 3, 2 }, { 4, 0, 0 } };
        int[] flat = [1, 0, 2, 0, 3, 2, 4, 0, 0];
        byte[] labels = [2, 1, 0];
        Assert.Equal(
            ClassAssignment.Assign(matrix, labels, 3).NeuronClasses,
            ClassAssignment.Assign(flat, neuronCount: 3, labels, classCount: 3).NeuronClasses);
    }

    [Fact]
    public void Prediction_takes_the_class_with_the_highest_mean_count_of_its_neurons()
    {
        // Neurons 0 and 1 are class 0, neuron 2 class 1, neuron 3 unassigned, neuron 4 class 2; class 3 has none.
        var assignment = ClassAssignment.FromClasses([0, 0, 1, ClassAssignment.Unassigned, 2], classCount: 4);

        Assert.Equal(new[] { 3.0, 3.0, 0.0, double.NegativeInfinity }, assignment.ClassScores([2, 4, 3, 100, 0]));
        Assert.Equal(0, assignment.Predict([2, 4, 3, 100, 0])); // tie 3 vs 3 → lower class; neuron 3 ignored
        Assert.Equal(1, assignment.Predict([0, 0, 5, 0, 1]));
        Assert.Equal(2, assignment.Predict([1, 0, 0, 0, 1])); // class 0 mean 0.5 < class 2 mean 1
        Assert.Equal(0, assignment.Predict([0, 0, 0, 9, 0])); // no assigned neuron fired: lowest class with neurons
    }

    [Fact]
    public void Classes_without_neurons_are_skipped_even_when_all_scores_are_zero()
    {
        var assignment = ClassAssignment.FromClasses([1, 1, 2], classCount: 3);
        Assert.Equal(double.NegativeInfinity, assignment.ClassScores([0, 0, 0])[0]);
        Assert.Equal(1, assignment.Predict([0, 0, 0]));
    }

    [Fact]
    public void Without_any_assigned_neuron_there_is_no_prediction()
    {
        var assignment = ClassAssignment.Assign(new int[2, 3], [0, 1], classCount: 2);
        Assert.All(assignment.NeuronClasses, c => Assert.Equal(ClassAssignment.Unassigned, c));
        Assert.Equal(ClassAssignment.Unassigned, assignment.Predict([4, 5, 6]));
    }

    [Fact]
    public void Batch_prediction_matches_per_sample_prediction()
    {
        var assignment = ClassAssignment.FromClasses([0, 1, 2], classCount: 3);
        int[,] counts = { { 3, 1, 0 }, { 0, 0, 2 }, { 1, 5, 5 }, { 0, 0, 0 } };
        int[] expected = [0, 2, 1, 0];
        Assert.Equal(expected, assignment.Predict(counts));
        Assert.Equal(expected, assignment.Predict([3, 1, 0, 0, 0, 2, 1, 5, 5, 0, 0, 0], sampleCount: 4));
    }

    // Labelling responses of three neurons to four images, and the images' classes: shared by the proportion and
    // profile tests, whose expected means are worked out from it.
    private static readonly int[,] LabellingCounts =
    {
        // neuron: 0  1  2
        { 6, 2, 0 }, // class 0
        { 2, 2, 0 }, // class 0
        { 0, 2, 0 }, // class 1
        { 1, 4, 0 }, // class 2
    };
    private static readonly byte[] LabellingClasses = [0, 0, 1, 2];

    [Fact]
    public void Proportions_are_each_neurons_share_of_its_mean_responses_that_its_class_has()
    {
        var assignment = ClassAssignment.Assign(LabellingCounts, LabellingClasses, classCount: 3);

        // Means: neuron 0: 4, 0, 1 -> class 0, 4/5; neuron 1: 2, 2, 4 -> class 2, 4/8; neuron 2 never fired.
        Assert.Equal([0, 2, ClassAssignment.Unassigned], assignment.NeuronClasses);
        Assert.Equal([0.8, 0.5, 0.0], assignment.Proportions);
    }

    [Fact]
    public void The_proportion_readout_lets_a_selective_neuron_outvote_an_unselective_one()
    {
        // Neuron 0 answers class 0 only (proportion 1); neuron 1 answers class 1 but classes 0 and 2 almost as much
        // (means 3, 4, 3: proportion 0.4).
        var assignment = ClassAssignment.FromClasses([0, 1], classCount: 3, proportions: [1.0, 0.4]);
        int[] sample = [3, 5];

        Assert.Equal([3.0, 5.0, double.NegativeInfinity], assignment.ClassScores(sample, Readout.MeanCount));
        Assert.Equal(1, assignment.Predict(sample, Readout.MeanCount));
        Assert.Equal([3.0, 2.0, double.NegativeInfinity], assignment.ClassScores(sample, Readout.Proportion));
        Assert.Equal(0, assignment.Predict(sample, Readout.Proportion));
        Assert.Equal([0, 0], assignment.Predict(new[,] { { 3, 5 }, { 1, 0 } }, Readout.Proportion));
    }

    [Fact]
    public void The_profile_readout_lets_every_neuron_back_every_class_it_answers()
    {
        var assignment = ClassAssignment.Assign(LabellingCounts, LabellingClasses, classCount: 4);
        // Profiles: neuron 0 means 4, 0, 1 -> 0.8, 0, 0.2; neuron 1 means 2, 2, 4 -> 0.25, 0.25, 0.5; neuron 2 silent.
        // Class 3 had no labelling image: no score.
        int[] sample = [1, 4, 7];
        var scores = assignment.ClassScores(sample, Readout.Profile);
        Assert.Equal(1 * 0.8 + 4 * 0.25, scores[0], 12);
        Assert.Equal(4 * 0.25, scores[1], 12);
        Assert.Equal(1 * 0.2 + 4 * 0.5, scores[2], 12);
        Assert.Equal(double.NegativeInfinity, scores[3]);
        Assert.Equal(2, assignment.Predict(sample, Readout.Profile));
        // Mean count: class 0 scores 3, class 2 scores 4. Profile: neuron 1 splits its 4 spikes over three classes,
        // so class 0 gets 3 * 0.8 + 1 = 3.4 against class 2's 0.6 + 2 = 2.6.
        Assert.Equal(2, assignment.Predict([3, 4, 0], Readout.MeanCount));
        Assert.Equal(0, assignment.Predict([3, 4, 0], Readout.Profile));
        Assert.Equal([2, 0], assignment.Predict([1, 4, 7, 3, 4, 0], sampleCount: 2, Readout.Profile));
    }

    [Fact]
    public void Without_labelling_responses_the_profile_readout_is_the_proportion_sum()
    {
        var assignment = ClassAssignment.FromClasses([0, 1, 1], classCount: 3, proportions: [1.0, 0.4, 0.5]);
        // One-hot profiles at the proportions, summed rather than averaged; class 2 has no neuron.
        Assert.Equal([3.0, 5 * 0.4 + 2 * 0.5, double.NegativeInfinity], assignment.ClassScores([3, 5, 2], Readout.Profile));
    }

    [Fact]
    public void Without_proportions_both_readouts_agree()
    {
        var assignment = ClassAssignment.FromClasses([0, 1, 1, ClassAssignment.Unassigned], classCount: 2);
        Assert.Equal([1.0, 1.0, 1.0, 0.0], assignment.Proportions);
        int[] counts = [2, 1, 4, 9, 0, 3, 0, 7];
        Assert.Equal(assignment.Predict(counts, 2, Readout.MeanCount), assignment.Predict(counts, 2, Readout.Proportion));
        Assert.Equal(assignment.ClassScores([2, 1, 4, 9], Readout.MeanCount), assignment.ClassScores([2, 1, 4, 9], Readout.Proportion));
    }

    [Fact]
    public void Accuracy_is_the_fraction_of_correct_predictions()
    {
        Assert.Equal(0.5, ClassAssignment.Accuracy([0, 1, ClassAssignment.Unassigned, 2], [0, 2, 1, 2]));
        Assert.Equal(1.0, ClassAssignment.Accuracy([4], [4]));
    }

    [Fact]
    public void Assigning_and_predicting_the_same_well_separated_samples_is_perfect()
    {
        // Neurons 2c and 2c+1 answer class c; every sample also has a little noise on other neurons.
        const int classes = 5, neurons = 10, samples = 50;
        var counts = new int[samples * neurons];
        var labels = new byte[samples];
        for (int s = 0; s < samples; s++)
        {
            int c = s % classes;
            labels[s] = (byte)c;
            counts[s * neurons + 2 * c] = 8 + s % 3;
            counts[s * neurons + 2 * c + 1] = 6;
            counts[s * neurons + (2 * c + 3) % neurons] = 1;
        }
        var assignment = ClassAssignment.Assign(counts, neurons, labels, classes);
        var predicted = assignment.Predict(counts, samples);
        Assert.Equal(1.0, ClassAssignment.Accuracy(predicted, labels));
        Assert.Equal(samples, ConfusionMatrix.From(predicted, labels, classes).Correct);
    }

    [Fact]
    public void Bad_input_is_reported_with_what_and_where()
    {
        Assert.Contains("5 spike counts do not make 2 samples × 3 neurons (expected 6)",
            Assert.Throws<ArgumentException>(() => ClassAssignment.Assign(new int[5], 3, [0, 1], 2)).Message);
        Assert.Contains("label 4 of sample 1 is not a class index (expected 0..3)",
            Assert.Throws<ArgumentException>(() => ClassAssignment.Assign(new int[4], 2, [0, 4], 4)).Message);
        Assert.Contains("spike count -2 for sample 1, neuron 0 is negative",
            Assert.Throws<ArgumentException>(() => ClassAssignment.Assign([1, 0, -2, 0], 2, [0, 1], 2)).Message);

        var assignment = ClassAssignment.FromClasses([0, 1], 2);
        Assert.Contains("3 spike counts but the assignment has 2 neurons",
            Assert.Throws<ArgumentException>(() => assignment.Predict([1, 2, 3])).Message);
        Assert.Contains("spike count -1 of neuron 1 is negative",
            Assert.Throws<ArgumentException>(() => assignment.Predict([1, -1])).Message);
        Assert.Contains("spike counts have 3 columns but the assignment has 2 neurons",
            Assert.Throws<ArgumentException>(() => assignment.Predict(new int[4, 3])).Message);
        Assert.Contains("neuron 1 has class 2; expected 0..1 or -1",
            Assert.Throws<ArgumentException>(() => ClassAssignment.FromClasses([0, 2], 2)).Message);
        Assert.Contains("3 predictions but 2 labels",
            Assert.Throws<ArgumentException>(() => ClassAssignment.Accuracy([0, 1, 1], [0, 1])).Message);
        Assert.Throws<ArgumentException>(() => ClassAssignment.Accuracy([], []));
        Assert.Contains("2 proportions for 3 neurons",
            Assert.Throws<ArgumentException>(() => ClassAssignment.FromClasses([0, 1, 1], 2, [1.0, 0.5])).Message);
        Assert.Contains("proportion 1.5 of neuron 1 is not in 0..1",
            Assert.Throws<ArgumentException>(() => ClassAssignment.FromClasses([0, 1], 2, [1.0, 1.5])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => assignment.Predict([1, 2], (Readout)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => assignment.NeuronsInClass(2));
    }
}
