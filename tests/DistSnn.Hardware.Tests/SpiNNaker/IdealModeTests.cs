using DistSnn.Backends.Testing;
using DistSnn.Hardware.SpiNNaker;
using DistSnn.Hardware.SpiNNaker.Execution;
using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Exchange;
using DistSnn.Partitioner;

namespace DistSnn.Hardware.Tests.SpiNNaker;

/// <summary>
/// The ideal machine (float kernels, nothing limited) gives the CPU's spikes exactly, although every spike reaches its
/// synapses only through keys, router tables and master population tables; a corrupted router entry shows.
/// </summary>
public sealed class IdealModeTests
{
    internal static readonly BackendRegistry Registry = SpiNNakerBackend.AddTo(BackendRegistry.Default);

    internal static NetworkSpec Example(string name) =>
        ModelLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "examples", name + ".yaml"));

    internal static NetworkSpec OnBackend(NetworkSpec spec, string backend, params string[] populations) => spec with
    {
        Populations = spec.Populations.Select(p => populations.Length == 0 || populations.Contains(p.Name) ? p with { Backend = backend } : p).ToArray(),
    };

    /// <summary>Runs <paramref name="spec"/> on <paramref name="parts"/> partitions; returns the recorded spikes as (stamp, gid) and the partitions.</summary>
    internal static (List<(long Stamp, long Gid)> Spikes, IPartitionBackend[] Partitions) Run(NetworkSpec spec, int parts,
        Func<NetworkSpec, int, IReadOnlyList<int[]>, string, IPartitionBackend>? make = null)
    {
        Assert.Empty(NetworkValidator.Validate(spec));
        Assert.Empty(Registry.Check(spec));
        var plan = PartitionPlan.Create(spec, parts, PartitionStrategy.Contiguous);
        var backends = Enumerable.Range(0, plan.Parts)
            .Select(q => make?.Invoke(spec, q, plan.Owned(q), plan.Backend(q)) ?? Registry.Create(plan.Backend(q), spec, q, plan.Owned(q))).ToArray();
        new InProcessRunner(backends, RoutingTable.Of(spec, Enumerable.Range(0, plan.Parts).Select(plan.Owned).ToArray(), backends)).RunUntil(long.MaxValue);
        return (BackendConformance.Recorded(spec, backends), backends);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Mixed_placement_gives_the_cpu_spikes_exactly(int parts)
    {
        var cpu = SpiNNakerModels.Mixed(PopulationSpec.DefaultBackend);
        var ideal = SpiNNakerModels.Mixed(SpiNNakerPartition.IdealName);
        var (expected, _) = Run(cpu, 1);
        var (actual, partitions) = Run(ideal, parts);
        Assert.True(expected.Count > 100, $"{expected.Count} spikes");
        Assert.Equal(expected, actual);
        // Spikes did go through the machine: delay extensions and injected spikes included.
        var report = BackendReport.Merge(SpiNNakerPartition.IdealName, partitions.Select(p => p.Report).OfType<BackendReport>());
        var machine = report.Table("machine")!;
        Assert.True(machine.Total("resends") > 0, "delays beyond 16 ticks went through the delay extensions");
        var mapping = ((SpiNNakerPartition)partitions.First(p => p is SpiNNakerPartition)).Mapping;
        Assert.Contains(mapping.Edges, e => e.Source.Kind == VertexKind.Injector && e.Target.Kind == VertexKind.DelayExtension);
        Assert.True(machine.Total("packets_sent") > expected.Count / 2);
        Assert.Equal(0, report.Table("cores")!.Total("missing") + report.Table("cores")!.Total("misrouted"));
    }

    [Theory]
    [InlineData("cuba", 50.0)]
    [InlineData("brunel", 50.0)]
    public void Examples_on_the_ideal_machine_give_the_cpu_spikes(string example, double durationMs)
    {
        var spec = Example(example);
        spec = spec with { Run = spec.Run with { Duration = durationMs } };
        var (expected, _) = Run(spec, 2);
        // Mixed placement: the excitatory neurons on the machine, the inhibitory ones on the CPU.
        var (actual, _) = Run(OnBackend(spec, SpiNNakerPartition.IdealName, "exc"), 2);
        Assert.True(expected.Count > 100);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_corrupted_router_entry_is_detected_and_changes_the_spikes()
    {
        var spec = SpiNNakerModels.Mixed(SpiNNakerPartition.IdealName);
        var (expected, _) = Run(spec, 1);
        var mapping = SpiNNakerSettings.MappingOf(spec);
        // The entry of an excitatory slice's spikes on its own chip: route them to no core at all.
        var exc = mapping.Vertices.First(v => v.Kind == VertexKind.Neurons && spec.Populations[v.Population].Name == "exc");
        var tables = mapping.Routing.Tables.ToDictionary(t => t.Key, t => t.Value);
        var table = tables[exc.Chip].ToList();
        int at = table.FindIndex(e => e.Matches(exc.Key));
        Assert.True(at >= 0);
        table[at] = table[at] with { Route = 0 };
        tables[exc.Chip] = table;
        var (actual, partitions) = Run(spec, 1, (s, q, owned, backend) => backend == SpiNNakerPartition.IdealName
            ? new SpiNNakerPartition(s, q, owned, ideal: true, tables)
            : Registry.Create(backend, s, q, owned));
        Assert.NotEqual(expected, actual);
        var report = BackendReport.Merge(SpiNNakerPartition.IdealName, partitions.Select(p => p.Report).OfType<BackendReport>());
        var summary = SpiNNakerSummary.Summarize(spec, report, outDir: null);
        Assert.True(summary.Totals["missing_deliveries"] > 0);
        Assert.Contains(summary.Notes, n => n.StartsWith("routing:", StringComparison.Ordinal));
    }
}
