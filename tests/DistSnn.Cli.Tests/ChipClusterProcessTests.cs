using System.Diagnostics;
using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary>
/// Two <c>distsnn node</c> processes on loopback, one with the role of a modelled chip (<c>--role spinnaker</c> or
/// <c>--role memristive</c>): a job with a population on the chip is refused while no such node is up, then runs with
/// its chip partitions on that node and the rest anywhere, and its results equal a local run's with the same placement.
/// </summary>
public class ChipClusterProcessTests : IDisposable
{
    private readonly List<Process> _nodes = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-spincluster-" + Guid.NewGuid().ToString("N"));

    private const string Model = """
        name: mixed
        run: {dt: 0.1 ms, duration: 100 ms, seed: 11}
        populations:
          - {name: exc, size: 800, model: lif_delta, parameters: &lif {tau_m: 20 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV, t_ref: 2 ms}, initial: {v: uniform(0 mV, 20 mV)}}
          - {name: inh, size: 200, model: lif_delta, parameters: *lif, initial: {v: uniform(0 mV, 20 mV)}}
        projections:
          - {source: exc, target: exc, connector: {type: fixed_probability, p: 0.1}, weight: 0.2 mV, delay: 1.5 ms}
          - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 0.2 mV, delay: 1.5 ms}
          - {source: inh, target: exc, connector: {type: fixed_probability, p: 0.1}, weight: -1 mV, delay: 1.5 ms, receptor: inh}
          - {source: inh, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: -1 mV, delay: 1.5 ms, receptor: inh}
        poisson_inputs:
          - {target: exc, sources: 100, rate: 200 Hz, weight: 0.2 mV}
          - {target: inh, sources: 100, rate: 200 Hz, weight: 0.2 mV}
        placement: {exc: BACKEND}
        backends:
          OPTIONS
        record: {spikes: all}
        """;

    [Theory]
    [InlineData("spinnaker", "spinnaker: {time_scale_factor: 50, max_neurons_per_core: 100}", "packets_sent", "spinnaker_provenance.csv")]
    [InlineData("memristive", "memristive: {read_noise: 0.02, stuck_at: 0.01, d2d: 0.1}", "conversions", "memristive_energy.csv")]
    public async Task ChipPartitionsLandOnTheChipNodeAndGiveTheLocalSpikes(string role, string options, string total, string file)
    {
        Directory.CreateDirectory(_dir);
        string model = Path.Combine(_dir, "mixed.yaml");
        File.WriteAllText(model, Model.Replace("BACKEND", role, StringComparison.Ordinal).Replace("OPTIONS", options, StringComparison.Ordinal));
        var remoting = Enumerable.Range(0, 2).Select(_ => TestProcesses.FreePort()).ToArray();
        var admin = Enumerable.Range(0, 2).Select(_ => TestProcesses.FreePort()).ToArray();
        string endpoint = $"http://127.0.0.1:{admin[0]}";
        _nodes.Add(ClusterProcessTests.StartNode(remoting[0], remoting[0], admin[0]));
        await WaitForMembers(endpoint, 1);

        // No node can host the SpiNNaker partitions yet: the job is refused, saying what is missing.
        var refused = CliProcess.Run("submit", model, "-p", "2", "--job", "early", "--wait", "--out", Path.Combine(_dir, "early"), "-e", endpoint);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"need a node with role '{role}'", refused.Stdout + refused.Stderr);

        _nodes.Add(TestProcesses.StartCli(["node", "--port", remoting[1].ToString(), "--seed", $"127.0.0.1:{remoting[0]}",
            "--admin-url", $"http://127.0.0.1:{admin[1]}", "--role", role], null, null));
        await WaitForMembers(endpoint, 2);
        var members = JsonDocument.Parse(CliProcess.Run("members", "--json", "-e", endpoint).Stdout).RootElement.EnumerateArray().ToList();
        string chipNode = members.Single(m => m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == role)).GetProperty("address").GetString()!;
        Assert.Contains($":{remoting[1]}", chipNode);

        string clusterOut = Path.Combine(_dir, "cluster"), localOut = Path.Combine(_dir, "local");
        var submit = CliProcess.Run("submit", model, "-p", "4", "--job", "spin", "--wait", "--out", clusterOut, "--json", "--no-plots", "-e", endpoint);
        Assert.True(submit.ExitCode == 0, submit.Stdout + submit.Stderr);
        var local = CliProcess.Run("run", model, "-p", "1", "--out", localOut, "--json", "--no-plots");
        Assert.True(local.ExitCode == 0, local.Stderr);
        JsonElement Summary(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json"))).RootElement;
        Assert.Equal(Summary(localOut).GetProperty("spikes_sha256").GetString(), Summary(clusterOut).GetProperty("spikes_sha256").GetString());
        // The chip's report comes back from the cluster too, the same as a local run's.
        double Total(string dir) => Summary(dir).GetProperty("backends").GetProperty(role).GetProperty("totals").GetProperty(total).GetDouble();
        Assert.True(Total(localOut) > 0);
        Assert.Equal(Total(localOut), Total(clusterOut));
        Assert.True(File.Exists(Path.Combine(clusterOut, file)));

        var parts = CliProcess.Run("partitions", "spin", "--json", "-e", endpoint);
        Assert.Equal(0, parts.ExitCode);
        var located = JsonDocument.Parse(parts.Stdout).RootElement.EnumerateArray()
            .Select(p => (Backend: p.GetProperty("backend").GetString(), Node: p.GetProperty("node").GetString()!)).ToList();
        Assert.Contains(located, p => p.Backend == role);
        Assert.All(located.Where(p => p.Backend == role), p => Assert.Contains($":{remoting[1]}", p.Node));
        var table = CliProcess.Run("partitions", "spin", "-e", endpoint);
        Assert.Contains(role, table.Stdout);
    }

    private static async Task WaitForMembers(string endpoint, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{count} nodes did not form a cluster within 60 s");
            var (code, stdout, _) = CliProcess.Run("members", "--json", "-e", endpoint);
            if (code == 0 && JsonDocument.Parse(stdout).RootElement.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up") == count) return;
            await Task.Delay(500);
        }
    }

    public void Dispose()
    {
        foreach (var p in _nodes) TestProcesses.Stop(p);
        TestProcesses.DeleteDirectory(_dir);
    }
}
