using System.Globalization;
using System.Text;
using DistSnn.Hardware.SpiNNaker.Execution;
using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Hardware.Memristive;

/// <summary>
/// The end of a run on memristive chips: tiles, chips and utilisation; reads, conversions, clips and pulses; and
/// energy: reads V_read² t_read G per cell of every active row, conversions by NeuroSim V1.3's column power, pulses
/// V_write² t_write G. Writes <c>memristive_energy.csv</c> with the published figures per synaptic event beside the
/// run's.
/// </summary>
public static class MemristiveSummary
{
    /// <summary>Totals and the energy file of a memristive run (see <see cref="BackendSummarizer"/>).</summary>
    public static BackendSummary Summarize(NetworkSpec spec, BackendReport merged, string? outDir)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(merged);
        string preset = MemristiveSettings.PresetOf(merged.Backend) ?? MemristiveSettings.DefaultPreset;
        var p = MemristiveSettings.Of(spec, preset);
        var model = new DeviceModel(p, spec.Run.Seed);
        var tiles = merged.Table("tiles") ?? throw new ArgumentException("the memristive report has no 'tiles' table", nameof(merged));
        var bars = merged.Table("crossbars") ?? throw new ArgumentException("the memristive report has no 'crossbars' table", nameof(merged));
        double T(string c) => bars.Total(c);
        double tileCount = tiles.Total("tiles");
        double synapses = T("synapses");
        double readJ = T("read_energy_j"), adcJ = T("adc_energy_j"), pulseJ = T("pulse_energy_j");
        double energy = readJ + adcJ + pulseJ;
        double events = T("events");
        var totals = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["tiles"] = tileCount,
            ["chips"] = Math.Ceiling(tileCount / p.TilesPerChip),
            ["crossbar_synapses"] = synapses,
            ["utilisation"] = tileCount > 0 ? synapses / (tileCount * p.TileRows * p.TileColumns) : 0,
            ["crossbar_events"] = events,
            ["cell_reads"] = T("cell_reads"),
            ["conversions"] = T("conversions"),
            ["adc_clips"] = T("clips"),
            ["pulses"] = T("pulses"),
            ["normalize_pulses"] = T("normalize_pulses"),
            ["normalize_energy_j"] = T("normalize_energy_j"),
            ["devices_past_endurance"] = T("devices_past_endurance"),
            ["clipped_weights"] = T("clipped_weights"),
            ["read_energy_j"] = readJ,
            ["adc_energy_j"] = adcJ,
            ["pulse_energy_j"] = pulseJ,
            ["energy_j"] = energy,
            ["joules_per_event"] = events > 0 ? energy / events : 0,
            ["read_latency_s"] = model.ReadLatencyS,
        };
        var notes = new List<string>
        {
            $"preset {preset}; {tileCount:N0} tiles of {p.TileRows} x {p.TileColumns}; IR drop not modelled",
            "energy: reads V_read^2 t_read G per cell of each active row; ADC (6.4806 log2 L + 49.047) uW x (bits + 1) cycles (NeuroSim V1.3 column power; cycle time a guess); pulses V_write^2 t_write G",
        };
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, "memristive_energy.csv"), EnergyCsv(events, energy));
        }
        return new BackendSummary(totals, notes) { Report = merged };
    }

    private static string EnergyCsv(double events, double energy)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder("platform,joules_per_synaptic_event_low,joules_per_synaptic_event_high,source\n");
        double mine = events > 0 ? energy / events : 0;
        sb.Append(ci, $"this run (crossbars only),{mine:G6},{mine:G6},DistSnn memristive model\n");
        foreach (var f in SpiNNakerSummary.Published)
            sb.Append(ci, $"\"{f.Platform}\",{f.LowJoules:G6},{f.HighJoules:G6},\"{f.Source}\"\n");
        return sb.ToString();
    }
}
