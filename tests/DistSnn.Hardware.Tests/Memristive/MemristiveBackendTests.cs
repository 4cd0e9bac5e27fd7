using DistSnn.Backends.Testing;
using DistSnn.Hardware.Memristive;
using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Exchange;
using DistSnn.Partitioner;

namespace DistSnn.Hardware.Tests.Memristive;

/// <summary>Networks for the memristive backends.</summary>
public static class MemristiveModels
{
    /// <summary>
    /// Poisson sources (cpu) drive excitatory and inhibitory LIF populations on <paramref name="backend"/>: plastic
    /// input synapses (STDP, normalised), static recurrent ones with one delay each, and one projection with drawn
    /// delays that stays on the CPU; the excitatory neurons drive a CPU population.
    /// </summary>
    public static NetworkSpec Mixed(string backend, int lag = 1, double durationMs = 100, ulong seed = 7, params (string Key, string Value)[] options)
    {
        var b = new NetworkBuilder("memristive-mixed").WithDt(0.1).WithDuration(durationMs).WithSeed(seed).WithExchangeLag(lag);
        var lif = new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10, TRef = 2 };
        var src = b.Population("src", 150, new PoissonGenerator { Rate = 30 });
        var exc = b.Population("exc", 300, lif).OnBackend(backend).Initial("v", new UniformValue(0, 18, Dimension.Voltage));
        var inh = b.Population("inh", 75, lif).OnBackend(backend).Initial("v", new UniformValue(0, 18, Dimension.Voltage));
        var cpu = b.Population("cpu", 60, lif).Initial("v", new UniformValue(0, 18, Dimension.Voltage));
        var stdp = new StdpSynapse { TauPlus = 20, TauMinus = 20, APlus = 0.05, AMinus = 0.055, WMin = 0, WMax = 3, NormalizeTotal = 40, NormalizeInterval = 20 };
        b.Connect(src, exc, new FixedProbability(0.2), new UniformValue(0.5, 2.5, Dimension.Voltage), ValueSpec.Of(1.0, Dimension.Time), Receptor.Exc, "src_exc", stdp);
        b.Connect(src, inh, new FixedProbability(0.1), weight: 0.8, delay: 2.5);
        b.Connect(exc, exc, new FixedProbability(0.1), ValueSpec.Of(0.4, Dimension.Voltage), new UniformValue(1, 3, Dimension.Time), Receptor.Exc, "exc_exc");
        b.Connect(exc, inh, new FixedProbability(0.1), weight: 0.6, delay: 1.5);
        b.Connect(inh, exc, new FixedProbability(0.1), ValueSpec.Of(-1.5, Dimension.Voltage), ValueSpec.Of(1.2, Dimension.Time), Receptor.Inh);
        b.Connect(exc, cpu, new FixedProbability(0.2), weight: 1.0, delay: 1.0);
        b.PoissonInput(exc, sources: 100, rateHz: 60, weight: 0.5);
        b.RecordAllSpikes();
        var spec = b.Build();
        var section = new Dictionary<string, string> { ["crossbars"] = "src_exc, src->inh, exc->inh, inh->exc" };
        foreach (var (k, v) in options) section[k] = v;
        if (MemristiveSettings.PresetOf(backend) == DeviceParameters.Ideal) section.Remove("tile_rows");
        return spec with { BackendOptions = new Dictionary<string, IReadOnlyDictionary<string, string>> { [MemristiveSettings.Section] = section } };
    }

    internal static readonly BackendRegistry Registry = MemristiveBackend.AddTo(BackendRegistry.Default);

    /// <summary>Runs <paramref name="spec"/> on <paramref name="parts"/> partitions; returns the recorded spikes and the partitions.</summary>
    internal static (List<(long Stamp, long Gid)> Spikes, IPartitionBackend[] Partitions) Run(NetworkSpec spec, int parts, PartitionStrategy strategy = PartitionStrategy.RoundRobin)
    {
        Assert.Empty(NetworkValidator.Validate(spec));
        Assert.Empty(Registry.Check(spec));
        var plan = PartitionPlan.Create(spec, parts, strategy);
        var backends = Enumerable.Range(0, plan.Parts).Select(q => Registry.Create(plan.Backend(q), spec, q, plan.Owned(q))).ToArray();
        new InProcessRunner(backends, RoutingTable.Of(spec, Enumerable.Range(0, plan.Parts).Select(plan.Owned).ToArray(), backends)).RunUntil(long.MaxValue);
        return (BackendConformance.Recorded(spec, backends), backends);
    }

    internal static NetworkSpec Example(string name, double durationMs)
    {
        var spec = ModelLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "examples", name + ".yaml"));
        return spec with { Run = spec.Run with { Duration = durationMs } };
    }

    internal static NetworkSpec OnBackend(NetworkSpec spec, string backend) =>
        spec with { Populations = spec.Populations.Select(p => p with { Backend = backend }).ToArray() };

    internal static ulong Checksum(IEnumerable<IPartitionBackend> partitions) => partitions.Aggregate(0UL, (s, p) => unchecked(s + p.WeightsChecksum));
}

