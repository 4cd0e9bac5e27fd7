using System.Diagnostics;

namespace DistSnn.Cli.Tests;

/// <summary>Runs a Python script of the tests with Debian's python3 (h5py, numpy), as an independent producer or reader.</summary>
internal static class PythonScript
{
    public const string Python = "/usr/bin/python3";

    public static string Run(string script, params string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} is needed (Debian's python3 with python3-h5py and python3-numpy)");
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = CliProcess.RepoRoot,
        };
        psi.ArgumentList.Add(Path.Combine(CliProcess.RepoRoot, "tests", "DistSnn.Cli.Tests", "data", script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within 2 minutes");
        }
        Assert.True(p.ExitCode == 0, $"{script} failed: {stderr.Result}");
        return stdout.Result;
    }
}
