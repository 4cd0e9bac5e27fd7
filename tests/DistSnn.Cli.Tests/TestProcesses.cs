using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DistSnn.Cli.Tests;

/// <summary>What every process test needs: free loopback ports, and node processes and folders gone at the end.</summary>
internal static class TestProcesses
{
    // Ports already handed out in this test run: the system may offer a port again once its listener is closed,
    // and tests in parallel each pick several ports before any node binds them.
    private static readonly HashSet<int> Given = new();

    /// <summary>A TCP port free on 127.0.0.1 right now, and not handed out before in this test run.</summary>
    public static int FreePort()
    {
        while (true)
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            lock (Given)
                if (Given.Add(port)) return port;
        }
    }

    /// <summary>
    /// Starts the CLI (<c>distsnn ARGS</c>) in <paramref name="workingDirectory"/> (default: the repository root), its
    /// output read as it comes (each line to <paramref name="output"/> when given, so the pipes never fill);
    /// <paramref name="environment"/> adds variables.
    /// </summary>
    public static Process StartCli(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, Action<string>? output = null,
        string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? CliProcess.RepoRoot,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "distsnn.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) psi.Environment[key] = value;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is { } line) output?.Invoke(line); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { } line) output?.Invoke(line); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Kills a process and its children if it still runs, waits for it and releases it.</summary>
    public static void Stop(Process? process)
    {
        if (process is null) return;
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // It was never started or has already been reaped: nothing is left to stop.
        }
        process.Dispose();
    }

    /// <summary>Deletes a test folder; one still held open by a dying process is left to the system's temp cleanup.</summary>
    public static void DeleteDirectory(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
        catch (IOException)
        {
        }
    }
}
