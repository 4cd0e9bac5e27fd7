using Microsoft.Extensions.Configuration;

namespace DistSnn.Monitoring.Exporters;

/// <summary>Where telemetry goes.</summary>
[Flags]
public enum TelemetryExporters
{
    /// <summary>Nowhere: instruments stay unobserved and cost nothing.</summary>
    None = 0,
    /// <summary>OTLP to a collector; endpoint, protocol and headers from the standard <c>OTEL_EXPORTER_OTLP_*</c> variables.</summary>
    Otlp = 1,
    /// <summary>A Prometheus scrape endpoint (<c>/metrics</c> on a node's admin endpoint).</summary>
    Prometheus = 2,
    /// <summary>Metrics and spans printed to standard output (for trying things out).</summary>
    Console = 4,
}

/// <summary>
/// Telemetry settings, section <c>DistSnn:Telemetry</c>: <c>Exporters</c> (a list, or one comma-separated
/// string: <c>otlp</c>, <c>prometheus</c>, <c>console</c>), <c>ExportIntervalMs</c> for the pushing exporters
/// (else <c>OTEL_METRIC_EXPORT_INTERVAL</c>),
/// and <c>ServiceName</c> (overridden by <c>OTEL_SERVICE_NAME</c>).
/// </summary>
public sealed record TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DistSnn:Telemetry";

    /// <summary>The exporters switched on.</summary>
    public TelemetryExporters Exporters { get; init; }

    /// <summary>
    /// How often OTLP and console export metrics (ms); null leaves it to the SDK, which reads the standard
    /// <c>OTEL_METRIC_EXPORT_INTERVAL</c> (default 60 s). Prometheus is read when scraped.
    /// </summary>
    public int? ExportIntervalMs { get; init; }

    /// <summary>Service name in the resource, unless <c>OTEL_SERVICE_NAME</c> is set.</summary>
    public string ServiceName { get; init; } = "distsnn";

    /// <summary>Whether any exporter is on.</summary>
    public bool Enabled => Exporters != TelemetryExporters.None;

    /// <summary>
    /// Parses an exporter list such as <c>otlp,prometheus</c> (case-insensitive; <c>none</c> or empty for none).
    /// Throws <see cref="ArgumentException"/> naming <paramref name="where"/> and the unknown entry.
    /// </summary>
    public static TelemetryExporters ParseExporters(IEnumerable<string> entries, string where)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var result = TelemetryExporters.None;
        foreach (var raw in entries.SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            result |= raw.ToLowerInvariant() switch
            {
                "otlp" => TelemetryExporters.Otlp,
                "prometheus" => TelemetryExporters.Prometheus,
                "console" => TelemetryExporters.Console,
                "none" => TelemetryExporters.None,
                _ => throw new ArgumentException($"{where}: unknown exporter '{raw}' (otlp, prometheus, console or none)"),
            };
        }
        return result;
    }

    /// <summary>
    /// Reads section <see cref="Section"/> of <paramref name="configuration"/>; <c>Exporters</c> may be a list
    /// (<c>DistSnn__Telemetry__Exporters__0=otlp</c>) or one string (<c>DistSnn__Telemetry__Exporters=otlp,console</c>).
    /// </summary>
    public static TelemetryOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var exporters = section.GetSection("Exporters");
        var entries = exporters.Value is { } one ? [one] : exporters.GetChildren().Select(c => c.Value ?? "").ToArray();
        var options = new TelemetryOptions { Exporters = ParseExporters(entries, $"{Section}:Exporters") };
        if (section["ExportIntervalMs"] is { } interval)
        {
            if (!int.TryParse(interval, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int ms) || ms < 100)
                throw new ArgumentException($"{Section}:ExportIntervalMs: must be a whole number of milliseconds >= 100, got '{interval}'");
            options = options with { ExportIntervalMs = ms };
        }
        if (section["ServiceName"] is { Length: > 0 } name) options = options with { ServiceName = name };
        return options;
    }

    /// <summary>The service name: <c>OTEL_SERVICE_NAME</c> when set (the OpenTelemetry convention), else <see cref="ServiceName"/>.</summary>
    public string ResolveServiceName(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment("OTEL_SERVICE_NAME") is { Length: > 0 } fromEnv ? fromEnv : ServiceName;
    }
}
