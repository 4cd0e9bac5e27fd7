using System.Globalization;

namespace DistSnn.Cluster.Runtime;

/// <summary>
/// The process's resident memory from the kernel (<c>/proc/self/status</c>: VmHWM, the high-water mark, and VmRSS).
/// Linux only; elsewhere every reading is null.
/// </summary>
public static class ProcessMemory
{
    /// <summary>The resident high-water mark in bytes since the process started.</summary>
    public static long? Peak() => Read().Peak;

    /// <summary>
    /// The high-water mark and the resident size now, from one reading.
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

}

/// <summary>
/// Memory by phase of one in-process run: the high-water mark up to the end of the build (runtime, model, synapses and
/// their temporaries), and for the run after it the largest resident size sampled (with the progress, every 100 ms, and
/// at its end) and the resident size at its end.
/// </summary>
public sealed record MemoryPhases(long? BuildPeakBytes, long? RunPeakBytes, long? RunResidentBytes);
