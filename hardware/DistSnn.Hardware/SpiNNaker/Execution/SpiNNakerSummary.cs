using System.Globalization;
using System.Text;
using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>A published energy figure to compare a run with.</summary>
/// <param name="Platform">What ran.</param>
/// <param name="LowJoules">Energy per synaptic event (J), low end.</param>
/// <param name="HighJoules">High end (equal to the low end for a single figure).</param>
/// <param name="Source">Where the figure comes from.</param>
public sealed record PublishedEnergy(string Platform, double LowJoules, double HighJoules, string Source);

/// <summary>
/// The end of a SpiNNaker run: provenance totals, the time-scale factor the load needed, and energy by the toolchain's
/// model (SpiNNFrontEndCommon's <c>compute_energy_used</c>): every chip of the machine idles at
/// <see cref="SpiNNakerParameters.ChipIdleWatts"/> for the run's machine time (ticks × dt × time-scale factor); each core
/// adds (active − idle) / 18 W while busy (its cycles / clock); every router a packet passes costs
/// <see cref="SpiNNakerParameters.JoulesPerPacket"/>; machines of several boards add their FPGAs and frames. Writes
/// <c>spinnaker_provenance.csv</c> (one row per core), <c>spinnaker_links.csv</c> and <c>spinnaker_energy.csv</c> with
/// the published figures beside the run's, and <c>spinnaker_energy.png</c>.
/// </summary>
public static class SpiNNakerSummary
{
    /// <summary>Energy per synaptic event published for other platforms (ranges where the sources give one).</summary>
    public static IReadOnlyList<PublishedEnergy> Published { get; } =
    [
        new("NEST on CPU (microcircuit)", 0.33e-6, 9.9e-6, "Kurth et al. 2022; van Albada et al. 2018"),
        new("GeNN / NEST GPU (microcircuit)", 0.07e-6, 0.47e-6, "Knight & Nowotny 2018; Golosio et al. 2023"),
        new("SpiNNaker measured (microcircuit, real time)", 0.6e-6, 0.6e-6, "Rhodes et al. 2020"),
        new("SpiNNaker measured (microcircuit, 0.1 ms, x20)", 4.4e-6, 4.4e-6, "van Albada et al. 2018 (figure unconfirmed)"),
        new("SpiNNaker early board (per PSP)", 43e-9, 43e-9, "Sharp et al. 2012"),
        new("Loihi (per synaptic op)", 23.6e-12, 23.6e-12, "Davies et al. 2018"),
        new("TrueNorth (per synaptic event)", 26e-12, 26e-12, "Merolla et al. 2014"),
    ];

    /// <summary>Totals, energy and the report files of a SpiNNaker run (see <see cref="BackendSummarizer"/>).</summary>
    public static BackendSummary Summarize(NetworkSpec spec, BackendReport merged, string? outDir)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(merged);
        var p = SpiNNakerSettings.Of(spec).Parameters;
        var cores = merged.Table("cores") ?? throw new ArgumentException("the SpiNNaker report has no 'cores' table", nameof(merged));
        var machine = merged.Table("machine") ?? throw new ArgumentException("the SpiNNaker report has no 'machine' table", nameof(merged));
        var partitions = merged.Table("partitions") ?? throw new ArgumentException("the SpiNNaker report has no 'partitions' table", nameof(merged));
        double M(string column) => machine.Rows[0].Values[machine.Columns.ToList().IndexOf(column)];
        double C(string column) => cores.Total(column);

        double dtSeconds = spec.Run.Dt * 1e-3;
        double ticks = M("ticks"), tsf = M("time_scale_factor");
        double machineSeconds = ticks * dtSeconds * tsf;
        double events = partitions.Total("synaptic_events");
        double idle = M("chips") * p.ChipIdleWatts * machineSeconds;
        double active = C("busy_cycles") / p.ClockHz * (p.ChipActiveWatts - p.ChipIdleWatts) / 18;
        // Spikes pass their routers; Poisson packets stay on their chip and pass its router once.
        double packets = (M("router_passes") + partitions.Total("poisson_packets")) * p.JoulesPerPacket;
        double boards = M("boards");
        double fpgas = boards > 1 ? 3 * boards * p.FpgaWatts * machineSeconds : 0;
        double frames = boards > 1 ? Math.Ceiling(boards / p.BoardsPerFrame) * p.FrameWatts * machineSeconds : 0;
        double joules = idle + active + packets + fpgas + frames;
        // The slow-down the busiest tick of the busiest core needed for its work to fit the tick.
        double needed = C("max_tick_cycles") / M("cycles_per_real_time_tick");

