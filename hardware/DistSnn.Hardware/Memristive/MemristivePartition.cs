using DistSnn.Model;
using DistSnn.Nodes;
using DistSnn.Nodes.Backends;

namespace DistSnn.Hardware.Memristive;

/// <summary>
/// A partition hosted on modelled memristive chips: the CPU engine's neurons, inputs, recorders and learning rules
/// (the chip's peripheral circuits), with the chosen projections held in crossbars (<see cref="CrossbarSubstrate"/>).
/// Preset <c>ideal</c> keeps every synapse on the CPU's path, so it gives the CPU's spikes exactly; only the mapping is
/// reported. Speaks the same spike packets as every partition.
/// </summary>
public sealed class MemristivePartition : IPartitionBackend
{
    private readonly string _name;

    /// <summary>Builds partition <paramref name="partition"/> of <paramref name="spec"/> on backend <paramref name="backend"/> (<c>memristive[:PRESET]</c>).</summary>
    public MemristivePartition(NetworkSpec spec, int partition, IReadOnlyList<int[]> owned, string backend)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(owned);
        _name = backend;
        Preset = MemristiveSettings.PresetOf(backend) ?? throw new ArgumentException($"'{backend}' is not a memristive backend (memristive or memristive:PRESET, presets: {string.Join(", ", DeviceParameters.PresetNames)})", nameof(backend));
        Parameters = MemristiveSettings.Of(spec, Preset);
        var hosted = Enumerable.Range(0, spec.Populations.Count).Where(p => spec.Populations[p].BackendName == backend).ToArray();
        var (chosen, errors) = MemristiveSettings.Chosen(spec, Parameters, hosted);
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors.Select(e => e.ToString())));
        Tiling = CrossbarTiling.Of(spec, Parameters, chosen);
        Substrate = Preset == DeviceParameters.Ideal ? null : new CrossbarSubstrate(spec, Parameters, chosen);
        Engine = new PartitionEngine(spec, partition, owned, Substrate, backend);
    }

    /// <summary>The preset of the devices.</summary>
    public string Preset { get; }
    /// <summary>The device figures in force.</summary>
    public DeviceParameters Parameters { get; }
    /// <summary>The tiling of the model's crossbar projections.</summary>
    public IReadOnlyList<ProjectionTiling> Tiling { get; }
    /// <summary>The crossbars (null for the identity path).</summary>
    public CrossbarSubstrate? Substrate { get; }
    /// <summary>The engine that steps the neurons and holds the CPU's synapses.</summary>
    public PartitionEngine Engine { get; }

    /// <inheritdoc />
    public string BackendName => _name;
    /// <inheritdoc />
    public int Partition => Engine.Partition;
    /// <inheritdoc />
    public EpochClock Clock => Engine.Clock;
    /// <inheritdoc />
    public bool ReceivesFrom(long gid) => Engine.ReceivesFrom(gid);
    /// <inheritdoc />
    public SpikeBatch RunEpoch() => Engine.RunEpoch();
    /// <inheritdoc />
    public void Deliver(IReadOnlyList<SpikeBatch> batches) => Engine.Deliver(batches);
    /// <inheritdoc />
    public IReadOnlyList<SpikeRecord?> SpikeRecords => Engine.SpikeRecords;
    /// <inheritdoc />
    public IReadOnlyList<StateRecord> StateRecords => Engine.StateRecords;
    /// <inheritdoc />
    public PartitionCounters Counters => Engine.Counters;
    /// <inheritdoc />
    public ulong WeightsChecksum => Engine.WeightsChecksum;
    /// <inheritdoc />
    public void SaveState(Stream stream) => Engine.SaveState(stream);
    /// <inheritdoc />
    public void RestoreState(Stream stream) => Engine.RestoreState(stream);

    /// <summary>
    /// Tables <c>tiles</c> (one row per crossbar projection: its tiling, the same from every partition) and
    /// <c>crossbars</c> (one row per projection and partition: synapses, reads, conversions, pulses, energy).
    /// </summary>
    public BackendReport Report => new(_name,
    [
        new ReportTable("tiles", ["rows", "columns", "row_tiles", "column_tiles", "tiles"],
            Tiling.Select(t => new ReportRow($"projections[{t.Projection:D4}] {t.Name}", [t.Rows, t.Columns, t.RowTiles, t.ColumnTiles, t.Tiles])).ToList()),
        new ReportTable("crossbars", CrossbarSubstrate.ReportColumns, Substrate?.ReportRows(Partition).ToList() ?? []),
        new ReportTable("run", ["steps"], [new ReportRow("run", [Engine.CurrentStep])]),
    ]);
}
