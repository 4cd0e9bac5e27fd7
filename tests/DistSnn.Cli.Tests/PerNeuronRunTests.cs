using System.Globalization;
using System.Text.Json;
using PureHDF;

namespace DistSnn.Cli.Tests;

/// <summary>
/// <c>distsnn run</c> of a model whose neurons start from given voltages (a list and an HDF5 dataset) and have their
/// own thresholds: the same spikes for 1 and 3 partitions.
/// </summary>
public sealed class PerNeuronRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-perneuron-run-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    [Fact]
    public void GivenInitialVoltagesAndThresholdsGiveTheSameSpikesForAnyPartitioning()
    {
        const int n = 120;
        var listed = Enumerable.Range(0, n).Select(i => -70 + 14.5 * ((i * 53) % n) / n).ToArray();
        new H5File
        {
            ["inh"] = new H5Group
            {
                ["v0"] = Enumerable.Range(0, 30).Select(i => (float)(-70 + 0.45 * i)).ToArray(),
                ["v_th"] = Enumerable.Range(0, 30).Select(i => -52.0 + 0.1 * i).ToArray(),
            },
        }.Write(Path.Combine(_dir, "state.h5"));
        string list = string.Join(", ", listed.Select(v => v.ToString("R", CultureInfo.InvariantCulture) + " mV"));
        File.WriteAllText(Path.Combine(_dir, "model.yaml"), $$$"""
            run: {dt: 0.1 ms, duration: 300 ms, seed: 11}
            populations:
              - name: exc
                size: {{{n}}}
                model: lif_exp_current
                parameters: {tau_m: 10 ms, e_l: -65 mV, v_th: -55 mV, v_reset: -70 mV, i_e: 'uniform(300 pA, 420 pA)'}
                initial: {v: [{{{list}}}]}
              - name: inh
                size: 30
                model: lif_exp_current
                parameters: {e_l: -65 mV, v_th: {file: state.h5, dataset: /inh/v_th, unit: mV}, v_reset: -70 mV, i_e: 350 pA}
                initial: {v: {file: state.h5, dataset: /inh/v0, unit: mV}}
            projections:
              - {source: exc, target: exc, connector: {type: fixed_probability, p: 0.1}, weight: 40 pA, delay: 'uniform(1 ms, 2 ms)'}
              - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.2}, weight: 60 pA, delay: 1 ms}
              - {source: inh, target: exc, connector: {type: fixed_probability, p: 0.3}, weight: -150 pA, delay: 1 ms, receptor: inh}
            record: {spikes: [exc, inh]}
            """);
        var shas = new List<string>();
        foreach (var parts in new[] { "1", "3" })
        {
            var outDir = Path.Combine(_dir, "out" + parts);
            var (code, stdout, stderr) = CliProcess.Run("run", Path.Combine(_dir, "model.yaml"), "--partitions", parts, "--no-plots", "--json", "--out", outDir);
            Assert.True(code == 0, stderr);
            using var json = JsonDocument.Parse(stdout);
            Assert.True(json.RootElement.GetProperty("spikes").GetInt64() > 300, stdout);
            shas.Add(json.RootElement.GetProperty("spikes_sha256").GetString()!);
        }
        Assert.Equal(shas[0], shas[1]);

        // A value that cannot be used stops the build of the partition that reads it, naming field, file and index.
        new H5File { ["inh"] = new H5Group { ["v0"] = Enumerable.Range(0, 30).Select(i => i == 27 ? float.NaN : -65f).ToArray(), ["v_th"] = Enumerable.Range(0, 30).Select(i => -52.0).ToArray() } }
            .Write(Path.Combine(_dir, "state.h5"));
        var (bad, _, error) = CliProcess.Run("run", Path.Combine(_dir, "model.yaml"), "--partitions", "3", "--no-plots", "--out", Path.Combine(_dir, "bad"));
        Assert.NotEqual(0, bad);
        Assert.Contains("populations[1].initial.v", error);
        Assert.Contains("state.h5:/inh/v0[27] is NaN", error);
        Assert.DoesNotContain("   at ", error);
    }
}
