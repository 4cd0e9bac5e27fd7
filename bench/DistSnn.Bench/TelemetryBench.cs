using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace DistSnn.Bench;

/// <summary>
/// <c>distsnn-bench NETWORK --telemetry</c>: the cost of exporting telemetry. Runs <c>distsnn run</c> alternately
/// without telemetry and with <c>--telemetry otlp</c> exporting metrics every second (and every span) over
/// OTLP/HTTP to a sink in this process, which accepts and counts the requests, so the export path is the real one.
/// Prints medians of both and their ratio.
/// </summary>
internal static class TelemetryBench
{
    // Every second unless OTEL_METRIC_EXPORT_INTERVAL says otherwise (to tell export cost from instrument cost).
    internal static readonly string Interval = Environment.GetEnvironmentVariable("OTEL_METRIC_EXPORT_INTERVAL") is { Length: > 0 } ms ? ms : "1000";

    public static int Run(string model, double scale, int partitions, int runs, string? duration, bool json)
    {
        using var sink = new OtlpSink();
        var off = new List<BenchCommand.Sample>();
        var on = new List<BenchCommand.Sample>();
        BenchCommand.Sample? RunPlain() => BenchCommand.RunOnce(model, scale, partitions, duration);
        for (int r = 0; r < runs; r++)
        {
            // Alternate so that drift of the machine affects both sides alike, and swap which goes first each round so
            // that neither always runs right after the other.
            long before = sink.MetricRequests;
            bool plainFirst = r % 2 == 0;
            BenchCommand.Sample? plain = plainFirst ? RunPlain() : null;
            var exported = BenchCommand.RunOnce(model, scale, partitions, duration, psi =>
            {
                psi.ArgumentList.Add("--telemetry");
                psi.ArgumentList.Add("otlp");
                psi.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.Url;
                psi.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                psi.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = Interval;
            });
            if (!plainFirst) plain = RunPlain();
            if (plain is null || exported is null) return 1;
            if (sink.MetricRequests == before)
            {
                Console.Error.WriteLine("error: the run with --telemetry otlp exported no metrics to the sink");
                return 1;
            }
            off.Add(plain);
            on.Add(exported);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {r + 1}/{runs}: without {plain.ProcessWall:F2} s (simulate {plain.Summary.SimulateSeconds:F2} s), " +
                $"with OTLP {exported.ProcessWall:F2} s (simulate {exported.Summary.SimulateSeconds:F2} s), {sink.MetricRequests - before} metric exports"));
        }
        return Report($"telemetry overhead {Path.GetFileNameWithoutExtension(model)}", "process", "wall", model, scale, partitions,
            off, on, sink, json);
    }

    /// <summary>
    /// Prints the medians of both sides and their ratios, or writes them as JSON. <paramref name="timed"/> names the
    /// wall time in the JSON keys (<c>process</c>, <c>submit</c>) and <paramref name="wallLabel"/> on the console;
    /// <paramref name="extra"/> entries are added to both; spikes must match across <paramref name="off"/>,
    /// <paramref name="on"/> and <paramref name="alsoCompared"/>.
    /// </summary>
    internal static int Report(string title, string timed, string wallLabel, string model, double scale, int partitions,
        List<BenchCommand.Sample> off, List<BenchCommand.Sample> on, OtlpSink sink, bool json,
        IReadOnlyList<BenchCommand.Sample>? alsoCompared = null, IReadOnlyDictionary<string, object>? extra = null)
    {
        extra ??= new Dictionary<string, object>();
        double wallOff = BenchCommand.Median(off.Select(s => s.ProcessWall)), wallOn = BenchCommand.Median(on.Select(s => s.ProcessWall));
        double simOff = BenchCommand.Median(off.Select(s => s.Summary.SimulateSeconds)), simOn = BenchCommand.Median(on.Select(s => s.Summary.SimulateSeconds));
        var all = off.Concat(on).Concat(alsoCompared ?? []).ToList();
        bool identical = all.All(s => s.Summary.SpikesSha256 == all[0].Summary.SpikesSha256);
        var result = new Dictionary<string, object>
        {
            ["network"] = model,
            ["scale"] = scale,
            ["partitions"] = partitions,
            ["runs"] = off.Count,
            ["export_interval_ms"] = Interval,
            ["duration_ms"] = off[0].Summary.DurationMs,
            [$"median_{timed}_wall_seconds_without"] = wallOff,
            [$"median_{timed}_wall_seconds_with_otlp"] = wallOn,
            ["wall_ratio"] = wallOn / wallOff,
            ["median_simulate_seconds_without"] = simOff,
            ["median_simulate_seconds_with_otlp"] = simOn,
            ["simulate_ratio"] = simOn / simOff,
            ["otlp_metric_requests"] = sink.MetricRequests,
            ["otlp_trace_requests"] = sink.TraceRequests,
            ["otlp_bytes"] = sink.Bytes,
            ["spikes_sha256_identical"] = identical,
        };
        foreach (var (key, value) in extra) result[key] = value;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var ci = CultureInfo.InvariantCulture;
        string Pad(string label) => ("  " + label).PadRight(36);
        Console.WriteLine($"{title}, scale {scale.ToString(ci)}, {partitions} partitions, {off.Count} runs each (medians)");
        Console.WriteLine($"{Pad($"{wallLabel} without telemetry")} {wallOff.ToString("F3", ci)} s (simulate {simOff.ToString("F3", ci)} s)");
        Console.WriteLine($"{Pad($"{wallLabel} with OTLP every {Interval} ms")} {wallOn.ToString("F3", ci)} s (simulate {simOn.ToString("F3", ci)} s)");
        Console.WriteLine($"{Pad("ratio with / without")} wall {(wallOn / wallOff).ToString("F3", ci)}, simulate {(simOn / simOff).ToString("F3", ci)}");
        Console.WriteLine($"{Pad("OTLP requests received")} {sink.MetricRequests} metrics, {sink.TraceRequests} traces, {sink.Bytes.ToString("N0", ci)} bytes");
        foreach (var (key, value) in extra) Console.WriteLine($"{Pad(key.Replace('_', ' '))} {value}");
        Console.WriteLine($"  spikes identical in all runs: {identical}");
        return 0;
    }

    /// <summary>
    /// Accepts OTLP/HTTP exports on a free loopback port and answers each with an empty (valid) protobuf response.
    /// </summary>
    internal sealed class OtlpSink : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;
        private long _metrics, _traces, _bytes;

        public OtlpSink()
        {
            int port = ClusterBench.FreePort();
            Url = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add(Url + "/");
            _listener.Start();
            _loop = Task.Run(Serve);
        }

        public string Url { get; }
        public long MetricRequests => Interlocked.Read(ref _metrics);
        public long TraceRequests => Interlocked.Read(ref _traces);
        public long Bytes => Interlocked.Read(ref _bytes);

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return; // stopped
                }
                using var body = new MemoryStream();
                await ctx.Request.InputStream.CopyToAsync(body);
                Interlocked.Add(ref _bytes, body.Length);
                if (ctx.Request.Url?.AbsolutePath == "/v1/metrics") Interlocked.Increment(ref _metrics);
                else if (ctx.Request.Url?.AbsolutePath == "/v1/traces") Interlocked.Increment(ref _traces);
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "application/x-protobuf";
                ctx.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
