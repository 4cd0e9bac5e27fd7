using System.Buffers.Binary;
using System.Xml.Linq;
using SkiaSharp;

namespace DistSnn.Reports.Tests;

/// <summary>Checks that a file really is a PNG or SVG of a given size, independently of the code that wrote it.</summary>
internal static class ImageChecks
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Signature, IHDR width and height, and a full decode; returns the decoded bitmap.</summary>
    public static SKBitmap AssertPng(byte[] file, int width, int height, string what)
    {
        Assert.True(file.AsSpan().StartsWith(PngSignature), $"{what}: no PNG signature");
        // The first chunk must be IHDR: 4-byte length 13, type, then width and height big-endian.
        Assert.Equal(13, BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(8)));
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(file, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(file.AsSpan(20)));
        var bitmap = SKBitmap.Decode(file);
        Assert.True(bitmap is not null, $"{what}: does not decode");
        Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
        return bitmap;
    }

    public static SKBitmap AssertPng(string path, int width, int height) => AssertPng(File.ReadAllBytes(path), width, height, path);

    /// <summary>Parses as XML with an svg root of the given width and height; returns the document.</summary>
    public static XDocument AssertSvg(string path, int width, int height)
    {
        var doc = XDocument.Load(path);
        XNamespace svg = "http://www.w3.org/2000/svg";
        Assert.Equal(svg + "svg", doc.Root!.Name);
        Assert.Equal(width.ToString(System.Globalization.CultureInfo.InvariantCulture), doc.Root.Attribute("width")?.Value);
        Assert.Equal(height.ToString(System.Globalization.CultureInfo.InvariantCulture), doc.Root.Attribute("height")?.Value);
        Assert.True(doc.Descendants().Count() > 20, $"{path}: hardly any drawing elements");
        return doc;
    }

    /// <summary>All text drawn in an SVG (labels, titles, legends), joined by newlines.</summary>
    public static string SvgText(XDocument doc) =>
        string.Join("\n", doc.Descendants(XName.Get("text", "http://www.w3.org/2000/svg")).Select(t => t.Value));

    /// <summary>Share of pixels that differ from the top-left (background) pixel, and number of distinct colours.</summary>
    public static (double NonBackground, int Colors) Content(SKBitmap bitmap)
    {
        var background = bitmap.GetPixel(0, 0);
        long differ = 0;
        var colors = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c != background) differ++;
                if (colors.Count < 100_000) colors.Add(c);
            }
        return ((double)differ / ((long)bitmap.Width * bitmap.Height), colors.Count);
    }
}
