using System.Globalization;
using System.Text;

namespace DistSnn.Learning.Evaluation;

/// <summary>
/// Counts of (true class, predicted class) pairs: rows are true classes, columns predicted ones. Predictions of
/// <see cref="ClassAssignment.Unassigned"/> (no neuron had a class) have no column; they are counted per true class
/// in <see cref="Unpredicted"/> and count as misses in recall and accuracy.
/// </summary>
public sealed class ConfusionMatrix
{
    // Row-major: the count for (true t, predicted p) is at t * ClassCount + p.
    private readonly int[] _counts;
    private readonly int[] _unpredicted;

    /// <summary>An empty matrix for <paramref name="classCount"/> classes.</summary>
    public ConfusionMatrix(int classCount = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classCount);
        ClassCount = classCount;
        _counts = new int[classCount * classCount];
        _unpredicted = new int[classCount];
    }

    /// <summary>Builds the matrix of predictions against labels.</summary>
    /// <param name="predicted">Predicted class per sample, 0 .. classCount - 1 or <see cref="ClassAssignment.Unassigned"/>.</param>
    /// <param name="labels">True class per sample, 0 .. classCount - 1.</param>
    /// <param name="classCount">Number of classes.</param>
    public static ConfusionMatrix From(ReadOnlySpan<int> predicted, ReadOnlySpan<byte> labels, int classCount = 10)
    {
        if (predicted.Length != labels.Length)
            throw new ArgumentException($"{predicted.Length} predictions but {labels.Length} labels", nameof(labels));
        var matrix = new ConfusionMatrix(classCount);
        for (int i = 0; i < predicted.Length; i++)
            matrix.Add(labels[i], predicted[i]);
        return matrix;
    }

    /// <summary>Number of classes (rows and columns).</summary>
    public int ClassCount { get; }

    /// <summary>Number of samples counted.</summary>
    public int Total { get; private set; }

    /// <summary>Samples of <paramref name="trueClass"/> predicted as <paramref name="predictedClass"/>.</summary>
    public int this[int trueClass, int predictedClass]
    {
        get
        {
            CheckClass(trueClass, nameof(trueClass));
            CheckClass(predictedClass, nameof(predictedClass));
            return _counts[trueClass * ClassCount + predictedClass];
        }
    }

    /// <summary>Counts one sample.</summary>
    /// <param name="trueClass">Its label.</param>
    /// <param name="predictedClass">The prediction, or <see cref="ClassAssignment.Unassigned"/>.</param>
    public void Add(int trueClass, int predictedClass)
    {
        CheckClass(trueClass, nameof(trueClass));
        if (predictedClass == ClassAssignment.Unassigned)
            _unpredicted[trueClass]++;
        else
        {
            CheckClass(predictedClass, nameof(predictedClass));
            _counts[trueClass * ClassCount + predictedClass]++;
        }
        Total++;
    }

    /// <summary>Samples of <paramref name="trueClass"/> that got no prediction.</summary>
    public int Unpredicted(int trueClass)
    {
        CheckClass(trueClass, nameof(trueClass));
        return _unpredicted[trueClass];
    }

    /// <summary>Samples whose true class is <paramref name="trueClass"/>, predicted or not.</summary>
    public int RowTotal(int trueClass)
    {
        CheckClass(trueClass, nameof(trueClass));
        int sum = _unpredicted[trueClass];
        foreach (int n in _counts.AsSpan(trueClass * ClassCount, ClassCount)) sum += n;
        return sum;
    }

    /// <summary>Samples predicted as <paramref name="predictedClass"/>.</summary>
    public int ColumnTotal(int predictedClass)
    {
        CheckClass(predictedClass, nameof(predictedClass));
        int sum = 0;
        for (int t = 0; t < ClassCount; t++) sum += _counts[t * ClassCount + predictedClass];
        return sum;
    }

    /// <summary>Correctly predicted samples (the diagonal).</summary>
    public int Correct
    {
        get
        {
            int sum = 0;
            for (int c = 0; c < ClassCount; c++) sum += _counts[c * ClassCount + c];
            return sum;
        }
    }

    /// <summary>Fraction of all samples predicted correctly (0..1); NaN for an empty matrix.</summary>
    public double Accuracy => Total == 0 ? double.NaN : (double)Correct / Total;

    /// <summary>
    /// Recall of <paramref name="trueClass"/>: the fraction of its samples predicted as it (0..1); NaN when no
    /// sample of that class was counted.
    /// </summary>
    public double Recall(int trueClass)
    {
        int total = RowTotal(trueClass);
        return total == 0 ? double.NaN : (double)_counts[trueClass * ClassCount + trueClass] / total;
    }

    /// <summary>Recall of every class, indexed by class.</summary>
    public double[] Recalls() => Enumerable.Range(0, ClassCount).Select(Recall).ToArray();

    /// <summary>The counts as a new ClassCount × ClassCount array, [true, predicted].</summary>
    public int[,] ToArray()
    {
        var array = new int[ClassCount, ClassCount];
        for (int t = 0; t < ClassCount; t++)
            for (int p = 0; p < ClassCount; p++)
                array[t, p] = _counts[t * ClassCount + p];
        return array;
    }

    /// <summary>
    /// A plain-text table: one row per true class with its counts, recall in percent and, if any, the samples
    /// without prediction. <paramref name="classNames"/> (one per class) label the rows; indices are used without.
    /// </summary>
    public string ToText(IReadOnlyList<string>? classNames = null)
    {
        if (classNames is not null && classNames.Count != ClassCount)
            throw new ArgumentException($"{classNames.Count} class names for {ClassCount} classes", nameof(classNames));
        var names = classNames ?? Enumerable.Range(0, ClassCount).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToList();
        int nameWidth = Math.Max("true \\ predicted".Length, names.Max(n => n.Length));
        int cellWidth = Math.Max(ClassCount.ToString(CultureInfo.InvariantCulture).Length,
            Total.ToString(CultureInfo.InvariantCulture).Length) + 1;
        bool anyUnpredicted = _unpredicted.Any(n => n > 0);

        var text = new StringBuilder();
        text.Append("true \\ predicted".PadRight(nameWidth));
        for (int p = 0; p < ClassCount; p++) text.Append(p.ToString(CultureInfo.InvariantCulture).PadLeft(cellWidth));
        text.Append("  recall");
        if (anyUnpredicted) text.Append("  none");
        text.AppendLine();
        for (int t = 0; t < ClassCount; t++)
        {
            text.Append(names[t].PadRight(nameWidth));
            for (int p = 0; p < ClassCount; p++)
                text.Append(_counts[t * ClassCount + p].ToString(CultureInfo.InvariantCulture).PadLeft(cellWidth));
            double recall = Recall(t);
            text.Append(double.IsNaN(recall)
                ? "       -"
                : (recall * 100).ToString("F1", CultureInfo.InvariantCulture).PadLeft(7) + "%");
            if (anyUnpredicted) text.Append(_unpredicted[t].ToString(CultureInfo.InvariantCulture).PadLeft(6));
            text.AppendLine();
        }
        text.Append(CultureInfo.InvariantCulture, $"accuracy {Accuracy * 100:F2}% of {Total}");
        return text.ToString();
    }

    private void CheckClass(int classIndex, string name)
    {
        if (classIndex < 0 || classIndex >= ClassCount)
            throw new ArgumentOutOfRangeException(name, classIndex, $"expected a class index 0..{ClassCount - 1}");
    }
}
