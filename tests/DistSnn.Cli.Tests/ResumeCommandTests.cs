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
}
