namespace DistSnn.Nodes.Checkpoints;

/// <summary>
/// One walk over a partition's mutable state, used both to save and to restore it. Every component describes its
/// state once, as a sequence of named fields, and the same description drives <see cref="StateWriter"/> and
/// <see cref="StateReader"/>, so what is saved and what is restored cannot drift apart. Derived values (propagators,
/// synapse targets, static weights, random-number keys) are not state: a restored engine is built from the same
/// model and rebuilds them.
/// </summary>
public abstract class StateVisitor
{
    private string _section = "(start)";

    /// <summary>Whether this walk restores state (fields are read into the arrays) rather than saving it.</summary>
    public abstract bool Restoring { get; }

    /// <summary>Names the component whose fields follow; errors name it.</summary>
    public void Section(string name) => _section = name;

    /// <summary>A fixed-length array: saved whole, or overwritten in place (its length must match).</summary>
    public abstract void Array<T>(string name, T[] values) where T : unmanaged;

    /// <summary>
    /// The first <paramref name="count"/> entries of a growable array. On restore the array is replaced by a larger one
    /// when it is too small and <paramref name="count"/> is set.
    /// </summary>
    public abstract void Prefix<T>(string name, ref T[] values, ref int count) where T : unmanaged;

    /// <summary>
    /// Two growable arrays that hold the same <paramref name="count"/> entries side by side (a spike's stamp and its
    /// neuron): on restore both counts must agree and both arrays end up at least as long as each other.
    /// </summary>
    public void PairedPrefix<TA, TB>(string nameA, ref TA[] a, string nameB, ref TB[] b, ref int count)
        where TA : unmanaged where TB : unmanaged
    {
        int na = count, nb = count;
        Prefix(nameA, ref a, ref na);
        Prefix(nameB, ref b, ref nb);
        if (na != nb) throw Fail($"{na} '{nameA}' but {nb} '{nameB}'");
        if (b.Length < a.Length) System.Array.Resize(ref b, a.Length);
        if (a.Length < b.Length) System.Array.Resize(ref a, b.Length);
        count = na;
    }

    /// <summary>An array that may be absent (null); when present it has <paramref name="length"/> entries.</summary>
    public abstract void Optional<T>(string name, ref T[]? values, int length) where T : unmanaged;

    /// <summary>One value.</summary>
    public abstract void Value<T>(string name, ref T value) where T : unmanaged;

    /// <summary>
    /// A value fixed by how the engine was built (step counts, sizes): saved, and on restore compared with the
    /// engine's, so that state is never poured into an engine of another shape.
    /// </summary>
    public void Expect(string name, long value)
    {
        long saved = value;
        Value(name, ref saved);
        if (saved != value)
            throw Fail($"'{name}' is {saved} in the checkpoint but {value} in the engine being restored (not the same model or partitioning)");
    }

    /// <summary>An error naming the current component.</summary>
    public CheckpointFormatException Fail(string what) => new($"{_section}: {what}");
}

/// <summary>Checkpoint data that does not fit the engine or is damaged; the message names the component and field.</summary>
public sealed class CheckpointFormatException(string message, Exception? inner = null) : Exception(message, inner);
