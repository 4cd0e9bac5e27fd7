using System.CommandLine;
using System.Globalization;
using DistSnn.Cluster.Sonata;
using DistSnn.Model;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn export MODEL --sonata DIR</c>: writes a model as a SONATA point-neuron network (nodes, edges with every
/// synapse as the engine builds it, inputs, reports), which NEST, BMTK or <c>distsnn run</c> can read.
/// </summary>
public static class ExportCommand
{
    /// <summary>The <c>export</c> subcommand.</summary>
    public static Command Create()
    {
        var model = new Argument<FileInfo>("MODEL") { Description = "Model file (YAML or JSON), e.g. examples/cuba.yaml" };
        var sonata = new Option<DirectoryInfo>("--sonata")
        {
            Description = "Write a SONATA network into this folder (circuit_config.json, simulation_config.json, nodes.h5, edges.h5, ...)",
            Required = true,
        };
        var cmd = new Command("export",
            "Write a model as a SONATA point-neuron network: every population a node population (NEST model and parameters), " +
            "every projection an edge population holding each synapse the engine builds (NEST weight convention, delays in ms), " +
            "spike_generator times, currents and state recordings as SONATA inputs and reports. What SONATA cannot say is written " +
            "as 'distsnn:' extensions (Poisson inputs, plasticity, poisson_generator, the seed) or refused (models without a NEST " +
            "counterpart, data sets).\n" + ExitCodes.Help)
        {
            model, sonata,
        };
        cmd.SetAction(parse => Execute(parse.GetValue(model)!, parse.GetValue(sonata)!));
        return cmd;
    }

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Execute(FileInfo modelFile, DirectoryInfo directory)
    {
        if (!ModelFiles.TryLoad(modelFile, out var spec)) return ExitCodes.BadInput;
        if (File.Exists(directory.FullName))
        {
            Console.Error.WriteLine($"error: --sonata: {directory.FullName} is a file, not a folder");
            return ExitCodes.BadInput;
        }
        SonataExport written;
        try
        {
            written = SonataNetworkWriter.Write(spec, directory.FullName, modelFile.FullName);
        }
        catch (ModelException e)
        {
            ModelFiles.PrintErrors(e);
            Console.Error.WriteLine("error: nothing was written");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: cannot write {directory.FullName}: {e.Message}");
            return ExitCodes.Failed;
        }
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine($"wrote SONATA network '{spec.Name}' to {written.Directory}");
        Console.WriteLine($"  nodes: {written.NodePopulations.Sum(p => p.Nodes).ToString("N0", ci)} in {written.NodePopulations.Count} populations " +
            $"({string.Join(", ", written.NodePopulations.Select(p => $"{p.Name} {p.Nodes.ToString("N0", ci)}"))})");
        Console.WriteLine($"  edges: {written.EdgePopulations.Sum(p => p.Edges).ToString("N0", ci)} in {written.EdgePopulations.Count} populations");
        Console.WriteLine(written.Extensions.Count == 0
            ? "  extensions: none (plain SONATA)"
            : $"  extensions: {string.Join(", ", written.Extensions)}");
        return ExitCodes.Ok;
    }
}
