using System.Buffers.Binary;

namespace DistSnn.Nodes.Checkpoints;

/// <summary>
/// The framing of a backend's saved state: an 8-byte magic that names the kind of state, a 32-bit format version, then
/// the fields of one <see cref="StateVisitor"/> walk. Saving and restoring go through the same walk.
/// </summary>
public static class StateFile
{
    /// <summary>Writes the magic, the version and the fields <paramref name="visit"/> describes.</summary>
    public static void Save(Stream stream, ReadOnlySpan<byte> magic, int version, Action<StateVisitor> visit)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(visit);
        stream.Write(magic);
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(v, version);
        stream.Write(v);
        var writer = new StateWriter(stream);
        visit(writer);
        writer.Flush();
    }

    /// <summary>
    /// Checks the magic and version and restores the fields <paramref name="visit"/> describes; throws
    /// <see cref="CheckpointFormatException"/> naming <paramref name="what"/> when the stream is not such a state or of
    /// another version.
    /// </summary>
    public static void Restore(Stream stream, ReadOnlySpan<byte> magic, int version, string what, Action<StateVisitor> visit)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(visit);
        Span<byte> head = stackalloc byte[magic.Length + 4];
        if (stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length || !head[..magic.Length].SequenceEqual(magic))
            throw new CheckpointFormatException($"not a {what} (bad magic)");
        int saved = BinaryPrimitives.ReadInt32LittleEndian(head[magic.Length..]);
        if (saved != version)
            throw new CheckpointFormatException($"{what} format version {saved}, this program reads version {version}");
        visit(new StateReader(stream));
    }
}
