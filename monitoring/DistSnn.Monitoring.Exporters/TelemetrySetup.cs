using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DistSnn.Monitoring.Exporters;

/// <summary>
/// Turns <see cref="TelemetryOptions"/> into OpenTelemetry providers that listen to the <c>DistSnn</c> meter and
/// activity source. OTLP reads its endpoint, protocol, headers and timeouts from the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> variables (the SDK does that itself); the resource carries the service name
/// (<c>OTEL_SERVICE_NAME</c> wins), <c>service.instance.id</c> = the node, and <c>OTEL_RESOURCE_ATTRIBUTES</c>.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>The resource describing this process: service, node, SDK, and the OTEL_RESOURCE_ATTRIBUTES.</summary>
    public static ResourceBuilder Resource(TelemetryOptions options, string node)
    {
        ArgumentNullException.ThrowIfNull(options);
        var version = typeof(TelemetrySetup).Assembly.GetName().Version?.ToString(3);
        return ResourceBuilder.CreateEmpty()
            .AddService(options.ResolveServiceName(Environment.GetEnvironmentVariable), serviceVersion: version,
                autoGenerateServiceInstanceId: false, serviceInstanceId: node)
            .AddTelemetrySdk()
            .AddEnvironmentVariableDetector()
            .AddAttributes([new KeyValuePair<string, object>("distsnn.node", node)]);
    }

    /// <summary>Adds the DistSnn meter and the chosen exporters to a metrics pipeline.</summary>
    public static MeterProviderBuilder AddDistSnnMetrics(this MeterProviderBuilder builder, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.AddMeter(Telemetry.Name);
        if (options.Exporters.HasFlag(TelemetryExporters.Otlp))
            builder.AddOtlpExporter((_, reader) => SetInterval(reader, options));
        if (options.Exporters.HasFlag(TelemetryExporters.Console))
            builder.AddConsoleExporter((_, reader) => SetInterval(reader, options));
        return builder;
    }

    private static void SetInterval(MetricReaderOptions reader, TelemetryOptions options)
    {
        if (options.ExportIntervalMs is { } ms) reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = ms;
    }

    /// <summary>Adds the DistSnn activity source and the chosen exporters to a tracing pipeline (Prometheus has no traces).</summary>
    public static TracerProviderBuilder AddDistSnnTracing(this TracerProviderBuilder builder, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        builder.AddSource(Telemetry.Name);
        if (options.Exporters.HasFlag(TelemetryExporters.Otlp)) builder.AddOtlpExporter();
        if (options.Exporters.HasFlag(TelemetryExporters.Console)) builder.AddConsoleExporter();
        return builder;
    }

    /// <summary>
    /// Registers OpenTelemetry in a host (a node): metrics and traces with the chosen exporters, the Prometheus
    /// exporter when asked for (serve it with <see cref="MapDistSnnMetrics"/>). Nothing is added when no exporter is on.
    /// </summary>
    public static IServiceCollection AddDistSnnTelemetry(this IServiceCollection services, TelemetryOptions options, string node)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled) return services;
        var resource = Resource(options, node);
        services.AddOpenTelemetry()
            .WithMetrics(m =>
            {
                m.SetResourceBuilder(resource).AddDistSnnMetrics(options);
                if (options.Exporters.HasFlag(TelemetryExporters.Prometheus)) m.AddPrometheusExporter();
            })
            .WithTracing(t =>
            {
                t.SetResourceBuilder(resource);
                // Prometheus alone carries no traces: listen to spans only when someone exports them.
                if (options.Exporters.HasFlag(TelemetryExporters.Otlp) || options.Exporters.HasFlag(TelemetryExporters.Console))
                    t.AddDistSnnTracing(options);
            });
        return services;
    }

    /// <summary>Serves the Prometheus text format at <c>/metrics</c> when the Prometheus exporter is on.</summary>
    public static IEndpointRouteBuilder MapDistSnnMetrics(this IEndpointRouteBuilder app, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Exporters.HasFlag(TelemetryExporters.Prometheus)) app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    /// <summary>
    /// Starts metrics and traces for a process without a host (<c>distsnn run</c>, <c>distsnn train</c>);
    /// dispose the result to flush and stop. Prometheus needs a node's web endpoint and is refused here. With
    /// <paramref name="warmUp"/>, one export of a throw-away span and measurement runs at once, so the export path is
    /// loaded and compiled now (call it off the critical path) rather than in the final flush.
    /// </summary>
    public static IDisposable StartStandalone(TelemetryOptions options, string node, bool warmUp = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Exporters.HasFlag(TelemetryExporters.Prometheus))
            throw new ArgumentException("--telemetry: prometheus needs a scrape endpoint, which only `distsnn node` serves; use otlp or console");
        if (!options.Enabled) return new Providers(null, null);
        var resource = Resource(options, node);
        var meters = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddDistSnnMetrics(options).Build();
        var tracer = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddDistSnnTracing(options).Build();
        if (warmUp) WarmUp(meters, tracer);
        return new Providers(meters, tracer);
    }

    private static void WarmUp(MeterProvider meters, TracerProvider tracer)
    {
        // One short span marking when the exporters started: exporting it compiles the HTTP and encoding path.
        using (var span = Telemetry.Source.StartActivity(Telemetry.Spans.ExporterStart)) span?.SetTag("distsnn.purpose", "exporter start");
        tracer.ForceFlush();
        meters.ForceFlush();
    }

    private sealed class Providers(MeterProvider? meters, TracerProvider? tracer) : IDisposable
    {
        public void Dispose()
        {
            // Disposing flushes: the last export carries the final counts of a short run.
            tracer?.Dispose();
            meters?.Dispose();
        }
    }
}
