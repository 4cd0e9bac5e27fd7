using DistSnn.Model.Datasets;
using DistSnn.Learning.Datasets;

namespace DistSnn.Learning.Tests;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("images-idx3-ubyte", false)]
    [InlineData("images-idx3-ubyte.gz", true)]
    // Gzip is recognised by content, so a gzipped file under a plain name reads too.
    [InlineData("images-renamed", true)]
    public void Reads_a_3d_images_file(string name, bool gzip)
    {
        var content = Idx.Images(count: 3, rows: 2, columns: 4);
        string path = _dir.Write(name, gzip ? Idx.Gzip(content) : content);

        var images = IdxReader.ReadImages(path);

        Assert.Equal(3, images.Count);
        Assert.Equal(2, images.Rows);
        Assert.Equal(4, images.Columns);
        Assert.Equal(8, images.PixelsPerImage);
        Assert.Equal(Idx.Pattern(24), images.Pixels);
        Assert.Equal(new byte[] { 16, 17, 18, 19, 20, 21, 22, 23 }, images.Image(2).ToArray());
    }

    [Theory]
    [InlineData("labels-idx1-ubyte", false)]
    [InlineData("labels-idx1-ubyte.gz", true)]
    public void Reads_a_1d_labels_file(string name, bool gzip)
    {
        var content = Idx.Labels(9, 0, 3, 3, 7);
        string path = _dir.Write(name, gzip ? Idx.Gzip(content) : content);

        Assert.Equal(new byte[] { 9, 0, 3, 3, 7 }, IdxReader.ReadLabels(path));
    }

    [Fact]
    public void Reads_from_a_stream_that_cannot_seek()
    {
        using var stream = new ForwardOnlyStream(new MemoryStream(Idx.Gzip(Idx.Labels(1, 2, 3))));
        Assert.Equal(new byte[] { 1, 2, 3 }, IdxReader.ReadLabels(stream, "pipe"));
    }

    [Fact]
    public void Image_index_out_of_range_is_rejected()
    {
        var images = IdxReader.ReadImages(_dir.Write("i", Idx.Images(2, 2, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => images.Image(2).ToArray());
    }

    [Fact]
    public void A_missing_file_names_the_path()
    {
        string path = Path.Combine(_dir.Path, "absent-idx3-ubyte.gz");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Equal(path, e.FileName);
    }

    [Fact]
    public void A_file_in_a_missing_directory_names_the_path()
    {
        string path = Path.Combine(_dir.Path, "no-such-dir", "labels");
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.ReadLabels(path));
        Assert.Contains(path, e.Message);
    }

    public static TheoryData<string, byte[], string> MalformedImages => new()
    {
        { "empty", [], "truncated header: expected 4 magic bytes, found 0" },
        { "two-bytes", [0, 0], "truncated header: expected 4 magic bytes, found 2 (0x00 0x00)" },
        {
            "bad-magic", [0x12, 0x34, 0x08, 0x03, 0, 0, 0, 1],
            "bad magic number 0x12 0x34 0x08 0x03: an IDX file starts with two zero bytes, a type code and a rank " +
            "(expected 0x00 0x00 0x08 0x03)"
        },
        {
            "float-type", Idx.File(0x0D, [1, 1, 1], [0, 0, 0, 0]),
            "type code 0x0D (32-bit float) is not supported; expected 0x08 (unsigned byte)"
        },
        {
            "unknown-type", Idx.File(0x42, [1, 1, 1], [0]),
            "type code 0x42 (not an IDX type) is not supported"
        },
        {
            "labels-as-images", Idx.Labels(1, 2, 3),
            "rank 1, expected 3 (count, rows, columns); magic number 0x00 0x00 0x08 0x01"
        },
        { "rank-2", Idx.File(0x08, [2, 2], new byte[4]), "rank 2, expected 3 (count, rows, columns)" },
        {
            "short-sizes", [0, 0, 8, 3, 0, 0, 0, 1, 0, 0],
            "truncated header: expected 12 bytes of dimension sizes after the magic number, found 6"
        },
        { "zero-count", Idx.File(0x08, [0, 28, 28], []), "dimension 0 (count) is 0" },
        { "zero-rows", Idx.File(0x08, [5, 0, 28], []), "dimension 1 (rows) is 0" },
        { "zero-columns", Idx.File(0x08, [5, 28, 0], []), "dimension 2 (columns) is 0" },
        {
            "huge", Idx.File(0x08, [60000, 60000, 60000], new byte[8]),
            "dimensions 60000 × 60000 × 60000 are too large: more than 2147483591 bytes"
        },
        {
            "just-over-limit", Idx.File(0x08, [2, 32768, 32769], new byte[8]),
            "dimensions 2 × 32768 × 32769 are too large"
        },
        {
            "truncated", Idx.File(0x08, [3, 4, 4], new byte[40]),
            "truncated data: expected 48 bytes after the 16-byte header, found 40"
        },
        {
            "trailing", Idx.File(0x08, [1, 2, 2], new byte[7]),
            "3 bytes of unexpected data after the 4 bytes that dimensions 1 × 2 × 2 call for"
        },
    };

    [Theory]
    [MemberData(nameof(MalformedImages))]
    public void A_malformed_images_file_is_reported_with_file_and_problem(string name, byte[] content, string problem)
    {
        string path = _dir.Write(name, content);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.Equal(path, e.FilePath);
    }

    [Theory]
    [MemberData(nameof(MalformedImages))]
    public void Malformed_content_is_reported_the_same_way_when_gzipped(string name, byte[] content, string problem)
    {
        string path = _dir.Write(name + ".gz", Idx.Gzip(content));
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void A_gz_name_on_content_that_is_neither_gzip_nor_idx_is_reported()
    {
        var content = Idx.Images(1, 2, 2);
        content[0] = (byte)'P';
        string path = _dir.Write("renamed.gz", content);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.Equal($"{path}: the name ends in .gz but the content is not gzip data (starts with 0x50 0x00)",
            e.Message);
    }

    [Fact]
    public void Truncated_gzipped_data_says_that_the_count_is_after_decompression()
    {
        string path = _dir.Write("short.gz", Idx.Gzip(Idx.File(0x08, [3, 4, 4], new byte[40])));
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains("truncated data: expected 48 bytes after the 16-byte header, found 40 (after decompression)",
            e.Message);
    }

    [Fact]
    public void A_labels_file_with_an_images_header_is_reported()
    {
        string path = _dir.Write("images", Idx.Images(1, 2, 2));
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadLabels(path));
        Assert.Equal($"{path}: rank 3, expected 1 (count); magic number 0x00 0x00 0x08 0x03", e.Message);
    }

    [Fact]
    public void A_labels_dimension_beyond_the_size_limit_is_reported()
    {
        string path = _dir.Write("labels", Idx.File(0x08, [0xFFFFFFFF], [1, 2]));
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadLabels(path));
        Assert.Contains("dimensions 4294967295 are too large", e.Message);
    }

    [Fact]
    public void A_cut_off_gzip_stream_is_reported_with_the_file_name()
    {
        var gz = Idx.Gzip(Idx.Images(10, 28, 28));
        string path = _dir.Write("cut.gz", gz[..(gz.Length / 2)]);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.True(e.Message.Contains("truncated data") || e.Message.Contains("corrupt gzip data"), e.Message);
    }

    [Fact]
    public void Garbage_after_a_gzip_signature_is_reported_as_corrupt_gzip()
    {
        string path = _dir.Write("garbage.gz", [0x1F, 0x8B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]);
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadLabels(path));
        Assert.StartsWith(path + ": corrupt gzip data", e.Message);
    }

    [Fact]
    public void Gzipped_data_promising_far_more_than_it_holds_is_reported_as_truncated()
    {
        // The header asks for 1.8 GB; the reader must find the shortfall without allocating all of it at once.
        string path = _dir.Write("promise.gz", Idx.Gzip(Idx.File(0x08, [60000, 100, 300], new byte[100])));
        var e = Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(path));
        Assert.Contains("truncated data: expected 1800000000 bytes after the 16-byte header, found 100", e.Message);
    }
}
