using DistSnn.Model;

namespace DistSnn.Hardware.SpiNNaker;

/// <summary>A model mapped onto a SpiNNaker machine: the cores, keys and router tables, and the report of what it takes.</summary>
public sealed class SpiNNakerMapping
{
    internal SpiNNakerMapping(NetworkSpec spec, SpiNNakerMachine machine, SpiNNakerParameters parameters, IReadOnlyList<MachineVertex> vertices,
        IReadOnlyList<MachineEdge> edges, RoutingResult routing, double rateHz)
    {
        Spec = spec;
        Machine = machine;
        Parameters = parameters;
        Vertices = vertices;
        Edges = edges;
        Routing = routing;
        Report = MappingReport.Of(this, rateHz);
    }

    /// <summary>The model.</summary>
    public NetworkSpec Spec { get; }
    /// <summary>The machine.</summary>
    public SpiNNakerMachine Machine { get; }
    /// <summary>The figures the mapping used.</summary>
    public SpiNNakerParameters Parameters { get; }
    /// <summary>One per core used: neuron, source, Poisson input and delay-extension slices.</summary>
    public IReadOnlyList<MachineVertex> Vertices { get; }
    /// <summary>Which vertex's spikes reach which.</summary>
    public IReadOnlyList<MachineEdge> Edges { get; }
    /// <summary>The router tables and the links used.</summary>
    public RoutingResult Routing { get; }
    /// <summary>What the mapping takes.</summary>
    public MappingReport Report { get; }
}

/// <summary>Per population: how it was cut.</summary>
public sealed record PopulationSlices(string Population, int Neurons, int Slices, int MaxPerSlice, string Kind);

/// <summary>
/// What a mapping takes, as <c>distsnn hw map</c> prints and writes it: cores by kind, chips, boards, router entries per
/// chip before and after compression, the packets each link carries per tick at the assumed rate, and SDRAM and
/// DTCM use.
/// </summary>
public sealed record MappingReport
{
    /// <summary>The model's name.</summary>
    public required string Model { get; init; }
    /// <summary>SpiNN-3 or SpiNN-5.</summary>
    public required string BoardType { get; init; }
    /// <summary>Boards in the machine.</summary>
    public required int Boards { get; init; }
    /// <summary>Chips in the machine.</summary>
    public required int ChipsInMachine { get; init; }
    /// <summary>Chips with at least one core used.</summary>
    public required int ChipsUsed { get; init; }
    /// <summary>Application cores in the machine.</summary>
    public required int CoresInMachine { get; init; }
    /// <summary>Cores used (one per vertex).</summary>
    public required int CoresUsed { get; init; }
    /// <summary>Cores running neuron slices.</summary>
    public required int NeuronCores { get; init; }
    /// <summary>Cores running spike sources and Poisson drives.</summary>
    public required int SourceCores { get; init; }
    /// <summary>Cores running delay extensions.</summary>
    public required int DelayExtensionCores { get; init; }
    /// <summary>How each population (and each Poisson drive) was cut.</summary>
    public required IReadOnlyList<PopulationSlices> Populations { get; init; }
    /// <summary>Most router entries on a chip before compression.</summary>
    public required int RouterEntriesMaxBefore { get; init; }
    /// <summary>Mean router entries over the chips with any, before compression.</summary>
    public required double RouterEntriesMeanBefore { get; init; }
    /// <summary>Most router entries on a chip after compression.</summary>
    public required int RouterEntriesMax { get; init; }
    /// <summary>Mean router entries over the chips with any, after compression.</summary>
    public required double RouterEntriesMean { get; init; }
    /// <summary>Entries a router may hold.</summary>
    public required int RouterEntriesLimit { get; init; }
    /// <summary>The firing rate (Hz) the link loads assume.</summary>
    public required double AssumedRateHz { get; init; }
    /// <summary>Multicast packets per tick on the busiest link, at that rate.</summary>
    public required double PacketsPerLinkPerTickMax { get; init; }
    /// <summary>Mean packets per tick over the links used.</summary>
    public required double PacketsPerLinkPerTickMean { get; init; }
    /// <summary>Chip links that carry any route.</summary>
    public required int LinksUsed { get; init; }
    /// <summary>Most SDRAM (bytes) the synaptic matrices take on a chip.</summary>
    public required long SdramMaxBytesPerChip { get; init; }
    /// <summary>SDRAM (bytes) a chip has for them.</summary>
    public required long SdramBytesPerChip { get; init; }
    /// <summary>Most DTCM (bytes) a core uses.</summary>
    public required long DtcmMaxBytesPerCore { get; init; }
    /// <summary>DTCM (bytes) a core has.</summary>
    public required long DtcmBytesPerCore { get; init; }
    /// <summary>The machine tick: the model's dt (ms).</summary>
    public required double TickMs { get; init; }
    /// <summary>
    /// Expected cycles per tick of the busiest neuron core at the assumed rate: its neuron updates, and per packet
    /// expected from each source (spikes, delay-extension stages, Poisson drives) the packet and its row's words.
    /// </summary>
    public required double CoreCyclesPerTickMax { get; init; }
    /// <summary>
    /// The time-scale factor that load needs: the busiest core's cycles over the cycles of a real-time tick
    /// (clock × dt). 1 or less: the model runs in real time.
    /// </summary>
    public required double TimeScaleFactorNeeded { get; init; }
    /// <summary>Neurons per neuron core, on average.</summary>
    public required double NeuronsPerCoreMean { get; init; }

