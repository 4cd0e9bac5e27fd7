using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DistSnn.Model;

namespace DistSnn.Cluster.Checkpoints;

/// <summary>
/// The checkpoint directory: <c>ROOT/&lt;job&gt;/step-&lt;N&gt;/</c> holds <c>partition-&lt;q&gt;.ckpt</c> per partition,
/// <c>model.yaml</c> and <c>manifest.json</c>. Every file is written to a temporary name and renamed, and the manifest
/// comes last, so a reader sees either a complete checkpoint or a folder without a manifest, which it ignores.
/// Works on any shared file system that renames atomically (a Kubernetes shared volume included).
/// </summary>
public static class CheckpointStore
{
    /// <summary>File name of the manifest.</summary>
    public const string ManifestName = "manifest.json";
    /// <summary>File name of the model as run.</summary>
    public const string ModelName = "model.yaml";

    /// <summary>The folder of one job's checkpoints.</summary>
    public static string JobDirectory(string root, string job) => Path.Combine(root, job);

    /// <summary>The folder of the checkpoint at <paramref name="step"/>.</summary>
    public static string StepDirectory(string root, string job, long step) =>
        Path.Combine(JobDirectory(root, job), "step-" + step.ToString(CultureInfo.InvariantCulture));

    /// <summary>File name of partition <paramref name="partition"/>'s state.</summary>
    public static string PartitionFileName(int partition) => $"partition-{partition.ToString(CultureInfo.InvariantCulture)}.ckpt";

    /// <summary>The model text a checkpoint stores, and whose SHA-256 is the model hash.</summary>
    public static string ModelText(NetworkSpec spec) => ModelWriter.ToYaml(spec);

    /// <summary>The model hash of <paramref name="spec"/>.</summary>
    public static string ModelHash(NetworkSpec spec) => Sha256Hex(Encoding.UTF8.GetBytes(ModelText(spec)));

