using System.Globalization;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Checkpoints;

namespace DistSnn.Hardware.SpiNNaker.Execution;

public sealed partial class SpiNNakerPartition
{
    /// <summary>Version of the state layout <see cref="SaveState"/> writes.</summary>
    public const int StateFormatVersion = 1;

    private static ReadOnlySpan<byte> StateMagic => "DSNNSPIN"u8;

    /// <summary>
    /// Writes everything needed to continue from the current epoch boundary: the clock, the neurons' fixed-point state
    /// and rings, the recordings, each core's input buffer and counters, link loads and delay-extension cycles already
    /// booked for later ticks, and the machine's counters. The mapping, rows and Poisson draws are rebuilt from the model.
    /// </summary>
    public void SaveState(Stream stream) => StateFile.Save(stream, StateMagic, StateFormatVersion, VisitState);

    /// <summary>Restores state written by <see cref="SaveState"/> of a partition of the same model and slice.</summary>
    public void RestoreState(Stream stream) => StateFile.Restore(stream, StateMagic, StateFormatVersion, "SpiNNaker partition state", VisitState);

    private void VisitState(StateVisitor v)
    {
        v.Section("spinnaker partition");
        v.Expect("partition", Partition);
        v.Expect("ideal", _ideal ? 1 : 0);
        v.Expect("epoch_steps", _clock.EpochSteps);
        v.Expect("total_steps", _clock.TotalSteps);
        v.Expect("neurons", _host.NeuronCount);
        v.Expect("cores", _cores.Length);
        long step = _clock.CurrentStep, delivered = _clock.DeliveredEpochs, events = SynapticEvents, spikes = _host.SpikesEmitted;
        v.Value("step", ref step);
        v.Value("delivered_epochs", ref delivered);
        if (_clock.TryRestore(step, delivered) is { } unfit) throw v.Fail(unfit);
        v.Value("synaptic_events", ref events);
        v.Value("spikes_emitted", ref spikes);
        SynapticEvents = events;
        _host.SpikesEmitted = spikes;
        _host.VisitGroups(v);
        foreach (var core in _cores)
        {
            v.Section($"core {core.Vertex.Name}");
            var counters = core.Counters.Values(core.Vertex.Atoms);
            v.Array("counters", counters);
            if (v.Restoring) core.Counters.Set(counters);
            core.Timing?.VisitState(v);
        }
        v.Section("machine");
        v.Value("packets_sent", ref _packetsSent);
        v.Value("router_passes", ref _routerPasses);
        v.Value("host_packets", ref _hostPackets);
        v.Value("resends", ref _resends);
        v.Value("poisson_packets", ref _poissonPackets);
        v.Array("link_packets", _linkPackets);
        v.Array("link_drops", _linkDrops);
        v.Array("link_max", _linkMax);
        // Loads and cycles booked for ticks to come (delay-extension packets sent ahead).
        var ticks = _linkLoad.Keys.Order().ToArray();
        int tickCount = ticks.Length;
        v.Prefix("load_ticks", ref ticks, ref tickCount);
        int[] loads = v.Restoring ? [] : ticks.SelectMany(t => _linkLoad[t]).ToArray();
        int loadCount = loads.Length;
        v.Prefix("loads", ref loads, ref loadCount);
        var booked = _priorityCycles.OrderBy(e => e.Key).ToArray();
        var bookedCores = booked.Select(e => e.Key.Core).ToArray();
        var bookedTicks = booked.Select(e => e.Key.Tick).ToArray();
        var bookedCycles = booked.Select(e => e.Value).ToArray();
        int bookedCount = booked.Length;
        v.Prefix("booked_cores", ref bookedCores, ref bookedCount);
        v.Prefix("booked_ticks", ref bookedTicks, ref bookedCount);
        v.Prefix("booked_cycles", ref bookedCycles, ref bookedCount);
        if (v.Restoring)
        {
            int links = _routes.LinkCount;
            if (loadCount != tickCount * links) throw v.Fail($"{loadCount} link loads for {tickCount} ticks of {links} links");
            _linkLoad.Clear();
            for (int t = 0; t < tickCount; t++) _linkLoad[ticks[t]] = loads[(t * links)..((t + 1) * links)];
            _priorityCycles.Clear();
            for (int k = 0; k < bookedCount; k++) _priorityCycles[(bookedCores[k], bookedTicks[k])] = bookedCycles[k];
            _poisson.Clear();
            _poissonApplied.Clear();
            foreach (var core in _cores) _poissonApplied[core.Index] = step - 1;
        }
        _host.VisitRecords(v);
        v.Section("end");
        v.Expect("end", 0x454E44);
    }

    /// <inheritdoc />
    public BackendReport Report
    {
        get
        {
            var cores = _cores.Select(c => new ReportRow(CoreKey(c.Vertex), c.Counters.Values(c.Vertex.Atoms))).ToList();
            var saturations = _cores.Select(c => c.Group).Distinct().OfType<FixedLifGroup>().Sum(g => g.Saturations);
            var partition = new ReportRow(Partition.ToString("D5", CultureInfo.InvariantCulture),
                [SynapticEvents, saturations, _signClipped, _poissonPackets, _wordsClipped, _unroutable]);
            var machine = new ReportRow("machine",
            [
                _packetsSent, _routerPasses, _hostPackets, _resends, _linkDrops.Sum(), _linkMax.DefaultIfEmpty(0).Max(), _linkCapacity,
                _mapping.Vertices.Select(v => v.Chip).Distinct().Count(), _mapping.Machine.Chips.Count, _mapping.Machine.Boards,
                _mapping.Vertices.Count, _p.TimeScaleFactor, _p.ClockHz * _spec.Run.Dt * 1e-3, _clock.CurrentStep, _ideal ? 1 : 0,
            ]);
            var links = Enumerable.Range(0, _linkPackets.Length).Where(l => _linkPackets[l] + _linkDrops[l] > 0)
                .Select(l =>
                {
                    var (chip, link) = _routes.LinkOf(l);
                    return new ReportRow($"{chip.X:D3},{chip.Y:D3},{link}", [_linkPackets[l], _linkDrops[l], _linkMax[l]]);
                }).ToList();
            return new BackendReport(BackendName,
            [
                new ReportTable("cores", CoreCounters.Columns, cores),
                new ReportTable("partitions", ["synaptic_events", "ring_saturations", "sign_clipped", "poisson_packets", "words_clipped", "unroutable_synapses"], [partition]),
                new ReportTable("machine", MachineColumns, [machine]),
                new ReportTable("links", ["packets", "dropped", "max_per_tick"], links),
            ]);
        }
    }

    /// <summary>Columns of the <c>machine</c> table.</summary>
    public static readonly string[] MachineColumns =
    [
        "packets_sent", "router_passes", "host_packets", "resends", "link_drops", "max_link_load", "link_capacity",
        "chips_used", "chips", "boards", "cores_used", "time_scale_factor", "cycles_per_real_time_tick", "ticks", "ideal",
    ];

    /// <summary>The row key of a core: chip x, y, core (sortable), then the slice.</summary>
    public static string CoreKey(MachineVertex v) =>
        string.Create(CultureInfo.InvariantCulture, $"{v.Chip.X:D3},{v.Chip.Y:D3},{v.Core:D2} {v.Name}");
}
