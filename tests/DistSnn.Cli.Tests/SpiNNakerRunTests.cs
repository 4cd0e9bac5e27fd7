using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary>
/// <c>distsnn run</c> on the modelled SpiNNaker machine: the summary's provenance and energy, the report files, and
/// clear refusals (naming the population or option) that leave what was written before untouched.
/// </summary>
public class SpiNNakerRunTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-spin-" + Guid.NewGuid().ToString("N"));

    public SpiNNakerRunTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    private string Model(string name, string yaml)
    {
        string path = Path.Combine(_dir, name + ".yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string Small = """
        name: small
        run: {dt: 0.1 ms, duration: 50 ms, seed: 3}
        populations:
          - {name: src, size: 40, model: poisson_generator, parameters: {rate: 40 Hz}}
          - {name: n, size: 100, model: lif_delta, parameters: {tau_m: 20 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV, t_ref: 2 ms}}
        projections:
          - {source: src, target: n, connector: {type: fixed_probability, p: 0.5}, weight: 2 mV, delay: 1 ms}
          - {source: n, target: n, connector: {type: fixed_probability, p: 0.1}, weight: 0.5 mV, delay: 2.5 ms}
        placement: {n: spinnaker}
        backends:
          spinnaker: {time_scale_factor: 20}
        record: {spikes: all}
        """;

    [Fact]
    public void A_run_reports_provenance_and_energy_and_writes_the_report_files()
    {
        string outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = CliProcess.Run("run", Model("small", Small), "--out", outDir, "--json", "--no-plots", "-p", "2");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var spin = doc.RootElement.GetProperty("backends").GetProperty("spinnaker");
        var totals = spin.GetProperty("totals");
        Assert.Equal(20, totals.GetProperty("time_scale_factor").GetDouble());
        Assert.Equal(0, totals.GetProperty("timer_overruns").GetDouble());
        Assert.True(totals.GetProperty("energy_joules").GetDouble() > 0);
        Assert.True(totals.GetProperty("synaptic_events").GetDouble() > 0);
        Assert.Contains("no overruns or drops", spin.GetProperty("notes")[0].GetString());
        Assert.True(doc.RootElement.GetProperty("populations").GetProperty("n").GetProperty("spikes").GetInt32() > 0);
        foreach (var file in new[] { "spinnaker_provenance.csv", "spinnaker_energy.csv", "spinnaker_energy.png", "summary.json" })
            Assert.True(File.Exists(Path.Combine(outDir, file)), file);
        var provenance = File.ReadAllLines(Path.Combine(outDir, "spinnaker_provenance.csv"));
        Assert.StartsWith("core,neurons,packets,synaptic_words,late_packets", provenance[0]);
        Assert.Equal(2, provenance.Length); // one core of 100 neurons
        Assert.Contains("this run (modelled SpiNNaker)", File.ReadAllText(Path.Combine(outDir, "spinnaker_energy.csv")));

        // The same run at a time-scale factor of 0.2 (--time-scale-factor wins over the model) is overloaded, and says so.
        var slow = CliProcess.Run("run", Model("small", Small), "--out", Path.Combine(_dir, "slow"), "--json", "--no-plots", "--time-scale-factor", "0.2");
        Assert.True(slow.ExitCode == 0, slow.Stderr);
        using var slowDoc = JsonDocument.Parse(slow.Stdout);
        var slowSpin = slowDoc.RootElement.GetProperty("backends").GetProperty("spinnaker");
        Assert.True(slowSpin.GetProperty("totals").GetProperty("timer_overruns").GetDouble() > 0);
        Assert.StartsWith("overloaded at time-scale factor 0.2", slowSpin.GetProperty("notes")[0].GetString());
    }

    [Theory]
    [InlineData("izhikevich", "populations[1].model: population 'n' on backend 'spinnaker': neuron model izhikevich is not supported")]
    [InlineData("long-delay", "projections[1].delay: population 'n' on backend 'spinnaker': delays of 300 to 300 steps are outside the supported 1 to 144")]
    [InlineData("bad-option", "backends.spinnaker.time_scale_factor: 'fast' is not a number")]
    [InlineData("unknown-option", "backends.spinnaker.tick_rate: unknown option (expected one of: board_type, boards, max_boards, time_scale_factor")]
    [InlineData("wrong-sign", "projections[0].weight: population 'n' on backend 'spinnaker': weights down to -2 on the excitatory receptor")]
    public void Bad_input_exits_with_2_naming_the_population_or_option_and_keeps_earlier_results(string change, string expected)
    {
        string yaml = change switch
        {
            "izhikevich" => Small.Replace("model: lif_delta, parameters: {tau_m: 20 ms, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV, t_ref: 2 ms}", "model: izhikevich"),
            "long-delay" => Small.Replace("delay: 2.5 ms", "delay: 30 ms"),
            "bad-option" => Small.Replace("time_scale_factor: 20", "time_scale_factor: fast"),
            "unknown-option" => Small.Replace("time_scale_factor: 20", "tick_rate: 20"),
            "wrong-sign" => Small.Replace("weight: 2 mV", "weight: -2 mV"),
            _ => throw new ArgumentException(change),
        };
        string outDir = Path.Combine(_dir, "kept");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "summary.json"), "{\"earlier\": true}");
        var (code, _, stderr) = CliProcess.Run("run", Model(change, yaml), "--out", outDir, "--no-plots");
        Assert.Equal(2, code);
        Assert.Contains(expected, stderr);
        Assert.Equal("{\"earlier\": true}", File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Single(Directory.GetFiles(outDir));
    }

    [Fact]
    public void A_machine_too_small_and_an_unknown_backend_are_refused()
    {
        var small = CliProcess.Run("run", "examples/brunel.yaml", "--backend", "spinnaker", "--spinnaker", "board_type=spin3", "--spinnaker", "boards=1",
            "--out", Path.Combine(_dir, "small"), "--no-plots");
        Assert.Equal(2, small.ExitCode);
        Assert.Contains("backends.spinnaker: backend 'spinnaker': the machine is too small: 1 SpiNN-3 board(s) with 4 chips", small.Stderr);
        Assert.Contains("population 'exc'", small.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "small")));
        var unknown = CliProcess.Run("run", "examples/brunel.yaml", "--backend", "spinaker", "--out", Path.Combine(_dir, "unknown"));
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--backend: unknown backend 'spinaker' (known: cpu, memristive, memristive:ideal, memristive:ideal_physical, memristive:pcm_aihwkit, memristive:rram_neurosim, spinnaker, spinnaker:ideal)", unknown.Stderr);
        var place = CliProcess.Run("run", "examples/brunel.yaml", "--place", "pyramidal=spinnaker", "--out", Path.Combine(_dir, "place"));
        Assert.Equal(2, place.ExitCode);
        Assert.Contains("--place 'pyramidal=spinnaker': no population is named 'pyramidal' (populations: exc, inh)", place.Stderr);
        var option = CliProcess.Run("run", "examples/brunel.yaml", "--spinnaker", "boards", "--out", Path.Combine(_dir, "option"));
        Assert.Equal(2, option.ExitCode);
        Assert.Contains("--spinnaker: 'boards' is not KEY=VALUE", option.Stderr);
    }
}
