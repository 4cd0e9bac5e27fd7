using System.Buffers.Binary;
using System.IO.Compression;

namespace DistSnn.Learning.Tests;

/// <summary>A temporary directory for files a test writes; removed with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("distsnn-learning-").FullName;

    public string Path { get; }

    /// <summary>Writes <paramref name="content"/> to a file of that name in the directory; returns its path.</summary>
    public string Write(string name, byte[] content)
    {
        string path = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // a leftover temp directory must not fail a test
    }
}

/// <summary>Builds IDX files byte by byte, so tests control every field, valid or not.</summary>
internal static class Idx
{
    /// <summary>An IDX file: magic (0, 0, type, rank), big-endian sizes, then <paramref name="data"/>.</summary>
    public static byte[] File(byte type, uint[] sizes, byte[] data)
    {
        var bytes = new byte[4 + 4 * sizes.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)sizes.Length;
        for (int d = 0; d < sizes.Length; d++)
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * d), sizes[d]);
        data.CopyTo(bytes, 4 + 4 * sizes.Length);
        return bytes;
    }

    /// <summary>A well-formed images file; pixel k of the whole stack has value k mod 256.</summary>
    public static byte[] Images(int count, int rows, int columns) =>
        File(0x08, [(uint)count, (uint)rows, (uint)columns], Pattern(count * rows * columns));

    /// <summary>A well-formed labels file.</summary>
    public static byte[] Labels(params byte[] labels) => File(0x08, [(uint)labels.Length], labels);

    public static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(k => (byte)k).ToArray();

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(content);
        return output.ToArray();
    }
}

/// <summary>A read-only stream that cannot seek, like a pipe.</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
