using System.Runtime.InteropServices;
using System.Text;

namespace DistSnn.Nodes.Checkpoints;

/// <summary>
/// Saves a state walk as a flat little-endian stream: per field its kind, name, element type and length, then the raw
/// elements. The names cost a few bytes per field and let a reader say exactly where a mismatch is.
/// </summary>
public sealed class StateWriter : StateVisitor
{
    private readonly BinaryWriter _w;

    /// <summary>Writes to <paramref name="stream"/> (left open).</summary>
    public StateWriter(Stream stream) => _w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);

    /// <inheritdoc />
    public override bool Restoring => false;

    /// <inheritdoc />
    public override void Array<T>(string name, T[] values) => Field(FieldKind.Array, name, values.AsSpan());

    /// <inheritdoc />
    public override void Prefix<T>(string name, ref T[] values, ref int count) => Field(FieldKind.Prefix, name, values.AsSpan(0, count));

    /// <inheritdoc />
    public override void Optional<T>(string name, ref T[]? values, int length)
    {
        if (values is null) Header(FieldKind.Absent, name, typeof(T), 0);
        else Field(FieldKind.Array, name, values.AsSpan());
    }

    /// <inheritdoc />
    public override void Value<T>(string name, ref T value) => Field(FieldKind.Value, name, MemoryMarshal.CreateReadOnlySpan(ref value, 1));

    /// <summary>Pushes buffered bytes to the stream.</summary>
    public void Flush() => _w.Flush();

    private void Field<T>(FieldKind kind, string name, ReadOnlySpan<T> values) where T : unmanaged
    {
        Header(kind, name, typeof(T), values.Length);
        _w.Write(MemoryMarshal.AsBytes(values));
    }

    private void Header(FieldKind kind, string name, Type type, long length)
    {
        _w.Write((byte)kind);
        _w.Write(name);
        _w.Write(type.Name);
        _w.Write(length);
    }
}

/// <summary>How a field was saved.</summary>
internal enum FieldKind : byte
{
    Value = 1,
    Array = 2,
    Prefix = 3,
    Absent = 4,
}
