using System.Globalization;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// The process's resident memory from the kernel (<c>/proc/self/status</c>: VmHWM, the high-water mark, and VmRSS), and
/// a reset of the high-water mark (<c>/proc/self/clear_refs</c>) so that the run after a build gets a peak of its own.
/// Linux only; elsewhere every reading is null.
/// </summary>
public static class ProcessMemory
{
    /// <summary>The resident high-water mark in bytes since the start or the last <see cref="ResetPeak"/>.</summary>
    public static long? Peak() => Read().Peak;

    /// <summary>
    /// The high-water mark and the resident size now, from one reading (so that the resident size is never above the
    /// mark, as two readings a page apart could have it).
    /// </summary>
    public static (long? Peak, long? Resident) Read()
    {
        long? peak = null, resident = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line);
                else if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) resident = Kilobytes(line);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return (null, null);
        }
        return (peak, resident);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line[(line.IndexOf(':') + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture) * 1024;

    /// <summary>Starts a new high-water mark from the current resident size; false where the kernel does not allow it.</summary>
    public static bool ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }
}

/// <summary>
/// Memory by phase of one in-process run: the high-water mark up to the end of the build (runtime, model, synapses and
/// their temporaries), and for the run after it its own high-water mark and the resident size at its end.
/// </summary>
public sealed record MemoryPhases(long? BuildPeakBytes, long? RunPeakBytes, long? RunResidentBytes);
