using DistSnn.Model.Datasets;
using DistSnn.Learning.Datasets;
using DistSnn.Learning.Plots;

namespace DistSnn.Learning.Tests;

/// <summary>Loads the real data set once for all tests that read it (about a second).</summary>
public sealed class FashionMnistFixture
{
    public FashionMnist Data { get; } = FashionMnist.Load();
}

/// <summary>
/// The real Fashion-MNIST files, from <c>DISTSNN_FASHION_MNIST</c> or the directory that Debian's
/// <c>dataset-fashion-mnist</c> package installs; without them these tests fail with the message that says how to
/// get them.
/// </summary>
public sealed class FashionMnistRealDataTests(FashionMnistFixture fixture) : IClassFixture<FashionMnistFixture>
{
    private readonly FashionMnist _data = fixture.Data;

    [Fact]
    public void Train_and_test_have_the_published_sizes()
    {
        Assert.Equal(60_000, _data.Train.Count);
        Assert.Equal(10_000, _data.Test.Count);
        foreach (var split in new[] { _data.Train, _data.Test })
        {
            Assert.Equal(28, split.Rows);
            Assert.Equal(28, split.Columns);
            Assert.Equal(split.Count * 28 * 28, split.Images.Pixels.Length);
            Assert.Equal(784, split.Image(split.Count - 1).Length);
        }
    }

    [Fact]
    public void Every_class_appears_6000_times_in_train_and_1000_times_in_test()
    {
        Assert.All(_data.Train.Labels, l => Assert.InRange(l, 0, 9));
        Assert.All(_data.Test.Labels, l => Assert.InRange(l, 0, 9));
        var trainCounts = new int[10];
        var testCounts = new int[10];
        foreach (byte l in _data.Train.Labels) trainCounts[l]++;
        foreach (byte l in _data.Test.Labels) testCounts[l]++;
        Assert.All(trainCounts, n => Assert.Equal(6_000, n));
        Assert.All(testCounts, n => Assert.Equal(1_000, n));
    }

    [Fact]
    public void The_first_samples_are_the_published_ones()
    {
        // The first image of both splits is an ankle boot (label 9), the second training image a T-shirt/top.
        Assert.Equal(9, _data.Train.Labels[0]);
        Assert.Equal(0, _data.Train.Labels[1]);
        Assert.Equal(9, _data.Test.Labels[0]);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[_data.Train.Labels[0]]);
    }

    [Fact]
    public void Images_are_dark_objects_on_black_backgrounds_with_full_range_pixels()
    {
        var first = _data.Train.Image(0);
        Assert.Equal(0, first[0]); // corner pixels are background
        Assert.Contains(first.ToArray(), p => p > 200);
        Assert.Equal(255, _data.Train.Images.Pixels.Max());
        Assert.Equal(0, _data.Test.Images.Pixels.Min());
    }

    [Fact]
    public void Class_mean_images_plot_as_receptive_fields()
    {
        // Mean image of each class as the input-major weights of one neuron per class.
        var weights = new float[784 * 10];
        var perClass = new int[10];
        for (int s = 0; s < _data.Test.Count; s++)
        {
            int c = _data.Test.Labels[s];
            perClass[c]++;
            var image = _data.Test.Image(s);
            for (int i = 0; i < 784; i++) weights[i * 10 + c] += image[i];
        }
        for (int i = 0; i < weights.Length; i++) weights[i] /= perClass[i % 10];

        // Trousers (class 1) have a gap between the legs at the bottom centre; a bag (8) fills it.
        var mosaic = LearningPlots.ReceptiveFieldMosaic(weights, 10);
        double TileAt(int neuron, int r, int c) => mosaic[neuron / 4 * 29 + r, neuron % 4 * 29 + c];
        Assert.True(TileAt(1, 25, 14) < TileAt(1, 25, 9) / 2);
        Assert.True(TileAt(8, 25, 14) > TileAt(1, 25, 14) * 2);

        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "class-means.png");
        var size = LearningPlots.SaveReceptiveFields(path, weights, 10);
        var png = PngImage.Read(path);
        Assert.Equal((size.Width, size.Height), (png.Width, png.Height));
        Assert.True(png.DistinctColors > 50, $"{png.DistinctColors} colours");
    }

    [Fact]
    public void The_directory_read_is_reported()
    {
        Assert.True(File.Exists(Path.Combine(_data.Directory, FashionMnist.TrainImagesFile))
                    || File.Exists(Path.Combine(_data.Directory, "train-images-idx3-ubyte")));
    }
}

