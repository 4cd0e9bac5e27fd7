using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;

namespace DistSnn.Bench.Scaling;

/// <summary>
/// The packet micro-benchmarks: MessagePack encoding and decoding of real <see cref="SpikePacket"/>s through the
/// serializer Akka uses, and packets between two actor systems over loopback TCP (Akka remoting with the node's
/// transport settings): round trips one at a time, and a stream for the CPU and bytes per packet.
/// </summary>
internal static class WireBench
{
    /// <summary>Encoding and decoding of one packet of <paramref name="Spikes"/> spikes (medians, ns), and its size.</summary>
    internal sealed record SerializeRow(int Spikes, double EncodeNs, double DecodeNs, int Bytes, double ModelSpikeBytes);

    /// <summary>Round trip of one packet of <paramref name="Spikes"/> spikes between the two systems (µs: median, 10th and 90th percentile).</summary>
    internal sealed record RoundTripRow(int Spikes, double MedianUs, double P10Us, double P90Us);

    /// <summary>
    /// The lockstep exchange (µs per exchange): the mean is what an epoch costs; the intervals themselves alternate, since
    /// the packets form two interleaved chains (a peer's packet e + 1 answers the other's packet e).
    /// </summary>
    internal sealed record LockstepRow(int Exchanges, double MeanUs, double MedianUs, double P10Us, double P90Us);

    /// <summary>A stream of <paramref name="Packets"/> packets one way: wall and process CPU per packet (µs), bytes on the loopback interface per packet (NaN where unreadable).</summary>
    internal sealed record StreamRow(int Spikes, int Packets, double WallUs, double CpuUs, double LoopbackBytes);

    private const string Job = "bench-0000";

    // Packets of a stream but the last carry this job id: the echo does not answer them.
    private const string QuietJob = "bench-quiet";

    /// <summary>A packet of an epoch of <paramref name="steps"/> steps from a partition of <paramref name="sources"/> neurons (ids from 6,250 on), sorted by (stamp, gid).</summary>
    internal static SpikePacket Packet(int spikes, int sources = 6250, int steps = 7, long epoch = 1000, int seed = 1)
    {
        var random = new Random(seed);
        var pairs = new (long Stamp, long Gid)[spikes];
        for (int i = 0; i < spikes; i++) pairs[i] = (epoch * steps + random.Next(steps), sources + random.Next(sources));
        Array.Sort(pairs);
        return new SpikePacket(Job, epoch, 1, pairs.Select(p => p.Stamp).ToArray(), pairs.Select(p => p.Gid).ToArray());
    }

