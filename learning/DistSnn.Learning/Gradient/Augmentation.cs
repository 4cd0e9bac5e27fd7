using DistSnn.Nodes.Random;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// Data augmentation of training images: each sample of each epoch is moved by (dx, dy), each in −shift … shift
/// pixels, with zeros where the image moved away, and mirrored left to right with probability one half. The draws are
/// keyed by (seed, epoch, sample), so an epoch sees the same images whichever replica trains them and a resumed run
/// sees those of an uninterrupted one. Validation and test images are never augmented.
/// </summary>
public static class Augmentation
{
    /// <summary>The move and mirroring of sample <paramref name="sample"/> in epoch <paramref name="epoch"/>.</summary>
    public static (int Dx, int Dy, bool Mirror) Draw(int shift, bool flip, ulong seed, ulong epoch, long sample)
    {
        ulong key = CounterRng.StreamKey(seed, RngPurpose.TrainAugment, epoch);
        int dx = 0, dy = 0;
        if (shift > 0)
        {
            dx = (int)CounterRng.Below(key, (ulong)sample, 0, 2 * shift + 1) - shift;
            dy = (int)CounterRng.Below(key, (ulong)sample, 1, 2 * shift + 1) - shift;
        }
        bool mirror = flip && CounterRng.Below(key, (ulong)sample, 2, 2) == 1;
        return (dx, dy, mirror);
    }

    /// <summary>
    /// Writes the augmented <paramref name="image"/> (row-major, <paramref name="rows"/> × <paramref name="columns"/>)
    /// into <paramref name="into"/>: mirrored first (m[y, x] = in[y, columns − 1 − x]), then moved
    /// (out[y, x] = m[y − dy, x − dx]), 0 where that lies outside the image.
    /// </summary>
    public static void Apply(ReadOnlySpan<byte> image, int rows, int columns, int shift, bool flip, ulong seed, ulong epoch, long sample, Span<byte> into)
    {
        if (image.Length != rows * columns || into.Length != image.Length)
            throw new ArgumentException($"an image of {image.Length} pixels is not {rows} x {columns}, or the output has {into.Length}");
        var (dx, dy, mirror) = Draw(shift, flip, seed, epoch, sample);
        for (int y = 0; y < rows; y++)
        {
            int sy = y - dy;
            var dst = into.Slice(y * columns, columns);
            if (sy < 0 || sy >= rows) { dst.Clear(); continue; }
            var src = image.Slice(sy * columns, columns);
            for (int x = 0; x < columns; x++)
            {
                int sx = x - dx;
                if (sx < 0 || sx >= columns) { dst[x] = 0; continue; }
                dst[x] = src[mirror ? columns - 1 - sx : sx];
            }
        }
    }
}