public sealed class FashionMnistTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Class_names_follow_the_label_order()
    {
        Assert.Equal(
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            FashionMnist.ClassNames);
        Assert.Equal(10, FashionMnist.ClassCount);
    }

    [Theory]
    [InlineData("/given", "/from-env", "/given")]
    [InlineData(null, "/from-env", "/from-env")]
    [InlineData("", "/from-env", "/from-env")]
    [InlineData(null, null, FashionMnist.DefaultDirectory)]
    [InlineData(null, " ", FashionMnist.DefaultDirectory)]
    public void The_directory_is_the_argument_else_the_variable_else_the_default(
        string? argument, string? environment, string expected)
    {
        Assert.Equal(expected, FashionMnist.ResolveDirectory(argument, environment));
    }

    [Fact]
    public void A_missing_directory_says_which_file_where_and_how_to_get_it()
    {
        string dir = Path.Combine(_dir.Path, "nowhere");
        var e = Assert.Throws<DatasetMissingException>(() => FashionMnist.Load(dir));
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains($"{dir} (which does not exist)", e.Message);
        Assert.Contains(
            "install the Debian package dataset-fashion-mnist (apt-get install -y dataset-fashion-mnist) or set " +
            "DISTSNN_FASHION_MNIST", e.Message);
        Assert.Equal(dir, e.Directory);
        Assert.Equal("train-images-idx3-ubyte.gz", e.MissingFile);
        Assert.IsAssignableFrom<FileNotFoundException>(e);
    }

    [Fact]
    public void A_partial_installation_names_the_first_missing_file()
    {
        WriteSplit("train", Idx.Images(10, 2, 2), Idx.Labels(Digits(10)));
        var e = Assert.Throws<DatasetMissingException>(() => FashionMnist.Load(_dir.Path));
        Assert.StartsWith(
            $"Fashion-MNIST file t10k-images-idx3-ubyte.gz (or t10k-images-idx3-ubyte) not found in directory {_dir.Path}.",
            e.Message);
        Assert.Contains("apt-get install -y dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void Plain_and_gzipped_names_are_both_accepted()
    {
        WriteSplit("train", Idx.Images(10, 3, 2), Idx.Labels(Digits(10)), gzip: false);
        WriteSplit("t10k", Idx.Images(20, 3, 2), Idx.Labels(Digits(20)), gzip: true);

        var data = FashionMnist.Load(_dir.Path);

        Assert.Equal(10, data.Train.Count);
        Assert.Equal(20, data.Test.Count);
        Assert.Equal((3, 2), (data.Test.Rows, data.Test.Columns));
        Assert.Equal(Digits(20), data.Test.Labels);
        Assert.Equal(new byte[] { 6, 7, 8, 9, 10, 11 }, data.Train.Image(1).ToArray());
        Assert.Equal(_dir.Path, data.Directory);
    }

    [Fact]
    public void Image_and_label_counts_must_agree()
    {
        WriteSplit("train", Idx.Images(10, 2, 2), Idx.Labels(Digits(9)));
        WriteSplit("t10k", Idx.Images(10, 2, 2), Idx.Labels(Digits(10)));
        var e = Assert.Throws<IdxFormatException>(() => FashionMnist.Load(_dir.Path));
        string labels = Path.Combine(_dir.Path, "train-labels-idx1-ubyte.gz");
        string images = Path.Combine(_dir.Path, "train-images-idx3-ubyte.gz");
        Assert.Equal($"{labels}: 9 labels, but {images} holds 10 images; the counts must agree", e.Message);
    }

    [Fact]
    public void A_label_outside_the_ten_classes_is_reported()
    {
        var labels = Digits(10);
        labels[7] = 10;
        WriteSplit("train", Idx.Images(10, 2, 2), Idx.Labels(Digits(10)));
        WriteSplit("t10k", Idx.Images(10, 2, 2), Idx.Labels(labels));
        var e = Assert.Throws<IdxFormatException>(() => FashionMnist.Load(_dir.Path));
        Assert.Equal($"{Path.Combine(_dir.Path, "t10k-labels-idx1-ubyte.gz")}: label 10 at index 7 is not a class " +
                     "index (expected 0..9)", e.Message);
    }

    [Fact]
    public void Train_and_test_images_must_have_one_size()
    {
        WriteSplit("train", Idx.Images(10, 2, 2), Idx.Labels(Digits(10)));
        WriteSplit("t10k", Idx.Images(10, 3, 2), Idx.Labels(Digits(10)));
        var e = Assert.Throws<IdxFormatException>(() => FashionMnist.Load(_dir.Path));
        Assert.Contains("images are 3×2 but the training images in", e.Message);
    }

    [Fact]
    public void A_malformed_file_in_the_set_is_reported_by_the_reader()
    {
        WriteSplit("train", Idx.Images(10, 2, 2), Idx.Labels(Digits(10)));
        WriteSplit("t10k", Idx.Images(10, 2, 2)[..20], Idx.Labels(Digits(10)));
        var e = Assert.Throws<IdxFormatException>(() => FashionMnist.Load(_dir.Path));
        Assert.Equal(Path.Combine(_dir.Path, "t10k-images-idx3-ubyte.gz"), e.FilePath);
        Assert.Contains("truncated data: expected 40 bytes after the 16-byte header, found 4", e.Message);
    }

    private void WriteSplit(string prefix, byte[] images, byte[] labels, bool gzip = true)
    {
        string suffix = gzip ? ".gz" : "";
        _dir.Write($"{prefix}-images-idx3-ubyte{suffix}", gzip ? Idx.Gzip(images) : images);
        _dir.Write($"{prefix}-labels-idx1-ubyte{suffix}", gzip ? Idx.Gzip(labels) : labels);
    }

    private static byte[] Digits(int count) => Enumerable.Range(0, count).Select(i => (byte)(i % 10)).ToArray();
}
