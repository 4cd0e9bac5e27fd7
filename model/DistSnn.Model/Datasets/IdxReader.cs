using System.Buffers.Binary;
using System.IO.Compression;

namespace DistSnn.Model.Datasets;

/// <summary>
/// Thrown when a file is not a well-formed IDX file of the expected kind. The message starts with the file's
/// path and then says what is wrong (for example <c>truncated data: expected 47040000 bytes after the 16-byte
/// header, found 1000</c>).
/// </summary>
public sealed class IdxFormatException : Exception
{
    /// <summary>Creates an exception for a problem in the named file.</summary>
    public IdxFormatException(string filePath, string problem, Exception? inner = null)
        : base($"{filePath}: {problem}", inner)
    {
        FilePath = filePath;
        Problem = problem;
    }

    /// <summary>The file (or stream name) that is malformed.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Problem { get; }
}

/// <summary>
/// A stack of equally sized 8-bit grey images, as stored in an IDX file with magic 0x00000803.
/// </summary>
public sealed class IdxImages
{
    /// <summary>Wraps pixel data of <paramref name="count"/> images of <paramref name="rows"/> × <paramref name="columns"/>.</summary>
    public IdxImages(byte[] pixels, int count, int rows, int columns)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if ((long)count * rows * columns != pixels.Length)
            throw new ArgumentException(
                $"{count} images of {rows}×{columns} need {(long)count * rows * columns} bytes, got {pixels.Length}",
                nameof(pixels));
        Pixels = pixels;
        Count = count;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>
    /// All pixels, image-major then row-major: pixel (r, c) of image i is at
    /// <c>i * Rows * Columns + r * Columns + c</c>. 0 is background, 255 full intensity.
    /// </summary>
    public byte[] Pixels { get; }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Height of each image in pixels.</summary>
    public int Rows { get; }

    /// <summary>Width of each image in pixels.</summary>
    public int Columns { get; }

    /// <summary>Pixels per image (<see cref="Rows"/> × <see cref="Columns"/>).</summary>
    public int PixelsPerImage => Rows * Columns;

    /// <summary>The pixels of image <paramref name="index"/>, row-major.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }
}

/// <summary>
/// Reads IDX files, the format of the MNIST family of data sets: a 4-byte magic number (two zero bytes, a type
/// code, the number of dimensions), one big-endian 32-bit size per dimension, then the data in row-major order.
/// Only unsigned-byte data (type code 0x08) is supported, which is what MNIST and Fashion-MNIST use. Gzipped
/// files are recognised by their content (bytes 1F 8B) and inflated on the fly, whatever their name.
/// </summary>
/// <remarks>
/// Every malformed file gives an <see cref="IdxFormatException"/> naming the file and the problem; a file that
/// does not exist gives a <see cref="FileNotFoundException"/> naming the path.
/// </remarks>
public static class IdxReader
{
    /// <summary>Magic number of a 3-D unsigned-byte array (images: count, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of a 1-D unsigned-byte array (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>
    /// Largest payload accepted, the largest byte array .NET allows (just under 2^31). It keeps a corrupt header
    /// from asking for an absurd allocation and every offset within an <see cref="int"/>; the largest
    /// MNIST-family file holds 47 MB.
    /// </summary>
    public static long MaxDataBytes => Array.MaxLength;

    private const byte UnsignedByteType = 0x08;
    private const int ChunkBytes = 1 << 20;

    /// <summary>Reads a file of images (magic 0x00000803: count × rows × columns unsigned bytes).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IdxFormatException">The file is not a well-formed 3-D unsigned-byte IDX file.</exception>
    public static IdxImages ReadImages(string path)
    {
        using var stream = OpenFile(path);
        return ReadImages(stream, path);
    }

    /// <summary>Reads images from a stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static IdxImages ReadImages(Stream stream, string sourceName)
    {
        var (dimensions, data) = Read(stream, sourceName, expectedRank: 3, "count, rows, columns");
        return new IdxImages(data, dimensions[0], dimensions[1], dimensions[2]);
    }

