using System.Globalization;
using DistSnn.Learning.Evaluation;
using ScottPlot;

namespace DistSnn.Learning.Plots;

/// <summary>Size of a written image in pixels.</summary>
public readonly record struct PlotSize(int Width, int Height);

/// <summary>
/// PNG figures of a learning run: the learned receptive fields and the confusion matrix. Drawn with ScottPlot,
/// which renders through SkiaSharp's self-contained native library, so no display or font server is needed.
/// </summary>
public static class LearningPlots
{
    /// <summary>Largest side of the default receptive-field mosaic in pixels, before title and colour bar.</summary>
    private const int MosaicTargetPixels = 960;
    private const int MaxPixelsPerWeight = 8;

    // Room around the mosaic for the title (top), the colour bar (right) and ScottPlot's margins.
    private const int ExtraWidth = 140;
    private const int ExtraHeight = 70;

    /// <summary>
    /// Arranges each neuron's input weights as an image: a grid of <c>ceil(sqrt(N))</c> columns of
    /// <paramref name="imageRows"/> × <paramref name="imageColumns"/> tiles, neuron 0 top left, filled row by row,
    /// with one NaN row and column between tiles (and NaN in unused tiles).
    /// </summary>
    /// <param name="weights">Input-major weights: the weight of input <c>i</c> onto neuron <c>j</c> is at
    /// <c>i * neuronCount + j</c>; input <c>i</c> is pixel (<c>i / imageColumns</c>, <c>i % imageColumns</c>).
    /// Length imageRows × imageColumns × neuronCount; every weight finite.</param>
    /// <param name="neuronCount">Number of neurons (at least 1).</param>
    /// <param name="imageRows">Height of an input image.</param>
    /// <param name="imageColumns">Width of an input image.</param>
    /// <returns>The mosaic, [row, column] with row 0 at the top.</returns>
    public static double[,] ReceptiveFieldMosaic(
        ReadOnlySpan<float> weights, int neuronCount, int imageRows = 28, int imageColumns = 28)
    {
        CheckWeights(weights, neuronCount, imageRows, imageColumns);
        var (gridRows, gridColumns) = GridShape(neuronCount);
        int tileHeight = imageRows + 1, tileWidth = imageColumns + 1;
        var mosaic = new double[gridRows * tileHeight - 1, gridColumns * tileWidth - 1];
        for (int r = 0; r < mosaic.GetLength(0); r++)
            for (int c = 0; c < mosaic.GetLength(1); c++)
                mosaic[r, c] = double.NaN;

        for (int j = 0; j < neuronCount; j++)
        {
            int top = j / gridColumns * tileHeight, left = j % gridColumns * tileWidth;
            for (int r = 0; r < imageRows; r++)
                for (int c = 0; c < imageColumns; c++)
                    mosaic[top + r, left + c] = weights[(r * imageColumns + c) * neuronCount + j];
        }
        return mosaic;
    }

