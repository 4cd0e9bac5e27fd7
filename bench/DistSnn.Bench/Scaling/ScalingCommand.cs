using System.Text.Json;

namespace DistSnn.Bench.Scaling;

/// <summary>
/// <c>distsnn-bench scaling check|project</c>: the scaling model against measured runs, and its projections (see
/// docs/scaling.md). Both read the constants that <c>distsnn-bench components --out FILE</c> wrote.
/// </summary>
internal static class ScalingCommand
{
    public static int Run(string[] args)
    {
        string sub = args.Length > 1 ? args[1] : "";
        return sub switch
        {
            "check" => ScalingCheck.Run(args),
            "project" => ScalingProjection.Run(args),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: distsnn-bench scaling check --constants FILE [--models brunel,brunel@lag1,microcircuit_small,cuba] [--runs R] [--out FILE]");
        Console.Error.WriteLine("       distsnn-bench scaling project --constants FILE [--out DIR] [--per-node 16] [--latency-us 10] [--bandwidth-gbps 25] [--packet-us X] [--software-us X]");
        return 2;
    }

    /// <summary>The constants of a file written by <c>distsnn-bench components --out FILE</c>.</summary>
    internal static ComponentConstants LoadConstants(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        return doc.RootElement.GetProperty("Constants").Deserialize<ComponentConstants>()
               ?? throw new InvalidDataException($"{file}: no Constants");
    }
}
