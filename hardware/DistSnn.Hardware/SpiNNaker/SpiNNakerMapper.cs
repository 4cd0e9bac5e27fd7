using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Hardware.SpiNNaker;

/// <summary>The mapping cannot be made: the message names the population, projection or chip and the figures.</summary>
public sealed class MappingException(string message) : Exception(message);

/// <summary>
/// The mapping flow of sPyNNaker / PACMAN, as a pure function: populations are cut into per-core slices (at most
/// <see cref="SpiNNakerParameters.MaxNeuronsPerCore"/> neurons, fewer when DTCM or the synaptic matrix in SDRAM would
/// not fit), sources and the Poisson drive of <c>poisson_inputs</c> into source slices, long delays into
/// delay-extension slices; slices are placed on application cores, chips nearest (0, 0) first; each slice gets a
/// block of routing keys; multicast trees are routed over the torus (<see cref="SpiNNakerRouter"/>) and the router
/// tables compressed. Nothing is run.
/// </summary>
public static class SpiNNakerMapper
{
    /// <summary>The backend name the mapping is for.</summary>
    public const string Backend = "spinnaker";

    /// <summary>
    /// Maps the populations of <paramref name="spec"/> hosted on SpiNNaker (all of them when the model names no
    /// population <c>spinnaker</c>) onto <paramref name="machine"/>; <paramref name="rateHz"/> is the firing rate the
    /// expected link loads assume. Throws <see cref="MappingException"/> when they do not fit.
    /// </summary>
    public static SpiNNakerMapping Map(NetworkSpec spec, SpiNNakerMachine machine, SpiNNakerParameters parameters, double rateHz = 10)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Problem() is { } problem) throw new MappingException($"SpiNNaker parameters: {problem}");
        var (vertices, edges) = BuildGraph(spec, Hosted(spec), parameters);
        return MapGraph(spec, machine, parameters, vertices, edges, rateHz);
    }

    private static SpiNNakerMapping MapGraph(NetworkSpec spec, SpiNNakerMachine machine, SpiNNakerParameters parameters,
        List<MachineVertex> vertices, List<MachineEdge> edges, double rateHz)
    {
        Place(spec, vertices, machine, parameters);
        AllocateKeys(vertices, parameters.DelayExtensionStages);
        var routing = SpiNNakerRouter.Route(machine, vertices, edges, parameters);
        return new SpiNNakerMapping(spec, machine, parameters, vertices, edges, routing, rateHz);
    }

    /// <summary>
    /// Maps onto the smallest machine of <paramref name="type"/> (up to <paramref name="maxBoards"/> boards) the model
    /// fits; the error of the largest machine tried when it fits none.
    /// </summary>
    public static SpiNNakerMapping MapSmallest(NetworkSpec spec, BoardType type, SpiNNakerParameters parameters, int maxBoards, double rateHz = 10)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Problem() is { } problem) throw new MappingException($"SpiNNaker parameters: {problem}");
        var (vertices, edges) = BuildGraph(spec, Hosted(spec), parameters);
        MappingException? last = null;
        SpiNNakerMachine? largest = null;
        foreach (var machine in SpiNNakerMachine.Growing(type, maxBoards))
        {
            largest = machine;
            // Machines with fewer cores than the graph has vertices cannot hold it: skip them without placing.
            if (machine.Chips.Count * parameters.AppCoresPerChip < vertices.Count) continue;
            try
            {
                return MapGraph(spec, machine, parameters, vertices, edges, rateHz);
            }
            catch (MappingException e) when (e.Message.Contains("too small", StringComparison.Ordinal) || e.Message.Contains("router entries", StringComparison.Ordinal))
            {
                last = e;
            }
        }
        // Every machine was too small by its cores alone: placing on the largest says by how much.
        if (last is null && largest is not null) return MapGraph(spec, largest, parameters, vertices, edges, rateHz);
        throw last ?? new MappingException($"no {type} machine of at most {maxBoards} boards");
    }

    /// <summary>The indices of the populations a mapping places: those on a SpiNNaker backend, or all.</summary>
    public static int[] Hosted(NetworkSpec spec)
    {
        var named = Enumerable.Range(0, spec.Populations.Count).Where(p => IsSpiNNaker(spec.Populations[p].BackendName)).ToArray();
        return named.Length > 0 ? named : Enumerable.Range(0, spec.Populations.Count).ToArray();
    }

    /// <summary>Whether a backend name is one of the SpiNNaker backends (<c>spinnaker</c>, <c>spinnaker:ideal</c>).</summary>
    public static bool IsSpiNNaker(string backend) => backend == Backend || backend.StartsWith(Backend + ":", StringComparison.Ordinal);

    private static (List<MachineVertex> Vertices, List<MachineEdge> Edges) BuildGraph(NetworkSpec spec, int[] hosted, SpiNNakerParameters p)
    {
        var grid = spec.Run.Grid;
        int pops = spec.Populations.Count;
        var isHosted = new bool[pops];
        foreach (int q in hosted) isHosted[q] = true;
        var vertices = new List<MachineVertex>();
        MachineVertex Add(VertexKind kind, int pop, string name, int lo, int hi, int input = -1)
        {
            var v = new MachineVertex(vertices.Count, kind, pop, name, lo, hi) { Input = input };
            vertices.Add(v);
            return v;
        }

        // Which projections the machine carries, and the delay range of each (a normal distribution up to five
        // standard deviations: what the engine would draw).
        var carried = new List<(int J, int Pre, int Post, long Lo, long Hi)>();
        for (int j = 0; j < spec.Projections.Count; j++)
        {
            var proj = spec.Projections[j];
            int pre = spec.PopulationIndex(proj.Source), post = spec.PopulationIndex(proj.Target);
            if (!isHosted[post] && !isHosted[pre]) continue;
            var (lo, hi) = proj.DelayStepRange(grid, normalSigmas: 5);
            if (isHosted[post] && hi > p.MaxDelayTicks)
                throw new MappingException($"projections[{j}].delay: delays of up to {hi} ticks exceed the {p.MaxDelayTicks} ticks SpiNNaker takes " +
                                           $"({p.CoreDelayTicks} on the core and {p.DelayExtensionStages} delay-extension stages of {p.CoreDelayTicks})");
            carried.Add((j, pre, post, lo, hi));
        }
        var needsDelays = new bool[pops];
        foreach (var c in carried)
            if (isHosted[c.Post] && c.Hi > p.CoreDelayTicks) needsDelays[c.Pre] = true;

        // Spikes of populations elsewhere enter through injector cores on the Ethernet chip; spikes bound for them leave
        // through one live-output core there. Both come first, so that they land on chip (0, 0).
        var cuts = new int[pops][];
        var sliceOf = new List<MachineVertex>[pops];
        MachineVertex? hostOutput = null;
        var delayExtension = new Dictionary<int, MachineVertex>();
        for (int pop = 0; pop < pops; pop++)
        {
            if (isHosted[pop] || !carried.Any(c => c.Pre == pop && isHosted[c.Post])) continue;
            cuts[pop] = Cuts(spec.Populations[pop].Size, p.MaxSourcesPerCore);
            sliceOf[pop] = [];
            for (int s = 0; s + 1 < cuts[pop].Length; s++)
            {
                var v = Add(VertexKind.Injector, pop, $"{spec.Populations[pop].Name}[{cuts[pop][s]}:{cuts[pop][s + 1]}] in", cuts[pop][s], cuts[pop][s + 1]);
                sliceOf[pop].Add(v);
                if (needsDelays[pop]) delayExtension[v.Id] = Add(VertexKind.DelayExtension, pop, $"{v.Name} delays", v.Lo, v.Hi);
            }
        }
        if (carried.Any(c => isHosted[c.Pre] && !isHosted[c.Post]))
            hostOutput = Add(VertexKind.HostOutput, -1, "live output", 0, 0);

        // Each slice is followed by its Poisson drive (one source per neuron, one core per poisson_inputs entry) and its
        // delay extension: placement keeps such a group on one chip, as sPyNNaker keeps one-to-one sources and delay
        // extensions with their slice.
        var poissonOf = new Dictionary<int, List<MachineVertex>>();
        foreach (int pop in hosted)
        {
            var population = spec.Populations[pop];
            bool source = population.Model.IsSource;
            int perCore = source ? p.MaxSourcesPerCore : NeuronsPerCore(spec, pop, p);
            cuts[pop] = Cuts(population.Size, perCore);
            sliceOf[pop] = [];
            for (int s = 0; s + 1 < cuts[pop].Length; s++)
            {
                int lo = cuts[pop][s], hi = cuts[pop][s + 1];
                var v = Add(source ? VertexKind.Sources : VertexKind.Neurons, pop, $"{population.Name}[{lo}:{hi}]", lo, hi);
                sliceOf[pop].Add(v);
                for (int k = 0; k < spec.PoissonInputs.Count; k++)
                    if (spec.PoissonInputs[k].Target == population.Name)
                    {
                        if (!poissonOf.TryGetValue(v.Id, out var list)) poissonOf[v.Id] = list = [];
                        list.Add(Add(VertexKind.PoissonInput, pop, $"poisson_inputs[{k}][{lo}:{hi}]", lo, hi, k));
                    }
                if (needsDelays[pop]) delayExtension[v.Id] = Add(VertexKind.DelayExtension, pop, $"{v.Name} delays", lo, hi);
            }
        }

        var edges = new List<MachineEdge>();
        var linked = new HashSet<(int, int)>();
        void Link(MachineVertex from, MachineVertex to)
        {
            if (linked.Add((from.Id, to.Id))) edges.Add(new MachineEdge(from, to, 0));
        }
        foreach (var (j, pre, post, lo, hi) in carried)
        {
            if (!isHosted[post])
            {
                // Bound for a population elsewhere: every slice with a synapse onto it sends to the live output.
                var outgoing = ExpectedSynapses.Between(spec, j, cuts[pre], [0, spec.Populations[post].Size]);
                for (int a = 0; a < sliceOf[pre].Count; a++)
                    if (outgoing[a, 0] > 0) Link(sliceOf[pre][a], hostOutput!);
                continue;
            }
            var synapses = ExpectedSynapses.Between(spec, j, cuts[pre], cuts[post]);
            for (int a = 0; a < sliceOf[pre].Count; a++)
                for (int b = 0; b < sliceOf[post].Count; b++)
                {
                    if (synapses[a, b] <= 0) continue;
                    var source = sliceOf[pre][a];
                    // A delay range may straddle the core's 16 ticks: its short synapses come straight, its long ones through the extension.
                    if (lo <= p.CoreDelayTicks) edges.Add(new MachineEdge(source, sliceOf[post][b], synapses[a, b]));
                    if (hi > p.CoreDelayTicks)
                    {
                        var ext = delayExtension[source.Id];
                        Link(source, ext);
                        edges.Add(new MachineEdge(ext, sliceOf[post][b], synapses[a, b]));
                    }
                }
        }
        foreach (var (slice, inputs) in poissonOf)
            foreach (var v in inputs)
                edges.Add(new MachineEdge(v, vertices[slice], v.Atoms));
        foreach (var v in vertices.Where(v => v.Kind == VertexKind.Neurons))
        {
            v.SdramBytes = MatrixBytes(spec, v.Population, v.Atoms, p);
            v.DtcmBytes = p.DtcmReservedBytes + (long)v.Atoms * (p.DtcmBytesPerNeuron + p.DtcmRingBytesPerNeuron);
        }
        return (vertices, DistinctEdges(edges));
    }

    /// <summary>Edges between the same two vertices (several projections) merged, synapses summed, in first-seen order.</summary>
    private static List<MachineEdge> DistinctEdges(List<MachineEdge> edges) =>
        edges.GroupBy(e => (e.Source.Id, e.Target.Id)).Select(g => new MachineEdge(g.First().Source, g.First().Target, g.Sum(e => e.Synapses))).ToList();

    /// <summary>Neurons per core for population <paramref name="pop"/>: the most that fit DTCM and, with their synaptic matrix, a core's share of SDRAM.</summary>
    private static int NeuronsPerCore(NetworkSpec spec, int pop, SpiNNakerParameters p)
    {
        long dtcmPerNeuron = p.DtcmBytesPerNeuron + p.DtcmRingBytesPerNeuron;
        int n = (int)Math.Min(p.MaxNeuronsPerCore, (p.DtcmBytes - p.DtcmReservedBytes) / dtcmPerNeuron);
        long sdramPerCore = p.SdramBytes / p.AppCoresPerChip;
        while (n > 1 && MatrixBytes(spec, pop, n, p) > sdramPerCore) n = n * 3 / 4;
        if (MatrixBytes(spec, pop, n, p) > sdramPerCore)
            throw new MappingException($"populations[{pop}] '{spec.Populations[pop].Name}': the synaptic matrix of one neuron takes " +
                                       $"{MatrixBytes(spec, pop, 1, p)} bytes, more than a core's share of SDRAM ({sdramPerCore} bytes)");
        return Math.Max(1, n);
    }

    /// <summary>
    /// SDRAM for the synaptic matrix of <paramref name="n"/> neurons of <paramref name="pop"/>: a row per source neuron of
    /// every projection onto it, its header and its expected length times the margin (rows are padded to their maximum).
    /// </summary>
    private static long MatrixBytes(NetworkSpec spec, int pop, int n, SpiNNakerParameters p)
    {
        long bytes = 0;
        int size = spec.Populations[pop].Size;
        for (int j = 0; j < spec.Projections.Count; j++)
        {
            if (spec.PopulationIndex(spec.Projections[j].Target) != pop) continue;
            int pre = spec.PopulationIndex(spec.Projections[j].Source);
            int sources = spec.Populations[pre].Size;
            double total = ExpectedSynapses.Between(spec, j, [0, sources], [0, size])[0, 0];
            double row = total / sources * n / size;
            bytes += (long)sources * 4 * (p.RowHeaderWords + (long)Math.Ceiling(p.RowLengthMargin * row));
        }
        return bytes;
    }

    private static int[] Cuts(int size, int perCore)
    {
        int slices = (size + perCore - 1) / perCore;
        return Enumerable.Range(0, slices + 1).Select(s => (int)((long)size * s / slices)).ToArray();
    }

    /// <summary>
    /// Fills the application cores of the chips in the machine's order, one vertex per core, checking each chip's SDRAM.
    /// A slice, its Poisson drive and its delay extension (consecutive vertices) go on one chip: when the rest of a chip
    /// cannot take the whole group, the group starts the next chip.
    /// </summary>
    private static void Place(NetworkSpec spec, List<MachineVertex> vertices, SpiNNakerMachine machine, SpiNNakerParameters p)
    {
        int chip = 0, core = p.MonitorCoresPerChip;
        long sdram = 0;
        for (int start = 0; start < vertices.Count;)
        {
            int end = start + 1;
            if (vertices[start].Kind is VertexKind.Neurons or VertexKind.Sources or VertexKind.Injector)
                while (end < vertices.Count && vertices[end].Kind is VertexKind.PoissonInput or VertexKind.DelayExtension) end++;
            // A group larger than a chip could never fit whole: it spills over as single vertices.
            if (end - start > p.AppCoresPerChip) end = start + 1;
            long groupSdram = 0;
            for (int i = start; i < end; i++) groupSdram += vertices[i].SdramBytes;
            if (core + (end - start) > p.CoresPerChip || sdram + groupSdram > p.SdramBytes)
            {
                chip++;
                core = p.MonitorCoresPerChip;
                sdram = 0;
            }
            if (chip >= machine.Chips.Count) throw TooSmall(spec, vertices, vertices[start], machine, p);
            for (int i = start; i < end; i++)
            {
                vertices[i].Chip = machine.Chips[chip];
                vertices[i].Core = core++;
                sdram += vertices[i].SdramBytes;
            }
            start = end;
        }
    }

    private static MappingException TooSmall(NetworkSpec spec, List<MachineVertex> vertices, MachineVertex v, SpiNNakerMachine machine, SpiNNakerParameters p)
    {
        string name = v.Population >= 0 ? spec.Populations[v.Population].Name : "";
        string who = v.Kind switch
        {
            VertexKind.PoissonInput => $"the Poisson drive of population '{name}'",
            VertexKind.DelayExtension => $"a delay extension of population '{name}'",
            VertexKind.Injector => $"the injector of population '{name}'",
            VertexKind.HostOutput => "the live output",
            _ => $"population '{name}'",
        };
        return new MappingException($"the machine is too small: {machine.Boards} {Name(machine.BoardType)} board(s) with " +
                                    $"{machine.Chips.Count} chips and {machine.Chips.Count * p.AppCoresPerChip} application cores; the model needs " +
                                    $"{vertices.Count} cores, and {who} ({v.Name}) found none left");
    }

    /// <summary>
    /// Gives each vertex an aligned block of keys, as sPyNNaker does per application vertex: the slices of one
    /// population (and likewise its delay extensions, its Poisson drive, its injectors) get blocks of one power-of-two
    /// size, consecutive in an aligned region of their own, so that slices whose packets take the same route on a chip
    /// (neighbours placed together) can share a router entry after compression.
    /// </summary>
    private static void AllocateKeys(List<MachineVertex> vertices, int stages)
    {
        long Need(MachineVertex v) => v.Kind == VertexKind.DelayExtension ? (long)v.Atoms * Math.Max(1, stages) : Math.Max(1, v.Atoms);
        static long Pow2(long n)
        {
            long b = 1;
            while (b < n) b <<= 1;
            return b;
        }
        long next = 0;
        foreach (var group in vertices.GroupBy(v => (v.Kind, v.Population, v.Input)))
        {
            var members = group.OrderBy(v => v.Lo).ToList();
            long block = Pow2(members.Max(Need));
            long region = Pow2(block * members.Count);
            next = (next + region - 1) / region * region;
            if (next + region > 1L << 32) throw new MappingException($"the model needs more than 2^32 routing keys ({members[0].Name} would start at {next})");
            for (int i = 0; i < members.Count; i++)
            {
                members[i].Key = (uint)(next + i * block);
                members[i].Mask = (uint)~(block - 1);
                members[i].KeySpace = block;
            }
            next += region;
        }
    }

    /// <summary>The board type's name in messages.</summary>
    public static string Name(BoardType type) => type == BoardType.Spin3 ? "SpiNN-3" : "SpiNN-5";
}
