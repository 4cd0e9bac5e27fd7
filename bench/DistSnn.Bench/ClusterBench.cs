using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DistSnn.Cluster.Output;

namespace DistSnn.Bench;

/// <summary>
/// One cluster benchmark run: starts <c>nodes</c> fresh <c>distsnn node</c> processes on loopback, waits until
/// they are all up, submits the model with <c>distsnn submit --wait --out</c> and times that command (upload,
/// build, simulation, result transfer and writing — what a user waits for), then reads every node's
/// <c>/wire</c> counters for the spike traffic, and stops the nodes.
/// </summary>
internal static class ClusterBench
{
    internal sealed record WireTotals(long Packets, long Bytes, long Spikes);

    internal sealed record ClusterSample(double SubmitWall, RunSummary Summary, WireTotals Wire, int NodesUsed);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static ClusterSample? RunOnce(string distsnn, string model, double scale, int nodes, int partitions, string? duration)
    {
        var processes = new List<Process>();
        string outDir = BenchCommand.NewOutDir();
        try
        {
            var remoting = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
            var admin = Enumerable.Range(0, nodes).Select(_ => FreePort()).ToArray();
            for (int i = 0; i < nodes; i++)
                processes.Add(Start(distsnn, "node", "--port", remoting[i].ToString(CultureInfo.InvariantCulture),
                    "--seed", $"127.0.0.1:{remoting[0]}", "--admin-url", $"http://127.0.0.1:{admin[i]}"));
            string endpoint = $"http://127.0.0.1:{admin[0]}";
            WaitForMembers(endpoint, nodes, processes);
            foreach (int port in admin) WaitForReady($"http://127.0.0.1:{port}");

            string job = "bench-" + Guid.NewGuid().ToString("N")[..8];
            var cpuBefore = processes.Select(CpuSeconds).ToArray();
            if (Submit(distsnn, endpoint, job, model, scale, partitions, duration, outDir) is not { } wall) return null;
            var cpuAfter = processes.Select(CpuSeconds).ToArray();
            Console.Error.WriteLine("node CPU time during the job: " + string.Join(", ", cpuAfter.Zip(cpuBefore, (a, b) => (a - b).ToString("F2", CultureInfo.InvariantCulture))) + " s");

            long packets = 0, bytes = 0, spikes = 0;
            foreach (int port in admin)
            {
                using var doc = JsonDocument.Parse(Http.GetStringAsync($"http://127.0.0.1:{port}/wire").Result);
                foreach (var row in doc.RootElement.EnumerateArray())
                {
                    if (row.GetProperty("type").GetString() is not ("SpikePacket" or "SpikePacketPart")) continue;
                    packets += row.GetProperty("messages").GetInt64();
                    bytes += row.GetProperty("bytes").GetInt64();
                    spikes += row.GetProperty("spikes").GetInt64();
                }
            }
            using var placement = JsonDocument.Parse(Http.GetStringAsync($"{endpoint}/jobs/{job}/partitions").Result);
            int used = placement.RootElement.EnumerateArray().Select(p => p.GetProperty("node").GetString()).Distinct().Count();
            return new ClusterSample(wall, SummaryWriter.Read(Path.Combine(outDir, "summary.json")), new WireTotals(packets, bytes, spikes), used);
        }
        finally
        {
            foreach (var p in processes)
            {
                try
                {
                    if (!p.HasExited) p.Kill(entireProcessTree: true);
                    p.WaitForExit(10_000);
                }
                catch (InvalidOperationException)
                {
                    // already gone
                }
                p.Dispose();
            }
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        }
    }

    /// <summary>
    /// Submits the model as <paramref name="job"/> with <c>distsnn submit --wait --out</c> and returns how long that
    /// command took (upload, build, simulation, result transfer and writing), or null when it failed.
    /// </summary>
    internal static double? Submit(string distsnn, string endpoint, string job, string model, double scale, int partitions,
        string? duration, string outDir)
    {
        var args = new List<string> { "submit", model, "--scale", scale.ToString(CultureInfo.InvariantCulture),
            "-p", partitions.ToString(CultureInfo.InvariantCulture), "--job", job, "--wait", "--out", outDir, "--json", "--no-plots", "-e", endpoint };
        if (duration is not null) args.AddRange(["--duration", duration]);
        var clock = Stopwatch.StartNew();
        using var submit = Start(distsnn, args.ToArray());
        var stderr = submit.StandardError.ReadToEndAsync();
        submit.StandardOutput.ReadToEnd();
        submit.WaitForExit();
        if (submit.ExitCode != 0)
        {
            Console.Error.WriteLine($"distsnn submit failed with exit code {submit.ExitCode}:\n{stderr.Result}");
            return null;
        }
        return clock.Elapsed.TotalSeconds;
    }

    internal static void WaitForMembers(string endpoint, int nodes, List<Process> processes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (processes.Any(p => p.HasExited)) throw new InvalidOperationException("a node process exited while the cluster formed");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{nodes} nodes did not form a cluster within 60 s");
            try
            {
                using var doc = JsonDocument.Parse(Http.GetStringAsync($"{endpoint}/members").Result);
                if (doc.RootElement.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == nodes) return;
            }
            catch (AggregateException e) when (e.InnerException is HttpRequestException or TaskCanceledException)
            {
                // the admin endpoint is not listening yet
            }
            Thread.Sleep(300);
        }
    }

    internal static void WaitForReady(string endpoint)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                if (Http.GetAsync($"{endpoint}/health/ready").Result.IsSuccessStatusCode) return;
            }
            catch (AggregateException e) when (e.InnerException is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{endpoint} was not ready within 30 s");
            Thread.Sleep(200);
        }
    }

    internal static Process Start(string distsnn, params string[] args) => Start(distsnn, null, args);

    /// <summary>Starts <c>distsnn ARGS</c>; <paramref name="configure"/> may set its environment. A node's output is drained and dropped.</summary>
    internal static Process Start(string distsnn, Action<ProcessStartInfo>? configure, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(distsnn);
        foreach (var a in args) psi.ArgumentList.Add(a);
        configure?.Invoke(psi);
        var p = Process.Start(psi)!;
        if (args[0] == "node")
        {
            p.OutputDataReceived += (_, _) => { };
            p.ErrorDataReceived += (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
        }
        return p;
    }

    private static double CpuSeconds(Process p)
    {
        p.Refresh();
        return p.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>A TCP port free on 127.0.0.1 right now.</summary>
    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
