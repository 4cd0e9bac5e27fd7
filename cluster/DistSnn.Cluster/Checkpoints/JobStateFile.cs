using System.Text.Json;
using System.Text.Json.Serialization;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Checkpoints;

/// <summary>
/// <c>job.json</c> in a job's checkpoint folder (<c>CKPT_DIR/&lt;job&gt;/job.json</c>): what a coordinator needs to take
/// the job over — the model as run, partitions, strategy, checkpoint settings, the incarnation running now and whether
/// the job is still going. The coordinator is a cluster singleton; when its node is lost, the new one (on the oldest
/// surviving node) reads these files and resumes every job still running from its newest checkpoint. Written
/// atomically (temporary file and rename) when a job starts, rolls back and ends.
/// </summary>
public sealed record JobStateFile
{
    /// <summary>Version of this file's layout.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The file name in the job's folder.</summary>
    public const string FileName = "job.json";

    /// <summary>Layout version; other versions are refused.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;
    /// <summary>Job id.</summary>
    public required string Job { get; init; }
    /// <summary>Number of partitions.</summary>
    public required int Partitions { get; init; }
    /// <summary>Placement strategy name.</summary>
    public required string Strategy { get; init; }
    /// <summary>Steps between checkpoints.</summary>
    public required long CheckpointEverySteps { get; init; }
    /// <summary>Complete checkpoints kept.</summary>
    public required int Keep { get; init; }
    /// <summary>The incarnation running when the file was written (see <see cref="JobIncarnation"/>).</summary>
    public required int Generation { get; init; }
    /// <summary><c>running</c> while the job goes on (recovering included), else <c>finished</c>, <c>failed</c> or <c>cancelled</c>.</summary>
    public required string State { get; init; }
    /// <summary>The model as run (YAML, after overrides and scaling).</summary>
    public required string Model { get; init; }

    // The checkpoint folder's JSON conventions (snake_case, indented), as in manifest.json.
    private static JsonSerializerOptions Json => CheckpointManifest.Json;

    /// <summary>The state of <paramref name="run"/> (which must write checkpoints).</summary>
    public static JobStateFile Of(JobRun run)
    {
        var request = run.Submit.Checkpoints ?? throw new ArgumentException($"job '{run.Submit.Job}' writes no checkpoints", nameof(run));
        return new JobStateFile
        {
            Job = run.Submit.Job,
            Partitions = run.Plan.Parts,
            Strategy = run.Submit.Strategy.Name(),
            CheckpointEverySteps = request.EverySteps,
            Keep = request.Keep,
            Generation = run.Generation,
            State = run.State is JobState.Building or JobState.Running or JobState.Recovering ? "running" : run.State.ToString().ToLowerInvariant(),
            Model = CheckpointStore.ModelText(run.Submit.Spec),
        };
    }

    /// <summary>Writes the file into the job's folder under <paramref name="root"/>, atomically.</summary>
    public void Write(string root) =>
        CheckpointStore.WriteAtomically(Path.Combine(CheckpointStore.JobDirectory(root, Job), FileName), JsonSerializer.SerializeToUtf8Bytes(this, Json));

    /// <summary>
    /// The submission this file describes, with checkpoints into <paramref name="root"/>. Throws
    /// <see cref="CheckpointException"/> naming <paramref name="path"/> when the model or strategy is not valid.
    /// </summary>
    public SubmitJob ToSubmit(string root, string path)
    {
        if (!PartitionStrategyNames.TryParse(Strategy, out var strategy)) throw new CheckpointException($"{path}: unknown strategy '{Strategy}'");
        NetworkSpec spec;
        try
        {
            spec = ModelLoader.Parse(Model, path + ": model");
        }
        catch (ModelException e)
        {
            throw new CheckpointException($"{path}: the model does not load: {string.Join("; ", e.Errors.Take(5))}", e);
        }
        return new SubmitJob(Job, spec, Partitions, strategy) { Checkpoints = new CheckpointRequest(root, CheckpointEverySteps, Keep) };
    }

    /// <summary>Reads <paramref name="path"/>; throws <see cref="CheckpointException"/> naming the file and the fault.</summary>
    public static JobStateFile Read(string path)
    {
        JobStateFile? file;
        try
        {
            file = JsonSerializer.Deserialize<JobStateFile>(File.ReadAllBytes(path), Json);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: not a readable job state file: {e.Message}", e);
        }
        if (file is null) throw new CheckpointException($"{path}: holds null, not a job state");
        if (file.FormatVersion != CurrentFormatVersion)
            throw new CheckpointException($"{path}: job state format version {file.FormatVersion}, this program reads version {CurrentFormatVersion}");
        if (file.Partitions < 1) throw new CheckpointException($"{path}: partitions: must be >= 1, got {file.Partitions}");
        if (file.CheckpointEverySteps < 1) throw new CheckpointException($"{path}: checkpoint_every_steps: must be >= 1, got {file.CheckpointEverySteps}");
        if (file.Keep < 1) throw new CheckpointException($"{path}: keep: must be >= 1, got {file.Keep}");
        if (file.Generation < 0) throw new CheckpointException($"{path}: generation: must be >= 0, got {file.Generation}");
        return file;
    }

    /// <summary>The job state files of every job folder under <paramref name="root"/>, in ordinal order of the job ids.</summary>
    public static IReadOnlyList<string> Find(string root) => !Directory.Exists(root)
        ? []
        : Directory.GetDirectories(root).Select(d => Path.Combine(d, FileName)).Where(File.Exists).Order(StringComparer.Ordinal).ToList();
}