    internal static MappingReport Of(SpiNNakerMapping m, double rateHz)
    {
        var p = m.Parameters;
        var vertices = m.Vertices;
        var before = m.Routing.Uncompressed.Values.Select(t => t.Count).DefaultIfEmpty(0).ToArray();
        var after = m.Routing.Tables.Values.Select(t => t.Count).DefaultIfEmpty(0).ToArray();
        // Packets per tick each link carries: every spike of a vertex crosses each link of its tree once.
        double tickSeconds = m.Spec.Run.Dt / 1000.0;
        var load = new Dictionary<(Chip, int), double>();
        foreach (var v in vertices)
        {
            if (!m.Routing.LinksOf.TryGetValue(v.Id, out var links)) continue;
            double packets = v.Atoms * rateHz * tickSeconds;
            foreach (var l in links) load[l] = load.GetValueOrDefault(l) + packets;
        }
        double cycles = BusiestCore(m, rateHz, tickSeconds);
        var pops = vertices.Where(v => v.Kind is VertexKind.Neurons or VertexKind.Sources).GroupBy(v => v.Population)
            .Select(g => new PopulationSlices(m.Spec.Populations[g.Key].Name, m.Spec.Populations[g.Key].Size, g.Count(), g.Max(v => v.Atoms),
                g.First().Kind == VertexKind.Neurons ? "neurons" : "sources"))
            .Concat(vertices.Where(v => v.Kind == VertexKind.PoissonInput).GroupBy(v => v.Input)
                .Select(g => new PopulationSlices($"poisson_inputs[{g.Key}] → {m.Spec.Populations[g.First().Population].Name}", g.Sum(v => v.Atoms),
                    g.Count(), g.Max(v => v.Atoms), "poisson input")))
            .ToList();
        return new MappingReport
        {
            Model = m.Spec.Name,
            BoardType = SpiNNakerMapper.Name(m.Machine.BoardType),
            Boards = m.Machine.Boards,
            ChipsInMachine = m.Machine.Chips.Count,
            ChipsUsed = vertices.Select(v => v.Chip).Distinct().Count(),
            CoresInMachine = m.Machine.Chips.Count * p.AppCoresPerChip,
            CoresUsed = vertices.Count,
            NeuronCores = vertices.Count(v => v.Kind == VertexKind.Neurons),
            SourceCores = vertices.Count(v => v.Kind is VertexKind.Sources or VertexKind.PoissonInput or VertexKind.Injector),
            DelayExtensionCores = vertices.Count(v => v.Kind == VertexKind.DelayExtension),
            Populations = pops,
            RouterEntriesMaxBefore = before.Max(),
            RouterEntriesMeanBefore = before.Average(),
            RouterEntriesMax = after.Max(),
            RouterEntriesMean = after.Average(),
            RouterEntriesLimit = p.RouterEntries,
            AssumedRateHz = rateHz,
            PacketsPerLinkPerTickMax = load.Values.DefaultIfEmpty(0).Max(),
            PacketsPerLinkPerTickMean = load.Values.DefaultIfEmpty(0).Average(),
            LinksUsed = load.Count,
            SdramMaxBytesPerChip = vertices.GroupBy(v => v.Chip).Select(g => g.Sum(v => v.SdramBytes)).DefaultIfEmpty(0).Max(),
            SdramBytesPerChip = p.SdramBytes,
            DtcmMaxBytesPerCore = vertices.Select(v => v.DtcmBytes).DefaultIfEmpty(0).Max(),
            DtcmBytesPerCore = p.DtcmBytes,
            TickMs = m.Spec.Run.Dt,
            CoreCyclesPerTickMax = cycles,
            TimeScaleFactorNeeded = cycles / (p.ClockHz * tickSeconds),
            NeuronsPerCoreMean = vertices.Where(v => v.Kind == VertexKind.Neurons).Select(v => (double)v.Atoms).DefaultIfEmpty(0).Average(),
        };
    }

    /// <summary>
    /// The expected cycles per tick of the busiest neuron core (see <see cref="CoreCyclesPerTickMax"/>): a source vertex
    /// sends atoms × rate × h packets per tick (Poisson drives: atoms × sources × rate × h; delay extensions once per
    /// stage a packet uses); each costs a packet plus its share of the edge's synapses as words.
    /// </summary>
    private static double BusiestCore(SpiNNakerMapping m, double rateHz, double h)
    {
        var p = m.Parameters;
        var cycles = new Dictionary<int, double>();
        foreach (var v in m.Vertices.Where(v => v.Kind == VertexKind.Neurons)) cycles[v.Id] = p.CyclesPerTick + p.CyclesPerNeuron * v.Atoms;
        foreach (var e in m.Edges)
        {
            if (!cycles.ContainsKey(e.Target.Id)) continue;
            var s = e.Source;
            double rate = s.Kind switch
            {
                VertexKind.PoissonInput => m.Spec.PoissonInputs[s.Input].Sources * m.Spec.PoissonInputs[s.Input].Rate,
                VertexKind.Sources when m.Spec.Populations[s.Population].Model is PoissonGenerator g => g.Rate,
                _ => rateHz,
            };
            double packets = s.Atoms * rate * h;
            if (packets <= 0) continue;
            double words = s.Kind == VertexKind.PoissonInput ? 1 : e.Synapses / s.Atoms;
            cycles[e.Target.Id] += packets * (p.CyclesPerPacket + p.CyclesPerSynapse * words);
        }
        return cycles.Values.DefaultIfEmpty(0).Max();
    }
}
