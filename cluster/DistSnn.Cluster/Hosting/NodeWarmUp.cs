using System.Diagnostics;
using System.Text;
using DistSnn.Cluster.Output;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;

namespace DistSnn.Cluster.Hosting;

/// <summary>
/// Runs a small job on this node's own CPU before the node reports ready, so that the runtime compiles the model
/// reader, partitioner, coordinator, partition actors, kernels, message codec and results writer then, not during
/// the first real job. A fresh node otherwise spends most of a core compiling while that job's partitions compete
/// for the same cores. The job runs twice: in a private actor system with every message passed through the cluster
/// serializer, then on two private nodes in this process that form a cluster of their own over loopback (remoting,
/// sharding, the coordinator singleton). It sends nothing to other nodes and counts nothing in <c>/wire</c>; its metrics
/// carry the job tag <see cref="JobId"/>.
/// </summary>
public sealed partial class NodeWarmUp
{
    /// <summary>The warm-up job's id, as its metrics and spans carry it.</summary>
    public const string JobId = "distsnn-node-warm-up";

    // A Brunel-like network a hundredth of the benchmark's size: the same neuron model, connectors, delays and
    // inputs, so the same code paths; long enough (3,000 steps) for the hot loops to be recompiled optimised.
    private const string Model = $$$"""
        name: {{{JobId}}}
        run: {dt: 0.1 ms, duration: 300 ms, seed: 1}
        populations:
          - {name: exc, size: 400, model: lif_delta, parameters: &lif {tau_m: 20 ms, c_m: 250 pF, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV, t_ref: 2 ms}, initial: {v: uniform(0 mV, 20 mV)}}
          - {name: inh, size: 100, model: lif_delta, parameters: *lif, initial: {v: uniform(0 mV, 20 mV)}}
        projections:
          - {source: exc, target: exc, connector: {type: fixed_probability, p: 0.1, allow_self_connections: false}, weight: 0.1 mV, delay: 1.5 ms, receptor: exc}
          - {source: exc, target: inh, connector: {type: fixed_probability, p: 0.1}, weight: 0.1 mV, delay: 1.5 ms, receptor: exc}
          - {source: inh, target: exc, connector: {type: fixed_probability, p: 0.1}, weight: -0.5 mV, delay: 1.5 ms, receptor: inh}
          - {source: inh, target: inh, connector: {type: fixed_probability, p: 0.1, allow_self_connections: false}, weight: -0.5 mV, delay: 1.5 ms, receptor: inh}
        poisson_inputs:
          - {target: exc, sources: 1000, rate: 20 Hz, weight: 0.1 mV, receptor: exc}
          - {target: inh, sources: 1000, rate: 20 Hz, weight: 0.1 mV, receptor: exc}
        record:
          spikes: [exc, inh]
        """;

    private readonly TaskCompletionSource<TimeSpan> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _enabled;
    private int _started;

    /// <summary>A warm-up that <see cref="Begin"/> runs when <paramref name="enabled"/>, else one already finished.</summary>
    public NodeWarmUp(bool enabled)
    {
        _enabled = enabled;
        if (!enabled) _done.SetResult(TimeSpan.Zero);
    }

    /// <summary>Completes with the warm-up's duration, or fails with what went wrong.</summary>
    public Task<TimeSpan> Completion => _done.Task;

    /// <summary>
    /// True once the warm-up has run. A failed warm-up counts as finished: the node works without it, only its first
    /// job is slower, and the failure is printed.
    /// </summary>
    public bool Finished => _done.Task.IsCompleted;

    /// <summary>Starts the warm-up on the thread pool (once; later calls do nothing).</summary>
    public void Begin()
    {
        if (!_enabled || Interlocked.Exchange(ref _started, 1) == 1) return;
        _ = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        try
        {
            // First in one actor system with every message through the codec, then on two private nodes over
            // loopback remoting and cluster sharding (see RunOnPrivateClusterAsync). The runtime recompiles a method
            // optimised after about 30 calls, and much of a job's code (model reading, building, gathering) runs only
            // a few times per job, hence two jobs.
            var spec = ModelLoader.LoadBytes(Encoding.UTF8.GetBytes(Model), "warm-up.yaml");
            var report = await LocalRunner.RunAsync(spec, new RunOptions { Partitions = 2, SerializeMessages = true, Transport = RunTransport.Akka }).ConfigureAwait(false);
            CheckResults(report);
            try
            {
                await RunOnPrivateClusterAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The node works without this round; its first cluster job then compiles the remoting path as it goes.
                PrivateClusterError = e.Message;
                Console.Error.WriteLine($"warning: node warm-up on a private two-node cluster failed, the node serves without it: {e.Message}");
            }
            await JitQuiet(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            _done.SetResult(clock.Elapsed);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"warning: node warm-up failed, the node serves without it (its first job compiles as it goes): {e}");
            _done.SetException(e);
        }
    }

    /// <summary>Why the warm-up's round on a private two-node cluster failed; null when it ran (or has not yet).</summary>
    public string? PrivateClusterError { get; private set; }

    private static void CheckResults(RunReport report)
    {
        if (report.Summary.Spikes == 0) throw new InvalidOperationException("the warm-up network fired no spikes");
        // The coordinator's node writes and zips every job's results folder for the client.
        if (ResultsArchive.Create(report.Job, csv: false).Length == 0) throw new InvalidOperationException("the warm-up's results archive is empty");
    }

    /// <summary>
    /// Waits until the background compiler has caught up (no method compiled for a quarter of a second), at most
    /// <paramref name="limit"/>: the optimised versions of what the warm-up ran are queued, not yet compiled, when it ends.
    /// </summary>
    private static async Task JitQuiet(TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        long last = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (clock.Elapsed < limit)
        {
            await Task.Delay(250).ConfigureAwait(false);
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == last) return;
            last = now;
        }
    }

    /// <summary>Begins the node's warm-up when the host starts.</summary>
    public sealed class Starter(NodeWarmUp warmUp) : Microsoft.Extensions.Hosting.IHostedService
    {
        /// <inheritdoc />
        public Task StartAsync(CancellationToken cancellationToken)
        {
            warmUp.Begin();
            return Task.CompletedTask;
        }

        /// <inheritdoc />
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
