using DistSnn.Learning.Datasets;
using DistSnn.Learning.Evaluation;
using DistSnn.Learning.Plots;

namespace DistSnn.Learning.Tests;

public sealed class LearningPlotsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Input-major weights where neuron j sees a diagonal stripe pattern of its own period.</summary>
    private static float[] StripeWeights(int neurons, int rows = 28, int columns = 28)
    {
        var weights = new float[rows * columns * neurons];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                for (int j = 0; j < neurons; j++)
                    weights[(r * columns + c) * neurons + j] = (r + c) % (j + 2) / (float)(j + 1);
        return weights;
    }

    [Fact]
    public void Mosaic_places_each_neurons_field_in_its_tile()
    {
        // 5 neurons of 3×2 inputs: 3 tile columns, 2 tile rows, one NaN line between tiles.
        const int neurons = 5, rows = 3, columns = 2;
        var weights = Enumerable.Range(0, rows * columns * neurons).Select(i => (float)i).ToArray();

        var mosaic = LearningPlots.ReceptiveFieldMosaic(weights, neurons, rows, columns);

        Assert.Equal(2 * (rows + 1) - 1, mosaic.GetLength(0));
        Assert.Equal(3 * (columns + 1) - 1, mosaic.GetLength(1));
        for (int j = 0; j < neurons; j++)
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < columns; c++)
                    Assert.Equal(weights[(r * columns + c) * neurons + j],
                        mosaic[j / 3 * (rows + 1) + r, j % 3 * (columns + 1) + c]);
        Assert.True(double.IsNaN(mosaic[3, 0]));     // separator row
        Assert.True(double.IsNaN(mosaic[0, 2]));     // separator column
        Assert.True(double.IsNaN(mosaic[4, 6]));     // the sixth tile is unused
        Assert.Equal(weights[1], mosaic[0, 3]);      // input 0 of neuron 1 starts the second tile
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 2, 2)]
    [InlineData(9, 3, 3)]
    [InlineData(10, 3, 4)]
    [InlineData(16, 4, 4)]
    [InlineData(400, 20, 20)]
    public void Grid_has_ceil_sqrt_columns(int neurons, int gridRows, int gridColumns)
    {
        var mosaic = LearningPlots.ReceptiveFieldMosaic(new float[784 * neurons], neurons);
        Assert.Equal(gridRows * 29 - 1, mosaic.GetLength(0));
        Assert.Equal(gridColumns * 29 - 1, mosaic.GetLength(1));
    }

    [Fact]
    public void Receptive_fields_png_has_the_default_size_and_real_content()
    {
        string path = Path.Combine(_dir.Path, "fields.png");

        var size = LearningPlots.SaveReceptiveFields(path, StripeWeights(9), neuronCount: 9);

        // 3×3 tiles of 29 cells less one: 86 cells, 8 pixels each, plus the title and colour-bar room.
        Assert.Equal(new PlotSize(86 * 8 + 140, 86 * 8 + 70), size);
        Assert.Equal(size, LearningPlots.DefaultReceptiveFieldSize(9));
        AssertPng(path, size, minimumColors: 8);
    }

    [Fact]
    public void Receptive_fields_png_takes_a_given_size_and_creates_its_directory()
    {
        string path = Path.Combine(_dir.Path, "sub", "dir", "fields.png");
        var size = LearningPlots.SaveReceptiveFields(path, StripeWeights(20, 10, 12), neuronCount: 20,
            imageRows: 10, imageColumns: 12, title: "epoch 3", size: new PlotSize(500, 400));
        Assert.Equal(new PlotSize(500, 400), size);
        AssertPng(path, size, minimumColors: 8);
    }

    [Fact]
    public void Large_networks_get_fewer_pixels_per_weight()
    {
        // 400 neurons: 20×20 tiles, 579 cells a side, one pixel each within the 960-pixel target.
        Assert.Equal(new PlotSize(579 + 140, 579 + 70), LearningPlots.DefaultReceptiveFieldSize(400));
        Assert.Equal(new PlotSize(28 * 8 + 140, 28 * 8 + 70), LearningPlots.DefaultReceptiveFieldSize(1));
    }

    [Fact]
    public void Equal_weights_still_render()
    {
        string path = Path.Combine(_dir.Path, "flat.png");
        var size = LearningPlots.SaveReceptiveFields(path, new float[784 * 4], neuronCount: 4);
        var png = PngImage.Read(path);
        Assert.Equal((size.Width, size.Height), (png.Width, png.Height));
    }

    [Fact]
    public void Bad_weights_are_reported()
    {
        string path = Path.Combine(_dir.Path, "bad.png");
        var e = Assert.Throws<ArgumentException>(() => LearningPlots.SaveReceptiveFields(path, new float[784 * 3 - 1], 3));
        Assert.Contains("2351 weights do not make 28×28 inputs × 3 neurons (expected 2352)", e.Message);

        var weights = new float[784 * 2];
        weights[7] = float.NaN;
        e = Assert.Throws<ArgumentException>(() => LearningPlots.SaveReceptiveFields(path, weights, 2));
        Assert.Contains("weight of input 3 onto neuron 1 (index 7) is NaN", e.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            LearningPlots.SaveReceptiveFields(path, new float[784], 1, size: new PlotSize(0, 100)));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Confusion_matrix_png_has_the_default_size_and_real_content()
    {
        var matrix = new ConfusionMatrix();
        for (int t = 0; t < 10; t++)
            for (int p = 0; p < 10; p++)
                for (int n = 0; n < (t == p ? 80 + 2 * t : (t * 7 + p * 3) % 11); n++)
                    matrix.Add(t, p);
        matrix.Add(4, ClassAssignment.Unassigned);
        string path = Path.Combine(_dir.Path, "confusion.png");

        var size = LearningPlots.SaveConfusionMatrix(path, matrix, FashionMnist.ClassNames);

        Assert.Equal(new PlotSize(900, 800), size);
        AssertPng(path, size, minimumColors: 20);
    }

    [Fact]
    public void Confusion_matrix_png_works_without_names_and_with_a_given_size()
    {
        var matrix = ConfusionMatrix.From([0, 1, 1, 2], [0, 1, 2, 2], classCount: 3);
        string path = Path.Combine(_dir.Path, "small.png");
        var size = LearningPlots.SaveConfusionMatrix(path, matrix, title: "three classes", size: new PlotSize(320, 240));
        AssertPng(path, size, minimumColors: 5);
    }

    [Fact]
    public void Confusion_matrix_names_must_match_the_classes()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            LearningPlots.SaveConfusionMatrix(Path.Combine(_dir.Path, "x.png"), new ConfusionMatrix(3), ["a", "b"]));
        Assert.Contains("2 class names for 3 classes", e.Message);
    }

    private static void AssertPng(string path, PlotSize size, int minimumColors)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(PngImage.HasSignature(bytes), "no PNG signature");
        // The first chunk is IHDR, its width and height big-endian right after the chunk type.
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(size.Width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(size.Height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));

        var png = PngImage.Read(path);
        Assert.Equal((size.Width, size.Height), (png.Width, png.Height));
        Assert.True(png.DistinctColors >= minimumColors,
            $"{path}: only {png.DistinctColors} distinct colours, expected a drawn figure");
    }
}
