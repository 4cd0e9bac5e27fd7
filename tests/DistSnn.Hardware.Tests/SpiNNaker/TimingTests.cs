using DistSnn.Hardware.SpiNNaker;
using DistSnn.Hardware.SpiNNaker.Execution;
using DistSnn.Model;
using DistSnn.Nodes.Backends;

namespace DistSnn.Hardware.Tests.SpiNNaker;

/// <summary>
/// Modelled time: a machine fast enough for its load reports nothing; one too slow (a time-scale factor too small, or
/// links too slow) reports overruns and drops, its spikes change, and they stay the same for any partitioning.
/// </summary>
public sealed class TimingTests
{
    private static NetworkSpec With(NetworkSpec spec, string option, string value) => spec with
    {
        BackendOptions = new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            [SpiNNakerSettings.Section] = new Dictionary<string, string>(spec.BackendOptions[SpiNNakerSettings.Section]) { [option] = value },
        },
    };

    private static (List<(long, long)> Spikes, BackendSummary Summary) Run(NetworkSpec spec, int parts)
    {
        var (spikes, partitions) = IdealModeTests.Run(spec, parts);
        var merged = BackendReport.Merge(SpiNNakerPartition.FixedName, partitions.Select(p => p.Report).OfType<BackendReport>());
        return (spikes, SpiNNakerSummary.Summarize(spec, merged, outDir: null));
    }

    private static double Trouble(BackendSummary s) =>
        s.Totals["timer_overruns"] + s.Totals["late_packets"] + s.Totals["late_poisson_packets"] + s.Totals["input_buffer_overflows"] + s.Totals["link_dropped_packets"];

    [Fact]
    public void A_small_network_on_a_fast_enough_machine_reports_no_overruns_or_drops()
    {
        var spec = SpiNNakerModels.Mixed(SpiNNakerPartition.FixedName, timeScale: 20);
        var (spikes, summary) = Run(spec, 1);
        Assert.True(spikes.Count > 100);
        Assert.Equal(0, Trouble(summary));
        Assert.Equal(0, summary.Totals["missing_deliveries"] + summary.Totals["misrouted_packets"]);
        Assert.True(summary.Totals["time_scale_factor_needed"] < 20, $"needed {summary.Totals["time_scale_factor_needed"]}");
        Assert.Contains(summary.Notes, n => n.StartsWith("no overruns or drops at time-scale factor 20", StringComparison.Ordinal));
        Assert.True(summary.Totals["energy_joules"] > 0);
        // 100 ms of machine time at a factor of 20: two seconds of the machine's 48 chips idling at 0.36 W.
        Assert.Equal(2.0, summary.Totals["machine_seconds"], 9);
        Assert.Equal(48 * 0.36 * 2.0, summary.Totals["energy_idle_joules"], 9);
    }

    [Fact]
    public void A_time_scale_factor_too_small_reports_overruns_and_drops_and_changes_the_spikes()
    {
        var fast = SpiNNakerModels.Mixed(SpiNNakerPartition.FixedName, timeScale: 20);
        var slow = SpiNNakerModels.Mixed(SpiNNakerPartition.FixedName, timeScale: 0.3);
        var (reference, _) = Run(fast, 1);
        var (overloaded, summary) = Run(slow, 1);
        Assert.True(summary.Totals["timer_overruns"] > 0);
        Assert.True(summary.Totals["late_poisson_packets"] + summary.Totals["input_buffer_overflows"] + summary.Totals["late_packets"] > 0);
        Assert.NotEqual(reference, overloaded);
        Assert.Contains(summary.Notes, n => n.StartsWith("overloaded at time-scale factor 0.3", StringComparison.Ordinal));
        // Drops are computed from the routes and each tick's spikes alone: the same for any partitioning.
        var (split, splitSummary) = Run(slow, 3);
        Assert.Equal(overloaded, split);
        Assert.Equal(summary.Totals, splitSummary.Totals);
    }

    [Fact]
    public void Links_too_slow_for_the_traffic_drop_packets_on_the_way()
    {
        // 20 neurons per core spread the slices over several chips, so spikes travel links.
        var spread = With(SpiNNakerModels.Mixed(SpiNNakerPartition.FixedName, timeScale: 20), "max_neurons_per_core", "20");
        var spec = With(spread, "link_packets_per_second", "2000");
        var (reference, fine) = Run(spread, 1);
        Assert.Equal(0, fine.Totals["link_dropped_packets"]);
        Assert.True(fine.Totals["chips_used"] > 1);
        var (spikes, summary) = Run(spec, 1);
        Assert.True(summary.Totals["link_dropped_packets"] > 0);
        Assert.True(summary.Totals["packets_lost_to_cores"] > 0);
        Assert.NotEqual(reference, spikes);
        var (split, _) = Run(spec, 2);
        Assert.Equal(spikes, split);
    }

    [Fact]
    public void The_input_buffer_serves_in_order_drops_when_full_and_packets_served_late_are_marked()
    {
        var p = new SpiNNakerParameters { TimeScaleFactor = 1, CyclesPerTick = 0, CyclesPerNeuron = 0, InputBufferPackets = 2 };
        var t = new CoreTiming(p, 0.1, atoms: 10);
        Assert.Equal(20_000, t.Budget);
        static double None(long _) => 0;
        // 3 packets of 8,000 cycles in tick 0: two fit the tick (16,000), the third ends in tick 1.
        Assert.Equal(0, t.Serve(0, 8_000, None));
        Assert.Equal(0, t.Serve(0, 8_000, None));
        Assert.Equal(1, t.Serve(0, 8_000, None));
        Assert.True(t.BusyAfter(0));
        // Two packets are still waiting past tick 0 when the next arrives: with room for 2, it is dropped.
        Assert.Equal(1, t.Serve(0, 8_000, None));
        Assert.Equal(-1, t.Serve(0, 8_000, None));
        // In tick 5 the buffer is empty again; Poisson cycles taken first leave 5,000 for the packet.
        Assert.Equal(6, t.Serve(5, 8_000, tick => tick == 5 ? 15_000 : 0));
    }

    [Fact]
    public void The_delay_limit_follows_the_delay_extension_stages_and_clipped_weights_are_counted_once()
    {
        var b = new NetworkBuilder("stages").WithDt(0.1).WithDuration(30).WithSeed(5);
        var src = b.Population("src", 60, new PoissonGenerator { Rate = 50 });
        var n = b.Population("n", 120, new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10 }).OnBackend(SpiNNakerPartition.FixedName);
        // 20 ms = 200 ticks; weights normal around 0.3 mV, some below 0 on the excitatory receptor.
        b.Connect(src, n, new FixedProbability(0.5), new NormalValue(0.3, 0.3, Dimension.Voltage), ValueSpec.Of(20, Dimension.Time));
        b.RecordAllSpikes();
        var spec = b.Build() with
        {
            BackendOptions = new Dictionary<string, IReadOnlyDictionary<string, string>> { [SpiNNakerSettings.Section] = new Dictionary<string, string> { ["max_neurons_per_core"] = "50" } },
        };
        var refused = Assert.Single(IdealModeTests.Registry.Check(spec));
        Assert.Equal("projections[0].delay", refused.Path);
        Assert.Contains("population 'n' on backend 'spinnaker': delays of 200 to 200 steps are outside the supported 1 to 144", refused.Message);
        var longer = With(spec, "delay_extension_stages", "16");
        Assert.Empty(IdealModeTests.Registry.Check(longer));
        var (one, s1) = Run(longer, 1);
        var (three, s3) = Run(longer, 3);
        Assert.Equal(one, three);
        Assert.Equal(s1.Totals, s3.Totals);
        Assert.True(s1.Totals["weights_clipped_for_sign"] > 0);
        // Exactly the negative weights, whatever the partitioning.
        var all = DistSnn.Nodes.Synapses.SynapseBuilder.Build(longer, 0, Enumerable.Range(0, 120).ToArray(), 0, 1.0);
        Assert.Equal(all.Weights!.Count(w => w < 0), s1.Totals["weights_clipped_for_sign"]);
    }
}
