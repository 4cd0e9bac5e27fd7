using System.Runtime.InteropServices;
using System.Text;

namespace DistSnn.Nodes.Checkpoints;

/// <summary>
/// Restores a state walk saved by <see cref="StateWriter"/>, checking every field's name, element type and length
/// against what the engine expects; the first difference ends the restore with an error naming component and field.
/// </summary>
public sealed class StateReader : StateVisitor
{
    private readonly BinaryReader _r;

    /// <summary>Reads from <paramref name="stream"/> (left open).</summary>
    public StateReader(Stream stream) => _r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);

    /// <inheritdoc />
    public override bool Restoring => true;

    /// <inheritdoc />
    public override void Array<T>(string name, T[] values)
    {
        long n = Header(name, typeof(T), FieldKind.Array);
        if (n != values.Length) throw Fail($"field '{name}' has {n} values in the checkpoint but {values.Length} in the engine");
        ReadInto(name, values.AsSpan());
    }

    /// <inheritdoc />
    public override void Prefix<T>(string name, ref T[] values, ref int count)
    {
        long n = Header(name, typeof(T), FieldKind.Prefix);
        if (n < 0 || n > System.Array.MaxLength) throw Fail($"field '{name}' claims {n} values");
        if (values.Length < n) values = new T[Math.Max(n, 16)];
        ReadInto(name, values.AsSpan(0, (int)n));
        count = (int)n;
    }

    /// <inheritdoc />
    public override void Optional<T>(string name, ref T[]? values, int length)
    {
        var (kind, n) = HeaderAny(name, typeof(T));
        if (kind == FieldKind.Absent)
        {
            values = null;
            return;
        }
        if (kind != FieldKind.Array) throw Fail($"field '{name}' is saved as {kind}, expected an optional array");
        if (n != length) throw Fail($"field '{name}' has {n} values in the checkpoint but {length} in the engine");
        values ??= new T[length];
        ReadInto(name, values.AsSpan());
    }

    /// <inheritdoc />
    public override void Value<T>(string name, ref T value)
    {
        long n = Header(name, typeof(T), FieldKind.Value);
        if (n != 1) throw Fail($"field '{name}' has {n} values, expected 1");
        ReadInto(name, MemoryMarshal.CreateSpan(ref value, 1));
    }

    private long Header(string name, Type type, FieldKind expected)
    {
        var (kind, n) = HeaderAny(name, type);
        if (kind != expected) throw Fail($"field '{name}' is saved as {kind}, expected {expected}");
        return n;
    }

    private (FieldKind Kind, long Length) HeaderAny(string name, Type type)
    {
        try
        {
            var kind = (FieldKind)_r.ReadByte();
            string saved = _r.ReadString();
            string savedType = _r.ReadString();
            long n = _r.ReadInt64();
            if (saved != name) throw Fail($"expected field '{name}' but the checkpoint has '{saved}' here");
            if (savedType != type.Name) throw Fail($"field '{name}' holds {savedType} in the checkpoint, expected {type.Name}");
            if (!Enum.IsDefined(kind)) throw Fail($"field '{name}' has unknown kind {(byte)kind}");
            return (kind, n);
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointFormatException($"the state ends before field '{name}' (truncated)", e);
        }
    }

    private void ReadInto<T>(string name, Span<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        int got = 0;
        while (got < bytes.Length)
        {
            int n = _r.Read(bytes[got..]);
            if (n == 0) throw Fail($"the state ends inside field '{name}' (truncated)");
            got += n;
        }
    }
}
