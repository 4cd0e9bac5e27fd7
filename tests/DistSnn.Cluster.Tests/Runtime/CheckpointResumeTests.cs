using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Tests.Output;
using DistSnn.Model;

namespace DistSnn.Cluster.Tests.Runtime;

/// <summary>
/// Checkpoints end to end through the partition actors: brunel (reduced) on 2 partitions, stopped right after a
/// checkpoint and resumed, gives exactly the spikes of the uninterrupted run; damaged checkpoints are refused naming
/// the file.
/// </summary>
public class CheckpointResumeTests
{
    private static NetworkSpec Brunel()
    {
        var spec = NetworkScaling.Scale(ModelLoader.LoadFile(Repo.Example("brunel.yaml")), 0.1);
        // Long enough that the first checkpoint's files (written on pool threads) are in well before the run ends, even
        // on a loaded machine: the test stops the run from that checkpoint's callback.
        return spec with { Run = spec.Run with { Duration = 10000 } };
    }

    /// <summary>Every 100 ms = 1000 steps; brunel's exchange epoch is 7 steps (lag 2), so checkpoints fall on steps 1001, 2002, 3003, ….</summary>
    private const long EverySteps = 1000;

    [Fact]
    public async Task AStoppedRunResumedFromItsCheckpointGivesTheUninterruptedSpikes()
    {
        using var tmp = new TempDirectory();
        string root = tmp.File("ckpt");
        var spec = Brunel();
        var uninterrupted = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2 });
        Assert.True(uninterrupted.Summary.Spikes > 1000, $"{uninterrupted.Summary.Spikes} spikes");

        using var stop = new CancellationTokenSource();
        var seen = new List<CheckpointManifest>();
        var first = new RunOptions
        {
            Partitions = 2,
            Checkpoints = new CheckpointRequest(root, EverySteps),
            OnCheckpoint = m =>
            {
                lock (seen) seen.Add(m);
                stop.Cancel();
            },
        };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LocalRunner.RunAsync(spec, first, cancel: stop.Token));
        Assert.Equal(1001, seen[0].Step);
        Assert.Equal(2, seen[0].Partitions);
        Assert.Equal(3, seen[0].Files.Count); // model + two partitions

        var (resume, model) = CheckpointStore.Load(CheckpointStore.JobDirectory(root, "brunel"));
        Assert.True(resume.Manifest.Step is >= 1001 and < 5000, $"resuming from step {resume.Manifest.Step}");
        string outDir = tmp.File("resumed");
        var resumed = await LocalRunner.RunAsync(model, new RunOptions
        {
            Partitions = resume.Manifest.Partitions,
            Strategy = resume.Strategy,
            Resume = resume,
            Checkpoints = new CheckpointRequest(root, EverySteps),
            OutDir = outDir,
        });
        Assert.Equal(uninterrupted.Summary.SpikesSha256, resumed.Summary.SpikesSha256);
        Assert.Equal(uninterrupted.Summary.Spikes, resumed.Summary.Spikes);
        Assert.Equal(uninterrupted.Summary.SynapticEvents, resumed.Summary.SynapticEvents);
        Assert.Equal(uninterrupted.Summary.SpikesSha256, DistSnn.Cluster.Output.SummaryWriter.Read(Path.Combine(outDir, "summary.json")).SpikesSha256);
        // The resumed run went on checkpointing; the last two complete checkpoints are kept.
        var left = CheckpointStore.StepFolders(CheckpointStore.JobDirectory(root, "brunel")).Select(s => s.Step).ToArray();
        Assert.Equal([98000L, 99001L], left);
    }

    /// <summary>
    /// A checkpoint about every ten epochs, so files are written while earlier ones are still being flushed: the
    /// manifests still complete in step order, and the two kept are the two newest.
    /// </summary>
    [Fact]
    public async Task CheckpointsCompleteInStepOrderEvenWhenWritesOverlap()
    {
        using var tmp = new TempDirectory();
        string root = tmp.File("ckpt");
        var spec = Brunel() with { Run = Brunel().Run with { Duration = 150 } };
        var seen = new List<long>();
        await LocalRunner.RunAsync(spec, new RunOptions
        {
            Partitions = 2,
            Checkpoints = new CheckpointRequest(root, 70),
            OnCheckpoint = m => { lock (seen) seen.Add(m.Step); },
        });
        Assert.True(seen.Count >= 15, $"{seen.Count} checkpoints");
        Assert.Equal(seen.Order().Distinct(), seen);
        var left = CheckpointStore.StepFolders(CheckpointStore.JobDirectory(root, "brunel")).Select(s => s.Step).ToArray();
        Assert.Equal(seen.TakeLast(2), left);
    }

    [Fact]
    public async Task DamagedCheckpointsAreRefusedNamingTheFile()
    {
        using var tmp = new TempDirectory();
        string root = tmp.File("ckpt");
        var spec = Brunel() with { Run = Brunel().Run with { Duration = 150 } };
        await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2, Checkpoints = new CheckpointRequest(root, EverySteps) });
        string step = CheckpointStore.StepDirectory(root, "brunel", 1001);
        string file = Path.Combine(step, "partition-1.ckpt");
        var (resume, model) = CheckpointStore.Load(step);

        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        var atLoad = Assert.Throws<CheckpointException>(() => CheckpointStore.Load(step));
        Assert.Contains(file, atLoad.Message);
        Assert.Contains("SHA-256", atLoad.Message);
        Assert.Contains("damaged", atLoad.Message);

        // Damaged after it was loaded: the partition that restores from it checks again and fails the job.
        var atRestore = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalRunner.RunAsync(model,
            new RunOptions { Partitions = 2, Resume = resume }));
        Assert.Contains("partition 1", atRestore.Message);
        Assert.Contains(file, atRestore.Message);

        File.WriteAllBytes(file, bytes[..100]);
        Assert.Contains("100 bytes, the manifest says", Assert.Throws<CheckpointException>(() => CheckpointStore.Load(step)).Message);

        var other = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalRunner.RunAsync(model,
            new RunOptions { Partitions = 3, Resume = resume }));
        Assert.Contains("has 2 partitions", other.Message);

        File.Delete(Path.Combine(step, CheckpointStore.ManifestName));
        Assert.Contains("no complete checkpoint", Assert.Throws<CheckpointException>(() => CheckpointStore.Load(step)).Message);
    }
}
