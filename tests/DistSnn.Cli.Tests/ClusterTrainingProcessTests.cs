using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace DistSnn.Cli.Tests;

/// <summary>
/// <c>distsnn train surrogate --endpoint</c> on three <c>distsnn node</c> processes (loopback), one replica each, on
/// real Fashion-MNIST images. A node is killed with SIGKILL mid-run — one that only hosts a replica, or the
/// coordinator's own — and the job still ends with the weights of an uninterrupted local run.
/// </summary>
public sealed class ClusterTrainingProcessTests(ITestOutputHelper output) : IDisposable
{
    // 784-96-10 on 4,000 images (3,600 trained on): 60 steps per epoch, long enough to be caught mid-run.
    private static readonly string[] Settings =
        ["--arch", "784-96-10", "--epochs", "2", "--batch", "60", "--train-samples", "4000", "--validation", "400", "--test-samples", "300", "--seed", "5"];

    private readonly List<Process> _nodes = [];
    private readonly ConcurrentQueue<string> _log = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-train-loss-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public Task A_training_job_survives_a_killed_replica_node_with_the_weights_of_a_local_run() => KillMidRun(coordinatorNode: false);

    [Fact]
    public Task A_training_job_survives_the_loss_of_its_coordinators_node() => KillMidRun(coordinatorNode: true);

    private async Task KillMidRun(bool coordinatorNode)
    {
        var settings = new Dictionary<string, string>(NodeLossProcessTests.FastDowning) { ["DistSnn__Node__CheckpointDirectory"] = Path.Combine(_dir, "ckpt") };
        var remoting = Enumerable.Range(0, 3).Select(_ => TestProcesses.FreePort()).ToArray();
        var admin = Enumerable.Range(0, 3).Select(_ => TestProcesses.FreePort()).ToArray();
        for (int i = 0; i < 3; i++)
        {
            int node = i;
            _nodes.Add(ClusterProcessTests.StartNode(remoting[i], remoting[0], admin[i], settings, line => _log.Enqueue($"node{node}: {line}")));
        }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(40) };
        await NodeLossProcessTests.WaitForCluster(http, $"http://127.0.0.1:{admin[0]}", admin, _nodes, _log);
        // Node 0 started the cluster: it is the oldest and runs the training coordinator. The client talks to a survivor.
        string endpoint = $"http://127.0.0.1:{admin[1]}";

        var tooMany = CliProcess.Run(["train", "surrogate", .. Settings, "--replicas", "4", "--endpoint", endpoint, "--out", Path.Combine(_dir, "four")]);
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Contains("--replicas 4: the cluster has 3 members up", tooMany.Stderr);

        string clusterOut = Path.Combine(_dir, "cluster");
        var client = TestProcesses.StartCli(["train", "surrogate", .. Settings, "--replicas", "3", "--endpoint", endpoint, "--job", "tkill",
            "--checkpoint-every", "10", "--out", clusterOut], output: line => _log.Enqueue($"client: {line}"));
        _nodes.Add(client); // stopped with the nodes whatever happens
        var deadline = DateTime.UtcNow.AddSeconds(90);
        long stepAtKill;
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the job did not reach step 25 within 90 s\n{string.Join('\n', _log)}");
            Assert.False(client.HasExited, $"the client ended early\n{string.Join('\n', _log)}");
            var status = await Status(http, endpoint);
            if (status is { } s && s.GetProperty("state").GetString() == "running" && s.GetProperty("step").GetInt64() >= 25
                && (!coordinatorNode || File.Exists(Path.Combine(_dir, "ckpt", "tkill", "checkpoint.bin"))))
            {
                stepAtKill = s.GetProperty("step").GetInt64();
                Assert.Equal(3, s.GetProperty("replicas").GetInt32());
                break;
            }
            await Task.Delay(100);
        }
        int victim = coordinatorNode ? 0 : 2;
        _nodes[victim].Kill(); // SIGKILL: no leaving, no goodbye
        var sinceKill = Stopwatch.StartNew();
        Assert.True(client.WaitForExit(TimeSpan.FromSeconds(150)), $"the client did not finish within 150 s of the kill\n{string.Join('\n', _log)}");
        client.WaitForExit();
        Assert.True(client.ExitCode == 0, $"client exit {client.ExitCode}\n{string.Join('\n', _log)}");
        double finished = sinceKill.Elapsed.TotalSeconds;

        string localOut = Path.Combine(_dir, "local");
        var local = CliProcess.Run(["train", "surrogate", .. Settings, "--replicas", "1", "--out", localOut]);
        Assert.True(local.ExitCode == 0, local.Stderr);
        using var clusterSummary = JsonDocument.Parse(File.ReadAllText(Path.Combine(clusterOut, "train_summary.json")));
        using var localSummary = JsonDocument.Parse(File.ReadAllText(Path.Combine(localOut, "train_summary.json")));
        string checksum = localSummary.RootElement.GetProperty("parameters_checksum").GetString()!;
        Assert.Equal(checksum, clusterSummary.RootElement.GetProperty("parameters_checksum").GetString());
        Assert.Equal(localSummary.RootElement.GetProperty("test_accuracy").GetDouble(), clusterSummary.RootElement.GetProperty("test_accuracy").GetDouble());
        Assert.True(File.Exists(Path.Combine(clusterOut, "model.yaml")));

        var final = await Status(http, endpoint);
        Assert.Equal("finished", final!.Value.GetProperty("state").GetString());
        Assert.Equal(2, final.Value.GetProperty("replicas").GetInt32());
        if (coordinatorNode) Assert.Contains(_log, l => l.Contains("submitted again with 2 replicas", StringComparison.Ordinal));
        else Assert.Contains(_log, l => l.Contains("is lost; 2 replicas go on", StringComparison.Ordinal));
        output.WriteLine($"killed node {victim}{(coordinatorNode ? " (the coordinator's)" : "")} at step {stepAtKill} of " +
            $"{final.Value.GetProperty("total_steps").GetInt64()}; finished {finished:F1} s after the kill; parameters {checksum}, " +
            $"test accuracy {clusterSummary.RootElement.GetProperty("test_accuracy").GetDouble():P2}");
        output.WriteLine(_log.FirstOrDefault(l => l.Contains("is lost;", StringComparison.Ordinal) || l.Contains("going on from", StringComparison.Ordinal)) ?? "");
    }

    /// <summary>The job's status, or null while the endpoint cannot answer or does not know it (the coordinator moving).</summary>
    private static async Task<JsonElement?> Status(HttpClient http, string endpoint)
    {
        try
        {
            using var response = await http.GetAsync($"{endpoint}/train/tkill");
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var p in _nodes) TestProcesses.Stop(p);
        TestProcesses.DeleteDirectory(_dir);
    }
}
