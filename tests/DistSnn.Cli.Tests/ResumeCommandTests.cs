using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary><c>distsnn run --checkpoint-every</c> and <c>distsnn resume</c> as processes.</summary>
public class ResumeCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-resume-" + Guid.NewGuid().ToString("N"));

    public ResumeCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    private static string Sha(string stdout)
    {
        using var json = JsonDocument.Parse(stdout);
        return json.RootElement.GetProperty("spikes_sha256").GetString()!;
    }

    [Fact]
    public void ResumeFromARunsCheckpointGivesTheSameSpikes()
    {
        string[] common = ["examples/brunel.yaml", "--scale", "0.1", "--duration", "300 ms", "-p", "2", "--json"];
        var plain = CliProcess.Run(["run", .. common, "--out", Path.Combine(_dir, "plain")]);
        Assert.True(plain.ExitCode == 0, plain.Stderr);

        string ckpt = Path.Combine(_dir, "ckpt");
        var withCkpt = CliProcess.Run(["run", .. common, "--out", Path.Combine(_dir, "ckpt-run"), "--checkpoint-every", "100 ms", "--checkpoint-dir", ckpt]);
        Assert.True(withCkpt.ExitCode == 0, withCkpt.Stderr);
        Assert.Equal(Sha(plain.Stdout), Sha(withCkpt.Stdout));
        // 100 ms = 1000 steps; exchange epochs of 7 steps: boundaries 1001 and 2002 (3000 is the end, never checkpointed).
        Assert.Equal(["step-1001", "step-2002"], Directory.GetDirectories(Path.Combine(ckpt, "brunel")).Select(Path.GetFileName).Order());

        var resumed = CliProcess.Run("resume", Path.Combine(ckpt, "brunel", "step-1001"), "--out", Path.Combine(_dir, "resumed"), "--json",
            "--checkpoint-every", "0");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(Sha(plain.Stdout), Sha(resumed.Stdout));

        string file = Path.Combine(ckpt, "brunel", "step-2002", "partition-0.ckpt");
        var bytes = File.ReadAllBytes(file);
        bytes[^10] ^= 1;
        File.WriteAllBytes(file, bytes);
        var damaged = CliProcess.Run("resume", Path.Combine(ckpt, "brunel"), "--out", Path.Combine(_dir, "damaged"));
        Assert.Equal(2, damaged.ExitCode);
        Assert.Contains("partition-0.ckpt: SHA-256", damaged.Stderr);
        Assert.DoesNotContain("   at ", damaged.Stderr);
    }

    /// <summary>
    /// Checkpoints written before partitions had backends (format version 1, kept in data/checkpoint-v1) resume on
    /// either transport to the spikes of the uninterrupted run, recorded in data/checkpoint-v1/README.md when they
    /// were written; a checkpoint of an unknown format version is refused with exit code 2, naming the version.
    /// </summary>
    [Theory]
    [InlineData("cuba", "step-300", "b60258bced2f60442d3b026068e5bec22667c73c4979df4596fb190fbf814e09")]
    [InlineData("brunel", "step-301", "ae7e562808ee7f0c2cc46229c8eea43460c53b7045ab5c4e1a67cd6defaa2a93")]
    public void A_checkpoint_of_format_version_1_resumes_to_the_uninterrupted_spikes(string job, string step, string sha)
    {
        string copy = Path.Combine(_dir, "v1");
        CopyDirectory(Path.Combine(CliProcess.RepoRoot, "tests", "DistSnn.Cli.Tests", "data", "checkpoint-v1", job), Path.Combine(copy, job));
        string checkpoint = Path.Combine(copy, job, step);
        var uninterrupted = CliProcess.Run("run", Path.Combine(checkpoint, "model.yaml"), "-p", "2", "--json", "--no-plots", "--out", Path.Combine(_dir, "whole"));
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.Stderr);
        Assert.Equal(sha, Sha(uninterrupted.Stdout));
        foreach (var transport in new[] { "inproc", "akka" })
        {
            var resumed = CliProcess.Run("resume", checkpoint, "--json", "--no-plots", "--checkpoint-every", "0", "--transport", transport,
                "--out", Path.Combine(_dir, "resumed-" + transport));
            Assert.True(resumed.ExitCode == 0, resumed.Stderr);
            Assert.Equal(sha, Sha(resumed.Stdout));
        }

        string manifest = Path.Combine(checkpoint, "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"format_version\": 1,", "\"format_version\": 99,", StringComparison.Ordinal));
        var refused = CliProcess.Run("resume", checkpoint, "--out", Path.Combine(_dir, "refused"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("manifest.json: checkpoint format version 99, this program reads versions 1 and 2", refused.Stderr);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from)) CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
