using DistSnn.Learning.Evaluation;

namespace DistSnn.Learning.Tests;

public class ConfusionMatrixTests
{
    // (true, predicted): (0,0) (1,0) (1,1) (2,2) (2,none) (0,1)
    private static readonly int[] Predicted = [0, 0, 1, 2, ClassAssignment.Unassigned, 1];
    private static readonly byte[] Labels = [0, 1, 1, 2, 2, 0];

    [Fact]
    public void Rows_are_true_classes_and_columns_predicted_ones()
    {
        var m = ConfusionMatrix.From(Predicted, Labels, classCount: 3);
        int[,] expected =
        {
            { 1, 1, 0 },
            { 1, 1, 0 },
            { 0, 0, 1 },
        };
        Assert.Equal(expected, m.ToArray());
        Assert.Equal(1, m[1, 0]);
        Assert.Equal(0, m[2, 0]);
        Assert.Equal(6, m.Total);
        Assert.Equal(3, m.Correct);
    }

    [Fact]
    public void Unpredicted_samples_count_in_their_row_as_misses()
    {
        var m = ConfusionMatrix.From(Predicted, Labels, classCount: 3);
        Assert.Equal([0, 0, 1], Enumerable.Range(0, 3).Select(m.Unpredicted));
        Assert.Equal(2, m.RowTotal(2));
        Assert.Equal(0.5, m.Recall(2));
        Assert.Equal(0.5, m.Accuracy);
        Assert.Equal(ClassAssignment.Accuracy(Predicted, Labels), m.Accuracy);
    }

    [Fact]
    public void Recall_is_per_true_class_and_nan_without_samples()
    {
        var m = ConfusionMatrix.From([0, 0, 0, 1, 1], [0, 0, 1, 1, 1], classCount: 3);
        Assert.Equal(1.0, m.Recall(0));
        Assert.Equal(2.0 / 3, m.Recall(1), 12);
        Assert.True(double.IsNaN(m.Recall(2)));
        Assert.Equal(3, m.ColumnTotal(0));
        Assert.Equal(2, m.ColumnTotal(1));
        Assert.Equal(0, m.ColumnTotal(2));
        Assert.Equal(3, m.Recalls().Length);
    }

    [Fact]
    public void Ten_by_ten_by_default_and_built_one_sample_at_a_time()
    {
        var m = new ConfusionMatrix();
        Assert.Equal(10, m.ClassCount);
        Assert.True(double.IsNaN(m.Accuracy));
        m.Add(9, 9);
        m.Add(9, 3);
        m.Add(3, 3);
        Assert.Equal(1, m[9, 3]);
        Assert.Equal(2, m.Correct);
        Assert.Equal(2.0 / 3, m.Accuracy, 12);
    }

    [Fact]
    public void Text_table_lists_counts_recall_and_accuracy()
    {
        var text = ConfusionMatrix.From(Predicted, Labels, classCount: 3).ToText(["a", "b", "c"]);
        var lines = text.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal(5, lines.Length);
        Assert.Matches(@"^true \\ predicted\s+0\s+1\s+2\s+recall\s+none$", lines[0]);
        Assert.Matches(@"^a\s+1\s+1\s+0\s+50\.0%\s+0$", lines[1]);
        Assert.Matches(@"^c\s+0\s+0\s+1\s+50\.0%\s+1$", lines[3]);
        Assert.Equal("accuracy 50.00% of 6", lines[4]);
    }

    [Fact]
    public void Bad_input_is_reported()
    {
        Assert.Contains("2 predictions but 3 labels",
            Assert.Throws<ArgumentException>(() => ConfusionMatrix.From([0, 1], [0, 1, 1], 2)).Message);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.From([0, 5], [0, 1], 3));
        Assert.Equal("predictedClass", e.ParamName);
        Assert.Contains("expected a class index 0..2", e.Message);
        Assert.Equal("trueClass",
            Assert.Throws<ArgumentOutOfRangeException>(() => ConfusionMatrix.From([0], [3], 3)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix(0));
        Assert.Contains("2 class names for 3 classes",
            Assert.Throws<ArgumentException>(() => new ConfusionMatrix(3).ToText(["a", "b"])).Message);
    }
}
