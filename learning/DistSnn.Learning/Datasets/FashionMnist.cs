using DistSnn.Model.Datasets;
namespace DistSnn.Learning.Datasets;

/// <summary>
/// Thrown when a data set's files are not where they were looked for. The message names the missing file and the
/// directory searched, and says how to get the data.
/// </summary>
public sealed class DatasetMissingException : FileNotFoundException
{
    /// <summary>Creates an exception for <paramref name="fileName"/> missing from <paramref name="directory"/>.</summary>
    public DatasetMissingException(string message, string directory, string fileName)
        : base(message, Path.Combine(directory, fileName))
    {
        Directory = directory;
        MissingFile = fileName;
    }

    /// <summary>The directory that was searched.</summary>
    public string Directory { get; }

    /// <summary>The file name that was not found there (the gzipped name).</summary>
    public string MissingFile { get; }
}

/// <summary>Images with one class label each; <c>Labels[i]</c> belongs to <c>Images.Image(i)</c>.</summary>
public sealed class LabeledImages
{
    /// <summary>Pairs images with labels; the counts must agree.</summary>
    public LabeledImages(IdxImages images, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Count != labels.Length)
            throw new ArgumentException($"{images.Count} images but {labels.Length} labels", nameof(labels));
        Images = images;
        Labels = labels;
    }

    /// <summary>The images.</summary>
    public IdxImages Images { get; }

    /// <summary>Class index of each image (0-based).</summary>
    public byte[] Labels { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>Image height in pixels.</summary>
    public int Rows => Images.Rows;

    /// <summary>Image width in pixels.</summary>
    public int Columns => Images.Columns;

    /// <summary>The pixels of sample <paramref name="index"/>, row-major, 0..255.</summary>
    public ReadOnlySpan<byte> Image(int index) => Images.Image(index);
}

/// <summary>
/// Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017): 70,000 grey 28×28 images of clothing in 10 classes, split into
/// 60,000 training and 10,000 test images, in the same IDX files as MNIST.
/// </summary>
public sealed class FashionMnist
{
    /// <summary>Environment variable that names the directory holding the four files.</summary>
    public const string DirectoryVariable = "DISTSNN_FASHION_MNIST";

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist/";

    /// <summary>Gzipped file names as distributed; the same names without <c>.gz</c> are accepted too.</summary>
    public const string TrainImagesFile = "train-images-idx3-ubyte.gz";

    /// <inheritdoc cref="TrainImagesFile"/>
    public const string TrainLabelsFile = "train-labels-idx1-ubyte.gz";

    /// <inheritdoc cref="TrainImagesFile"/>
    public const string TestImagesFile = "t10k-images-idx3-ubyte.gz";

    /// <inheritdoc cref="TrainImagesFile"/>
    public const string TestLabelsFile = "t10k-labels-idx1-ubyte.gz";

    /// <summary>Class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];

    /// <summary>Number of classes (10).</summary>
    public static int ClassCount => ClassNames.Count;

    private FashionMnist(LabeledImages train, LabeledImages test, string directory, string testImagesPath, string testLabelsPath)
    {
        Train = train;
        Test = test;
        Directory = directory;
        TestImagesPath = testImagesPath;
        TestLabelsPath = testLabelsPath;
    }

    /// <summary>The test images file that was read (full path).</summary>
    public string TestImagesPath { get; }

    /// <summary>The test labels file that was read (full path).</summary>
    public string TestLabelsPath { get; }

    /// <summary>The 60,000 training samples.</summary>
    public LabeledImages Train { get; }

    /// <summary>The 10,000 test samples.</summary>
    public LabeledImages Test { get; }

    /// <summary>The directory the files were read from.</summary>
    public string Directory { get; }

    /// <summary>
    /// Loads both splits. The directory is <paramref name="directory"/> if given, else the value of
    /// <see cref="DirectoryVariable"/> if set and not empty, else <see cref="DefaultDirectory"/>.
    /// </summary>
    /// <exception cref="DatasetMissingException">A file is in neither its gzipped nor its plain form.</exception>
    /// <exception cref="IdxFormatException">A file is malformed, a label is not a class index, image and label
    /// counts differ, or the two splits have different image sizes.</exception>
    public static FashionMnist Load(string? directory = null)
    {
        string dir = ResolveDirectory(directory, Environment.GetEnvironmentVariable(DirectoryVariable));
        // Every file is located before any is read, so a partial installation is reported before a long load.
        string trainImages = Locate(dir, TrainImagesFile);
        string trainLabels = Locate(dir, TrainLabelsFile);
        string testImages = Locate(dir, TestImagesFile);
        string testLabels = Locate(dir, TestLabelsFile);

        var train = ReadSplit(trainImages, trainLabels);
        var test = ReadSplit(testImages, testLabels);
        if (train.Rows != test.Rows || train.Columns != test.Columns)
            throw new IdxFormatException(testImages,
                $"images are {test.Rows}×{test.Columns} but the training images in {trainImages} are " +
                $"{train.Rows}×{train.Columns}");
        return new FashionMnist(train, test, dir, Path.GetFullPath(testImages), Path.GetFullPath(testLabels));
    }

    /// <summary>The directory <see cref="Load"/> reads: the argument, else the environment value, else the default.</summary>
    public static string ResolveDirectory(string? directory, string? environmentValue)
    {
        if (!string.IsNullOrWhiteSpace(directory)) return directory;
        if (!string.IsNullOrWhiteSpace(environmentValue)) return environmentValue;
        return DefaultDirectory;
    }

    private static string Locate(string directory, string gzippedName)
    {
        string gzipped = Path.Combine(directory, gzippedName);
        if (File.Exists(gzipped)) return gzipped;
        string plainName = gzippedName[..^".gz".Length];
        string plain = Path.Combine(directory, plainName);
        if (File.Exists(plain)) return plain;

        string where = System.IO.Directory.Exists(directory)
            ? $"directory {directory}"
            : $"directory {directory} (which does not exist)";
        throw new DatasetMissingException(
            $"Fashion-MNIST file {gzippedName} (or {plainName}) not found in {where}. To get the data, install " +
            $"the Debian package dataset-fashion-mnist (apt-get install -y dataset-fashion-mnist) or set " +
            $"{DirectoryVariable} to a directory holding {TrainImagesFile}, {TrainLabelsFile}, {TestImagesFile} " +
            $"and {TestLabelsFile}.",
            directory, gzippedName);
    }

    private static LabeledImages ReadSplit(string imagesPath, string labelsPath)
    {
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new IdxFormatException(labelsPath,
                $"{labels.Length} labels, but {imagesPath} holds {images.Count} images; the counts must agree");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= ClassCount)
                throw new IdxFormatException(labelsPath,
                    $"label {labels[i]} at index {i} is not a class index (expected 0..{ClassCount - 1})");
        return new LabeledImages(images, labels);
    }
}