        var totals = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["time_scale_factor"] = tsf,
            ["time_scale_factor_needed"] = Math.Round(needed, 3),
            ["real_time_factor"] = 1 / tsf,
            ["machine_seconds"] = machineSeconds,
            ["boards"] = boards,
            ["chips"] = M("chips"),
            ["chips_used"] = M("chips_used"),
            ["cores_used"] = M("cores_used"),
            ["packets_sent"] = M("packets_sent"),
            ["router_passes"] = M("router_passes"),
            ["poisson_packets"] = partitions.Total("poisson_packets"),
            ["timer_overruns"] = C("overruns"),
            ["late_packets"] = C("late_packets"),
            ["late_synapses"] = C("late_synapses"),
            ["late_poisson_packets"] = C("late_poisson"),
            ["input_buffer_overflows"] = C("buffer_overflows"),
            ["link_dropped_packets"] = M("link_drops"),
            ["packets_lost_to_cores"] = C("link_drops"),
            ["missing_deliveries"] = C("missing"),
            ["misrouted_packets"] = C("misrouted"),
            ["ring_saturations"] = partitions.Total("ring_saturations"),
            ["weights_clipped_for_sign"] = partitions.Total("sign_clipped"),
            ["weights_clipped_at_max"] = partitions.Total("words_clipped"),
            ["unroutable_synapses"] = partitions.Total("unroutable_synapses"),
            ["synaptic_events"] = events,
            ["energy_joules"] = joules,
            ["energy_idle_joules"] = idle,
            ["energy_active_joules"] = active,
            ["energy_packet_joules"] = packets,
            ["energy_fpga_joules"] = fpgas,
            ["energy_frame_joules"] = frames,
            ["joules_per_synaptic_event"] = events > 0 ? joules / events : double.NaN,
        };
        var notes = new List<string>();
        bool ideal = M("ideal") != 0;
        double trouble = C("overruns") + C("late_packets") + C("late_poisson") + C("buffer_overflows") + M("link_drops");
        if (ideal) notes.Add("ideal machine: float kernels, unlimited cycles, buffers and links; routing through keys, tables and master population tables");
        else if (trouble > 0)
            notes.Add($"overloaded at time-scale factor {tsf:g}: {C("overruns"):0} timer overruns, {C("late_packets") + C("late_poisson"):0} late packets, " +
                      $"{C("buffer_overflows"):0} input-buffer overflows, {M("link_drops"):0} packets dropped on links; the spikes differ from an unloaded machine's " +
                      $"(the load needed a factor of about {needed:0.##})");
        else notes.Add($"no overruns or drops at time-scale factor {tsf:g} (the load needed {needed:0.##})");
        if (C("missing") + C("misrouted") > 0)
            notes.Add($"routing: {C("missing"):0} deliveries missed and {C("misrouted"):0} packets misrouted: the router tables do not match the mapping");
        if (partitions.Total("unroutable_synapses") > 0)
            notes.Add($"{partitions.Total("unroutable_synapses"):0} synapses have delays drawn outside the range the mapping planned routes for (more than 5 standard deviations from the mean) and get no spikes");
        if (events > 0)
            notes.Add($"energy: {joules:0.###} J, {Joules(joules / events)} per synaptic event; published: " +
                      string.Join("; ", Published.Select(f => $"{f.Platform} {Joules(f.LowJoules)}{(f.HighJoules > f.LowJoules ? "–" + Joules(f.HighJoules) : "")}")));

        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            WriteCsv(Path.Combine(outDir, "spinnaker_provenance.csv"), "core", cores);
            if (merged.Table("links") is { } links) WriteCsv(Path.Combine(outDir, "spinnaker_links.csv"), "link", links);
            WriteEnergy(outDir, totals);
        }
        return new BackendSummary(totals, notes) { Report = merged };
    }

    /// <summary>An energy with the SI prefix that suits it: 2.19 µJ, 43 nJ, 23.6 pJ.</summary>
    public static string Joules(double j)
    {
        var ci = CultureInfo.InvariantCulture;
        if (!double.IsFinite(j)) return "-";
        foreach (var (scale, unit) in new[] { (1.0, "J"), (1e-3, "mJ"), (1e-6, "µJ"), (1e-9, "nJ") })
            if (Math.Abs(j) >= scale) return (j / scale).ToString("0.##", ci) + " " + unit;
        return (j / 1e-12).ToString("0.##", ci) + " pJ";
    }

    private static void WriteCsv(string path, string keyName, ReportTable table)
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(keyName).Append(',').AppendJoin(',', table.Columns).Append('\n');
        foreach (var row in table.Rows)
            sb.Append('"').Append(row.Key).Append('"').Append(',').AppendJoin(',', row.Values.Select(v => v.ToString("R", ci))).Append('\n');
        File.WriteAllText(path, sb.ToString());
    }

    /// <summary>The run's energy per synaptic event beside the published figures: a CSV and a log-scale bar chart.</summary>
    private static void WriteEnergy(string outDir, IReadOnlyDictionary<string, double> totals)
    {
        var ci = CultureInfo.InvariantCulture;
        var rows = new List<(string Name, double Low, double High, string Source)>
        {
            ("this run (modelled SpiNNaker)", totals["joules_per_synaptic_event"], totals["joules_per_synaptic_event"], "DistSnn energy model"),
        };
        rows.AddRange(Published.Select(f => (f.Platform, f.LowJoules, f.HighJoules, f.Source)));
        var sb = new StringBuilder("platform,joules_per_synaptic_event_low,joules_per_synaptic_event_high,source\n");
        foreach (var r in rows) sb.Append('"').Append(r.Name).Append("\",").Append(r.Low.ToString("R", ci)).Append(',').Append(r.High.ToString("R", ci)).Append(",\"").Append(r.Source).Append("\"\n");
        File.WriteAllText(Path.Combine(outDir, "spinnaker_energy.csv"), sb.ToString());

        var plot = new ScottPlot.Plot();
        var usable = rows.Where(r => r.High > 0 && double.IsFinite(r.High)).ToList();
        double floor = Math.Floor(Math.Log10(usable.Min(r => r.Low))) - 1;
        for (int i = 0; i < usable.Count; i++)
            plot.Add.Bar(new ScottPlot.Bar
            {
                Position = i,
                Value = Math.Log10(usable[i].High),
                ValueBase = floor,
                FillColor = i == 0 ? ScottPlot.Colors.OrangeRed : ScottPlot.Colors.SteelBlue,
            });
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, usable.Count).Select(i => (double)i).ToArray(), usable.Select(r => Wrap(r.Name)).ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        plot.Axes.Left.Label.Text = "log10 J per synaptic event";
        plot.Title("Energy per synaptic event");
        plot.SavePng(Path.Combine(outDir, "spinnaker_energy.png"), 1000, 650);
    }

    private static string Wrap(string name) => name.Length <= 28 ? name : name[..28] + "…";
}
