using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using DistSnn.Cluster.Sonata;
using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Synapses;
using PureHDF;

namespace DistSnn.Cluster.Tests.Sonata;

/// <summary>What the tests expect of an export, computed from the engine, and ways to look at the files.</summary>
internal static class SonataFiles
{
    /// <summary>
    /// The edges of projection <paramref name="j"/> as the engine builds them onto every target (one partition), in row
    /// order: their count and the SHA-256 of (source, target, NEST weight, delay in ms) records as sonata_check.py
    /// hashes them.
    /// </summary>
    public static (long Count, string Sha256) ExpectedEdges(NetworkSpec spec, int j)
    {
        var proj = spec.Projections[j];
        int post = spec.PopulationIndex(proj.Target);
        var model = spec.Populations[post].Model;
        var data = SynapseBuilder.Build(spec, j, Enumerable.Range(0, spec.Populations[post].Size).ToArray(),
            PartitionEngine.PortOf(model, proj.Receptor), PartitionEngine.WeightScale(model, proj.Weight.Dim));
        var rule = new NestWeights(model, proj.Receptor);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        const int Batch = 4096;
        var buffer = new byte[32 * Batch];
        int filled = 0;
        for (int i = 0; i + 1 < data.RowStart.Length; i++)
            for (int k = data.RowStart[i]; k < data.RowStart[i + 1]; k++)
            {
                Assert.True(rule.TryToNest(data.Weights?[k] ?? data.ConstWeight, out var weight, out var why), why);
                var record = buffer.AsSpan(32 * filled, 32);
                BinaryPrimitives.WriteUInt64LittleEndian(record, (ulong)i);
                BinaryPrimitives.WriteUInt64LittleEndian(record[8..], (ulong)data.Targets[k]);
                BinaryPrimitives.WriteDoubleLittleEndian(record[16..], weight);
                BinaryPrimitives.WriteDoubleLittleEndian(record[24..], (data.Delays?[k] ?? data.ConstDelay) * spec.Run.Dt);
                if (++filled == Batch)
                {
                    sha.AppendData(buffer);
                    filled = 0;
                }
            }
        sha.AppendData(buffer, 0, 32 * filled);
        return (data.Targets.Length, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>Every name, attribute name and string attribute value in an HDF5 file.</summary>
    public static IEnumerable<string> Hdf5Names(string path)
    {
        using var file = H5File.OpenRead(path);
        var names = new List<string>();
        void Walk(IH5Object obj)
        {
            names.Add(obj.Name);
            foreach (var a in obj.Attributes())
            {
                names.Add(a.Name);
                if (a.Type.Class == H5DataTypeClass.String) names.Add(a.Read<string>());
            }
            if (obj is IH5Group g)
                foreach (var child in g.Children()) Walk(child);
        }
        Walk(file);
        return names;
    }

    public static JsonElement Json(string dir, string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, file))).RootElement;

    /// <summary>Rows of a space-separated SONATA type table, by column name.</summary>
    public static List<Dictionary<string, string>> Table(string dir, string file)
    {
        var lines = File.ReadAllLines(Path.Combine(dir, file));
        var header = lines[0].Split(' ');
        return lines.Skip(1).Select(l => header.Zip(l.Split(' ')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    public static PartitionEngine OnePartition(NetworkSpec spec) =>
        new(spec, 0, spec.Populations.Select(p => Enumerable.Range(0, p.Size).ToArray()).ToList());
}

/// <summary>
/// Debian's python3 with h5py and numpy (the independent reader of the files). Required when CI=true (.ci/run installs
/// python3-h5py and python3-numpy); elsewhere a test without it passes with a note.
/// </summary>
internal static class Python
{
    private const string Exe = "/usr/bin/python3";
    private static readonly Lazy<bool> Present = new(() => File.Exists(Exe) && RunProcess("-c", "import h5py, numpy").Code == 0);

    public static string Script => Path.Combine(Runtime.Repo.Root, "tests", "DistSnn.Cluster.Tests", "data", "sonata_check.py");

    public static bool Available()
    {
        if (Present.Value) return true;
        Assert.False(Environment.GetEnvironmentVariable("CI") == "true",
            "python3 with h5py and numpy is not installed; .ci/run installs python3-h5py and python3-numpy");
        Console.WriteLine("skipped: /usr/bin/python3 with h5py and numpy is not installed (apt-get install -y python3-h5py python3-numpy)");
        return false;
    }

    /// <summary>Runs sonata_check.py and parses its JSON output.</summary>
    public static JsonElement Check(string mode, string path)
    {
        var (code, stdout, stderr) = RunProcess(Script, mode, path);
        Assert.True(code == 0, $"sonata_check.py {mode} {path} failed:\n{stderr}");
        return JsonDocument.Parse(stdout).RootElement;
    }

    private static (int Code, string Stdout, string Stderr) RunProcess(params string[] args)
    {
        var psi = new ProcessStartInfo(Exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("python3 did not finish within 3 minutes: " + string.Join(' ', args));
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