/// <summary>The rram_neurosim backend passes the backend conformance suite, between CPU partitions that feed it and that it feeds.</summary>
public sealed class MemristiveBackendConformance : BackendConformance
{
    /// <inheritdoc />
    protected override BackendType Backend => MemristiveBackend.Types.First(t => t.Name == "memristive:rram_neurosim");

    /// <inheritdoc />
    protected override NetworkSpec Model(int lag) => MemristiveModels.Mixed(Backend.Name, lag, options: [("read_noise", "0.05"), ("d2d", "0.1"), ("stuck_at", "0.02")]);

    /// <inheritdoc />
    protected override (NetworkSpec Model, string Population, string Unsupported) Unsupported()
    {
        var b = new NetworkBuilder("no-delay-spread").WithDt(0.1).WithDuration(10);
        var src = b.Population("src", 5, new PoissonGenerator { Rate = 10 });
        var n = b.Population("n", 5, new LifDelta()).OnBackend(Backend.Name);
        b.Connect(src, n, new OneToOne(), ValueSpec.Of(1, Dimension.Voltage), new UniformValue(1, 2, Dimension.Time));
        return (b.Build(), "n", "needs one delay");
    }
}

/// <summary>What the memristive backends promise: the identity path, the physical path, partition-free draws, on-chip learning, refusals.</summary>
public sealed class MemristiveBackendTests
{
    [Theory]
    [InlineData("cuba", 200.0)]
    [InlineData("brunel_stdp", 60.0)]
    public void The_ideal_preset_gives_the_cpu_spikes_and_weights_exactly(string example, double durationMs)
    {
        var spec = MemristiveModels.Example(example, durationMs);
        var (cpu, cpuParts) = MemristiveModels.Run(spec, 2);
        var (ideal, idealParts) = MemristiveModels.Run(MemristiveModels.OnBackend(spec, "memristive:ideal"), 3);
        Assert.True(cpu.Count > 500, $"{cpu.Count} spikes");
        Assert.Equal(cpu, ideal);
        Assert.Equal(MemristiveModels.Checksum(cpuParts), MemristiveModels.Checksum(idealParts));
        var report = BackendReport.Merge("memristive:ideal", idealParts.Select(p => p.Report).OfType<BackendReport>());
        Assert.Equal(spec.Projections.Count, report.Table("tiles")!.Rows.Count);
    }

    [Fact]
    public void Brunel_excitatory_recurrence_alone_needs_79_by_79_tiles()
    {
        var spec = MemristiveModels.OnBackend(MemristiveModels.Example("brunel", 10), "memristive");
        var p = MemristiveSettings.Of(spec, "rram_neurosim");
        var (chosen, errors) = MemristiveSettings.Chosen(spec, p, [0, 1]);
        Assert.Empty(errors);
        var exc = CrossbarTiling.Of(spec, p, chosen).Single(t => t.Name == "exc->exc" || spec.Projections[t.Projection] is { Source: "exc", Target: "exc" });
        Assert.Equal((79, 79, 6241L), (exc.RowTiles, exc.ColumnTiles, exc.Tiles));
        Assert.InRange(exc.ExpectedUtilisation(p), 0.095, 0.1);
    }

