using System.Buffers;
using System.Text;
using MessagePack;

namespace DistSnn.Cluster.Serialization;

/// <summary>
/// Reads one frame with every length and value checked: record field counts must match, counts and sizes are
/// compared with <see cref="WireLimits"/> before anything is allocated, integers with their allowed range,
/// strings must be valid UTF-8. It remembers which field it is reading, so that any failure, including one thrown
/// inside MessagePack (truncation, a wrong type code, an integer overflow), can be reported as
/// <c>Message.Field: problem</c>.
/// </summary>
internal ref struct FrameReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private MessagePackReader _reader;
    private readonly long _length;
    private long _expanded;

    public FrameReader(byte[] bytes, string message)
    {
        _reader = new MessagePackReader(bytes);
        _length = bytes.Length;
        Message = message;
        Field = "(frame)";
    }

    /// <summary>The message type being read, for error messages.</summary>
    public string Message { get; }

    /// <summary>The field being read, for error messages.</summary>
    public string Field { get; set; }

    /// <summary>Bytes not read yet.</summary>
    public long Remaining => _length - _reader.Consumed;

    public WireFormatException Fail(string problem, Exception? inner = null, WireRejection kind = WireRejection.Malformed)
    {
        // Nested records name their fields "Record.Field"; when that record is the message itself, say it once.
        var field = Field == Message ? "(record)"
            : Field.StartsWith(Message + ".", StringComparison.Ordinal) ? Field[(Message.Length + 1)..]
            : Field;
        return new WireFormatException(Message, field, problem, inner, kind);
    }

    /// <summary>Starts a record (a MessagePack array) that must have exactly <paramref name="fields"/> fields.</summary>
    public void Record(string field, int fields)
    {
        Field = field;
        int n = Header();
        if (n != fields) throw Fail($"expected a record of {fields} fields, found {n}");
    }

    /// <summary>
    /// An array header whose count is checked against the bytes left (each item takes at least one) before anyone
    /// allocates for it, so that a header declaring billions of items in a short frame is refused as oversized.
    /// </summary>
    private int Header()
    {
        if (!_reader.TryReadArrayHeader(out int n)) throw Fail("ends inside an array header", kind: WireRejection.Truncated);
        if (n > Remaining) throw Fail($"declares {n} items but only {Remaining} bytes follow", kind: Beyond(n));
        return n;
    }

    /// <summary>
    /// The kind of a count that exceeds the bytes left: a frame cut short if it could have held that many items,
    /// otherwise a count larger than any frame of this size could carry.
    /// </summary>
    public readonly WireRejection Beyond(long count) => count > _length ? WireRejection.Oversized : WireRejection.Truncated;

    /// <summary>An array header of at most <paramref name="max"/> items (MessagePack also checks them against the bytes left).</summary>
    public int Array(string field, int max)
    {
        Field = field;
        int n = Header();
        if (n > max) throw Fail($"{n} items is over the limit of {max}", kind: WireRejection.Oversized);
        return n;
    }

    /// <summary>An array header inside a loop whose field is already set.</summary>
    public int ArrayHere() => Header();

    public long Long(string field, long min = 0, long max = long.MaxValue)
    {
        Field = field;
        long v = _reader.ReadInt64();
        if (v < min || v > max) throw Fail($"{v} is out of range [{min}, {max}]");
        return v;
    }

    public int Int(string field, int min = 0, int max = int.MaxValue) => (int)Long(field, min, max);

    /// <summary>An integer inside a loop whose field is already set; the caller checks its range.</summary>
    public long LongHere() => _reader.ReadInt64();

    public ulong ULongHere() => _reader.ReadUInt64();

    public double Double(string field)
    {
        Field = field;
        return _reader.ReadDouble();
    }

    /// <summary>Reads a nil in place of an optional record and returns true, or returns false (nothing consumed) when a value follows.</summary>
    public bool Nil(string field)
    {
        Field = field;
        return _reader.TryReadNil();
    }

    public bool Bool(string field)
    {
        Field = field;
        return _reader.ReadBoolean();
    }

    /// <summary>A string of at most <paramref name="maxBytes"/> UTF-8 bytes; nil is refused.</summary>
    public string String(string field, int maxBytes) =>
        NullableString(field, maxBytes) ?? throw Fail("is nil; a string is required");

    /// <summary>A string of at most <paramref name="maxBytes"/> UTF-8 bytes, or nil.</summary>
    public string? NullableString(string field, int maxBytes)
    {
        Field = field;
        // The length is checked on the undecoded slice, before a character is allocated.
        if (_reader.ReadStringSequence() is not { } bytes) return null;
        if (bytes.Length > maxBytes) throw Fail($"{bytes.Length} bytes is over the limit of {maxBytes}", kind: WireRejection.Oversized);
        return StrictUtf8.GetString(bytes);
    }

    /// <summary>A binary blob of at most <paramref name="maxBytes"/> bytes (a slice of the frame; not copied).</summary>
    public ReadOnlySequence<byte> Bytes(string field, long maxBytes)
    {
        Field = field;
        var bytes = _reader.ReadBytes() ?? throw Fail("is nil; binary data is required");
        if (bytes.Length > maxBytes) throw Fail($"{bytes.Length} bytes is over the limit of {maxBytes}", kind: WireRejection.Oversized);
        return bytes;
    }

    /// <summary>
    /// Charges <paramref name="elements"/> decoded from run-length encoded data against the frame's budget
    /// (<see cref="WireLimits.MaxExpandedElements"/>), before they are allocated.
    /// </summary>
    public void Expand(long elements)
    {
        _expanded += elements;
        if (_expanded > WireLimits.MaxExpandedElements)
            throw Fail($"run-length encoded data expands to more than {WireLimits.MaxExpandedElements} elements", kind: WireRejection.Oversized);
    }

    /// <summary>Checks that the whole frame was read.</summary>
    public void End()
    {
        Field = "(end)";
        if (!_reader.End) throw Fail($"{Remaining} unexpected bytes after the message");
    }
}