    /// <summary>
    /// The image size <see cref="SaveReceptiveFields"/> uses when none is given: up to
    /// <see cref="MaxPixelsPerWeight"/> pixels per weight, as many as keep the mosaic within about 960 pixels,
    /// plus room for the title and colour bar.
    /// </summary>
    public static PlotSize DefaultReceptiveFieldSize(int neuronCount, int imageRows = 28, int imageColumns = 28)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(neuronCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageColumns);
        var (gridRows, gridColumns) = GridShape(neuronCount);
        int mosaicWidth = gridColumns * (imageColumns + 1) - 1, mosaicHeight = gridRows * (imageRows + 1) - 1;
        int scale = Math.Clamp(MosaicTargetPixels / Math.Max(mosaicWidth, mosaicHeight), 1, MaxPixelsPerWeight);
        return new PlotSize(mosaicWidth * scale + ExtraWidth, mosaicHeight * scale + ExtraHeight);
    }

    /// <summary>
    /// Writes the receptive fields of all neurons as a PNG: the <see cref="ReceptiveFieldMosaic"/> in grey levels
    /// from the smallest weight (black) to the largest (white) on one scale for all neurons, so that fields can be
    /// compared, with a colour bar.
    /// </summary>
    /// <param name="path">PNG file to write; its directory is created if missing.</param>
    /// <param name="weights">Input-major weights, see <see cref="ReceptiveFieldMosaic"/>.</param>
    /// <param name="neuronCount">Number of neurons.</param>
    /// <param name="imageRows">Height of an input image.</param>
    /// <param name="imageColumns">Width of an input image.</param>
    /// <param name="title">Title above the mosaic; by default the neuron count and weight range.</param>
    /// <param name="size">Image size; by default <see cref="DefaultReceptiveFieldSize"/>.</param>
    /// <returns>The size written.</returns>
    public static PlotSize SaveReceptiveFields(
        string path, ReadOnlySpan<float> weights, int neuronCount, int imageRows = 28, int imageColumns = 28,
        string? title = null, PlotSize? size = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var mosaic = ReceptiveFieldMosaic(weights, neuronCount, imageRows, imageColumns);
        var plotSize = size ?? DefaultReceptiveFieldSize(neuronCount, imageRows, imageColumns);
        CheckSize(plotSize);

        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float w in weights)
        {
            min = Math.Min(min, w);
            max = Math.Max(max, w);
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(mosaic);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        // The unused cells between tiles show the figure background, which sets the tiles apart.
        heatmap.NaNCellColor = Colors.White;
        // A fixed range puts all neurons on one scale; an all-equal set of weights still needs a non-empty range.
        heatmap.ManualRange = new ScottPlot.Range(min, max > min ? max : min + 1);
        plot.Add.ColorBar(heatmap);
        plot.HideAxesAndGrid();
        plot.Axes.Margins(0, 0);
        plot.Title(title ?? string.Create(CultureInfo.InvariantCulture,
            $"Receptive fields of {neuronCount} neurons (weights {min:G3} to {max:G3})"));
        Save(plot, path, plotSize);
        return plotSize;
    }

    /// <summary>
    /// Writes a confusion matrix as a PNG heat map: true classes down the side (with their recall), predicted
    /// classes along the bottom, the count in each cell.
    /// </summary>
    /// <param name="path">PNG file to write; its directory is created if missing.</param>
    /// <param name="matrix">The counts.</param>
    /// <param name="classNames">One name per class; class indices are used without.</param>
    /// <param name="title">Title; by default the accuracy and sample count.</param>
    /// <param name="size">Image size; 900 × 800 by default.</param>
    /// <returns>The size written.</returns>
    public static PlotSize SaveConfusionMatrix(
        string path, ConfusionMatrix matrix, IReadOnlyList<string>? classNames = null, string? title = null,
        PlotSize? size = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(matrix);
        int k = matrix.ClassCount;
        if (classNames is not null && classNames.Count != k)
            throw new ArgumentException($"{classNames.Count} class names for {k} classes", nameof(classNames));
        var plotSize = size ?? new PlotSize(900, 800);
        CheckSize(plotSize);
        var names = classNames ?? Enumerable.Range(0, k).Select(c => c.ToString(CultureInfo.InvariantCulture)).ToList();

        var counts = matrix.ToArray();
        var values = new double[k, k];
        int maxCount = 0;
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
            {
                values[t, p] = counts[t, p];
                maxCount = Math.Max(maxCount, counts[t, p]);
            }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        // ScottPlot's Blues runs from dark to white; reversed, empty cells are white and large counts dark.
        heatmap.Colormap = new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Blues());
        heatmap.ManualRange = new ScottPlot.Range(0, Math.Max(1, maxCount));
        plot.Add.ColorBar(heatmap);

        // The heat map draws row 0 at the top, centred on y = k - 1, and column p centred on x = p.
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
            {
                var label = plot.Add.Text(counts[t, p].ToString(CultureInfo.InvariantCulture), p, k - 1 - t);
                label.Alignment = Alignment.MiddleCenter;
                label.LabelStyle.FontSize = Math.Clamp(160f / k, 8f, 16f);
                // Dark cells get white text so that the count stays readable.
                label.LabelStyle.ForeColor = counts[t, p] > maxCount / 2 ? Colors.White : Colors.Black;
            }

        var positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        var bottom = plot.Axes.Bottom;
        bottom.SetTicks(positions, names.ToArray());
        bottom.TickLabelStyle.Rotation = 45;
        bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        // ScottPlot sizes the axis for unrotated labels; slanted ones need the room of their diagonal extent,
        // plus the axis title below them.
        using (var paint = Paint.NewDisposablePaint())
        {
            float widest = names.Max(n => bottom.TickLabelStyle.Measure(n, paint).Width);
            bottom.MinimumSize = widest * MathF.Sqrt(0.5f) + 2 * bottom.TickLabelStyle.FontSize + 20;
        }
        // Tick y belongs to row k - 1 - y.
        plot.Axes.Left.SetTicks(positions,
            Enumerable.Range(0, k).Select(y => RowLabel(names[k - 1 - y], matrix.Recall(k - 1 - y))).ToArray());
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.HideGrid();
        plot.XLabel("predicted class");
        plot.YLabel("true class (recall)");

        int unpredicted = Enumerable.Range(0, k).Sum(matrix.Unpredicted);
        string missing = unpredicted > 0 ? $" ({unpredicted} without prediction)" : "";
        plot.Title(title ?? string.Create(CultureInfo.InvariantCulture,
            $"Accuracy {matrix.Accuracy * 100:F2}% of {matrix.Total} samples{missing}"));
        Save(plot, path, plotSize);
        return plotSize;
    }

    private static string RowLabel(string name, double recall) =>
        double.IsNaN(recall)
            ? $"{name} (-)"
            : string.Create(CultureInfo.InvariantCulture, $"{name} ({recall * 100:F1}%)");

    private static (int Rows, int Columns) GridShape(int neuronCount)
    {
        int columns = (int)Math.Ceiling(Math.Sqrt(neuronCount));
        // Floating-point sqrt of a perfect square can land just above it; the smallest sufficient count is wanted.
        while (columns > 1 && (columns - 1) * (columns - 1) >= neuronCount) columns--;
        return ((neuronCount + columns - 1) / columns, columns);
    }

    private static void CheckWeights(ReadOnlySpan<float> weights, int neuronCount, int imageRows, int imageColumns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(neuronCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageColumns);
        long expected = (long)imageRows * imageColumns * neuronCount;
        if (weights.Length != expected)
            throw new ArgumentException(
                $"{weights.Length} weights do not make {imageRows}×{imageColumns} inputs × {neuronCount} neurons " +
                $"(expected {expected})",
                nameof(weights));
        for (int i = 0; i < weights.Length; i++)
            if (!float.IsFinite(weights[i]))
                throw new ArgumentException(
                    $"weight of input {i / neuronCount} onto neuron {i % neuronCount} (index {i}) is {weights[i]}",
                    nameof(weights));
    }

    private static void CheckSize(PlotSize size)
    {
        if (size.Width is < 16 or > 16384 || size.Height is < 16 or > 16384)
            throw new ArgumentOutOfRangeException(nameof(size), size, "image sides must be 16 to 16384 pixels");
    }

    private static void Save(Plot plot, string path, PlotSize size)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        plot.SavePng(path, size.Width, size.Height);
    }
}