    public static List<SerializeRow> Serialize(int[] sizes, int repeats)
    {
        using var system = ActorSystem.Create("wire-bench", ConfigurationFactory.ParseString("distsnn.serializer.uncounted = on\nakka.loglevel = WARNING")
            .WithFallback(DistSnnSerializer.Config));
        var serializer = (SerializerWithStringManifest)system.Serialization.FindSerializerForType(typeof(SpikePacket));
        // Every size once for a while first, so that what is measured is compiled code, not its tiers on the way.
        var warmUp = Stopwatch.StartNew();
        while (warmUp.ElapsedMilliseconds < 500)
            foreach (int n in sizes)
            {
                var packet = Packet(n);
                serializer.FromBinary(serializer.ToBinary(packet), serializer.Manifest(packet));
            }
        var rows = new List<SerializeRow>();
        foreach (int n in sizes)
        {
            var packet = Packet(n);
            string manifest = serializer.Manifest(packet);
            byte[] bytes = serializer.ToBinary(packet);
            // About 20 ms per repeat whatever the size.
            int iterations = Math.Max(20, 400_000 / (n + 20));
            var encode = new List<double>();
            var decode = new List<double>();
            for (int r = 0; r < repeats + 1; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < iterations; i++) bytes = serializer.ToBinary(packet);
                long t1 = Stopwatch.GetTimestamp();
                object? back = null;
                for (int i = 0; i < iterations; i++) back = serializer.FromBinary(bytes, manifest);
                long t2 = Stopwatch.GetTimestamp();
                if (back is not SpikePacket p || p.Gids.Length != n) throw new InvalidOperationException("the packet did not come back");
                if (r == 0) continue; // warm-up
                encode.Add(1e9 * (t1 - t0) / Stopwatch.Frequency / iterations);
                decode.Add(1e9 * (t2 - t1) / Stopwatch.Frequency / iterations);
            }
            double model = ScalingModel.SpikeBytes(n, 6250, 7, 12_500);
            rows.Add(new SerializeRow(n, BenchCommand.Median(encode), BenchCommand.Median(decode), bytes.Length, model));
        }
        return rows;
    }

    private static Config RemoteConfig(string extra = "") => ConfigurationFactory.ParseString($$"""
        akka.actor.provider = remote
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.remote.dot-netty.tcp {
          hostname = "127.0.0.1"
          port = 0
          # As on a node (NodeHost): packets are written at once, not batched.
          batching.enabled = false
          maximum-frame-size = 33554432b
          send-buffer-size = 67108864b
          receive-buffer-size = 67108864b
        }
        distsnn.serializer.uncounted = on
        {{extra}}
        """).WithFallback(DistSnnSerializer.Config);

    /// <summary>Starts two actor systems with remoting on loopback and an echo actor in the second; returns them and the echo's remote reference.</summary>
    private static (ActorSystem A, ActorSystem B, IActorRef Remote) Pair()
    {
        var a = ActorSystem.Create("wire-a", RemoteConfig());
        var b = ActorSystem.Create("wire-b", RemoteConfig());
        b.ActorOf(Props.Create(() => new Echo()), "echo");
        var address = ((ExtendedActorSystem)b).Provider.DefaultAddress;
        var remote = a.ActorSelection($"{address}/user/echo").ResolveOne(TimeSpan.FromSeconds(10)).Result;
        return (a, b, remote);
    }

    /// <summary>Round trips of each size, streams of each size, and the lockstep exchange of empty packets.</summary>
    public static (List<RoundTripRow> RoundTrips, List<StreamRow> Streams, LockstepRow Lockstep) Loopback(int[] sizes, int roundTrips,
        int[] streamSizes, int streamPackets)
    {
        var (a, b, remote) = Pair();
        try
        {
            var trips = new List<RoundTripRow>();
            foreach (int n in sizes)
            {
                var packet = Packet(n);
                RoundTrips(a, remote, packet, Math.Max(50, roundTrips / 10)); // warm-up
                var us = RoundTrips(a, remote, packet, roundTrips).Select(t => t * 1e6).OrderBy(t => t).ToArray();
                trips.Add(new RoundTripRow(n, BenchCommand.Median(us), us[us.Length / 10], us[us.Length * 9 / 10]));
            }
            var streams = new List<StreamRow>();
            foreach (int n in streamSizes)
            {
                var packet = Packet(n);
                Stream(a, remote, packet, Math.Max(100, streamPackets / 10)); // warm-up
                var rows = Enumerable.Range(0, 5).Select(_ => Stream(a, remote, packet, streamPackets)).ToList();
                streams.Add(new StreamRow(n, streamPackets, BenchCommand.Median(rows.Select(r => r.Wall)) * 1e6 / streamPackets,
                    BenchCommand.Median(rows.Select(r => r.Cpu)) * 1e6 / streamPackets, BenchCommand.Median(rows.Select(r => r.Bytes)) / streamPackets));
            }
            Lockstep(a, b, Math.Max(50, roundTrips / 10)); // warm-up
            var steps = Lockstep(a, b, roundTrips).Select(t => t * 1e6).OrderBy(t => t).ToArray();
            return (trips, streams, new LockstepRow(steps.Length, steps.Average(), BenchCommand.Median(steps), steps[steps.Length / 10], steps[steps.Length * 9 / 10]));
        }
        finally
        {
            Task.WaitAll(a.Terminate(), b.Terminate());
        }
    }

    /// <summary><paramref name="count"/> round trips one after the other; the seconds of each.</summary>
    private static double[] RoundTrips(ActorSystem system, IActorRef remote, SpikePacket packet, int count)
    {
        var done = new TaskCompletionSource<double[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new Pinger(remote, packet, count, done)));
        return done.Task.Wait(TimeSpan.FromSeconds(120)) ? done.Task.Result : throw new TimeoutException("round trips did not finish in 120 s");
    }

    /// <summary>
    /// Two peers, one in each system, that each send epoch 0's packet and then, on receiving the other's packet of
    /// epoch e, send their packet of epoch e + 1: the exchange of two partitions with lag 1 and nothing to compute.
    /// Returns the seconds between consecutive packets arriving at the first peer.
    /// </summary>
    private static double[] Lockstep(ActorSystem a, ActorSystem b, int count)
    {
        var done = new TaskCompletionSource<double[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        string name = "lockstep-" + Guid.NewGuid().ToString("N")[..8];
        var first = a.ActorOf(Props.Create(() => new Peer(count, done)), name);
        var firstThere = b.ActorSelection($"{((ExtendedActorSystem)a).Provider.DefaultAddress}/user/{name}").ResolveOne(TimeSpan.FromSeconds(10)).Result;
        var second = b.ActorOf(Props.Create(() => new Peer(count, null)));
        var secondThere = a.ActorSelection($"{((ExtendedActorSystem)b).Provider.DefaultAddress}/user/{second.Path.Name}").ResolveOne(TimeSpan.FromSeconds(10)).Result;
        first.Tell(secondThere);
        second.Tell(firstThere);
        return done.Task.Wait(TimeSpan.FromSeconds(120)) ? done.Task.Result : throw new TimeoutException("the lockstep exchange did not finish in 120 s");
    }

    /// <summary>
    /// A lockstep peer: told its peer's reference, it sends epoch 0, then epoch e + 1 for each epoch e received, up to
    /// <c>count</c>; the first peer completes <c>done</c> with the times between arrivals.
    /// </summary>
    private sealed class Peer : ReceiveActor
    {
        public Peer(int count, TaskCompletionSource<double[]>? done)
        {
            IActorRef? other = null;
            var times = new double[count];
            long last = 0;
            Receive<IActorRef>(peer =>
            {
                other = peer;
                last = Stopwatch.GetTimestamp();
                other.Tell(new SpikePacket(Job, 0, 0, [], []));
            });
            Receive<SpikePacket>(p =>
            {
                long now = Stopwatch.GetTimestamp();
                if (p.Epoch < count) times[p.Epoch] = Stopwatch.GetElapsedTime(last, now).TotalSeconds;
                last = now;
                if (p.Epoch + 1 < count) other!.Tell(new SpikePacket(Job, p.Epoch + 1, 0, [], []));
                else
                {
                    done?.TrySetResult(times);
                    Context.Stop(Self);
                }
            });
        }
    }

    /// <summary><paramref name="count"/> packets sent at once; the echo answers the last. Wall and process CPU seconds, and loopback bytes.</summary>
    private static (double Wall, double Cpu, double Bytes) Stream(ActorSystem system, IActorRef remote, SpikePacket packet, int count)
    {
        var done = new TaskCompletionSource<double[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var last = packet with { Job = "bench-last" };
        using var self = Process.GetCurrentProcess();
        double cpu0 = self.TotalProcessorTime.TotalSeconds, bytes0 = LoopbackBytes();
        long t0 = Stopwatch.GetTimestamp();
        system.ActorOf(Props.Create(() => new Streamer(remote, packet, last, count, done)));
        if (!done.Task.Wait(TimeSpan.FromSeconds(120))) throw new TimeoutException("the stream did not finish in 120 s");
        double wall = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        self.Refresh();
        return (wall, self.TotalProcessorTime.TotalSeconds - cpu0, LoopbackBytes() - bytes0);
    }

    /// <summary>Bytes sent on the loopback interface so far (Linux), or NaN.</summary>
    private static double LoopbackBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/net/dev"))
            {
                var parts = line.Split(':', 2);
                if (parts.Length == 2 && parts[0].Trim() == "lo")
                    return double.Parse(parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[8], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
            // no /proc
        }
        catch (UnauthorizedAccessException)
        {
            // not readable here
        }
        return double.NaN;
    }

    /// <summary>Answers every packet to its sender; only the marked last one of a stream.</summary>
    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<SpikePacket>(p =>
        {
            if (p.Job != QuietJob) Sender.Tell(p);
        });
    }

    /// <summary>Sends a packet, waits for it to come back, <c>count</c> times; completes with the round trips in seconds.</summary>
    private sealed class Pinger : ReceiveActor
    {
        public Pinger(IActorRef remote, SpikePacket packet, int count, TaskCompletionSource<double[]> done)
        {
            var times = new double[count];
            int at = 0;
            long sent = 0;
            Receive<SpikePacket>(_ =>
            {
                times[at++] = Stopwatch.GetElapsedTime(sent).TotalSeconds;
                if (at == count)
                {
                    done.TrySetResult(times);
                    Context.Stop(Self);
                    return;
                }
                sent = Stopwatch.GetTimestamp();
                remote.Tell(packet);
            });
            sent = Stopwatch.GetTimestamp();
            remote.Tell(packet);
        }
    }

    /// <summary>Sends <c>count</c> packets (the echo answers none) and a last one it answers.</summary>
    private sealed class Streamer : ReceiveActor
    {
        public Streamer(IActorRef remote, SpikePacket packet, SpikePacket last, int count, TaskCompletionSource<double[]> done)
        {
            var quiet = packet with { Job = QuietJob };
            Receive<SpikePacket>(_ =>
            {
                done.TrySetResult([]);
                Context.Stop(Self);
            });
            for (int i = 0; i < count - 1; i++) remote.Tell(quiet);
            remote.Tell(last);
        }
    }
}
