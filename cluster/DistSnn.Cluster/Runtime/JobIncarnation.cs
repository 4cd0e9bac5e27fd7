using System.Globalization;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// The name a job's partitions run under. A job starts as incarnation 0, whose name is the job id itself; each recovery
/// from a lost partition starts a new incarnation <c>g</c> named <c>job~g</c>, with fresh partition actors (sharded
/// entities <c>job~g/partition</c>). Every message from a partition and every spike packet carries the name, so
/// anything left over from an earlier incarnation (a packet in flight, a late progress report, a checkpoint report) is
/// recognised and dropped instead of being mixed into the new one. Job ids may therefore not contain <c>~</c>.
/// </summary>
public static class JobIncarnation
{
    /// <summary>Separates a job id from its incarnation number.</summary>
    public const char Separator = '~';

    /// <summary>The name of incarnation <paramref name="generation"/> of <paramref name="job"/>.</summary>
    public static string Name(string job, int generation) =>
        generation == 0 ? job : job + Separator + generation.ToString(CultureInfo.InvariantCulture);

    /// <summary>Splits a partition's job name into the job id and the incarnation (0 for a plain job id).</summary>
    public static (string Job, int Generation) Parse(string name)
    {
        int at = name.LastIndexOf(Separator);
        if (at < 0) return (name, 0);
        return int.TryParse(name.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int g) && g > 0
            ? (name[..at], g)
            : (name, 0);
    }

    /// <summary>The job id of a partition's job name (what checkpoint folders and results are named after).</summary>
    public static string JobOf(string name) => Parse(name).Job;
}
