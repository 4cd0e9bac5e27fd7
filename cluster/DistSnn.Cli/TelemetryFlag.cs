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
    /// Validates <paramref name="flag"/> and starts the exporters of a process without a host on a background
    /// thread; null (with the error printed) when the flag is bad. Await <see cref="BackgroundTelemetry.ReadyAsync"/>
    /// before the first measurement that must be exported.
    /// </summary>
    public static BackgroundTelemetry? Start(string? flag, string node)
    {
        TelemetryOptions options;
        try
        {
            options = new TelemetryOptions { Exporters = TelemetryOptions.ParseExporters(flag is null ? [] : [flag], "--telemetry") };
            if (options.Exporters.HasFlag(TelemetryExporters.Prometheus))
                throw new ArgumentException("--telemetry: prometheus needs a scrape endpoint, which only `distsnn node` serves; use otlp or console");
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
        return new BackgroundTelemetry(options, node);
    }
}

/// <summary>
/// Exporters started on a thread-pool thread: loading and compiling the SDK and its first export take a few
/// hundred milliseconds of one core, which a run spends mostly single-threaded starting up, so they overlap instead
/// of adding to the wall time. Disposing waits for the start, then flushes and stops the exporters.
/// </summary>
internal sealed class BackgroundTelemetry : IDisposable
{
    private readonly Task<IDisposable> _providers;

    public BackgroundTelemetry(TelemetryOptions options, string node)
    {
        _providers = options.Enabled
            ? Task.Run(() => TelemetrySetup.StartStandalone(options, node, warmUp: true))
            : Task.FromResult(TelemetrySetup.StartStandalone(options, node));
    }

    /// <summary>Completes when the exporters listen.</summary>
    public Task ReadyAsync() => _providers;

    public void Dispose() => _providers.GetAwaiter().GetResult().Dispose();
}