    /// <summary>Reads a file of labels (magic 0x00000801: one unsigned byte per sample).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="IdxFormatException">The file is not a well-formed 1-D unsigned-byte IDX file.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var stream = OpenFile(path);
        return ReadLabels(stream, path);
    }

    /// <summary>Reads labels from a stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static byte[] ReadLabels(Stream stream, string sourceName) =>
        Read(stream, sourceName, expectedRank: 1, "count").Data;

    private static FileStream OpenFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new FileNotFoundException($"IDX file not found: {path}", path, e);
        }
    }

    private static (int[] Dimensions, byte[] Data) Read(Stream raw, string name, int expectedRank, string dimensionNames)
    {
        ArgumentNullException.ThrowIfNull(raw);
        ArgumentNullException.ThrowIfNull(name);
        var (stream, gzipped) = Decompressing(raw, name);
        using var wrapper = ReferenceEquals(stream, raw) ? null : stream; // the caller disposes raw
        try
        {
            return ReadUncompressed(stream, name, gzipped, expectedRank, dimensionNames);
        }
        // A corrupt gzip stream surfaces as InvalidDataException from inside the reads.
        catch (InvalidDataException e)
        {
            throw new IdxFormatException(name, $"corrupt gzip data ({e.Message})", e);
        }
    }

    /// <summary>
    /// Wraps the stream in a gzip decoder when it starts with the gzip signature. IDX data always starts with two
    /// zero bytes, so the signature cannot be mistaken for an IDX header.
    /// </summary>
    private static (Stream Stream, bool Gzipped) Decompressing(Stream raw, string name)
    {
        // Sniffing needs to rewind; a non-seekable source (a pipe, a network stream) is small enough to copy.
        var buffered = raw;
        if (!raw.CanSeek)
        {
            buffered = new MemoryStream();
            raw.CopyTo(buffered);
            buffered.Position = 0;
        }
        Span<byte> signature = stackalloc byte[2];
        long start = buffered.Position;
        int found = buffered.ReadAtLeast(signature, 2, throwOnEndOfStream: false);
        buffered.Position = start;
        if (found == 2 && signature[0] == 0x1F && signature[1] == 0x8B)
            return (new GZipStream(buffered, CompressionMode.Decompress, leaveOpen: true), true);
        if (name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) && found >= 1 && signature[0] != 0)
            throw new IdxFormatException(name,
                $"the name ends in .gz but the content is not gzip data (starts with {Hex(signature[..found])})");
        return (buffered, false);
    }

    private static (int[] Dimensions, byte[] Data) ReadUncompressed(
        Stream stream, string name, bool gzipped, int expectedRank, string dimensionNames)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got < 4)
            throw new IdxFormatException(name,
                $"truncated header: expected 4 magic bytes, found {got}{(got > 0 ? $" ({Hex(magic[..got])})" : "")}");
        if (magic[0] != 0 || magic[1] != 0)
            throw new IdxFormatException(name,
                $"bad magic number {Hex(magic)}: an IDX file starts with two zero bytes, a type code and a rank " +
                $"(expected {Hex(ExpectedMagic(expectedRank))})");
        if (magic[2] != UnsignedByteType)
            throw new IdxFormatException(name,
                $"type code 0x{magic[2]:X2} ({TypeName(magic[2])}) is not supported; expected 0x08 (unsigned byte)");
        int rank = magic[3];
        if (rank != expectedRank)
            throw new IdxFormatException(name,
                $"rank {rank}, expected {expectedRank} ({dimensionNames}); magic number {Hex(magic)}");

        var sizeBytes = new byte[4 * rank];
        got = stream.ReadAtLeast(sizeBytes, sizeBytes.Length, throwOnEndOfStream: false);
        if (got < sizeBytes.Length)
            throw new IdxFormatException(name,
                $"truncated header: expected {sizeBytes.Length} bytes of dimension sizes after the magic number, " +
                $"found {got}");
        int headerBytes = 4 + sizeBytes.Length;

        var dimensions = new int[rank];
        long total = 1;
        var labels = dimensionNames.Split(", ");
        for (int d = 0; d < rank; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(sizeBytes.AsSpan(4 * d));
            if (size == 0)
                throw new IdxFormatException(name, $"dimension {d} ({labels[d]}) is 0");
            total *= size; // cannot overflow: at most three factors below 2^32 each are checked in turn
            if (size > int.MaxValue || total > MaxDataBytes)
                throw new IdxFormatException(name,
                    $"dimensions {DescribeSizes(sizeBytes, rank)} are too large: more than {MaxDataBytes} bytes " +
                    "(a corrupt header?)");
            dimensions[d] = (int)size;
        }

        // An uncompressed file tells its length up front: no need to allocate for data that is not there.
        if (!gzipped && stream.CanSeek)
        {
            long available = stream.Length - stream.Position;
            if (available < total)
                throw Truncated(name, total, available, headerBytes, gzipped);
        }

        var data = ReadPayload(stream, (int)total, out int read);
        if (read < total)
            throw Truncated(name, total, read, headerBytes, gzipped);
        long extra = CountRemaining(stream);
        if (extra > 0)
            throw new IdxFormatException(name,
                $"{extra}{(extra >= ChunkBytes ? " or more" : "")} bytes of unexpected data after the " +
                $"{total} bytes that dimensions {DescribeSizes(sizeBytes, rank)} call for");
        return (dimensions, data);
    }

    /// <summary>
    /// Reads up to <paramref name="expected"/> bytes, growing the buffer as data arrives so that a gzipped file
    /// whose header promises far more than it holds does not allocate the promised size at once.
    /// </summary>
    private static byte[] ReadPayload(Stream stream, int expected, out int read)
    {
        var buffer = new byte[Math.Min(expected, 16 * ChunkBytes)];
        read = 0;
        while (read < expected)
        {
            if (read == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min(expected, 2L * buffer.Length));
            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) break;
            read += n;
        }
        return buffer;
    }

    /// <summary>Counts bytes left in the stream, stopping after one chunk (enough to report the problem).</summary>
    private static long CountRemaining(Stream stream)
    {
        if (stream.CanSeek) return stream.Length - stream.Position;
        var scratch = new byte[ChunkBytes];
        return stream.ReadAtLeast(scratch, scratch.Length, throwOnEndOfStream: false);
    }

    private static IdxFormatException Truncated(string name, long expected, long found, int headerBytes, bool gzipped) =>
        new(name, $"truncated data: expected {expected} bytes after the {headerBytes}-byte header, found {found}" +
                  (gzipped ? " (after decompression)" : ""));

    private static byte[] ExpectedMagic(int rank) => [0, 0, UnsignedByteType, (byte)rank];

    private static string DescribeSizes(byte[] sizeBytes, int rank) =>
        string.Join(" × ", Enumerable.Range(0, rank).Select(d => BinaryPrimitives.ReadUInt32BigEndian(sizeBytes.AsSpan(4 * d))));

    private static string Hex(ReadOnlySpan<byte> bytes) =>
        string.Join(" ", bytes.ToArray().Select(b => $"0x{b:X2}"));

    private static string TypeName(byte code) => code switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "16-bit integer",
        0x0C => "32-bit integer",
        0x0D => "32-bit float",
        0x0E => "64-bit float",
        _ => "not an IDX type",
    };
}
