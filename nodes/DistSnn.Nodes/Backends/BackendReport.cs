namespace DistSnn.Nodes.Backends;

/// <summary>
/// A table of what a backend observed, by row key: per core, per link, per machine. Rows with the same key from
/// different partitions describe the same thing and are equal (a core whose neurons two partitions share is modelled by
/// both), so merging keeps the first; rows with different keys are different things.
/// </summary>
public sealed record ReportTable(string Name, IReadOnlyList<string> Columns, IReadOnlyList<ReportRow> Rows)
{
    /// <summary>The sum of a column over the rows, or its largest value when the column's name starts with <c>max_</c>.</summary>
    public double Total(string column)
    {
        int c = Columns.ToList().IndexOf(column);
        if (c < 0) throw new ArgumentException($"table '{Name}' has no column '{column}' (columns: {string.Join(", ", Columns)})", nameof(column));
        var values = Rows.Select(r => r.Values[c]);
        return column.StartsWith("max_", StringComparison.Ordinal) ? values.DefaultIfEmpty(0).Max() : values.Sum();
    }
}

/// <summary>One row of a <see cref="ReportTable"/>.</summary>
public sealed record ReportRow(string Key, double[] Values);

/// <summary>What one partition of a backend reports at the end of a run, beyond the common counters.</summary>
public sealed record BackendReport(string Backend, IReadOnlyList<ReportTable> Tables)
{
    /// <summary>
    /// The reports of several partitions of one backend as one: tables by name, rows by key (the first of equal keys
    /// kept), rows in key order.
    /// </summary>
    public static BackendReport Merge(string backend, IEnumerable<BackendReport> reports)
    {
        var tables = new Dictionary<string, (IReadOnlyList<string> Columns, SortedDictionary<string, ReportRow> Rows)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var report in reports)
            foreach (var t in report.Tables)
            {
                if (!tables.TryGetValue(t.Name, out var entry))
                {
                    tables[t.Name] = entry = (t.Columns, new SortedDictionary<string, ReportRow>(StringComparer.Ordinal));
                    order.Add(t.Name);
                }
                else if (!entry.Columns.SequenceEqual(t.Columns))
                    throw new InvalidOperationException($"backend '{backend}' reported table '{t.Name}' with different columns");
                foreach (var row in t.Rows) entry.Rows.TryAdd(row.Key, row);
            }
        return new BackendReport(backend, order.Select(n => new ReportTable(n, tables[n].Columns, tables[n].Rows.Values.ToList())).ToList());
    }

    /// <summary>The table named <paramref name="name"/>, or null.</summary>
    public ReportTable? Table(string name) => Tables.FirstOrDefault(t => t.Name == name);
}

/// <summary>
/// What a backend makes of its merged report for the run's summary: named totals and notes (written to
/// <c>summary.json</c> under <c>backends</c>), and any files it writes to the results folder.
/// </summary>
public sealed record BackendSummary(IReadOnlyDictionary<string, double> Totals, IReadOnlyList<string> Notes)
{
    /// <summary>The merged tables the totals come from.</summary>
    public BackendReport? Report { get; init; }
}

/// <summary>Turns a backend's merged report into its summary; <paramref name="outDir"/> (null: none) may receive files.</summary>
public delegate BackendSummary BackendSummarizer(Model.NetworkSpec spec, BackendReport merged, string? outDir);
