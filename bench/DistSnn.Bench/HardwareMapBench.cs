using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace DistSnn.Bench;

/// <summary>
/// <c>distsnn-bench hwmap [NETWORK] [--runs R] [--rate HZ] [--spinnaker KEY=VALUE ...] [--json]</c>: whole
/// <c>distsnn hw map</c> processes onto the modelled SpiNNaker machine (default: the largest example, the full-scale
/// microcircuit); prints the median wall time and the mapping's figures.
/// </summary>
internal static class HardwareMapBench
{
    public static int Run(string[] args)
    {
        string network = "microcircuit";
        int runs = 5;
        string rate = "4";
        bool json = false;
        var options = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--runs": runs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rate": rate = Next(); break;
                case "--spinnaker": options.Add(Next()); break;
                case "--json": json = true; break;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal))
                    {
                        Console.Error.WriteLine($"error: unknown option {args[i]}");
                        return 2;
                    }
                    network = args[i];
                    break;
            }
        }
        string model = File.Exists(network) ? network : Path.Combine(BenchCommand.RepoRoot(), "examples", network + ".yaml");
        if (!File.Exists(model) || runs < 1)
        {
            Console.Error.WriteLine($"error: no network '{network}' or --runs below 1");
            return 2;
        }
        var walls = new List<double>();
        JsonElement report = default;
        for (int r = 0; r < runs; r++)
        {
            string outDir = BenchCommand.NewOutDir("hwmap");
            var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "distsnn.dll"));
            foreach (var a in new[] { "hw", "map", model, "--target", "spinnaker", "--rate", rate, "--json", "--out", outDir }) psi.ArgumentList.Add(a);
            foreach (var o in options)
            {
                psi.ArgumentList.Add("--spinnaker");
                psi.ArgumentList.Add(o);
            }
            var clock = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            walls.Add(clock.Elapsed.TotalSeconds);
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
            if (p.ExitCode != 0)
            {
                Console.Error.WriteLine($"distsnn hw map failed with exit code {p.ExitCode}:\n{stderr.Result}");
                return 1;
            }
            report = JsonDocument.Parse(stdout.Result).RootElement.Clone();
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {r + 1}/{runs}: {walls[^1]:F2} s"));
        }
        double median = BenchCommand.Median(walls);
        var result = new Dictionary<string, object>
        {
            ["network"] = model,
            ["runs"] = runs,
            ["options"] = options,
            ["median_process_wall_seconds"] = median,
            ["max_process_wall_seconds"] = walls.Max(),
            ["mapping"] = report,
        };
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }
        var ci = CultureInfo.InvariantCulture;
        Console.WriteLine($"hw map {Path.GetFileNameWithoutExtension(model)} {string.Join(' ', options)}: median {median.ToString("F2", ci)} s over {runs} runs (max {walls.Max().ToString("F2", ci)} s)");
        Console.WriteLine($"  {report.GetProperty("boards").GetInt32()} boards, {report.GetProperty("chips_used").GetInt32()} chips used, " +
                          $"{report.GetProperty("cores_used").GetInt32()} cores, router entries max {report.GetProperty("router_entries_max").GetInt32()}, " +
                          $"time-scale factor needed {report.GetProperty("time_scale_factor_needed").GetDouble().ToString("F1", ci)}");
        return 0;
    }
}
