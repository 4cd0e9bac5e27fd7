using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary>The memristive commands as a user runs them: a run, a refusal, the map, and both kinds of sweep.</summary>
public sealed class MemristiveCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-memristive-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static JsonElement Json(string file) => JsonDocument.Parse(File.ReadAllText(file)).RootElement;

    [Fact]
    public void A_run_on_the_chips_reports_tiles_and_energy_and_bad_figures_are_refused_before_anything_is_written()
    {
        string outDir = Path.Combine(_dir, "cuba");
        var run = CliProcess.Run("run", "examples/cuba.yaml", "--duration", "100 ms", "--backend", "memristive", "--memristive", "read_noise=0.02", "--no-plots", "--json", "--out", outDir);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var totals = Json(Path.Combine(outDir, "summary.json")).GetProperty("backends").GetProperty("memristive").GetProperty("totals");
        Assert.Equal(1024, totals.GetProperty("tiles").GetDouble());
        Assert.True(totals.GetProperty("conversions").GetDouble() > 0 && totals.GetProperty("joules_per_event").GetDouble() > 0);
        Assert.True(File.Exists(Path.Combine(outDir, "memristive_energy.csv")));

        string refusedDir = Path.Combine(_dir, "refused");
        var refused = CliProcess.Run("run", "examples/cuba.yaml", "--backend", "memristive", "--memristive", "levels=1", "--out", refusedDir);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("backends.memristive.levels: must be at least 2", refused.Stderr);
        Assert.False(Directory.Exists(refusedDir));
    }

    [Fact]
    public void The_map_tiles_brunels_excitatory_recurrence_79_by_79()
    {
        var map = CliProcess.Run("hw", "map", "examples/brunel.yaml", "--target", "memristive", "--json", "--out", _dir);
        Assert.True(map.ExitCode == 0, map.Stderr);
        var report = Json(Path.Combine(_dir, "mapping.json"));
        Assert.Equal(9801, report.GetProperty("tiles").GetInt64());
        var exc = report.GetProperty("projections").EnumerateArray().First();
        Assert.Equal((79, 79), (exc.GetProperty("row_tiles").GetInt32(), exc.GetProperty("column_tiles").GetInt32()));
    }

    [Fact]
    public void A_classifier_sweep_measures_every_setting_in_order_and_draws_it()
    {
        var sweep = CliProcess.Run("hw", "sweep", "--vary", "levels=4", "--setting", "levels=8;c2c=0.01", "--neurons", "10", "--train-samples", "40",
            "--label-samples", "20", "--test-samples", "20", "--out", _dir);
        Assert.True(sweep.ExitCode == 0, sweep.Stderr);
        var points = Json(Path.Combine(_dir, "sweep.json")).GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(["ideal", "ideal_physical", "levels=4", "levels=8 c2c=0.01", "rram_neurosim"], points.Select(p => p.GetProperty("setting").GetString()));
        Assert.All(points, p => Assert.InRange(p.GetProperty("mean").GetDouble(), 0, 1));
        Assert.True(points[2].GetProperty("chip").GetProperty("pulses").GetDouble() > 0, "the devices learned through pulses");
        Assert.True(File.Exists(Path.Combine(_dir, "sweep.png")) && File.Exists(Path.Combine(_dir, "sweep.svg")));
    }

    [Fact]
    public void A_network_sweep_reports_rates_per_setting_and_bad_settings_name_the_option()
    {
        var sweep = CliProcess.Run("hw", "sweep", "--model", "examples/cuba.yaml", "--duration", "100 ms", "--vary", "adc_bits=2,8", "--out", _dir);
        Assert.True(sweep.ExitCode == 0, sweep.Stderr);
        var points = Json(Path.Combine(_dir, "sweep.json")).GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(5, points.Count);
        Assert.All(points, p => Assert.True(p.GetProperty("mean").GetDouble() > 0));

        var bad = CliProcess.Run("hw", "sweep", "--model", "examples/cuba.yaml", "--vary", "stuck_at=3", "--out", Path.Combine(_dir, "bad"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("setting stuck_at=3: backends.memristive.stuck_on", bad.Stderr);
    }
}
