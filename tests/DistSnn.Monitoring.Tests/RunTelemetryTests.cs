using System.Diagnostics;
using System.Diagnostics.Metrics;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using DistSnn.Monitoring;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DistSnn.Monitoring.Tests;

/// <summary>
/// A local run observed through the OpenTelemetry SDK with in-memory exporters: every partition instrument is
/// emitted with the run's exact figures, and the spans nest job → build / run / gather. Jobs get unique ids and
/// every assertion filters on the job tag, since the meter is process-wide.
/// </summary>
[Collection(RunCollection.Name)]
public class RunTelemetryTests
{
    [Fact]
    public async Task A_run_emits_every_partition_instrument_with_the_run_figures()
    {
        var metrics = new List<MetricSnapshot>();
        var neuronAdds = new List<long>();
        string job = "otel-" + Guid.NewGuid().ToString("N")[..8];
        var spec = Models.Cuba(job, durationMs: 60);
        RunReport report;
        using (var listener = ListenForNeurons(job, neuronAdds))
        using (var meters = Sdk.CreateMeterProviderBuilder().AddMeter(Telemetry.Name).AddInMemoryExporter(metrics).Build())
        {
            report = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2 });
            meters.ForceFlush();
        }

        var summary = report.Summary;
        long epochs = (spec.Run.Steps + spec.MinDelaySteps() - 1) / spec.MinDelaySteps();
        Assert.Equal(600, spec.Run.Steps);
        Assert.True(summary.Spikes > 100, $"only {summary.Spikes} spikes: the test network is too quiet to tell anything");

        // Counters: one series per partition, summing to the run's totals.
        Assert.Equal(summary.Spikes, SumLong(metrics, Telemetry.Names.Spikes, job, expectedSeries: 2));
        Assert.Equal(summary.Spikes, report.Spikes.Sum(p => (long)p.Count)); // every population is recorded
        Assert.Equal(summary.SynapticEvents, SumLong(metrics, Telemetry.Names.SynapticEvents, job, expectedSeries: 2));
        Assert.Equal(2 * spec.Run.Steps, SumLong(metrics, Telemetry.Names.Steps, job, expectedSeries: 2));

        // Histograms: one epoch duration and one wait per epoch and partition; one packet per epoch but the last
        // (which ends the run) to every partition with synapses from the sender, itself included: 2 × 2 routes.
        var duration = Points(metrics, Telemetry.Names.EpochDuration, job);
        Assert.Equal(2 * epochs, duration.Sum(p => p.GetHistogramCount()));
        Assert.InRange(duration.Sum(p => p.GetHistogramSum()), 1e-6, summary.SimulateSeconds * 2 + 1);
        var wait = Points(metrics, Telemetry.Names.SyncWait, job);
        Assert.Equal(2 * epochs, wait.Sum(p => p.GetHistogramCount()));
        Assert.Equal(summary.PartitionWaitSeconds.Sum(), wait.Sum(p => p.GetHistogramSum()), 2);
        var packets = Points(metrics, Telemetry.Names.PacketSize, job);
        long sent = 4 * (epochs - 1);
        Assert.Equal(sent, packets.Sum(p => p.GetHistogramCount()));
        // A packet is a small header plus about 2 bytes per spike (delta-encoded): it can neither be empty nor
        // much larger than the spikes it carries (each spike goes to at most the two partitions).
        double bytes = packets.Sum(p => p.GetHistogramSum());
        Assert.InRange(bytes, 10.0 * sent, 40.0 * sent + 2 * 9.0 * summary.Spikes);

        // Neurons: each partition adds its share when built and takes it away when the job ends.
        Assert.Equal(new[] { -2000L, -2000L, 2000L, 2000L }, neuronAdds.Order().ToArray());
        Assert.Equal(0, SumLong(metrics, Telemetry.Names.PartitionNeurons, job, expectedSeries: 2));
        var factor = Assert.Single(Points(metrics, Telemetry.Names.RealTimeFactor, job)).GetGaugeLastValueDouble();
        Assert.InRange(factor, 1e-3, 1e4);
        Assert.Contains(metrics, m => m.Name == Telemetry.Names.NodePartitions);

        // Units are OpenTelemetry's: seconds and bytes in the unit field, not in the names.
        Assert.Equal("s", Last(metrics, Telemetry.Names.EpochDuration).Unit);
        Assert.Equal("s", Last(metrics, Telemetry.Names.SyncWait).Unit);
        Assert.Equal("By", Last(metrics, Telemetry.Names.PacketSize).Unit);
    }

    [Fact]
    public async Task Spans_nest_job_then_build_run_and_gather()
    {
        var spans = new List<Activity>();
        string job = "otel-" + Guid.NewGuid().ToString("N")[..8];
        using (var tracer = Sdk.CreateTracerProviderBuilder().AddSource(Telemetry.Name).AddInMemoryExporter(spans).Build())
        {
            await LocalRunner.RunAsync(Models.Cuba(job, durationMs: 20), new RunOptions { Partitions = 2 });
            tracer.ForceFlush();
        }
        var mine = spans.Where(s => (string?)s.GetTagItem(Telemetry.Tags.Job) == job).ToList();
        var root = Assert.Single(mine, s => s.OperationName == Telemetry.Spans.Job);
        Assert.Equal(default, root.ParentSpanId);
        Assert.Equal(2, root.GetTagItem("distsnn.partitions"));
        foreach (var name in new[] { Telemetry.Spans.Build, Telemetry.Spans.Run, Telemetry.Spans.Gather })
        {
            var child = Assert.Single(mine, s => s.OperationName == name);
            Assert.Equal(root.TraceId, child.TraceId);
            Assert.Equal(root.SpanId, child.ParentSpanId);
        }
        var build = mine.Single(s => s.OperationName == Telemetry.Spans.Build);
        var run = mine.Single(s => s.OperationName == Telemetry.Spans.Run);
        Assert.True(build.StartTimeUtc + build.Duration <= run.StartTimeUtc + TimeSpan.FromMilliseconds(1), "the run starts after the build");
        Assert.DoesNotContain(mine, s => s.OperationName == Telemetry.Spans.Checkpoint);
        Assert.All(mine, s => Assert.Equal(ActivityStatusCode.Unset, s.Status));
        Assert.Null(Activity.Current);
    }

    [Fact]
    public async Task Checkpoints_are_spans_of_their_job()
    {
        var spans = new List<Activity>();
        string job = "otel-" + Guid.NewGuid().ToString("N")[..8];
        string dir = Path.Combine(Path.GetTempPath(), "distsnn-otel-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var tracer = Sdk.CreateTracerProviderBuilder().AddSource(Telemetry.Name).AddInMemoryExporter(spans).Build())
            {
                // 40 ms with a checkpoint every 100 steps (10 ms): boundaries near 10, 20 and 30 ms.
                await LocalRunner.RunAsync(Models.Cuba(job, durationMs: 40),
                    new RunOptions { Partitions = 2, Checkpoints = new CheckpointRequest(dir, 100) });
                tracer.ForceFlush();
            }
            var mine = spans.Where(s => (string?)s.GetTagItem(Telemetry.Tags.Job) == job).ToList();
            var root = Assert.Single(mine, s => s.OperationName == Telemetry.Spans.Job);
            var checkpoints = mine.Where(s => s.OperationName == Telemetry.Spans.Checkpoint).ToList();
            Assert.Equal(3, checkpoints.Count);
            Assert.All(checkpoints, c => Assert.Equal(root.SpanId, c.ParentSpanId));
            Assert.Equal([100L, 200L, 300L], checkpoints.Select(c => (long)c.GetTagItem("distsnn.step")!).Order());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_cancelled_job_ends_its_spans()
    {
        var spans = new List<Activity>();
        string job = "otel-" + Guid.NewGuid().ToString("N")[..8];
        using (var tracer = Sdk.CreateTracerProviderBuilder().AddSource(Telemetry.Name).AddInMemoryExporter(spans).Build())
        {
            using var cancel = new CancellationTokenSource();
            var task = LocalRunner.RunAsync(Models.Cuba(job, durationMs: 5000), new RunOptions { Partitions = 2 },
                step => { if (step > 100) cancel.Cancel(); }, cancel.Token);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
            tracer.ForceFlush();
        }
        var root = Assert.Single(spans, s => s.OperationName == Telemetry.Spans.Job && (string?)s.GetTagItem(Telemetry.Tags.Job) == job);
        Assert.Equal(true, root.GetTagItem("distsnn.cancelled"));
        Assert.Single(spans, s => s.OperationName == Telemetry.Spans.Run && s.ParentSpanId == root.SpanId);
    }

    private static MeterListener ListenForNeurons(string job, List<long> adds)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == Telemetry.Name && instrument.Name == Telemetry.Names.PartitionNeurons) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == Telemetry.Tags.Job && (string?)tag.Value == job)
                    lock (adds) adds.Add(value);
        });
        listener.Start();
        return listener;
    }

    private static MetricSnapshot Last(List<MetricSnapshot> metrics, string name) =>
        metrics.LastOrDefault(m => m.Name == name) ?? throw new Xunit.Sdk.XunitException($"no metric {name} was exported");

    private static List<MetricPoint> Points(List<MetricSnapshot> metrics, string name, string job) =>
        Last(metrics, name).MetricPoints.Where(p => HasTag(p, Telemetry.Tags.Job, job)).ToList();

    private static long SumLong(List<MetricSnapshot> metrics, string name, string job, int expectedSeries)
    {
        var points = Points(metrics, name, job);
        Assert.Equal(expectedSeries, points.Count);
        return points.Sum(p => p.GetSumLong());
    }

    private static bool HasTag(MetricPoint point, string key, string value)
    {
        foreach (var tag in point.Tags)
            if (tag.Key == key && (string?)tag.Value == value) return true;
        return false;
    }
}

/// <summary>Runs observed with a MeterListener must not overlap: node-level series carry no job tag.</summary>
[CollectionDefinition(Name)]
public class RunCollection
{
    public const string Name = "runs";
}

/// <summary>Small networks for the telemetry tests.</summary>
internal static class Models
{
    public static NetworkSpec Cuba(string name, double durationMs)
    {
        var spec = ModelLoader.LoadFile(Path.Combine(Root(), "examples", "cuba.yaml"));
        return spec with { Name = name, Run = spec.Run with { Duration = durationMs } };
    }

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DistSnn.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("DistSnn.sln not found above " + AppContext.BaseDirectory);
    }
}
