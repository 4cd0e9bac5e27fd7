using System.CommandLine;
using DistSnn.Cli;

return await CliApp.Build().Parse(args).InvokeAsync();
