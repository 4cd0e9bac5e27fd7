using System.Globalization;
using System.Text;

namespace DistSnn.Cluster.Output;

/// <summary>
/// Writes spikes as CSV with header <c>population,node_id,time_ms</c>; <c>node_id</c> is the
/// population-local id, as in the SONATA file. Rows are ordered by time, then by the order of
/// <paramref name="pops"/>, then by node id. Times are step * dt with at most six decimals and no
/// trailing zeros (e.g. <c>12.3</c>, <c>5</c>), so the text does not depend on the runtime's
/// shortest-round-trip formatting and is stable for diffing.
/// </summary>
public static class SpikeCsvWriter
{
    private const string TimeFormat = "0.######";

    public static void Write(string path, IReadOnlyList<PopulationSpikes> pops, double dtMs)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(stream, pops, dtMs);
    }

    public static void Write(Stream stream, IReadOnlyList<PopulationSpikes> pops, double dtMs)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(pops);
        OutputChecks.Dt(dtMs);
        OutputChecks.UniqueNames(pops);

        var names = new string[pops.Count];
        for (int p = 0; p < pops.Count; p++)
        {
            names[p] = Escape(pops[p].Name);
        }

        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        writer.Write("population,node_id,time_ms\n");

        // Keyed by (step, population index): one dequeue emits a population's whole run of spikes at
        // that step, so the heap is touched once per (step, population) rather than once per spike.
        var heap = new PriorityQueue<int, (long Step, int Pop)>(pops.Count);
        var cursor = new int[pops.Count];
        for (int p = 0; p < pops.Count; p++)
        {
            if (pops[p].Count > 0)
            {
                heap.Enqueue(p, (pops[p].Steps[0], p));
            }
        }

        Span<char> number = stackalloc char[64];
        while (heap.TryDequeue(out int p, out var key))
        {
            var pop = pops[p];
            long step = key.Step;
            if (!(step * dtMs).TryFormat(number, out int timeLength, TimeFormat, CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"Time of step {step} could not be formatted.");
            }
            ReadOnlySpan<char> time = number[..timeLength];
            Span<char> idText = number[timeLength..];

            int i = cursor[p];
            for (; i < pop.Count && pop.Steps[i] == step; i++)
            {
                pop.LocalIds[i].TryFormat(idText, out int idLength, provider: CultureInfo.InvariantCulture);
                writer.Write(names[p]);
                writer.Write(',');
                writer.Write(idText[..idLength]);
                writer.Write(',');
                writer.Write(time);
                writer.Write('\n');
            }
            cursor[p] = i;
            if (i < pop.Count)
            {
                heap.Enqueue(p, (pop.Steps[i], p));
            }
        }
    }

    private static string Escape(string field)
    {
        if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            return field;
        }
        return "\"" + field.Replace("\"", "\"\"") + "\"";
    }
}
