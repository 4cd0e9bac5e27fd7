using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using DistSnn.Cluster.Output;

namespace DistSnn.Bench;

/// <summary>
/// <c>distsnn-bench NETWORK --telemetry --node</c>: the cost of exporting telemetry from a running node, the way a
/// service runs. Starts two single-node clusters on loopback, one with <c>--telemetry none</c> and one with
/// <c>--telemetry otlp</c> (metrics every second and every span, to a sink in this process), submits one job to each
/// to get past the first job's compilation, then submits the model to them alternately and compares what a user
/// waits for: <c>distsnn submit --wait --out</c>, submission to results written.
/// </summary>
/// <remarks>
/// On Linux the node that is not running a job is stopped (SIGSTOP) until its turn, so that its idle work (the
/// exporting node's periodic exports, both nodes' cluster timers) never runs during the other's job.
/// </remarks>
internal static class NodeTelemetryBench
{
    public static int Run(string model, double scale, int partitions, int runs, string? duration, bool json)
    {
        using var sink = new TelemetryBench.OtlpSink();
        string distsnn = Path.Combine(AppContext.BaseDirectory, "distsnn.dll");
        using var plain = BenchNode.Start(distsnn, "none", null);
        using var exporting = BenchNode.Start(distsnn, "otlp", psi =>
        {
            psi.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.Url;
            psi.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            psi.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = TelemetryBench.Interval;
        });
        if (!BenchNode.CanPause) Console.Error.WriteLine("note: nodes cannot be paused on this system; the idle node keeps running");
        plain.Pause();
        exporting.Pause();
        BenchCommand.Sample? Turn(BenchNode node)
        {
            node.Resume();
            try
            {
                return node.Job(model, scale, partitions, duration);
            }
            finally
            {
                node.Pause();
            }
        }

        var first = Turn(plain);
        var firstExported = Turn(exporting);
        if (first is null || firstExported is null) return 1;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first job (not counted): without {first.ProcessWall:F2} s, with OTLP {firstExported.ProcessWall:F2} s"));

        var off = new List<BenchCommand.Sample>();
        var on = new List<BenchCommand.Sample>();
        for (int r = 0; r < runs; r++)
        {
            // Alternate, and swap which goes first each round, as the process benchmark does.
            long before = sink.MetricRequests;
            BenchCommand.Sample? a, b;
            if (r % 2 == 0)
            {
                a = Turn(plain);
                b = Turn(exporting);
            }
            else
            {
                b = Turn(exporting);
                a = Turn(plain);
            }
            if (a is null || b is null) return 1;
            if (sink.MetricRequests == before)
            {
                Console.Error.WriteLine("error: the node with --telemetry otlp exported no metrics to the sink during its job");
                return 1;
            }
            off.Add(a);
            on.Add(b);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"job {r + 1}/{runs}: without {a.ProcessWall:F2} s (simulate {a.Summary.SimulateSeconds:F2} s), " +
                $"with OTLP {b.ProcessWall:F2} s (simulate {b.Summary.SimulateSeconds:F2} s), {sink.MetricRequests - before} metric exports"));
        }
        return TelemetryBench.Report($"telemetry overhead on running nodes, {Path.GetFileNameWithoutExtension(model)}", "submit",
            "submit → results", model, scale, partitions, off, on, sink, json, [first, firstExported],
            new Dictionary<string, object> { ["idle_node_paused"] = BenchNode.CanPause });
    }

    /// <summary>A single-node cluster: a <c>distsnn node</c> process that seeds itself, with its admin endpoint.</summary>
    private sealed class BenchNode : IDisposable
    {
        private const int SigCont = 18, SigStop = 19; // Linux signal numbers
        private readonly Process _process;
        private readonly string _distsnn;
        private readonly string _endpoint;
        private int _jobs;

        private BenchNode(Process process, string distsnn, string endpoint)
        {
            _process = process;
            _distsnn = distsnn;
            _endpoint = endpoint;
        }

        public static bool CanPause => OperatingSystem.IsLinux();

        /// <summary>Starts a node with <c>--telemetry <paramref name="telemetry"/></c> and waits until it is up and warmed up.</summary>
        public static BenchNode Start(string distsnn, string telemetry, Action<ProcessStartInfo>? configure)
        {
            int port = ClusterBench.FreePort(), admin = ClusterBench.FreePort();
            string endpoint = $"http://127.0.0.1:{admin}";
            var p = ClusterBench.Start(distsnn, configure, "node", "--port", port.ToString(CultureInfo.InvariantCulture),
                "--seed", $"127.0.0.1:{port}", "--admin-url", endpoint, "--telemetry", telemetry);
            var node = new BenchNode(p, distsnn, endpoint);
            try
            {
                ClusterBench.WaitForMembers(endpoint, 1, [p]);
                ClusterBench.WaitForReady(endpoint);
            }
            catch
            {
                node.Dispose();
                throw;
            }
            return node;
        }

        /// <summary>Submits the model, waits for its results, and returns the submit command's wall time and the summary.</summary>
        public BenchCommand.Sample? Job(string model, double scale, int partitions, string? duration)
        {
            string outDir = BenchCommand.NewOutDir();
            try
            {
                string job = $"bench-{++_jobs}";
                return ClusterBench.Submit(_distsnn, _endpoint, job, model, scale, partitions, duration, outDir) is { } wall
                    ? new BenchCommand.Sample(wall, SummaryWriter.Read(Path.Combine(outDir, "summary.json")))
                    : null;
            }
            finally
            {
                if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
            }
        }

        public void Pause() => Signal(SigStop);

        public void Resume() => Signal(SigCont);

        private void Signal(int signal)
        {
            if (!CanPause) return;
            if (Kill(_process.Id, signal) != 0)
                throw new InvalidOperationException($"could not send signal {signal} to node process {_process.Id}: errno {Marshal.GetLastPInvokeError()}");
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited) _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
            _process.Dispose();
        }

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int Kill(int pid, int signal);
    }
}
