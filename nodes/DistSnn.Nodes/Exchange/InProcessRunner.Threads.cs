using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace DistSnn.Nodes.Exchange;

/// <summary>
/// Partitions on threads of their own: each steps as soon as its exchange lets it, and its packets go straight into
/// their targets' inboxes, so no partition waits for a round to end, only for the packets it needs (as actors do).
/// </summary>
public sealed partial class InProcessRunner
{
    private Inbox[] _inboxes = [];
    private volatile bool _stop;
    private ExceptionDispatchInfo? _failed;

    /// <summary>Packets handed to a partition by the others' threads, taken into its exchange by its own thread.</summary>
    private sealed class Inbox
    {
        public readonly ConcurrentQueue<(long Epoch, int Source, SpikeBatch Spikes)> Packets = new();
        // Set when a packet arrives (or the run stops); the partition's thread waits on it when its exchange says wait.
        public readonly ManualResetEventSlim Arrived = new(false);
        public volatile bool Waiting;
    }

    private void RunOnThreads(CancellationToken cancel)
    {
        // Packets sent before the start (a restore's) go the usual way first.
        Route();
        _inboxes = _hosted.Select(_ => new Inbox()).ToArray();
        var indexOf = new int[_loops.Length];
        for (int k = 0; k < _hosted.Length; k++) indexOf[_hosted[k].Backend.Partition] = k;
        foreach (var loop in _hosted) _transports[loop.Backend.Partition]!.Direct = (target, epoch, source, spikes) =>
        {
            Observer?.PacketRouted(source, target, epoch, spikes);
            var inbox = _inboxes[indexOf[target]];
            inbox.Packets.Enqueue((epoch, source, spikes));
            inbox.Arrived.Set();
        };
        _stop = false;
        _failed = null;
        var threads = Enumerable.Range(0, _hosted.Length).Select(k => new Thread(() => Work(k))
        {
            IsBackground = true,
            Name = $"distsnn-partition-{_hosted[k].Backend.Partition}",
        }).ToArray();
        // A cancellation stops every partition at its next step, not at the next heartbeat.
        using var stopOnCancel = cancel.Register(Stop);
        try
        {
            foreach (var t in threads) t.Start();
            long lastProgress = -1;
            while (threads.FirstOrDefault(t => t.IsAlive) is { } alive)
            {
                if (alive.Join(100) || _failed is not null || cancel.IsCancellationRequested) continue;
                try
                {
                    Heartbeat?.Invoke();
                }
                catch (Exception e)
                {
                    Fail(e);
                    break;
                }
                lastProgress = CheckStuck(lastProgress);
            }
        }
        finally
        {
            Stop();
            foreach (var t in threads) t.Join();
            foreach (var loop in _hosted) _transports[loop.Backend.Partition]!.Direct = null;
            foreach (var inbox in _inboxes) inbox.Arrived.Dispose();
        }
        _failed?.Throw();
        cancel.ThrowIfCancellationRequested();
    }

    /// <summary>Partition <paramref name="k"/>'s thread: take its packets, step, wait for packets when it must.</summary>
    private void Work(int k)
    {
        var loop = _hosted[k];
        var inbox = _inboxes[k];
        try
        {
            while (!_stop && !loop.Backend.Clock.Finished)
            {
                while (inbox.Packets.TryDequeue(out var p))
                {
                    var verdict = loop.Offer(p.Epoch, p.Source, p.Spikes);
                    if (verdict != PacketVerdict.Accepted)
                        throw new InvalidOperationException($"partition {loop.Backend.Partition} refused epoch {p.Epoch} of partition {p.Source}: {verdict}");
                }
                if (StepTimed(k)) continue;
                // Reset before looking again: a packet that arrives after the look sets it anew.
                inbox.Arrived.Reset();
                if (!inbox.Packets.IsEmpty || _stop) continue;
                inbox.Waiting = true;
                inbox.Arrived.Wait();
                inbox.Waiting = false;
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Fail(Exception e)
    {
        Interlocked.CompareExchange(ref _failed, ExceptionDispatchInfo.Capture(e), null);
        Stop();
    }

    private void Stop()
    {
        _stop = true;
        foreach (var inbox in _inboxes) inbox.Arrived.Set();
    }

    /// <summary>
    /// Between two looks (100 ms apart) nothing moved, and every partition still running waits with an empty inbox: no
    /// packet can come any more, so the run is stuck. Returns this look's progress.
    /// </summary>
    private long CheckStuck(long lastProgress)
    {
        long progress = _hosted.Sum(l => l.Backend.Clock.CurrentStep + l.Backend.Clock.DeliveredEpochs);
        if (progress != lastProgress) return progress;
        var running = Enumerable.Range(0, _hosted.Length).Where(k => !_hosted[k].Backend.Clock.Finished).ToList();
        if (running.Count == 0 || !running.All(k => _inboxes[k].Waiting && _inboxes[k].Packets.IsEmpty)) return progress;
        Fail(new InvalidOperationException("the partitions wait for packets that are not coming: " + string.Join("; ",
            running.Select(k => $"partition {_hosted[k].Backend.Partition} waits for epoch {_hosted[k].Next.Epoch}"))));
        return progress;
    }
}
