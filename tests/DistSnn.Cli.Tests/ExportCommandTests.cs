using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary><c>distsnn export MODEL --sonata DIR</c> as a user runs it.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-export-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); }
        catch (IOException) { }
    }

    [Fact]
    public void CubaIsWrittenAsPlainSonata()
    {
        string outDir = Path.Combine(_dir, "cuba");
        var (code, stdout, stderr) = CliProcess.Run("export", "examples/cuba.yaml", "--sonata", outDir);

        Assert.True(code == 0, stderr);
        Assert.Contains("nodes: 4,000 in 2 populations (exc 3,200, inh 800)", stdout);
        Assert.Contains("extensions: none (plain SONATA)", stdout);
        foreach (var file in new[] { "circuit_config.json", "simulation_config.json", "nodes.h5", "node_types.csv", "edges.h5",
                     "edge_types.csv", "point_neuron_models/exc.json", "point_neuron_models/inh.json" })
            Assert.True(File.Exists(Path.Combine(outDir, file)), file);
        using var circuit = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "circuit_config.json")));
        Assert.Equal("$BASE_DIR/nodes.h5", circuit.RootElement.GetProperty("networks").GetProperty("nodes")[0].GetProperty("nodes_file").GetString());
    }

    [Fact]
    public void BrunelNamesItsExtensions()
    {
        var (code, stdout, stderr) = CliProcess.Run("export", "examples/brunel.yaml", "--sonata", Path.Combine(_dir, "brunel"));

        Assert.True(code == 0, stderr);
        Assert.Contains("extensions: distsnn:poisson_inputs, distsnn:seed", stdout);
    }

    [Fact]
    public void AModelWithoutANestCounterpartExitsWith2NamingFileAndFieldAndWritesNothing()
    {
        string model = Path.Combine(_dir, "model.yaml");
        File.WriteAllText(model, """
            populations:
              - {name: a, size: 3, model: if_subtract}
              - {name: b, size: 3, model: lif_exp_current}
            projections:
              - {source: a, target: b, connector: {type: all_to_all}, weight: 1 mV, delay: 1 ms}
            """);
        string outDir = Path.Combine(_dir, "out");

        var (code, _, stderr) = CliProcess.Run("export", model, "--sonata", outDir);

        Assert.Equal(2, code);
        Assert.Contains($"{model}: populations[0].model: population 'a' uses model if_subtract, which has no NEST counterpart", stderr);
        Assert.Contains("nothing was written", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void BadInputExitsWith2()
    {
        var missing = CliProcess.Run("export", Path.Combine(_dir, "none.yaml"), "--sonata", Path.Combine(_dir, "x"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("none.yaml", missing.Stderr);

        var noOption = CliProcess.Run("export", "examples/cuba.yaml");
        Assert.Equal(2, noOption.ExitCode);
        Assert.Contains("--sonata", noOption.Stderr);

        string file = Path.Combine(_dir, "file");
        File.WriteAllText(file, "");
        var onFile = CliProcess.Run("export", "examples/cuba.yaml", "--sonata", file);
        Assert.Equal(2, onFile.ExitCode);
        Assert.Contains("is a file, not a folder", onFile.Stderr);
    }

    [Fact]
    public void HelpListsTheCommand()
    {
        var (code, stdout, _) = CliProcess.Run("export", "--help");
        Assert.Equal(0, code);
        Assert.Contains("SONATA", stdout);
        Assert.Contains("--sonata", stdout);
        Assert.Contains("export", CliProcess.Run("--help").Stdout);
    }
}
