using System.Buffers;
using System.Text;
using System.Text.Unicode;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace DistSnn.Model;

/// <summary>
/// Reads network models from YAML or JSON (JSON is read as flow-style YAML). Every problem found is collected and
/// thrown together as one <see cref="ModelException"/> whose errors carry the file, line and field path; the
/// loader throws no other exception type.
/// </summary>
public static class ModelLoader
{
    /// <summary>Deepest nesting of lists and mappings accepted; real models need fewer than ten levels.</summary>
    public const int MaxNesting = 64;

    /// <summary>
    /// Largest model file accepted, in bytes (64 MiB; the same bound as a model shipped with a job). The largest
    /// example is a few kilobytes; explicit spike times or neuron lists for millions of neurons still fit.
    /// </summary>
    public const int MaxFileBytes = 64 << 20;

    /// <summary>Errors reported for one file at most; reading stops there.</summary>
    public const int MaxErrors = 100;

    /// <summary>Longest single value (a name, a quantity, a distribution) accepted, in characters: 64 Ki.</summary>
    public const int MaxScalarChars = 64 << 10;

    /// <summary>
    /// Reads and validates the model in <paramref name="path"/> (.yaml, .yml or .json), or the SONATA network a
    /// simulation or circuit config (.json) points to (<see cref="Sonata.SonataImporter"/>).
    /// </summary>
    public static NetworkSpec LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            // Checked before reading, so that a huge file is refused without loading it into memory.
            var length = new FileInfo(path).Length;
            if (length > MaxFileBytes) throw new ModelException(TooLarge(path, length, "bytes"));
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelException(new ModelError(path, null, "", $"file not found (looked for {FullPath(path)})"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelException(new ModelError(path, null, "", $"cannot read {FullPath(path)}: {e.Message}"));
        }
        // A SONATA simulation or circuit config (JSON) names its network files instead of holding a model.
        if (Sonata.SonataImporter.IsSonataConfig(path, bytes)) return Sonata.SonataImporter.Load(path);
        return LoadBytes(bytes, path);
    }

