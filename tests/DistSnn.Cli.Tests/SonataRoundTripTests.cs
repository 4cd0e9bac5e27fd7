using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary>
/// <c>distsnn export --sonata</c> and back: the network read from its own SONATA export gives the spikes (and, with
/// plasticity, the final weights) of the model it was written from; a model without Poisson inputs or plastic rules
/// round-trips through plain SONATA.
/// </summary>
public sealed class SonataRoundTripTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-sonata-rt-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    [Theory]
    [InlineData("cuba", false)]
    [InlineData("brunel", true)]
    [InlineData("brunel_stdp", true)]
    public void ExportThenImportGivesTheSameSpikes(string model, bool extensions)
    {
        var sonata = Path.Combine(_dir, model);
        var (code, _, stderr) = CliProcess.Run("export", $"examples/{model}.yaml", "--sonata", sonata);
        Assert.True(code == 0, stderr);
        var text = string.Concat(Directory.EnumerateFiles(sonata, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".csv", StringComparison.Ordinal)).Select(File.ReadAllText));
        Assert.Equal(extensions, text.Contains("distsnn:", StringComparison.Ordinal));

        (string Sha, string? Weights) Run(string file, string outDir)
        {
            var (c, stdout, err) = CliProcess.Run("run", file, "--duration", "200 ms", "--partitions", "2", "--no-plots", "--json", "--out", Path.Combine(_dir, outDir));
            Assert.True(c == 0, err);
            using var json = JsonDocument.Parse(stdout);
            Assert.True(json.RootElement.GetProperty("spikes").GetInt64() > 100, stdout);
            return (json.RootElement.GetProperty("spikes_sha256").GetString()!,
                json.RootElement.TryGetProperty("weights_checksum", out var w) && w.ValueKind == JsonValueKind.String ? w.GetString() : null);
        }
        var original = Run($"examples/{model}.yaml", model + "-yaml");
        var imported = Run(Path.Combine(sonata, "simulation_config.json"), model + "-sonata");
        Assert.Equal(original, imported);
        if (model == "brunel_stdp") Assert.NotNull(imported.Weights);
    }
}
