using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Runtime.CompilerServices;

namespace DistSnn.Cli;

/// <summary>
/// What the native ahead-of-time build of <c>distsnn</c> runs: local simulations and what goes with them. It has no
/// code generation at run time, which an Akka actor system needs (a cluster node, partitions on actors), and the
/// training, hardware and cluster-client commands are not checked in it, so those are refused with one line.
/// </summary>
public static class NativeBuild
{
    /// <summary>The commands the native build runs (each checked in it by <c>.ci/run</c> or its tests).</summary>
    public static IReadOnlyList<string> Commands { get; } = ["run", "resume", "plot", "partition", "export"];

    /// <summary>
    /// The command line <paramref name="parse"/> names when this executable is the native build and does not run it
    /// (<c>distsnn node</c>, <c>distsnn train …</c>, <c>--transport akka</c>); null when it can run here.
    /// </summary>
    public static string? Refused(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (RuntimeFeature.IsDynamicCodeSupported || parse.Action is HelpAction) return null;
        var top = parse.CommandResult;
        while (top.Parent is CommandResult parent && parent.Parent is not null) top = parent;
        if (top.Parent is null) return null; // no command: the root prints its help
        string path = string.Join(' ', Path(parse.CommandResult));
        if (!Commands.Contains(top.Command.Name)) return $"distsnn {path}";
        var command = parse.CommandResult.Command;
        if (command.Options.Any(o => o.Name == "--transport") && parse.GetValue<string>("--transport") == "akka")
            return $"distsnn {path} --transport akka";
        return null;
    }

    private static IEnumerable<string> Path(CommandResult leaf)
    {
        var names = new Stack<string>();
        for (var c = leaf; c.Parent is CommandResult parent; c = parent) names.Push(c.Command.Name);
        return names;
    }

    /// <summary>The one line printed instead of running what <see cref="Refused"/> named.</summary>
    public static string Message(string what) =>
        $"error: '{what}' needs the standard build; this executable is a native ahead-of-time build that runs local " +
        $"simulations only ({string.Join(", ", Commands.Select(c => "distsnn " + c))})";
}
