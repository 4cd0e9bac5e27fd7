using DistSnn.Model.Datasets;
using YamlDotNet.RepresentationModel;

namespace DistSnn.Model;

internal sealed partial class SpecReader
{
    private static readonly string[] DatasetKeys =
        ["images", "labels", "samples", "input", "readout", "encoding", "max_rate", "latency_threshold", "present", "rest", "reset"];

    /// <summary>
    /// <c>dataset: {images, labels, input, readout, encoding, present, rest, ...}</c>: IDX files (paths relative to
    /// the model file) presented one sample after another.
    /// </summary>
    private DatasetSpec? ReadDataset(YamlNode? node)
    {
        if (node is null || ctx.Map(node, "dataset", DatasetKeys) is not { } f) return null;
        var imagesFile = f.Text("images", required: true, expected: "an IDX image file");
        var labelsFile = f.Text("labels", required: true, expected: "an IDX label file");
        var input = f.Text("input", required: true, expected: "a population name");
        var readout = f.Text("readout", required: true, expected: "a population name");
        var encoding = SampleEncoding.Direct;
        if (f.Text("encoding", required: false, expected: "direct, poisson or latency") is { } enc)
        {
            switch (enc.Trim())
            {
                case "direct": break;
                case "poisson": encoding = SampleEncoding.Poisson; break;
                case "latency": encoding = SampleEncoding.Latency; break;
                default: ctx.Error(f.Get("encoding"), f.Sub("encoding"), $"'{enc}' is no encoding (known: direct, poisson, latency)"); break;
            }
        }
        double maxRate = f.Quantity("max_rate", Dimension.Rate, required: false) ?? DatasetSpec.DefaultMaxRateHz;
        double threshold = f.Get("latency_threshold") is { } th ? ctx.Number(th, f.Sub("latency_threshold")) ?? DatasetSpec.DefaultLatencyThreshold : DatasetSpec.DefaultLatencyThreshold;
        double present = f.Quantity("present", Dimension.Time, required: false) ?? DatasetSpec.DefaultPresent;
        double rest = f.Quantity("rest", Dimension.Time, required: false) ?? DatasetSpec.DefaultRest;
        long? samples = f.Integer("samples", 1, int.MaxValue, required: false);
        bool reset = f.Bool("reset") ?? false;
        if (imagesFile is null || labelsFile is null || input is null || readout is null) return null;

        IdxImages images;
        byte[] labels;
        try
        {
            images = IdxReader.ReadImages(Path.Combine(ctx.BaseDirectory, imagesFile.Trim()));
        }
        catch (Exception e) when (e is IdxFormatException or IOException or UnauthorizedAccessException)
        {
            ctx.Error(f.Get("images"), f.Sub("images"), e is FileNotFoundException or DirectoryNotFoundException ? $"file {imagesFile} not found (looked for {Path.GetFullPath(Path.Combine(ctx.BaseDirectory, imagesFile.Trim()))})" : e.Message);
            return null;
        }
        try
        {
            labels = IdxReader.ReadLabels(Path.Combine(ctx.BaseDirectory, labelsFile.Trim()));
        }
        catch (Exception e) when (e is IdxFormatException or IOException or UnauthorizedAccessException)
        {
            ctx.Error(f.Get("labels"), f.Sub("labels"), e is FileNotFoundException or DirectoryNotFoundException ? $"file {labelsFile} not found (looked for {Path.GetFullPath(Path.Combine(ctx.BaseDirectory, labelsFile.Trim()))})" : e.Message);
            return null;
        }
        if (labels.Length != images.Count)
        {
            ctx.Error(f.Get("labels"), f.Sub("labels"), $"{labels.Length} labels, but {imagesFile} holds {images.Count} images");
            return null;
        }
        int count = (int)(samples ?? images.Count);
        if (count > images.Count)
        {
            ctx.Error(f.Get("samples"), f.Sub("samples"), $"{count} samples, but {imagesFile} holds {images.Count}");
            return null;
        }
        return new DatasetSpec
        {
            ImagesFile = Path.GetFullPath(Path.Combine(ctx.BaseDirectory, imagesFile.Trim())),
            LabelsFile = Path.GetFullPath(Path.Combine(ctx.BaseDirectory, labelsFile.Trim())), Images = images, Labels = labels, Samples = count,
            Input = input.Trim(), Readout = readout.Trim(), Encoding = encoding, MaxRateHz = maxRate, LatencyThreshold = threshold,
            Present = present, Rest = rest, Reset = reset,
        };
    }
}
