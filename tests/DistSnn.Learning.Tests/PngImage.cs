using System.Buffers.Binary;
using System.IO.Compression;

namespace DistSnn.Learning.Tests;

/// <summary>
/// A PNG file decoded independently of the library that wrote it: chunks checked against their CRC-32, IHDR read,
/// IDAT inflated and unfiltered into one 32-bit value per pixel. Supports the non-interlaced 8-bit grey, RGB,
/// grey-alpha and RGBA formats, which cover what Skia writes.
/// </summary>
internal sealed class PngImage
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private PngImage(int width, int height, int colorType, uint[] pixels)
    {
        Width = width;
        Height = height;
        ColorType = colorType;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public int ColorType { get; }

    /// <summary>Row-major pixels, the channel bytes packed big-endian into one value.</summary>
    public uint[] Pixels { get; }

    public uint this[int x, int y] => Pixels[y * Width + x];

    public int DistinctColors => Pixels.Distinct().Count();

    public static bool HasSignature(byte[] file) => file.AsSpan().StartsWith(Signature);

    public static PngImage Read(string path)
    {
        var file = File.ReadAllBytes(path);
        if (!HasSignature(file)) throw new InvalidDataException($"{path}: no PNG signature");

        int offset = Signature.Length, width = 0, height = 0, colorType = -1;
        var idat = new MemoryStream();
        bool sawEnd = false;
        while (offset < file.Length && !sawEnd)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(offset));
            string type = System.Text.Encoding.ASCII.GetString(file, offset + 4, 4);
            var typeAndData = file.AsSpan(offset + 4, 4 + length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset + 8 + length));
            if (Crc32(typeAndData) != crc) throw new InvalidDataException($"{path}: bad CRC in {type} chunk");
            var data = typeAndData[4..];
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    if (data[8] != 8 || data[12] != 0)
                        throw new NotSupportedException($"{path}: bit depth {data[8]}, interlace {data[12]}");
                    colorType = data[9];
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }
            offset += 12 + length;
        }
        if (!sawEnd) throw new InvalidDataException($"{path}: no IEND chunk");

        int channels = colorType switch
        {
            0 => 1, 2 => 3, 4 => 2, 6 => 4,
            _ => throw new NotSupportedException($"{path}: colour type {colorType}"),
        };
        idat.Position = 0;
        using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
        var raw = new byte[height * (1 + width * channels)];
        inflater.ReadExactly(raw);
        return new PngImage(width, height, colorType, Unfilter(raw, width, height, channels));
    }

    /// <summary>Reverses the per-row PNG filters (None, Sub, Up, Average, Paeth).</summary>
    private static uint[] Unfilter(byte[] raw, int width, int height, int channels)
    {
        int stride = width * channels;
        var current = new byte[stride];
        var previous = new byte[stride];
        var pixels = new uint[width * height];
        for (int y = 0; y < height; y++)
        {
            int rowStart = y * (stride + 1);
            byte filter = raw[rowStart];
            for (int i = 0; i < stride; i++)
            {
                int a = i >= channels ? current[i - channels] : 0;
                int b = previous[i];
                int c = i >= channels ? previous[i - channels] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"filter type {filter} in row {y}"),
                };
                current[i] = (byte)(raw[rowStart + 1 + i] + predictor);
            }
            for (int x = 0; x < width; x++)
            {
                uint value = 0;
                for (int ch = 0; ch < channels; ch++) value = (value << 8) | current[x * channels + ch];
                pixels[y * width + x] = value;
            }
            (previous, current) = (current, previous);
        }
        return pixels;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
