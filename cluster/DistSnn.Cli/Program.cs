using System.CommandLine;
using DistSnn.Cli;

var parse = CliApp.Build().Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("Run 'distsnn --help' for usage.");
    return ExitCodes.BadInput;
}
if (NativeBuild.Refused(parse) is { } refused)
{
    Console.Error.WriteLine(NativeBuild.Message(refused));
    return ExitCodes.Failed;
}
return await parse.InvokeAsync();
