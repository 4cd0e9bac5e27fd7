using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary>
/// Three <c>distsnn node</c> processes on loopback form a cluster; a job submitted with the CLI through one node's
/// admin endpoint runs on partitions spread over the nodes and its fetched results equal a local run's. Every
/// process is killed at the end, whatever happens.
/// </summary>
public class ClusterProcessTests : IDisposable
{
    private readonly List<Process> _nodes = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-cluster-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task ThreeNodeProcessesGiveTheLocalSpikes()
    {
        var remoting = Enumerable.Range(0, 3).Select(_ => TestProcesses.FreePort()).ToArray();
        var admin = Enumerable.Range(0, 3).Select(_ => TestProcesses.FreePort()).ToArray();
        for (int i = 0; i < 3; i++) _nodes.Add(StartNode(remoting[i], remoting[0], admin[i]));
        string endpoint0 = $"http://127.0.0.1:{admin[0]}", endpoint1 = $"http://127.0.0.1:{admin[1]}";

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "3 nodes did not form a cluster within 60 s");
            Assert.All(_nodes, n => Assert.False(n.HasExited, "a node process exited"));
            var (code, stdout, _) = CliProcess.Run("members", "--json", "-e", endpoint0);
            if (code == 0 && JsonDocument.Parse(stdout).RootElement.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == 3) break;
            await Task.Delay(500);
        }

        // Ready: every node's partition region is known to the shard coordinator, so partitions can go anywhere.
        using var http = new HttpClient();
        foreach (int port in admin)
            while (!(await http.GetAsync($"http://127.0.0.1:{port}/health/ready")).IsSuccessStatusCode)
            {
                Assert.True(DateTime.UtcNow < deadline.AddSeconds(30), $"node with admin port {port} never became ready");
                await Task.Delay(200);
            }

        string clusterOut = Path.Combine(_dir, "cluster"), localOut = Path.Combine(_dir, "local");
        var submit = CliProcess.Run("submit", "examples/brunel.yaml", "--scale", "0.1", "--duration", "100 ms", "-p", "3",
            "--job", "mp", "--wait", "--out", clusterOut, "--json", "-e", endpoint1);
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        var local = CliProcess.Run("run", "examples/brunel.yaml", "--scale", "0.1", "--duration", "100 ms", "-p", "1", "--out", localOut, "--json");
        Assert.True(local.ExitCode == 0, local.Stderr);
        string Sha(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json"))).RootElement.GetProperty("spikes_sha256").GetString()!;
        Assert.Equal(Sha(localOut), Sha(clusterOut));
        Assert.True(File.Exists(Path.Combine(clusterOut, "spikes.h5")));

        var parts = CliProcess.Run("partitions", "mp", "--json", "-e", endpoint0);
        Assert.Equal(0, parts.ExitCode);
        var nodes = JsonDocument.Parse(parts.Stdout).RootElement.EnumerateArray().Select(p => p.GetProperty("node").GetString()).Distinct().Count();
        Assert.True(nodes == 3, $"3 partitions ran on {nodes} node(s), not one per node");

        // Spikes crossed the network through the MessagePack serializer, delta-encoded: a few bytes per spike.
        long bytes = 0, spikes = 0;
        foreach (int port in admin)
        {
            using var wire = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/wire"));
            foreach (var row in wire.RootElement.EnumerateArray())
                if (row.GetProperty("type").GetString() is "SpikePacket" or "SpikePacketPart")
                {
                    bytes += row.GetProperty("bytes").GetInt64();
                    spikes += row.GetProperty("spikes").GetInt64();
                }
        }
        Assert.True(spikes > 1000, $"only {spikes} spikes crossed the network");
        Assert.True((double)bytes / spikes <= 4, $"{(double)bytes / spikes:F2} bytes per spike on the wire");

        // SIGTERM runs coordinated shutdown: the node leaves the cluster and its process exits cleanly.
        using (var term = Process.Start("kill", ["-TERM", _nodes[2].Id.ToString()])) term.WaitForExit();
        Assert.True(_nodes[2].WaitForExit(30_000), "the node did not exit within 30 s of SIGTERM");
        Assert.Equal(0, _nodes[2].ExitCode);
        var leftDeadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var (code, stdout, _) = CliProcess.Run("members", "--json", "-e", endpoint0);
            if (code == 0 && JsonDocument.Parse(stdout).RootElement.EnumerateArray().Count() == 2) break;
            Assert.True(DateTime.UtcNow < leftDeadline, "the terminated node is still a member after 20 s");
            await Task.Delay(300);
        }
    }

    /// <summary>
    /// Starts <c>distsnn node</c> on loopback; <paramref name="environment"/> adds settings (<c>DistSnn__Node__...</c>),
    /// and each output line goes to <paramref name="output"/> when given.
    /// </summary>
    internal static Process StartNode(int port, int seedPort, int adminPort, IReadOnlyDictionary<string, string>? environment = null,
        Action<string>? output = null)
        => TestProcesses.StartCli(["node", "--port", port.ToString(), "--seed", $"127.0.0.1:{seedPort}", "--admin-url", $"http://127.0.0.1:{adminPort}"],
            environment, output);


    public void Dispose()
    {
        foreach (var p in _nodes) TestProcesses.Stop(p);
        TestProcesses.DeleteDirectory(_dir);
    }
}
