using System.Globalization;
using System.Text.Json;

namespace DistSnn.Bench;

/// <summary>
/// <c>distsnn-bench NETWORK --transport compare</c>: whole <c>distsnn run</c> processes on the in-process transport and
/// on the actor transport, alternated (each round swaps which goes first) so that drift of the machine affects both
/// alike; prints the medians of both and their ratio, and checks that the spikes are identical.
/// </summary>
internal static class TransportBench
{
    public static int Run(string model, double scale, int partitions, int runs, string? duration, bool json)
    {
        var inproc = new List<BenchCommand.Sample>();
        var akka = new List<BenchCommand.Sample>();
        BenchCommand.Sample? On(string transport) => BenchCommand.RunOnce(model, scale, partitions, duration, psi =>
        {
            psi.ArgumentList.Add("--transport");
            psi.ArgumentList.Add(transport);
        });
        for (int r = 0; r < runs; r++)
        {
            bool inprocFirst = r % 2 == 0;
            var first = On(inprocFirst ? "inproc" : "akka");
            var second = On(inprocFirst ? "akka" : "inproc");
            if (first is null || second is null) return 1;
            var (i, a) = inprocFirst ? (first, second) : (second, first);
            inproc.Add(i);
            akka.Add(a);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"run {r + 1}/{runs}: inproc {i.ProcessWall:F3} s (simulate {i.Summary.SimulateSeconds:F3} s), akka {a.ProcessWall:F3} s (simulate {a.Summary.SimulateSeconds:F3} s)"));
        }
        double wallIn = BenchCommand.Median(inproc.Select(s => s.ProcessWall)), wallAkka = BenchCommand.Median(akka.Select(s => s.ProcessWall));
        var all = inproc.Concat(akka).ToList();
        var result = new Dictionary<string, object>
        {
            ["network"] = model,
            ["scale"] = scale,
            ["partitions"] = partitions,
            ["runs"] = runs,
            ["duration_ms"] = inproc[0].Summary.DurationMs,
            ["median_process_wall_seconds_inproc"] = wallIn,
            ["median_process_wall_seconds_akka"] = wallAkka,
            ["inproc_over_akka_wall_ratio"] = wallIn / wallAkka,
            ["median_simulate_seconds_inproc"] = BenchCommand.Median(inproc.Select(s => s.Summary.SimulateSeconds)),
            ["median_simulate_seconds_akka"] = BenchCommand.Median(akka.Select(s => s.Summary.SimulateSeconds)),
            ["spikes_sha256_identical"] = all.All(s => s.Summary.SpikesSha256 == all[0].Summary.SpikesSha256),
        };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine($"transports {Path.GetFileNameWithoutExtension(model)}, scale {scale.ToString(ci)}, {partitions} partitions, {runs} runs (medians)");
        Console.WriteLine($"  --transport inproc   {wallIn.ToString("F3", ci)} s whole process, simulate {((double)result["median_simulate_seconds_inproc"]).ToString("F3", ci)} s");
        Console.WriteLine($"  --transport akka     {wallAkka.ToString("F3", ci)} s whole process, simulate {((double)result["median_simulate_seconds_akka"]).ToString("F3", ci)} s");
        Console.WriteLine($"  ratio inproc / akka  {(wallIn / wallAkka).ToString("F3", ci)}");
        Console.WriteLine($"  spikes identical in all runs: {result["spikes_sha256_identical"]}");
        return 0;
    }
}
