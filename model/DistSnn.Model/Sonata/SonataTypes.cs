using System.Text;
using System.Text.Json;

namespace DistSnn.Model.Sonata;

/// <summary>A node_types.csv or edge_types.csv table: space-separated columns under a header, one row per type id.</summary>
internal sealed class SonataTypes
{
    private readonly Dictionary<long, Dictionary<string, string>> _rows = [];

    public string File { get; }

    private SonataTypes(string file) => File = file;

    public static SonataTypes Read(string path, string idColumn)
    {
        if (!System.IO.File.Exists(path)) throw new SonataFormatException($"{path}: file not found");
        var types = new SonataTypes(path);
        string[]? header = null;
        int lineNo = 0;
        foreach (var line in System.IO.File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = Split(line, $"{path}:{lineNo}");
            if (header is null)
            {
                header = cells;
                if (!header.Contains(idColumn)) throw new SonataFormatException($"{path}:{lineNo}: the header has no column {idColumn}");
                continue;
            }
            if (cells.Length != header.Length)
                throw new SonataFormatException($"{path}:{lineNo}: {cells.Length} columns, but the header has {header.Length}");
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int c = 0; c < cells.Length; c++) row[header[c]] = cells[c];
            if (!long.TryParse(row[idColumn], out var id)) throw new SonataFormatException($"{path}:{lineNo}: {idColumn} '{row[idColumn]}' is not an integer");
            if (!types._rows.TryAdd(id, row)) throw new SonataFormatException($"{path}:{lineNo}: {idColumn} {id} appears twice");
        }
        if (header is null) throw new SonataFormatException($"{path}: empty (a types table needs a header line)");
        return types;
    }

    /// <summary>The row of type <paramref name="id"/>; an error naming the file when there is none.</summary>
    public IReadOnlyDictionary<string, string> Row(long id, string usedBy) =>
        _rows.TryGetValue(id, out var row) ? row : throw new SonataFormatException($"{usedBy}: type id {id} is not in {File}");

    /// <summary>A cell's value, or null for a missing column, an empty cell or NONE/NULL/NaN (how BMTK writes "no value").</summary>
    public static string? Cell(IReadOnlyDictionary<string, string> row, string column) =>
        row.TryGetValue(column, out var v) && v.Length > 0 && v is not ("NONE" or "None" or "NULL" or "NaN" or "nan") ? v : null;

    private static string[] Split(string line, string where)
    {
        var cells = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false, any = false;
        foreach (char c in line)
        {
            if (c == '"') { quoted = !quoted; any = true; continue; }
            if (!quoted && (c == ' ' || c == '\t'))
            {
                if (any || sb.Length > 0) cells.Add(sb.ToString());
                sb.Clear();
                any = false;
                continue;
            }
            sb.Append(c);
        }
        if (quoted) throw new SonataFormatException($"{where}: a quote is not closed");
        if (any || sb.Length > 0) cells.Add(sb.ToString());
        return [.. cells];
    }

    /// <summary>A dynamics_params JSON file: its number-valued entries by name.</summary>
    public static Dictionary<string, double> ReadParams(string path)
    {
        var root = SonataJson.Read(path, path);
        if (root.ValueKind != JsonValueKind.Object) throw new SonataFormatException($"{path}: expected an object of parameter values");
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in root.EnumerateObject())
            values[p.Name] = p.Value.ValueKind == JsonValueKind.Number
                ? p.Value.GetDouble()
                : throw new SonataFormatException($"{path}: {p.Name}: expected a number, got {p.Value.ValueKind}");
        return values;
    }
}
