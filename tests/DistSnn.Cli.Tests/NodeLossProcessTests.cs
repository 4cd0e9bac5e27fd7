using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace DistSnn.Cli.Tests;

/// <summary>
/// Three <c>distsnn node</c> processes on loopback run a job that writes checkpoints into a shared folder; one node
/// that holds a partition is killed with SIGKILL mid-run. The survivors down it, the job rolls back to its newest
/// checkpoint on them and completes with the spikes of an uninterrupted run. Every process is killed at the end.
/// </summary>
public class NodeLossProcessTests(ITestOutputHelper output) : IDisposable
{
    // Failure detection shortened so that the test notices the crash in seconds (defaults: 3 s and 20 s). No
    // warm-up: ClusterProcessTests covers it, and six warm-ups on two busy cores only delay the cluster here.
    internal static readonly IReadOnlyDictionary<string, string> FastDowning = new Dictionary<string, string>
    {
        ["DistSnn__Node__UnreachableAfterSeconds"] = "1",
        ["DistSnn__Node__DownAfterSeconds"] = "2",
        ["DistSnn__Node__WarmUp"] = "false",
    };

    private const string Duration = "4000 ms";
    private readonly List<Process> _nodes = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-nodeloss-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public Task A_job_survives_a_killed_node_with_the_uninterrupted_spikes() => KillMidRun(coordinatorNode: false);

    [Fact]
    public Task A_job_survives_the_loss_of_the_coordinators_node() => KillMidRun(coordinatorNode: true);

