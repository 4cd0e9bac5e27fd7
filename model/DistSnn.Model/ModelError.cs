namespace DistSnn.Model;

/// <summary>
/// One problem with a network model: where it is (file, 1-based line, field path such as
/// <c>projections[2].delay</c>) and what is wrong. File and line are absent for specs built in C#.
/// </summary>
public sealed record ModelError(string? File, int? Line, string Path, string Message)
{
    /// <summary>A model error that names only a field.</summary>
    public ModelError(string path, string message) : this(null, null, path, message) { }

    /// <summary>
    /// <c>file:line: path: message</c>, leaving out the parts that are absent, on one line: control characters
    /// that came from the file (a key or value with a line break) are shown escaped, e.g. <c>\n</c>.
    /// </summary>
    public override string ToString()
    {
        var parts = new List<string>(3);
        if (File is not null)
            parts.Add(Line is int l ? $"{File}:{l}" : File);
        else if (Line is int l)
            parts.Add($"line {l}");
        if (!string.IsNullOrEmpty(Path)) parts.Add(Path);
        parts.Add(Message);
        return OneLine(string.Join(": ", parts));
    }

    private static string OneLine(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (var c in text)
            sb.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        return sb.ToString();
    }
}

/// <summary>
/// Thrown when a network model cannot be loaded or is invalid. Carries every problem found, not just the first,
/// so that a user can fix a file in one go.
/// </summary>
public sealed class ModelException : Exception
{
    /// <summary>Creates an exception for the given errors (at least one).</summary>
    public ModelException(IReadOnlyList<ModelError> errors) : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates an exception for a single error.</summary>
    public ModelException(ModelError error) : this([error]) { }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<ModelError> Errors { get; }

    private static string Describe(IReadOnlyList<ModelError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count == 0 ? "invalid network model" : string.Join("\n", errors);
    }
}
