using System.Buffers.Binary;
using DistSnn.Nodes.Random;

namespace DistSnn.Backends.Testing;

/// <summary>
/// A small image data set for training tests: 8 × 8 images of 10 classes (a lit row and column per class, with
/// noise), and writers of the IDX files a Fashion-MNIST folder holds.
/// </summary>
public static class SyntheticImages
{
    /// <summary>Pixels (image by image, row by row) and labels of <paramref name="count"/> images.</summary>
    public static (byte[] Pixels, byte[] Labels) Generate(int count, ulong seed)
    {
        var pixels = new byte[count * 64];
        var labels = new byte[count];
        ulong key = CounterRng.StreamKey(seed, RngPurpose.TrainInput, 4321);
        for (int s = 0; s < count; s++)
        {
            int k = (int)CounterRng.Below(key, (ulong)s, 0, 10);
            labels[s] = (byte)k;
            for (int i = 0; i < 64; i++)
            {
                double v = 60 * CounterRng.Uniform(key, (ulong)s, (ulong)(i + 1));
                if (i / 8 == k % 8) v += 150;
                if (i % 8 == k / 2) v += k % 2 == 0 ? 190 : 90;
                pixels[s * 64 + i] = (byte)Math.Min(255, v);
            }
        }
        return (pixels, labels);
    }

    /// <summary>Writes an IDX file of unsigned bytes (<paramref name="type"/> 0x08) with the given dimensions.</summary>
    public static void WriteIdx(string path, byte type, uint[] dims, byte[] data)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * d), dims[d]);
        data.CopyTo(bytes, 4 + 4 * dims.Length);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A Fashion-MNIST folder (the four IDX files, not gzipped) of synthetic 8 × 8 images in <paramref name="directory"/>.</summary>
    public static void WriteFashionMnistFolder(string directory, int train, int test, ulong seed)
    {
        Directory.CreateDirectory(directory);
        foreach (var (images, labels, count, split) in new[]
                 {
                     ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", train, seed),
                     ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", test, seed + 1),
                 })
        {
            var (pixels, classes) = Generate(count, split);
            WriteIdx(Path.Combine(directory, images), 0x08, [(uint)count, 8, 8], pixels);
            WriteIdx(Path.Combine(directory, labels), 0x08, [(uint)count], classes);
        }
    }
}