    [Fact]
    public void The_physical_path_reads_back_every_weight_within_1e6_and_keeps_rates_within_1_percent()
    {
        var spec = MemristiveModels.Example("cuba", 400);
        var (_, parts) = MemristiveModels.Run(MemristiveModels.OnBackend(spec, "memristive:ideal_physical"), 2);
        var cpuParts = Enumerable.Range(0, 2).Select(q => new PartitionEngine(spec, q, PartitionPlan.Create(spec, 2, PartitionStrategy.RoundRobin).Owned(q))).ToArray();
        long compared = 0;
        foreach (var (part, cpu) in parts.Cast<MemristivePartition>().Zip(cpuParts))
            foreach (var array in part.Substrate!.Arrays)
            {
                var proj = spec.Projections[array.Projection];
                var data = Nodes.Synapses.SynapseBuilder.Build(spec, array.Projection, cpu.Owned[spec.PopulationIndex(proj.Target)], 0, 1);
                var dense = new double[array.Rows * array.Columns];
                for (int row = 0; row < array.Rows; row++)
                    for (int k = data.RowStart[row]; k < data.RowStart[row + 1]; k++)
                        dense[row * array.Columns + data.Targets[k]] += data.Weights?[k] ?? data.ConstWeight;
                for (int c = 0; c < dense.Length; c++)
                {
                    double read = array.Diff[c] * array.Scale;
                    Assert.True(Math.Abs(read - dense[c]) <= 1e-6 * Math.Abs(dense[c]) + 1e-12, $"projections[{array.Projection}] cell {c}: {read} vs {dense[c]}");
                    compared += dense[c] != 0 ? 1 : 0;
                }
            }
        Assert.True(compared > 100_000, $"{compared} synapses compared");
        var (cpuSpikes, _) = MemristiveModels.Run(spec, 2);
        var (physSpikes, _) = MemristiveModels.Run(MemristiveModels.OnBackend(spec, "memristive:ideal_physical"), 2);
        Assert.InRange(physSpikes.Count, cpuSpikes.Count * 0.99, cpuSpikes.Count * 1.01);
    }

