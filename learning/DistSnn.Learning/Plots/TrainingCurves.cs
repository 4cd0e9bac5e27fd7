using ScottPlot;

namespace DistSnn.Learning.Plots;

/// <summary>Loss and accuracy per epoch of a gradient-trained network.</summary>
public static class TrainingCurves
{
    /// <summary>
    /// Writes training and validation accuracy in percent (left axis) and the mean training loss (right axis) per
    /// epoch; the format follows the extension (.png or .svg).
    /// </summary>
    public static void Save(string path, IReadOnlyList<double> trainLoss, IReadOnlyList<double> trainAccuracy,
        IReadOnlyList<double> validationAccuracy, string title)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (trainLoss.Count != trainAccuracy.Count || trainLoss.Count != validationAccuracy.Count)
            throw new ArgumentException("one loss and two accuracies per epoch");
        var epochs = Enumerable.Range(1, trainLoss.Count).Select(e => (double)e).ToArray();
        var plot = new Plot();
        var train = plot.Add.Scatter(epochs, trainAccuracy.Select(a => 100 * a).ToArray());
        train.LegendText = "training accuracy";
        var valid = validationAccuracy.Select(a => 100 * a).ToArray();
        if (valid.All(double.IsFinite)) plot.Add.Scatter(epochs, valid).LegendText = "validation accuracy";
        var loss = plot.Add.Scatter(epochs, trainLoss.ToArray());
        loss.LegendText = "training loss (right axis)";
        loss.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "cross-entropy";
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("accuracy (%)");
        plot.ShowLegend(Alignment.MiddleRight);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        if (path.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)) plot.SaveSvg(path, 900, 600);
        else plot.SavePng(path, 900, 600);
    }
}
