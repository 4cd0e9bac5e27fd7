using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DistSnn.Cli.Tests;

/// <summary>What every process test needs: free loopback ports, and node processes and folders gone at the end.</summary>
internal static class TestProcesses
{
    /// <summary>A TCP port free on 127.0.0.1 right now.</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
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