    /// <summary>SHA-256 as lower-case hex.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/> through a temporary file in the same folder, flushed
    /// to disk before the rename; returns its size and SHA-256.
    /// </summary>
    public static CheckpointFileEntry WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                f.Write(content);
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp); // never leave a half-written temporary behind; the error itself propagates
            throw;
        }
        return new CheckpointFileEntry(Path.GetFileName(path), content.Length, Sha256Hex(content));
    }

    /// <summary>
    /// Completes the checkpoint of <paramref name="manifest"/> (whose partition files are in place): writes the model
    /// and then the manifest (returned, model entry included), and deletes all but the newest <paramref name="keep"/> complete checkpoints of the job
    /// (and incomplete ones older than the newest complete one).
    /// </summary>
    public static CheckpointManifest Commit(string root, CheckpointManifest manifest, string modelText, int keep)
    {
        string dir = StepDirectory(root, manifest.Job, manifest.Step);
        var model = WriteAtomically(Path.Combine(dir, ModelName), Encoding.UTF8.GetBytes(modelText));
        var complete = manifest with { Files = [model, .. manifest.Files] };
        WriteAtomically(Path.Combine(dir, ManifestName), complete.ToJson());
        Prune(JobDirectory(root, manifest.Job), keep);
        return complete;
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> complete checkpoints, and incomplete ones older than them.</summary>
    public static void Prune(string jobDirectory, int keep)
    {
        var steps = StepFolders(jobDirectory);
        var complete = steps.Where(s => File.Exists(Path.Combine(s.Path, ManifestName))).ToList();
        if (complete.Count == 0) return;
        var kept = complete.TakeLast(Math.Max(1, keep)).Select(s => s.Step).ToHashSet();
        long newest = complete[^1].Step;
        foreach (var (step, path) in steps)
            if (step < newest && !kept.Contains(step))
                Directory.Delete(path, recursive: true);
    }

    /// <summary>The step folders of a job, oldest first.</summary>
    public static IReadOnlyList<(long Step, string Path)> StepFolders(string jobDirectory)
    {
        if (!Directory.Exists(jobDirectory)) return [];
        var list = new List<(long, string)>();
        foreach (var d in Directory.GetDirectories(jobDirectory, "step-*"))
            if (long.TryParse(Path.GetFileName(d)["step-".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long step))
                list.Add((step, d));
        list.Sort();
        return list;
    }

    /// <summary>
    /// Opens a checkpoint for resuming: <paramref name="path"/> is a step folder, or a job folder (its newest complete
    /// checkpoint is taken). Verifies the manifest's format version, the size and SHA-256 of every file and the model
    /// hash; returns the checkpoint and the model. Throws <see cref="CheckpointException"/> naming the file and the fault.
    /// </summary>
    public static (ResumeFrom Checkpoint, NetworkSpec Spec) Load(string path)
    {
        string dir = Path.GetFullPath(path);
        if (!Directory.Exists(dir)) throw new CheckpointException($"{path}: no such checkpoint folder");
        if (!File.Exists(Path.Combine(dir, ManifestName)))
        {
            var complete = StepFolders(dir).Where(s => File.Exists(Path.Combine(s.Path, ManifestName))).ToList();
            if (complete.Count == 0)
                throw new CheckpointException($"{path}: no complete checkpoint (a step folder with {ManifestName}) here");
            dir = complete[^1].Path;
        }
        string manifestPath = Path.Combine(dir, ManifestName);
        CheckpointManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllBytes(manifestPath), CheckpointManifest.Json)
                ?? throw new CheckpointException($"{manifestPath}: holds null, not a manifest");
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{manifestPath}: not a valid manifest: {e.Message}", e);
        }
        if (!CheckpointManifest.Readable(manifest.FormatVersion))
            throw new CheckpointException($"{manifestPath}: checkpoint format version {manifest.FormatVersion}, this program reads versions {CheckpointManifest.ReadableVersions}");
        if (manifest.Backends is { } backends && backends.Count != manifest.Partitions)
            throw new CheckpointException($"{manifestPath}: names {backends.Count} backends for {manifest.Partitions} partitions");
        foreach (var f in manifest.Files)
        {
            if (f.Name != Path.GetFileName(f.Name)) throw new CheckpointException($"{manifestPath}: file name '{f.Name}' is not a plain name");
            Verify(Path.Combine(dir, f.Name), f);
        }
        for (int q = 0; q < manifest.Partitions; q++)
            if (manifest.Files.All(f => f.Name != PartitionFileName(q)))
                throw new CheckpointException($"{manifestPath}: lists no file for partition {q} of {manifest.Partitions}");
        string modelPath = Path.Combine(dir, ModelName);
        if (manifest.Files.All(f => f.Name != ModelName)) throw new CheckpointException($"{manifestPath}: lists no {ModelName}");
        NetworkSpec spec;
        try
        {
            spec = ModelLoader.LoadFile(modelPath);
        }
        catch (ModelException e)
        {
            throw new CheckpointException($"{modelPath}: {string.Join("; ", e.Errors)}", e);
        }
        string hash = ModelHash(spec);
        if (hash != manifest.ModelHash)
            throw new CheckpointException($"{modelPath}: model hash {hash} differs from the manifest's {manifest.ModelHash}");
        var resume = new ResumeFrom(dir, manifest);
        _ = resume.Strategy; // fails here, naming the manifest, for an unknown strategy
        return (resume, spec);
    }

    /// <summary>Checks one file's size and SHA-256 against its manifest entry.</summary>
    public static void Verify(string path, CheckpointFileEntry expected)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot be read: {e.Message}", e);
        }
        VerifyContent(path, data, expected.Bytes, expected.Sha256);
    }

    /// <summary>Checks bytes read from <paramref name="path"/> against the manifest's size and SHA-256.</summary>
    public static void VerifyContent(string path, ReadOnlySpan<byte> data, long bytes, string sha256)
    {
        if (bytes >= 0 && data.Length != bytes)
            throw new CheckpointException($"{path}: {data.Length} bytes, the manifest says {bytes} (truncated or replaced)");
        string actual = Sha256Hex(data);
        if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointException($"{path}: SHA-256 {actual} does not match the manifest's {sha256} (the file is damaged)");
    }
}
