using System.IO.Compression;
using DistSnn.Cluster.Runtime;

namespace DistSnn.Cluster.Output;

/// <summary>A finished job's results folder (the same layout as a local run's) as a zip archive, as nodes serve it.</summary>
public static class ResultsArchive
{
    /// <summary>
    /// Writes the results folder of <paramref name="result"/> to a temporary place and returns it zipped;
    /// <paramref name="backends"/> summarize their partitions' reports.
    /// </summary>
    public static byte[] Create(JobResult result, bool csv, Nodes.Backends.BackendRegistry? backends = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        string dir = Path.Combine(Path.GetTempPath(), "distsnn-results-" + Guid.NewGuid().ToString("N"));
        try
        {
            LocalRunner.Report(result, new RunOptions { OutDir = dir, Csv = csv, Partitions = result.Partitions.Count, Backends = backends },
                DateTime.UtcNow - TimeSpan.FromSeconds(result.BuildSeconds + result.SimulateSeconds));
            using var ms = new MemoryStream();
            ZipFile.CreateFromDirectory(dir, ms, CompressionLevel.Fastest, includeBaseDirectory: false);
            return ms.ToArray();
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
