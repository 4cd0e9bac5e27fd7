using System.Diagnostics;
using System.Diagnostics.Metrics;
using DistSnn.Monitoring.Exporters;
using Microsoft.Extensions.Configuration;

namespace DistSnn.Monitoring.Tests;

/// <summary>Exporter selection from flags and configuration, and the instrument catalogue.</summary>
public class TelemetryOptionsTests
{
    [Theory]
    [InlineData("otlp", TelemetryExporters.Otlp)]
    [InlineData("OTLP, console", TelemetryExporters.Otlp | TelemetryExporters.Console)]
    [InlineData("otlp,prometheus,console", TelemetryExporters.Otlp | TelemetryExporters.Prometheus | TelemetryExporters.Console)]
    [InlineData("none", TelemetryExporters.None)]
    [InlineData("", TelemetryExporters.None)]
    public void Flags_parse(string flag, TelemetryExporters expected) =>
        Assert.Equal(expected, TelemetryOptions.ParseExporters([flag], "--telemetry"));

    [Fact]
    public void An_unknown_exporter_is_named_with_where_it_came_from()
    {
        var e = Assert.Throws<ArgumentException>(() => TelemetryOptions.ParseExporters(["otlp,jaeger"], "--telemetry"));
        Assert.Equal("--telemetry: unknown exporter 'jaeger' (otlp, prometheus, console or none)", e.Message);
    }

    [Fact]
    public void Configuration_takes_a_list_or_one_string()
    {
        var list = Config(("DistSnn:Telemetry:Exporters:0", "otlp"), ("DistSnn:Telemetry:Exporters:1", "prometheus"),
            ("DistSnn:Telemetry:ExportIntervalMs", "2000"), ("DistSnn:Telemetry:ServiceName", "snn-lab"));
        var options = TelemetryOptions.FromConfiguration(list);
        Assert.Equal(TelemetryExporters.Otlp | TelemetryExporters.Prometheus, options.Exporters);
        Assert.Equal(2000, options.ExportIntervalMs);
        Assert.Equal("snn-lab", options.ServiceName);

        var one = TelemetryOptions.FromConfiguration(Config(("DistSnn:Telemetry:Exporters", "console,otlp")));
        Assert.Equal(TelemetryExporters.Console | TelemetryExporters.Otlp, one.Exporters);
        Assert.Null(one.ExportIntervalMs);
        Assert.False(TelemetryOptions.FromConfiguration(Config()).Enabled);
    }

    [Fact]
    public void Bad_configuration_names_the_key()
    {
        var e = Assert.Throws<ArgumentException>(() => TelemetryOptions.FromConfiguration(Config(("DistSnn:Telemetry:Exporters:0", "zipkin"))));
        Assert.StartsWith("DistSnn:Telemetry:Exporters: unknown exporter 'zipkin'", e.Message);
        e = Assert.Throws<ArgumentException>(() => TelemetryOptions.FromConfiguration(Config(("DistSnn:Telemetry:ExportIntervalMs", "fast"))));
        Assert.Equal("DistSnn:Telemetry:ExportIntervalMs: must be a whole number of milliseconds >= 100, got 'fast'", e.Message);
    }

    [Fact]
    public void OTEL_SERVICE_NAME_wins_over_the_configured_name()
    {
        var options = new TelemetryOptions { ServiceName = "distsnn" };
        Assert.Equal("lab-a", options.ResolveServiceName(v => v == "OTEL_SERVICE_NAME" ? "lab-a" : null));
        Assert.Equal("distsnn", options.ResolveServiceName(_ => null));
        Assert.Equal("distsnn", options.ResolveServiceName(_ => ""));
    }

    [Fact]
    public void The_resource_names_service_and_node()
    {
        var resource = TelemetrySetup.Resource(new TelemetryOptions(), "10.0.0.7:4053").Build();
        var attributes = resource.Attributes.ToDictionary(a => a.Key, a => a.Value);
        Assert.Equal("10.0.0.7:4053", attributes["service.instance.id"]);
        Assert.Equal("10.0.0.7:4053", attributes["distsnn.node"]);
        Assert.Equal(Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") is { Length: > 0 } env ? env : "distsnn", attributes["service.name"]);
    }

    [Fact]
    public void Prometheus_is_refused_without_a_node()
    {
        var e = Assert.Throws<ArgumentException>(() => TelemetrySetup.StartStandalone(new TelemetryOptions { Exporters = TelemetryExporters.Prometheus }, "local"));
        Assert.Contains("prometheus needs a scrape endpoint", e.Message);
    }

    [Fact]
    public void One_meter_and_one_source_named_DistSnn_hold_every_instrument()
    {
        Assert.Equal("DistSnn", Telemetry.Meter.Name);
        Assert.Equal("DistSnn", Telemetry.Source.Name);
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, _) => { if (i.Meter == Telemetry.Meter) lock (published) published.Add(i); },
        };
        listener.Start();
        Assert.Equal(Telemetry.Names.All.Order(), published.Select(i => i.Name).Order());
        Assert.All(published, i => Assert.Matches("^distsnn(\\.[a-z_]+)+$", i.Name));
        Assert.All(published, i => Assert.False(string.IsNullOrEmpty(i.Unit), $"{i.Name} has no unit"));
    }

    [Fact]
    public void Members_are_observed_per_registered_node_until_disposed()
    {
        var seen = new List<(int Value, string? Node)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (i, l) => { if (i == Telemetry.ClusterMembers) l.EnableMeasurementEvents(i); },
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var t in tags) if (t.Key == Telemetry.Tags.Node) seen.Add((value, (string?)t.Value));
        });
        listener.Start();
        string node = "test-" + Guid.NewGuid().ToString("N")[..6];
        using (Telemetry.ObserveMembers(node, () => 3))
        {
            listener.RecordObservableInstruments();
            Assert.Contains((3, node), seen);
        }
        seen.Clear();
        listener.RecordObservableInstruments();
        Assert.DoesNotContain(seen, s => s.Node == node);
    }

    [Fact]
    public void Spans_do_not_change_the_callers_current_activity()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == Telemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var outer = new Activity("caller").Start();
        var span = Telemetry.StartSpan(Telemetry.Spans.Job, default, "j");
        Assert.NotNull(span);
        Assert.Same(outer, Activity.Current);
        Assert.Equal(default, span!.ParentSpanId); // a root, not a child of whatever the caller was doing
        Telemetry.StopDetached(span);
        Assert.Same(outer, Activity.Current);
    }

    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();
}