    /// <summary>
    /// Reads and validates a model from the bytes of a file (UTF-8, or UTF-16 with a byte-order mark), e.g. one
    /// received over the network. <paramref name="fileName"/> appears in errors.
    /// </summary>
    public static NetworkSpec LoadBytes(byte[] bytes, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length > MaxFileBytes) throw new ModelException(TooLarge(fileName, bytes.Length, "bytes"));
        return Parse(Decode(bytes, fileName), fileName);
    }

    private static ModelError TooLarge(string? fileName, long size, string unit) =>
        new(fileName, 1, "", $"the file is {size} {unit}, over the limit of {MaxFileBytes} bytes");

    /// <summary>
    /// Reads and validates a model from <paramref name="text"/>. <paramref name="fileName"/> appears in errors and
    /// names the network when the text has no <c>name</c>.
    /// </summary>
    public static NetworkSpec Parse(string text, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        // A character takes at least one byte in the file, so this is the file limit applied to text.
        if (text.Length > MaxFileBytes) throw new ModelException(TooLarge(fileName, text.Length, "characters"));
        var ctx = new LoadContext(fileName);
        NetworkSpec? spec = null;
        try
        {
            if (ReadRoot(text, ctx) is { } root)
                spec = new SpecReader(ctx, DefaultName(fileName)).Read(root);
            if (spec is not null)
                foreach (var e in NetworkValidator.Validate(spec))
                    if (!ctx.IsFailed(e.Path))
                        ctx.Error(ctx.LineFor(e.Path), e.Path, e.Message);
        }
        catch (LoadContext.TooManyErrors)
        {
            ctx.Errors.Add(new ModelError(fileName, ctx.Errors[^1].Line ?? 1, "", $"more than {MaxErrors} errors; reading stopped here"));
        }
        catch (Exception e) when (e is not ModelException and not OutOfMemoryException)
        {
            // A model file must never crash its reader; report the failure like any other problem.
            ctx.Errors.Add(new ModelError(fileName, null, "", $"cannot read the model: {e.GetType().Name}: {e.Message}"));
        }
        if (ctx.Errors.Count > 0)
            throw new ModelException([.. ctx.Errors.OrderBy(e => e.Line ?? int.MaxValue)]);
        return spec!;
    }

    private static string DefaultName(string? fileName)
    {
        var name = fileName is null ? "" : Path.GetFileNameWithoutExtension(fileName);
        return string.IsNullOrEmpty(name) ? "network" : name;
    }

    private static string FullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path;
        }
    }

    /// <summary>Decodes UTF-8 (or UTF-16 with a byte-order mark), rejecting malformed bytes with their line.</summary>
    internal static string Decode(byte[] bytes, string? fileName)
    {
        ReadOnlySpan<byte> data = bytes;
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || data.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            var utf16 = data[0] == 0xFF ? new UnicodeEncoding(false, true, true) : new UnicodeEncoding(true, true, true);
            try
            {
                return utf16.GetString(data[2..]);
            }
            catch (DecoderFallbackException)
            {
                throw new ModelException(new ModelError(fileName, 1, "", "is not valid UTF-16 text"));
            }
        }
        if (data.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) data = data[3..];
        var chars = new char[data.Length];
        var status = Utf8.ToUtf16(data, chars, out int read, out int written, replaceInvalidSequences: false);
        if (status == OperationStatus.Done) return new string(chars, 0, written);
        int line = 1 + data[..read].Count((byte)'\n');
        var detail = read < data.Length ? $"byte 0x{data[read]:X2}" : "a truncated character at the end";
        throw new ModelException(new ModelError(fileName, line, "", $"is not valid UTF-8 text ({detail} at offset {read}); save the file as UTF-8"));
    }

    private static YamlNode? ReadRoot(string text, LoadContext ctx)
    {
        var parser = new GuardedParser(new Parser(new StringReader(text)), MaxNesting, MaxScalarChars);
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (LimitException e)
        {
            ctx.Error(e.Line, "", e.Message);
            return null;
        }
        catch (YamlException e)
        {
            var line = e.Start.Line > 0 ? (int)Math.Min(e.Start.Line, int.MaxValue) : parser.Line;
            // Two unquoted distributions in one {...} can leave identical "key" pieces such as "5 mV)".
            var hint = e.Message.StartsWith("Duplicate key", StringComparison.Ordinal) && e.Message.Contains(')')
                ? "; inside {...}, put quotes around values that contain commas"
                : "";
            ctx.Error(line, "", $"YAML syntax error: {e.Message}{hint}");
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            // Some malformed input (e.g. an unclosed '[') fails inside the library without a position.
            ctx.Error(parser.Line, "", $"YAML syntax error near this line (an unclosed bracket or quote?): {e.Message}");
            return null;
        }
        if (stream.Documents.Count == 0)
        {
            ctx.Error(1, "", "the file is empty; expected a mapping with keys such as name, run, populations");
            return null;
        }
        if (stream.Documents.Count > 1)
        {
            ctx.Error(stream.Documents[1].RootNode, "", $"expected one YAML document, found {stream.Documents.Count}");
            return null;
        }
        var root = stream.Documents[0].RootNode;
        if (root is YamlMappingNode) return root;
        ctx.Error(root, "", $"the top level must be a mapping with keys such as name, run, populations; got {LoadContext.Describe(root)}");
        return null;
    }

    /// <summary>A file over one of the loader's size limits, at a line.</summary>
    private sealed class LimitException(int? line, string message) : Exception(message)
    {
        public int? Line => line;
    }

    /// <summary>
    /// Passes parser events through, refusing nesting beyond a limit (the representation model is built
    /// recursively, and unbounded nesting would overflow the stack, which cannot be caught) and values longer than a
    /// limit (so that no field's error message or unit parsing works on megabytes of text).
    /// </summary>
    private sealed class GuardedParser(IParser inner, int maxDepth, int maxScalarChars) : IParser
    {
        // One entry per open list or mapping: whether it is a mapping, whether its next node is a key, and whether it
        // is (inside) a key itself. YamlDotNet hashes keys structurally, so an alias inside a key could make it walk
        // an exponentially large alias graph (a "billion laughs" file); such keys are refused at once. Other
        // non-name keys are reported by the reader.
        private readonly Stack<(bool Mapping, bool NextIsKey, bool InKey)> _open = new();

        public ParsingEvent? Current => inner.Current;

        public int? Line { get; private set; }

        public bool MoveNext()
        {
            if (!inner.MoveNext()) return false;
            var e = inner.Current;
            if (e is null) return true;
            if (e.Start.Line > 0) Line = (int)Math.Min(e.Start.Line, int.MaxValue);
            if (e is MappingEnd or SequenceEnd)
            {
                if (_open.Count > 0) _open.Pop();
                return true;
            }
            if (e is not (NodeEvent or AnchorAlias)) return true;
            bool inKey = false;
            if (_open.Count > 0)
            {
                var parent = _open.Pop();
                inKey = parent.InKey || parent.Mapping && parent.NextIsKey;
                _open.Push(parent with { NextIsKey = parent.Mapping && !parent.NextIsKey });
            }
            switch (e)
            {
                case MappingStart or SequenceStart when _open.Count >= maxDepth:
                    throw new YamlException(e.Start, e.End, $"lists and mappings are nested more than {maxDepth} levels deep");
                case AnchorAlias when inKey:
                    throw new LimitException(Line, "an alias inside a mapping key is not allowed; keys must be plain names");
                case Scalar { Value.Length: var length } when length > maxScalarChars:
                    throw new LimitException(Line, $"a value of {length} characters is over the limit of {maxScalarChars}");
                case MappingStart or SequenceStart:
                    _open.Push((e is MappingStart, true, inKey));
                    break;
            }
            return true;
        }
    }
}
