using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DistSnn.Bench.Scaling;

/// <summary>
/// <c>distsnn-bench components [--runs R] [--out FILE] [--quick]</c>: the per-component costs of the scaling model.
/// Engine costs come from small generated networks, each run R times in fresh <c>distsnn run</c> processes (medians of
/// the simulate phase, which leaves out start-up and build), fitted by least squares; packet costs from
/// <see cref="WireBench"/> in this process. Writes the fitted <see cref="ComponentConstants"/> and every measurement
/// as JSON.
/// </summary>
internal static class ComponentBench
{
    /// <summary>One generated network's medians.</summary>
    internal sealed record EngineRow(string Name, int Partitions, double Steps, double Epochs, double Neurons, double Spikes, double Events, double SimulateSeconds);

    /// <summary>Everything one <c>components</c> run measured, and the constants fitted from it.</summary>
    internal sealed record Report(string Machine, int Runs, string LoadBefore, string LoadAfter, ComponentConstants Constants, IReadOnlyList<EngineRow> Engine,
        IReadOnlyList<WireBench.SerializeRow> Serialize, IReadOnlyList<WireBench.RoundTripRow> RoundTrips, IReadOnlyList<WireBench.StreamRow> Streams,
        WireBench.LockstepRow Lockstep);

    private static readonly CultureInfo Ci = CultureInfo.InvariantCulture;

    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        int runs = 5;
        bool quick = false;
        string? outFile = null;
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--runs": runs = int.Parse(Next(), Ci); break;
                case "--out": outFile = Next(); break;
                case "--quick": quick = true; break;
                default:
                    Console.Error.WriteLine($"error: unknown option {args[i]}");
                    return 2;
            }
        }
        if (runs < 1)
        {
            Console.Error.WriteLine("error: --runs must be >= 1");
            return 2;
        }
        if (quick) runs = 1;
        string dir = BenchCommand.NewOutDir("components");
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "";
        Directory.CreateDirectory(dir);
        try
        {
            var engine = new List<EngineRow>();
            double scale = quick ? 0.1 : 1;
            int N(double n) => (int)Math.Round(n * scale);
            // Neuron loops are compiled optimised at once: half a second is steady; firing networks run longer.
            string duration = quick ? "50 ms" : "500 ms", firing = quick ? "50 ms" : "1000 ms";
            foreach (var model in new[] { "lif_delta", "lif_exp_current" })
                foreach (int n in new[] { N(20_000), N(100_000), N(400_000) })
                {
                    var row = Measure(dir, $"neurons-{model}-{n}", Neurons(model, n, poisson: false), 1, duration, runs);
                    if (row is null) return 1;
                    engine.Add(row with { Neurons = n });
                }
            foreach (int n in new[] { N(10_000), N(50_000), N(100_000) })
            {
                var row = Measure(dir, $"poisson-{n}", Neurons("lif_delta", n, poisson: true), 1, duration, runs);
                if (row is null) return 1;
                engine.Add(row with { Neurons = n });
            }
            foreach (bool spread in new[] { false, true })
                foreach (var (k, current) in EventRuns)
                {
                    var row = Measure(dir, EventRunName(spread, k, current), Events(N(20_000), k, current, spread), 1, firing, runs);
                    if (row is null) return 1;
                    engine.Add(row);
                }
            foreach (var (p, transport) in new[] { (1, "inproc"), (2, "inproc"), (2, "akka") })
            {
                var row = Measure(dir, $"epochs-{p}" + (transport == "akka" ? "-akka" : ""), Epochs(), p, quick ? "1000 ms" : "10000 ms", runs, transport);
                if (row is null) return 1;
                engine.Add(row);
            }

            Console.Error.WriteLine("serialisation ...");
            var serialize = WireBench.Serialize([0, 1, 10, 100, 1000, 10_000], quick ? 3 : 15);
            Console.Error.WriteLine("loopback ...");
            var (trips, streams, lockstep) = WireBench.Loopback([0, 100, 1000, 10_000], quick ? 200 : 2000, [0, 100], quick ? 2000 : 20_000);
            var constants = FitConstants(engine, serialize, trips, streams, lockstep);
            var report = new Report($"{Environment.ProcessorCount} cores, {Environment.OSVersion}", runs, load, File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "",
                constants, engine, serialize, trips, streams, lockstep);
            string json = JsonSerializer.Serialize(report, Json);
            if (outFile is not null) File.WriteAllText(outFile, json);
            Print(report);
            return 0;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>The constants from the measurements (see docs/scaling.md for what each fit takes).</summary>
    internal static ComponentConstants FitConstants(IReadOnlyList<EngineRow> engine, IReadOnlyList<WireBench.SerializeRow> serialize,
        IReadOnlyList<WireBench.RoundTripRow> trips, IReadOnlyList<WireBench.StreamRow> streams, WireBench.LockstepRow lockstep)
    {
        // Per step: a fixed part plus a cost per neuron; the slope is the neuron update.
        (double Intercept, double Slope) PerStep(string prefix)
        {
            var rows = engine.Where(r => r.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            return Fit.Line(rows.Select(r => r.Neurons).ToList(), rows.Select(r => 1e9 * r.SimulateSeconds / r.Steps).ToList());
        }
        var neuron = new Dictionary<string, double>
        {
            ["lif_delta"] = PerStep("neurons-lif_delta-").Slope,
            ["lif_exp_current"] = PerStep("neurons-lif_exp_current-").Slope,
        };
        double poisson = PerStep("poisson-").Slope - neuron["lif_delta"];
        // Firing networks minus the quiet one of the same size and epochs: a constant (code first reached once neurons
        // fire), per spike emitted (threshold, recording, routing), per spike received (merge, row look-up) and per
        // event. The networks without synapses between the firing neurons emit spikes that nobody receives.
        (double Constant, double Emit, double Receive, double Event) Events(string kind)
        {
            var quiet = engine.Single(r => r.Name == $"events-{kind}-quiet");
            var rows = engine.Where(r => r.Name.StartsWith($"events-{kind}-", StringComparison.Ordinal) && r != quiet).ToList();
            var b = Fit.Linear(rows.Select(r => new[] { 1, r.Spikes, r.Events > 0 ? r.Spikes : 0, r.Events }).ToList(),
                rows.Select(r => 1e9 * (r.SimulateSeconds - quiet.SimulateSeconds)).ToList());
            return (b[0], b[1], b[2], b[3]);
        }
        var constant = Events("constant");
        var spread = Events("spread");
        var one = engine.Single(r => r.Name == "epochs-1");
        var two = engine.Single(r => r.Name == "epochs-2");
        var actors = engine.Single(r => r.Name == "epochs-2-akka");
        double epochNs = 1e9 * one.SimulateSeconds / one.Epochs;
        var ser = Fit.Line(serialize.Select(r => (double)r.Spikes).ToList(), serialize.Select(r => r.EncodeNs + r.DecodeNs).ToList());
        var small = streams.OrderBy(s => s.Spikes).First();
        return new ComponentConstants
        {
            NeuronNs = neuron,
            PoissonNs = poisson,
            EventNs = constant.Event,
            EventSpreadNs = spread.Event,
            // Means of the two fits: the per-spike work does not depend on the delays.
            SpikeNs = (constant.Emit + spread.Emit) / 2,
            ReceivedSpikeNs = (constant.Receive + spread.Receive) / 2,
            FiringConstantSeconds = 1e-9 * (constant.Constant + spread.Constant) / 2,
            EpochNs = epochNs,
            LocalPacketNs = 1e9 * two.SimulateSeconds / two.Epochs - epochNs,
            ActorLocalPacketNs = 1e9 * actors.SimulateSeconds / actors.Epochs - epochNs,
            SerializePacketNs = serialize.Single(r => r.Spikes == 0).EncodeNs + serialize.Single(r => r.Spikes == 0).DecodeNs,
            SerializeSpikeNs = ser.Slope,
            RemotePacketUs = small.CpuUs,
            OneWayUs = trips.OrderBy(t => t.Spikes).First().MedianUs / 2,
            LockstepUs = lockstep.MeanUs,
            WireBytesPerPacket = small.LoopbackBytes,
        };
    }

    private static EngineRow? Measure(string dir, string name, string yaml, int partitions, string duration, int runs, string transport = "inproc")
    {
        string file = Path.Combine(dir, name + ".yaml");
        File.WriteAllText(file, yaml);
        var samples = new List<BenchCommand.Sample>();
        for (int r = 0; r < runs; r++)
        {
            var s = BenchCommand.RunOnce(file, 1, partitions, duration, psi =>
            {
                psi.ArgumentList.Add("--transport");
                psi.ArgumentList.Add(transport);
            });
            if (s is null) return null;
            samples.Add(s);
        }
        var s0 = samples[0].Summary;
        var spec = DistSnn.Model.ModelLoader.LoadFile(file);
        double steps = spec.Run.Grid.Steps(s0.DurationMs);
        double epochs = Math.Ceiling(steps / spec.EpochSteps());
        var row = new EngineRow(name, partitions, steps, epochs, s0.Neurons, BenchCommand.Median(samples.Select(s => (double)s.Summary.Spikes)),
            BenchCommand.Median(samples.Select(s => (double)s.Summary.SynapticEvents)), BenchCommand.Median(samples.Select(s => s.Summary.SimulateSeconds)));
        Console.Error.WriteLine(string.Create(Ci, $"{name}: simulate {row.SimulateSeconds:F3} s (median of {runs}), {row.Spikes:N0} spikes, {row.Events:N0} events"));
        return row;
    }

    private const string Delta = "{tau_m: 20 ms, c_m: 250 pF, e_l: 0 mV, v_th: 20 mV, v_reset: 10 mV, t_ref: 2 ms";
    private const string ExpCurrent = "{tau_m: 10 ms, c_m: 250 pF, e_l: -65 mV, v_th: -50 mV, v_reset: -65 mV, t_ref: 2 ms, tau_syn_exc: 0.5 ms, tau_syn_inh: 0.5 ms";

    /// <summary>
    /// Two never-firing neurons joined both ways with the given delay: they fix the network's minimum delay, hence its
    /// epochs, whatever else the network holds, and join the partitions of a two-partition run.
    /// </summary>
    private static string Pin() => $$"""
          - name: pin
            size: 2
            model: lif_delta
            parameters: {{Delta}}}
        """ + "\n";

    private static string PinProjection(string delay) =>
        $"  - {{source: pin, target: pin, connector: {{type: all_to_all}}, weight: 0 mV, delay: {delay}}}\n";

    /// <summary>Quiet neurons (no input, at rest), optionally with Poisson input too weak to make them fire; epochs of 7 steps.</summary>
    internal static string Neurons(string model, int n, bool poisson)
    {
        var sb = new StringBuilder();
        sb.Append("name: neurons\nrun: {dt: 0.1 ms, duration: 500 ms, seed: 1}\npopulations:\n");
        sb.Append($"  - name: n\n    size: {n}\n    model: {model}\n    parameters: {(model == "lif_delta" ? Delta : ExpCurrent)}}}\n");
        sb.Append(Pin());
        sb.Append("projections:\n").Append(PinProjection("1.5 ms"));
        if (poisson) sb.Append("poisson_inputs:\n  - {target: n, sources: 1000, rate: 20 Hz, weight: 0.000001 mV, receptor: exc}\n");
        return sb.ToString();
    }

    /// <summary>The event networks: (K, current in pA); 0 pA is the quiet one (with K = 1000); K = 0 has no synapses between the firing neurons.</summary>
    internal static readonly (int K, int Current)[] EventRuns = [(1000, 0), (0, 300), (0, 500), (10, 300), (100, 300), (1000, 300), (100, 500)];

    internal static string EventRunName(bool spread, int k, int current) =>
        $"events-{(spread ? "spread" : "constant")}-" + (current == 0 ? "quiet" : $"{k}-{current}pA");

    /// <summary>
    /// N <c>lif_delta</c> neurons, K synapses onto each of so small a weight that they do not change the firing,
    /// driven by a constant current (300 pA: about 37 Hz; 500 pA: about 99 Hz; 0: silent), asynchronously from uniform
    /// initial potentials; spikes recorded as the example networks record them. Delays 1.5 ms, or drawn per synapse
    /// from normal(1.5 ms, 0.75 ms) (then the minimum delay, and the epoch, is one step).
    /// </summary>
    internal static string Events(int n, int k, int current, bool spread)
    {
        string delay = spread ? "normal(1.5 ms, 0.75 ms)" : "1.5 ms";
        var sb = new StringBuilder();
        sb.Append("name: events\nrun: {dt: 0.1 ms, duration: 1000 ms, seed: 1}\npopulations:\n");
        sb.Append($"  - name: n\n    size: {n}\n    model: lif_delta\n    parameters: {Delta}, i_e: {current} pA}}\n");
        sb.Append("    initial: {v: uniform(0 mV, 20 mV)}\n");
        sb.Append(Pin());
        sb.Append("projections:\n");
        if (k > 0)
            sb.Append($"  - {{source: n, target: n, connector: {{type: fixed_number_pre, n: {k}}}, weight: 0.00001 mV, delay: \"{delay}\"}}\n");
        sb.Append(PinProjection(spread ? "0.1 ms" : "1.5 ms"));
        sb.Append("record:\n  spikes: [n]\n");
        return sb.ToString();
    }

    /// <summary>Only the two pin neurons, with a delay of one step: every epoch is one step, and nothing else is done.</summary>
    internal static string Epochs() =>
        "name: epochs\nrun: {dt: 0.1 ms, duration: 10000 ms, seed: 1}\npopulations:\n" + Pin() + "projections:\n" + PinProjection("0.1 ms");

    private static void Print(Report r)
    {
        var k = r.Constants;
        Console.WriteLine($"components, {r.Runs} runs per network (medians), {r.Machine}; load average before: {r.LoadBefore}, after: {r.LoadAfter}");
        Console.WriteLine(string.Create(Ci, $"  neuron update lif_delta        {k.NeuronNs["lif_delta"],8:F3} ns per neuron-step"));
        Console.WriteLine(string.Create(Ci, $"  neuron update lif_exp_current  {k.NeuronNs["lif_exp_current"],8:F3} ns per neuron-step"));
        Console.WriteLine(string.Create(Ci, $"  Poisson input                  {k.PoissonNs,8:F3} ns per neuron-step"));
        Console.WriteLine(string.Create(Ci, $"  event, constant delays         {k.EventNs,8:F3} ns"));
        Console.WriteLine(string.Create(Ci, $"  event, delays per synapse      {k.EventSpreadNs,8:F3} ns"));
        Console.WriteLine(string.Create(Ci, $"  spike emitted (record, route)  {k.SpikeNs,8:F1} ns"));
        Console.WriteLine(string.Create(Ci, $"  spike received (merge, row)    {k.ReceivedSpikeNs,8:F1} ns"));
        Console.WriteLine(string.Create(Ci, $"  fit's constant (not used)      {1e3 * k.FiringConstantSeconds,8:F1} ms"));
        Console.WriteLine(string.Create(Ci, $"  epoch, one partition           {k.EpochNs,8:F0} ns"));
        Console.WriteLine(string.Create(Ci, $"  in-process packet (2nd part.)  {k.LocalPacketNs,8:F0} ns per epoch and partition"));
        Console.WriteLine(string.Create(Ci, $"  serialise+deserialise          {k.SerializePacketNs,8:F0} ns per packet + {k.SerializeSpikeNs:F2} ns per spike"));
        Console.WriteLine(string.Create(Ci, $"  local packet between actors    {k.ActorLocalPacketNs,8:F0} ns per epoch and partition"));
        Console.WriteLine(string.Create(Ci, $"  remote packet, CPU (stream)    {k.RemotePacketUs,8:F1} µs"));
        Console.WriteLine(string.Create(Ci, $"  lockstep exchange, per epoch   {k.LockstepUs,8:F1} µs (mean; median {r.Lockstep.MedianUs:F1}, p10 {r.Lockstep.P10Us:F1}, p90 {r.Lockstep.P90Us:F1})"));
        Console.WriteLine(string.Create(Ci, $"  one-way latency (RTT / 2)      {k.OneWayUs,8:F1} µs"));
        Console.WriteLine(string.Create(Ci, $"  loopback bytes per packet      {k.WireBytesPerPacket,8:F0}"));
        Console.WriteLine("  serialisation: spikes, encode ns, decode ns, bytes (model's spike bytes)");
        foreach (var s in r.Serialize) Console.WriteLine(string.Create(Ci, $"    {s.Spikes,6} {s.EncodeNs,10:F0} {s.DecodeNs,10:F0} {s.Bytes,8} ({s.ModelSpikeBytes:F0})"));
        Console.WriteLine("  round trips: spikes, median µs, p10, p90");
        foreach (var t in r.RoundTrips) Console.WriteLine(string.Create(Ci, $"    {t.Spikes,6} {t.MedianUs,8:F1} {t.P10Us,8:F1} {t.P90Us,8:F1}"));
        Console.WriteLine("  streams: spikes, packets, wall µs/packet, CPU µs/packet, loopback bytes/packet");
        foreach (var s in r.Streams) Console.WriteLine(string.Create(Ci, $"    {s.Spikes,6} {s.Packets,8} {s.WallUs,8:F2} {s.CpuUs,8:F2} {s.LoopbackBytes,8:F0}"));
    }
}
