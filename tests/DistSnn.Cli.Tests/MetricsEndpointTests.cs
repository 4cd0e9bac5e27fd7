using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using DistSnn.Monitoring;

namespace DistSnn.Cli.Tests;

/// <summary>
/// A <c>distsnn node</c> process on loopback serves its metrics in the Prometheus format at <c>/metrics</c> on the
/// admin endpoint: after a job, every instrument is there under the exporter's name, the spike counter equals the
/// job's spikes, and every metric the Grafana dashboards query is one the endpoint serves.
/// </summary>
public partial class MetricsEndpointTests : IDisposable
{
    /// <summary>Prometheus names of the instruments (the exporter's translation: dots → underscores, unit suffix, _total).</summary>
    private static readonly Dictionary<string, string> PrometheusNames = new()
    {
        [Telemetry.Names.Steps] = "distsnn_sim_steps_total",
        [Telemetry.Names.Spikes] = "distsnn_sim_spikes_total",
        [Telemetry.Names.SynapticEvents] = "distsnn_sim_synaptic_events_total",
        [Telemetry.Names.EpochDuration] = "distsnn_epoch_duration_seconds",
        [Telemetry.Names.SyncWait] = "distsnn_sync_wait_seconds",
        [Telemetry.Names.PacketSize] = "distsnn_packet_size_bytes",
        [Telemetry.Names.PartitionNeurons] = "distsnn_partition_neurons",
        [Telemetry.Names.RealTimeFactor] = "distsnn_job_realtime_factor",
        [Telemetry.Names.TrainAccuracy] = "distsnn_train_accuracy",
        [Telemetry.Names.TrainLoss] = "distsnn_train_loss",
        [Telemetry.Names.TrainSamples] = "distsnn_train_samples_total",
        [Telemetry.Names.ClusterMembers] = "distsnn_cluster_members",
        [Telemetry.Names.NodePartitions] = "distsnn_node_partitions",
    };

    private static readonly string[] HistogramSeries = ["_bucket", "_sum", "_count"];

    private Process? _node;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-metrics-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_node_serves_every_instrument_and_the_dashboards_query_only_served_metrics()
    {
        Assert.Equal(Telemetry.Names.All.Order(), PrometheusNames.Keys.Order());
        int port = TestProcesses.FreePort(), adminPort = TestProcesses.FreePort();
        string endpoint = $"http://127.0.0.1:{adminPort}";
        _node = StartNode(port, adminPort);
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await Ready(http, endpoint))
        {
            Assert.True(DateTime.UtcNow < deadline, "the node did not become ready within 90 s");
            Assert.False(_node.HasExited, "the node process exited");
            await Task.Delay(300);
        }

        string outDir = Path.Combine(_dir, "results");
        var submit = CliProcess.Run("submit", "examples/brunel.yaml", "--scale", "0.1", "--duration", "50 ms", "-p", "2",
            "--job", "scraped", "--wait", "--out", outDir, "--json", "-e", endpoint, "--token", "s3cret");
        Assert.True(submit.ExitCode == 0, submit.Stderr);
        long spikes = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json"))).RootElement.GetProperty("spikes").GetInt64();

