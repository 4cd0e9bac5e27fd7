namespace DistSnn.Cli;

/// <summary>Process exit codes, documented in <c>distsnn --help</c>.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>The run failed (runtime error, I/O error).</summary>
    public const int Failed = 1;
    /// <summary>Bad input: unreadable or invalid model file or results folder, bad command-line value.</summary>
    public const int BadInput = 2;
    /// <summary>The admin endpoint of the cluster could not be reached.</summary>
    public const int Unreachable = 3;
    /// <summary>Cancelled by the user (Ctrl+C).</summary>
    public const int Cancelled = 130;

    /// <summary>The text shown under "Exit codes" in the help.</summary>
    public const string Help = "Exit codes: 0 success, 1 run or job failed, 2 bad input (model file, results folder, option, unknown job), 3 cluster endpoint unreachable, 130 cancelled.";
}
