using System.CommandLine;
using DistSnn.Monitoring.Exporters;

namespace DistSnn.Cli;

/// <summary>The <c>--telemetry</c> option shared by <c>run</c>, <c>train</c> and <c>node</c>.</summary>
internal static class TelemetryFlag
{
    public static Option<string?> Create(string defaults) => new("--telemetry")
    {
        Description = "Telemetry exporters, comma-separated: otlp (endpoint from OTEL_EXPORTER_OTLP_ENDPOINT etc.), " +
                      $"console, prometheus (node only: /metrics on the admin endpoint), none. Default: {defaults}",
    };

    /// <summary>
    /// Starts the exporters of a process without a host for <paramref name="flag"/>; null (with the error printed)
    /// when the flag is bad.
    /// </summary>
    public static IDisposable? StartStandalone(string? flag, string node)
    {
        try
        {
            var options = new TelemetryOptions
            {
                Exporters = TelemetryOptions.ParseExporters(flag is null ? [] : [flag], "--telemetry"),
            };
            return TelemetrySetup.StartStandalone(options, node);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }
}
