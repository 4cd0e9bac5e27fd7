using System.Diagnostics.CodeAnalysis;
using DistSnn.Model;

namespace DistSnn.Cli;

/// <summary>Reading a model file for a command, with its errors told to the user the one way every command tells them.</summary>
internal static class ModelFiles
{
    /// <summary>Prints each error of <paramref name="e"/> (file, line and field path) as an <c>error:</c> line.</summary>
    public static void PrintErrors(ModelException e)
    {
        foreach (var err in e.Errors) Console.Error.WriteLine($"error: {err}");
    }

    /// <summary>Loads <paramref name="file"/>; false, with the errors printed, when it is not a valid model.</summary>
    public static bool TryLoad(FileInfo file, [NotNullWhen(true)] out NetworkSpec? spec)
    {
        try
        {
            spec = ModelLoader.LoadFile(file.FullName);
            return true;
        }
        catch (ModelException e)
        {
            PrintErrors(e);
            spec = null;
            return false;
        }
    }
}