    /// <summary>
    /// Node 0 starts the cluster, so it is the oldest and hosts the coordinator. Kills node 0 itself, or another node
    /// holding a partition, once the job has a complete checkpoint; talks to a node that survives.
    /// </summary>
    private async Task KillMidRun(bool coordinatorNode)
    {
        string checkpoints = Path.Combine(_dir, "ckpt");
        var settings = new Dictionary<string, string>(FastDowning) { ["DistSnn__Node__CheckpointDirectory"] = checkpoints };
        var remoting = Enumerable.Range(0, 3).Select(_ => TestProcesses.FreePort()).ToArray();
        var admin = Enumerable.Range(0, 3).Select(_ => TestProcesses.FreePort()).ToArray();
        for (int i = 0; i < 3; i++)
        {
            int node = i;
            _nodes.Add(ClusterProcessTests.StartNode(remoting[i], remoting[0], admin[i], settings, line => _log.Enqueue($"node{node}: {line}")));
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await WaitForCluster(http, $"http://127.0.0.1:{admin[0]}", admin, _nodes, _log);

        string endpoint = $"http://127.0.0.1:{admin[coordinatorNode ? 1 : 0]}";
        var submit = CliProcess.Run("submit", "examples/brunel.yaml", "--scale", "0.1", "--duration", Duration, "-p", "3", "--job", "lossy",
            "--checkpoint-every", "200 ms", "--checkpoint-dir", checkpoints, "--json", "-e", endpoint);
        Assert.True(submit.ExitCode == 0, submit.Stderr);

        // Wait for the first complete checkpoint, then kill the node.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string jobDir = Path.Combine(checkpoints, "lossy");
        while (!Directory.Exists(jobDir) || !Directory.GetDirectories(jobDir, "step-*").Any(d => File.Exists(Path.Combine(d, "manifest.json"))))
        {
            Assert.True(DateTime.UtcNow < deadline, "no complete checkpoint within 60 s");
            await Task.Delay(50);
        }
        var holders = (await http.GetFromJsonAsync<JsonElement>($"{endpoint}/jobs/lossy/partitions")).EnumerateArray()
            .Select(p => p.GetProperty("node").GetString()!).ToList();
        int victim = coordinatorNode ? 0 : Enumerable.Range(1, 2).First(i => holders.Any(h => h.EndsWith(":" + remoting[i], StringComparison.Ordinal)));
        var before = await Status(http, endpoint);
        Assert.Equal("running", before!.Value.GetProperty("state").GetString());
        long stepAtKill = before.Value.GetProperty("step").GetInt64();
        _nodes[victim].Kill(); // SIGKILL on Linux: no leaving, no goodbye
        var sinceKill = Stopwatch.StartNew();

        // Follow the job: recovering (the loss is noticed), running again (rolled back and restarted), finished. While
        // the coordinator moves, the endpoint may not answer for a while.
        double? noticed = null, resumed = null;
        JsonElement status;
        while (true)
        {
            Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(120), $"the job did not finish within 120 s of the kill\n{string.Join('\n', _log)}");
            if (await Status(http, endpoint) is not { } s)
            {
                await Task.Delay(200);
                continue;
            }
            status = s;
            string state = status.GetProperty("state").GetString()!;
            if (state == "recovering") noticed ??= sinceKill.Elapsed.TotalSeconds;
            if (state == "running" && noticed is not null) resumed ??= sinceKill.Elapsed.TotalSeconds;
            if (state is "finished" or "failed" or "cancelled") break;
            await Task.Delay(100);
        }
        double finished = sinceKill.Elapsed.TotalSeconds;
        Assert.True(status.GetProperty("state").GetString() == "finished", $"job ended {status.GetRawText()}\n{string.Join('\n', _log)}");
        // The recovering state may pass while the endpoint cannot answer (the coordinator moving on a busy machine):
        // the job's state file and the coordinator's log say that it was rolled back.
        using (var jobState = JsonDocument.Parse(File.ReadAllText(Path.Combine(jobDir, "job.json"))))
        {
            Assert.Equal("finished", jobState.RootElement.GetProperty("state").GetString());
            Assert.True(jobState.RootElement.GetProperty("generation").GetInt32() >= 1, "the job was never rolled back");
        }
        Assert.True(noticed is not null || coordinatorNode, "the job never showed the recovering state");

        string clusterOut = Path.Combine(_dir, "cluster"), localOut = Path.Combine(_dir, "local");
        var results = CliProcess.Run("results", "lossy", "--out", clusterOut, "--no-plots", "-e", endpoint);
        Assert.True(results.ExitCode == 0, results.Stderr);
        var local = CliProcess.Run("run", "examples/brunel.yaml", "--scale", "0.1", "--duration", Duration, "-p", "1", "--out", localOut, "--json", "--no-plots");
        Assert.True(local.ExitCode == 0, local.Stderr);
        var clusterSummary = Summary(clusterOut);
        var localSummary = Summary(localOut);
        Assert.Equal(localSummary.GetProperty("spikes_sha256").GetString(), clusterSummary.GetProperty("spikes_sha256").GetString());
        Assert.Equal(localSummary.GetProperty("spikes").GetInt64(), clusterSummary.GetProperty("spikes").GetInt64());

        // Every partition now lives on a survivor.
        var after = CliProcess.Run("partitions", "lossy", "--json", "-e", endpoint);
        Assert.Equal(0, after.ExitCode);
        var nodesAfter = JsonDocument.Parse(after.Stdout).RootElement.EnumerateArray().Select(p => p.GetProperty("node").GetString()!).ToList();
        Assert.Equal(3, nodesAfter.Count);
        Assert.DoesNotContain(nodesAfter, n => n.EndsWith(":" + remoting[victim], StringComparison.Ordinal));

        string recoveredLine = _log.FirstOrDefault(l => l.Contains("running again", StringComparison.Ordinal)) ?? "(no log line)";
        output.WriteLine($"killed node {victim}{(coordinatorNode ? " (the coordinator's)" : "")} at step {stepAtKill} of {status.GetProperty("total_steps").GetInt64()}; " +
            $"recovering seen after {noticed:F1} s, running again seen after {resumed:F1} s, finished {finished:F1} s after the kill; " +
            $"{clusterSummary.GetProperty("spikes").GetInt64()} spikes, spikes_sha256 {clusterSummary.GetProperty("spikes_sha256").GetString()}");
        output.WriteLine(recoveredLine);
    }

    internal static async Task WaitForCluster(HttpClient http, string endpoint, int[] admin, List<Process> nodes, ConcurrentQueue<string> log)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"3 nodes did not form a cluster within 60 s\n{string.Join('\n', log)}");
            Assert.True(nodes.All(n => !n.HasExited), $"a node process exited\n{string.Join('\n', log)}");
            var (code, stdout, _) = CliProcess.Run("members", "--json", "-e", endpoint);
            if (code == 0 && JsonDocument.Parse(stdout).RootElement.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == 3) break;
            await Task.Delay(500);
        }
        foreach (int port in admin)
            while (!(await http.GetAsync($"http://127.0.0.1:{port}/health/ready")).IsSuccessStatusCode)
            {
                Assert.True(DateTime.UtcNow < deadline.AddSeconds(30), $"node with admin port {port} never became ready");
                await Task.Delay(200);
            }
    }

    /// <summary>The job's status, or null while the endpoint cannot answer (the coordinator is moving).</summary>
    private static async Task<JsonElement?> Status(HttpClient http, string endpoint)
    {
        try
        {
            using var response = await http.GetAsync($"{endpoint}/jobs/lossy");
            if (!response.IsSuccessStatusCode) return null;
            var status = await response.Content.ReadFromJsonAsync<JsonElement>();
            // A coordinator that has not taken the job over yet does not know it.
            return status.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String && e.GetString() == "unknown job" ? null : status;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static JsonElement Summary(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json"))).RootElement;

    public void Dispose()
    {
        foreach (var p in _nodes) TestProcesses.Stop(p);
        TestProcesses.DeleteDirectory(_dir);
    }
}
