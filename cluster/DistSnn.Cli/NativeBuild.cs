using System.CommandLine;
using System.CommandLine.Help;
using System.Runtime.CompilerServices;

namespace DistSnn.Cli;

/// <summary>
/// What the native ahead-of-time build of <c>distsnn</c> cannot do: it has no code generation at run time, which an
/// Akka actor system needs (a cluster node, partitions on actors), so it runs local simulations only.
/// </summary>
public static class NativeBuild
{
    /// <summary>
    /// The command line <paramref name="parse"/> names when it needs an actor system and this executable cannot start
    /// one (<c>distsnn node</c>, <c>--transport akka</c>); null when it can run here.
    /// </summary>
    public static string? Refused(ParseResult parse)
    {
        if (RuntimeFeature.IsDynamicCodeSupported || parse.Action is HelpAction) return null;
        var command = parse.CommandResult.Command;
        if (command.Name == "node") return "distsnn node";
        if (command.Options.Any(o => o.Name == "--transport") && parse.GetValue<string>("--transport") == "akka")
            return $"distsnn {command.Name} --transport akka";
        return null;
    }

    /// <summary>The one line printed instead of running what <see cref="Refused"/> named.</summary>
    public static string Message(string what) =>
        $"error: '{what}' needs the standard build; this executable is a native ahead-of-time build that runs local simulations only";
}