        // The token guards the admin routes, but a scraper on this machine reads /metrics without it (loopback endpoint).
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{endpoint}/jobs")).StatusCode);
        var response = await http.GetAsync($"{endpoint}/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string text = await response.Content.ReadAsStringAsync();
        var samples = Samples(text);
        var served = samples.Select(s => s.Name).ToHashSet();

        foreach (var (instrument, name) in PrometheusNames)
        {
            // Recorded by `distsnn train`, not by nodes.
            if (instrument is Telemetry.Names.TrainAccuracy or Telemetry.Names.TrainLoss or Telemetry.Names.TrainSamples) continue;
            bool histogram = instrument is Telemetry.Names.EpochDuration or Telemetry.Names.SyncWait or Telemetry.Names.PacketSize;
            foreach (var series in histogram ? HistogramSeries.Select(h => name + h) : [name])
                Assert.True(served.Contains(series), $"/metrics lacks {series} ({instrument}); it serves {string.Join(", ", served.Order())}");
        }
        long scrapedSpikes = samples.Where(s => s.Name == "distsnn_sim_spikes_total" && s.Labels.Contains("job=\"scraped\""))
            .Sum(s => (long)s.Value);
        Assert.Equal(spikes, scrapedSpikes);
        Assert.Equal(2, samples.Count(s => s.Name == "distsnn_sim_spikes_total" && s.Labels.Contains("job=\"scraped\"")));
        var members = Assert.Single(samples, s => s.Name == "distsnn_cluster_members");
        Assert.Equal(1, members.Value);
        Assert.Contains($"node=\"127.0.0.1:{port}\"", members.Labels);
        Assert.Matches("service_instance_id=\"127\\.0\\.0\\.1:" + port + "\"", text);

        // Dashboards: valid JSON, panels with Prometheus queries, and only metric names that exist.
        // distsnn_train_accuracy is served by training processes; its translation follows the same rule as the
        // real-time factor (a gauge of unit 1), which the node serves.
        var known = new HashSet<string>(served)
        {
            PrometheusNames[Telemetry.Names.TrainAccuracy], PrometheusNames[Telemetry.Names.TrainLoss], PrometheusNames[Telemetry.Names.TrainSamples],
        };
        var dashboards = Directory.GetFiles(Path.Combine(CliProcess.RepoRoot, "monitoring", "dashboards"), "*.json").Order().ToArray();
        Assert.Equal(["cluster-overview.json", "job-progress.json", "learning.json", "partition-balance.json"], dashboards.Select(Path.GetFileName));
        foreach (var file in dashboards)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var root = doc.RootElement;
            Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()), $"{file}: no title");
            Assert.False(string.IsNullOrEmpty(root.GetProperty("uid").GetString()), $"{file}: no uid");
            var panels = root.GetProperty("panels").EnumerateArray().ToArray();
            Assert.True(panels.Length >= 2, $"{file}: {panels.Length} panel(s)");
            foreach (var panel in panels)
            {
                var exprs = panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!).ToArray();
                Assert.NotEmpty(exprs);
                foreach (var expr in exprs)
                {
                    var names = MetricName().Matches(expr).Select(m => m.Value).ToArray();
                    Assert.True(names.Length > 0, $"{file}: panel '{panel.GetProperty("title")}' queries no DistSnn metric: {expr}");
                    foreach (var name in names)
                        Assert.True(known.Contains(name), $"{file}: panel '{panel.GetProperty("title")}' queries {name}, which no endpoint serves");
                }
            }
        }
    }

    private sealed record Sample(string Name, string Labels, double Value);

    /// <summary>Samples of the Prometheus text format: <c>name{labels} value</c>, comments skipped.</summary>
    private static List<Sample> Samples(string text)
    {
        var list = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int brace = line.IndexOf('{'), space = line.LastIndexOf(' ');
            int nameEnd = brace >= 0 && brace < space ? brace : line.IndexOf(' ');
            string labels = brace >= 0 && brace < space ? line[brace..(line.LastIndexOf('}') + 1)] : "";
            string[] tail = line[(labels.Length > 0 ? line.LastIndexOf('}') + 1 : nameEnd)..].Trim().Split(' ');
            list.Add(new Sample(line[..nameEnd], labels, double.Parse(tail[0], System.Globalization.CultureInfo.InvariantCulture)));
        }
        return list;
    }

    [GeneratedRegex("distsnn_[a-z_]+")]
    private static partial Regex MetricName();

    private static async Task<bool> Ready(HttpClient http, string endpoint)
    {
        try
        {
            return (await http.GetAsync($"{endpoint}/health/ready")).IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    private static Process StartNode(int port, int adminPort) => TestProcesses.StartCli(
        ["node", "--port", port.ToString(), "--admin-url", $"http://127.0.0.1:{adminPort}", "--admin-token", "s3cret", "--telemetry", "prometheus"]);

    public void Dispose()
    {
        TestProcesses.Stop(_node);
        TestProcesses.DeleteDirectory(_dir);
    }
}