    [Fact]
    public void Device_draws_do_not_depend_on_the_partitioning()
    {
        var spec = MemristiveModels.OnBackend(MemristiveModels.Example("cuba", 150), "memristive:rram_neurosim");
        spec = spec with { BackendOptions = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["memristive"] = new Dictionary<string, string> { ["read_noise"] = "0.05", ["d2d"] = "0.1", ["stuck_at"] = "0.01" } } };
        var (one, _) = MemristiveModels.Run(spec, 1, PartitionStrategy.Contiguous);
        var (three, parts) = MemristiveModels.Run(spec, 3, PartitionStrategy.RoundRobin);
        var (cpu, _) = MemristiveModels.Run(MemristiveModels.OnBackend(spec, "cpu"), 1);
        Assert.Equal(one, three);
        Assert.NotEqual(cpu, one);
        var bars = BackendReport.Merge("memristive:rram_neurosim", parts.Select(p => p.Report).OfType<BackendReport>()).Table("crossbars")!;
        Assert.True(bars.Total("conversions") > 0 && bars.Total("read_energy_j") > 0 && bars.Total("adc_energy_j") > 0);
    }

    [Fact]
    public void On_chip_stdp_programs_pulses_counts_normalisation_and_gives_the_same_weights_on_any_partitioning()
    {
        var spec = MemristiveModels.Mixed("memristive:rram_neurosim", durationMs: 60);
        var (one, p1) = MemristiveModels.Run(spec, 1, PartitionStrategy.Contiguous);
        var (three, p3) = MemristiveModels.Run(spec, 4);
        Assert.Equal(one, three);
        Assert.Equal(MemristiveModels.Checksum(p1), MemristiveModels.Checksum(p3));
        var bars = BackendReport.Merge("m", p3.Select(p => p.Report).OfType<BackendReport>()).Table("crossbars")!;
        Assert.True(bars.Total("pulses") > 1000, $"{bars.Total("pulses")} pulses");
        Assert.True(bars.Total("normalize_pulses") > 0 && bars.Total("normalize_pulses") < bars.Total("pulses"));
        Assert.True(bars.Total("pulse_energy_j") > bars.Total("normalize_energy_j"));
        // The weights are what the devices hold: with 31 linear pulses over the range every weight sits on a pulse level... up to NL, so check bounds.
        var engine = ((MemristivePartition)p1.First(p => p is MemristivePartition)).Engine;
        var block = engine.PlasticBlocks.Single();
        Assert.All(block.Weights, w => Assert.InRange(w, 0f, 3f * 1.0001f));

        // Normalisation off on the chip: no pulses for it, and other weights than with it.
        var off = MemristiveModels.Mixed("memristive:rram_neurosim", durationMs: 60, options: [("normalize", "off")]);
        var (_, pOff) = MemristiveModels.Run(off, 1);
        var offBars = BackendReport.Merge("m", pOff.Select(p => p.Report).OfType<BackendReport>()).Table("crossbars")!;
        Assert.Equal(0, offBars.Total("normalize_pulses"));
        Assert.NotEqual(MemristiveModels.Checksum(p1), MemristiveModels.Checksum(pOff));

        // Greedy: one pulse per weight change, fewer pulses than the analog rule asks for.
        var greedy = MemristiveModels.Mixed("memristive:rram_neurosim", durationMs: 60, options: [("update", "greedy"), ("normalize", "off")]);
        var (_, pg) = MemristiveModels.Run(greedy, 1);
        Assert.NotEqual(MemristiveModels.Checksum(pOff), MemristiveModels.Checksum(pg));
    }

    [Fact]
    public void Sparse_plastic_arrays_with_faulty_noisy_devices_give_the_same_spikes_on_any_partitioning()
    {
        // Rows with no synapse on a partition still conduct there through stuck and noisy cells.
        var spec = MemristiveModels.Mixed("memristive:rram_neurosim", durationMs: 60, options: [("stuck_at", "0.05"), ("read_noise", "0.05")]);
        var (one, p1) = MemristiveModels.Run(spec, 1, PartitionStrategy.Contiguous);
        var (four, p4) = MemristiveModels.Run(spec, 4);
        Assert.Equal(one, four);
        Assert.Equal(MemristiveModels.Checksum(p1), MemristiveModels.Checksum(p4));
        var clean = MemristiveModels.Mixed("memristive:rram_neurosim", durationMs: 60);
        Assert.NotEqual(one, MemristiveModels.Run(clean, 1).Spikes);
    }

    [Theory]
    [InlineData("levels", "1", "backends.memristive.levels", "at least 2")]
    [InlineData("stuck_on", "1.5", "backends.memristive.stuck_on", "[0, 1]")]
    [InlineData("stuck_off", "-0.1", "backends.memristive.stuck_off", "[0, 1]")]
    [InlineData("adc_bits", "one", "backends.memristive.adc_bits", "not a whole number")]
    [InlineData("colour", "red", "backends.memristive.colour", "unknown option")]
    [InlineData("tile_columns", "0", "backends.memristive.tile_columns", "at least 1")]
    [InlineData("crossbars", "nowhere", "backends.memristive.crossbars", "names no projection")]
    [InlineData("chips", "1", "backends.memristive.chips", "does not fit")]
    public void Bad_options_are_refused_naming_the_field(string key, string value, string path, string why)
    {
        var spec = MemristiveModels.OnBackend(MemristiveModels.Example("cuba", 10), "memristive");
        spec = spec with { BackendOptions = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["memristive"] = new Dictionary<string, string> { [key] = value, ["tiles_per_chip"] = "100" } } };
        var errors = MemristiveModels.Registry.Check(spec);
        var e = Assert.Single(errors);
        Assert.Equal(path, e.Path);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ideal_preset_refuses_device_figures_and_unknown_presets_are_unknown_backends()
    {
        var spec = MemristiveModels.OnBackend(MemristiveModels.Example("cuba", 10), "memristive:ideal");
        spec = spec with { BackendOptions = new Dictionary<string, IReadOnlyDictionary<string, string>> { ["memristive"] = new Dictionary<string, string> { ["levels"] = "4" } } };
        var e = Assert.Single(MemristiveModels.Registry.Check(spec));
        Assert.Equal("backends.memristive.levels", e.Path);
        Assert.Contains("identity path", e.Message, StringComparison.Ordinal);
        var unknown = MemristiveModels.OnBackend(MemristiveModels.Example("cuba", 10), "memristive:fefet");
        Assert.Contains(MemristiveModels.Registry.Check(unknown), x => x.Message.Contains("unknown backend 'memristive:fefet'", StringComparison.Ordinal));
    }
}
