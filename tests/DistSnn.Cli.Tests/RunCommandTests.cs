using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary><c>distsnn run</c> as a process: outputs, exit codes, and clean errors for bad input.</summary>
public class RunCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-cli-" + Guid.NewGuid().ToString("N"));

    public RunCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    [Fact]
    public void RunWritesResultsAndPrintsJsonSummary()
    {
        var outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = CliProcess.Run("run", "examples/cuba.yaml", "--partitions", "2", "--duration", "50 ms",
            "--seed", "7", "--out", outDir, "--csv", "--json");
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("cuba", root.GetProperty("model").GetString());
        Assert.Equal(50.0, root.GetProperty("duration_ms").GetDouble(), 9);
        Assert.Equal(7UL, root.GetProperty("seed").GetUInt64());
        Assert.Equal(2, root.GetProperty("partitions").GetInt32());
        Assert.Equal(64, root.GetProperty("spikes_sha256").GetString()!.Length);
        foreach (var f in new[] { "spikes.h5", "spikes.csv", "summary.json", "state.h5" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
    }

    [Theory]
    [InlineData("populations: [", "YAML syntax error")]
    [InlineData("populations:\n  - name: a\n    size: 10\n    model: lif_delta\n    parameters: {tau_m: 20 mV}\n", "populations[0].parameters.tau_m")]
    [InlineData("populations:\n  - name: a\n    size: 10\n    model: lif_delta\nprojections:\n  - {source: a, target: a, connector: {type: all_to_all}, weight: 1 mV, delay: 0.05 ms}\n", "projections[0].delay")]
    [InlineData("run: {dt: 0.1 ms, durration: 10 ms}\npopulations:\n  - {name: a, size: 1, model: lif_delta}\n", "run.durration")]
    [InlineData("run: {dt: 0.0005 ms}\npopulations:\n  - {name: a, size: 1, model: lif_delta}\n", "run.dt: 0.0005 ms is not a whole number of µs")]
    [InlineData("populations:\n  - {name: a, size: 1, model: lif_delta, backend: CPU!}\n", "populations[0].backend: 'CPU!' is not a backend name")]
    [InlineData("populations:\n  - {name: a, size: 1, model: lif_delta, backend: spinaker}\n", "populations[0].backend: population 'a': unknown backend 'spinaker' (known: cpu, memristive, memristive:ideal, memristive:ideal_physical, memristive:pcm_aihwkit, memristive:rram_neurosim, spinnaker, spinnaker:ideal)")]
    public void BadModelsExitWith2AndNameTheField(string yaml, string expected)
    {
        var file = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(file, yaml);
        var (code, _, stderr) = CliProcess.Run("run", file, "--out", Path.Combine(_dir, "out"));
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.Contains("bad.yaml", stderr);
        Assert.DoesNotContain("   at ", stderr); // no stack trace
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")), "nothing is written for a rejected model");
    }

    /// <summary>The in-process transport (default) and the actor transport give the same spikes; an unknown transport is bad input.</summary>
    [Fact]
    public void BothTransportsGiveTheSameSpikes()
    {
        string Sha(string transport)
        {
            var (code, stdout, stderr) = CliProcess.Run("run", "examples/brunel.yaml", "--scale", "0.05", "--duration", "50 ms", "-p", "3",
                "--transport", transport, "--json", "--no-plots", "--out", Path.Combine(_dir, transport));
            Assert.True(code == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            Assert.True(json.RootElement.GetProperty("spikes").GetInt64() > 100);
            return json.RootElement.GetProperty("spikes_sha256").GetString()!;
        }
        Assert.Equal(Sha("inproc"), Sha("akka"));
        var (bad, _, error) = CliProcess.Run("run", "examples/cuba.yaml", "--transport", "carrier-pigeon");
        Assert.Equal(2, bad);
        Assert.Contains("carrier-pigeon", error);
    }

    /// <summary>A lif_alpha_current network read from YAML gives the same spikes on one partition and on three.</summary>
    [Fact]
    public void LifAlphaCurrentSpikesDoNotDependOnThePartitions()
    {
        var file = Path.Combine(_dir, "alpha.yaml");
        File.WriteAllText(file, """
            run: {dt: 0.1 ms, duration: 100 ms, seed: 5}
            populations:
              - name: exc
                size: 200
                model: lif_alpha_current
                parameters: &iaf {tau_m: 10 ms, c_m: 250 pF, e_l: -70 mV, v_th: -55 mV, v_reset: -70 mV, t_ref: 2 ms, tau_syn_exc: 0.5 ms, tau_syn_inh: 10 ms}
                initial: {v: uniform(-70 mV, -55 mV)}
              - {name: inh, size: 50, model: lif_alpha_current, parameters: *iaf, initial: {v: uniform(-70 mV, -55 mV), i_exc: 50 pA}}
            projections:
              - {source: exc, target: exc, connector: {type: fixed_probability, p: 0.1}, weight: 40 pA, delay: 1.5 ms}
              - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 40 pA, delay: 1.5 ms}
              - {source: inh, target: exc, connector: {type: fixed_probability, p: 0.2}, weight: -10 pA, delay: 1 ms, receptor: inh}
            poisson_inputs:
              - {target: exc, sources: 100, rate: 90 Hz, weight: 40 pA}
              - {target: inh, sources: 100, rate: 90 Hz, weight: 40 pA}
            record: {spikes: all}
            """);
        (long Spikes, string Sha) Run(int parts)
        {
            var (code, stdout, stderr) = CliProcess.Run("run", file, "-p", parts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--json", "--no-plots", "--out", Path.Combine(_dir, $"p{parts}"));
            Assert.True(code == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            return (json.RootElement.GetProperty("spikes").GetInt64(), json.RootElement.GetProperty("spikes_sha256").GetString()!);
        }
        var one = Run(1);
        Assert.True(one.Spikes > 200, $"{one.Spikes} spikes");
        Assert.Equal(one, Run(3));
    }

    [Fact]
    public void MissingFileExitsWith2()
    {
        var (code, _, stderr) = CliProcess.Run("run", Path.Combine(_dir, "nope.yaml"));
        Assert.Equal(2, code);
        Assert.Contains("nope.yaml", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public void BadDurationExitsWith2()
    {
        var (code, _, stderr) = CliProcess.Run("run", "examples/cuba.yaml", "--duration", "10 mV");
        Assert.Equal(2, code);
        Assert.Contains("--duration", stderr);
    }

    [Fact]
    public void HelpDocumentsExitCodes()
    {
        var (code, stdout, _) = CliProcess.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("Exit codes", stdout);
        Assert.Contains("run", stdout);
    }
}
