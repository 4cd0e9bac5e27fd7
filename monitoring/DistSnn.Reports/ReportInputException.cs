namespace DistSnn.Reports;

/// <summary>
/// A results folder cannot be reported on: a file is missing, unreadable or malformed. The message names the file
/// (and, where there is one, the field or line) and says what is wrong.
/// </summary>
public sealed class ReportInputException : Exception
{
    /// <summary>Creates the exception with a message that names the file and the problem.</summary>
    public ReportInputException(string message) : base(message) { }

    /// <summary>Creates the exception around the error that revealed the problem.</summary>
    public ReportInputException(string message, Exception inner) : base(message, inner) { }
}
