using System.Globalization;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace DistSnn.Reports;

/// <summary>
/// Streams a results folder's spikes into a <see cref="SpikeDigest"/>: <c>spikes.h5</c> (SONATA layout,
/// <c>/spikes/&lt;population&gt;/{timestamps, node_ids}</c>) read in blocks, or else <c>spikes.csv</c>
/// (<c>population,node_id,time_ms</c>) read line by line. Never holds more than one block of spikes.
/// </summary>
public static class SpikeFileReader
{
    /// <summary>Spikes read from the HDF5 file per block.</summary>
    internal const int BlockElements = 1 << 16;

    /// <summary>The spike file a report reads in <paramref name="runDir"/>: spikes.h5, else spikes.csv.</summary>
    /// <exception cref="ReportInputException">Neither exists.</exception>
    public static string Locate(string runDir)
    {
        string h5 = Path.Combine(runDir, "spikes.h5"), csv = Path.Combine(runDir, "spikes.csv");
        if (File.Exists(h5)) return h5;
        if (File.Exists(csv)) return csv;
        throw new ReportInputException($"{runDir}: no spike file (expected spikes.h5 or spikes.csv)");
    }

    /// <summary>
    /// Reads every spike of <paramref name="path"/> into <paramref name="digest"/> and checks each population's
    /// count against <paramref name="summary"/>, so a truncated or foreign file is reported, not plotted.
    /// </summary>
    /// <exception cref="ReportInputException">The file is unreadable or disagrees with the summary.</exception>
    public static void Read(string path, ReportSummary summary, SpikeDigest digest)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(digest);
        if (path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) ReadCsv(path, digest);
        else ReadHdf5(path, digest);

        digest.CheckCounts(summary, path);
    }

    private static void ReadHdf5(string path, SpikeDigest digest)
    {
        NativeFile file;
        try
        {
            file = H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // PureHDF reports a damaged file with several exception types; all mean "not a readable HDF5 file".
            throw new ReportInputException($"{path}: not a readable HDF5 file: {e.Message}", e);
        }
        using (file)
        {
            if (!file.LinkExists("spikes")) throw new ReportInputException($"{path}: no /spikes group (not a SONATA spike file)");
            foreach (var child in file.Group("spikes").Children())
            {
                string where = $"{path}: /spikes/{child.Name}";
                if (child is not IH5Group group) throw new ReportInputException($"{where}: expected a population group");
                var pop = digest.Population(child.Name, path);
                IH5Dataset ts, ids;
                try
                {
                    ts = group.Dataset("timestamps");
                    ids = group.Dataset("node_ids");
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new ReportInputException($"{where}: needs datasets 'timestamps' and 'node_ids': {e.Message}", e);
                }
                ulong count = Length(ts, where + "/timestamps");
                if (Length(ids, where + "/node_ids") != count)
                    throw new ReportInputException($"{where}: timestamps and node_ids differ in length");
                for (ulong start = 0; start < count; start += BlockElements)
                {
                    ulong n = Math.Min(BlockElements, count - start);
                    double[] t;
                    ulong[] id;
                    try
                    {
                        var slab = new HyperslabSelection(start, n);
                        t = ts.Read<double[]>(fileSelection: slab);
                        id = ids.Read<ulong[]>(fileSelection: slab);
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        throw new ReportInputException($"{where}: spikes {start} to {start + n} cannot be read: {e.Message}", e);
                    }
                    for (int i = 0; i < (int)n; i++)
                    {
                        long node = id[i] > long.MaxValue ? -1 : (long)id[i];
                        if (!digest.TryAdd(pop, node, t[i])) throw digest.Rejection(pop, node, t[i], $"{where} spike {start + (ulong)i}");
                    }
                }
            }
        }
    }

    private static ulong Length(IH5Dataset dataset, string where)
    {
        var dims = dataset.Space.Dimensions;
        if (dims.Length != 1) throw new ReportInputException($"{where}: expected a one-dimensional dataset, got {dims.Length} dimensions");
        return dims[0];
    }

    private static void ReadCsv(string path, SpikeDigest digest)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, true, 1 << 16);
        string? header = reader.ReadLine();
        if (header is null || header.Trim() != "population,node_id,time_ms")
            throw new ReportInputException($"{path}:1: header must be 'population,node_id,time_ms', got '{header}'");
        long lineNumber = 1;
        SpikeDigest.PopulationDigest? last = null;
        string lastName = "";
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0) continue;
            // node_id and time_ms never contain commas, so the last two commas split the row even when the
            // population name (quoted) does.
            int c2 = line.LastIndexOf(','), c1 = c2 > 0 ? line.LastIndexOf(',', c2 - 1) : -1;
            if (c1 < 0) throw new ReportInputException($"{path}:{lineNumber}: expected 'population,node_id,time_ms', got '{line}'");
            string name = Unquote(line[..c1]);
            var idText = line.AsSpan(c1 + 1, c2 - c1 - 1);
            var timeText = line.AsSpan(c2 + 1);
            if (!long.TryParse(idText, NumberStyles.Integer, CultureInfo.InvariantCulture, out long node))
                throw new ReportInputException($"{path}:{lineNumber}: node_id '{idText}' is not a whole number");
            if (!double.TryParse(timeText, NumberStyles.Float, CultureInfo.InvariantCulture, out double time))
                throw new ReportInputException($"{path}:{lineNumber}: time_ms '{timeText}' is not a number");
            if (last is null || name != lastName)
            {
                last = digest.Population(name, $"{path}:{lineNumber}");
                lastName = name;
            }
            if (!digest.TryAdd(last, node, time)) throw digest.Rejection(last, node, time, $"{path}:{lineNumber}");
        }
    }

    private static string Unquote(string field) =>
        field.Length >= 2 && field[0] == '"' && field[^1] == '"' ? field[1..^1].Replace("\"\"", "\"") : field;
}
