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

    /// <summary>The indices of the populations a mapping places: those on the spinnaker backend, or all.</summary>
    public static int[] Hosted(NetworkSpec spec)
    {
        var named = Enumerable.Range(0, spec.Populations.Count).Where(p => spec.Populations[p].BackendName == Backend).ToArray();
        return named.Length > 0 ? named : Enumerable.Range(0, spec.Populations.Count).ToArray();
    }

    private static (List<MachineVertex> Vertices, List<MachineEdge> Edges) BuildGraph(NetworkSpec spec, int[] hosted, SpiNNakerParameters p)
    {
        var grid = spec.Run.Grid;
        var isHosted = new bool[spec.Populations.Count];
        foreach (int q in hosted) isHosted[q] = true;
        var vertices = new List<MachineVertex>();
        var cuts = new int[spec.Populations.Count][];
        var sliceOf = new List<MachineVertex>[spec.Populations.Count];
        foreach (int pop in hosted)
        {
            var population = spec.Populations[pop];
            bool source = population.Model.IsSource;
            int perCore = source ? p.MaxSourcesPerCore : NeuronsPerCore(spec, pop, p);
            cuts[pop] = Cuts(population.Size, perCore);
            sliceOf[pop] = new List<MachineVertex>();
            for (int s = 0; s + 1 < cuts[pop].Length; s++)
            {
                var v = new MachineVertex(vertices.Count, source ? VertexKind.Sources : VertexKind.Neurons, pop,
                    $"{population.Name}[{cuts[pop][s]}:{cuts[pop][s + 1]}]", cuts[pop][s], cuts[pop][s + 1]);
                vertices.Add(v);
                sliceOf[pop].Add(v);
            }
        }

        var edges = new List<MachineEdge>();
        var delayExtension = new Dictionary<int, MachineVertex>();
        for (int j = 0; j < spec.Projections.Count; j++)
        {
            var proj = spec.Projections[j];
            int pre = spec.PopulationIndex(proj.Source), post = spec.PopulationIndex(proj.Target);
            if (!isHosted[post] || !isHosted[pre]) continue;
            // A normal delay distribution is taken up to five standard deviations: what the engine would draw.
            var (lo, hi) = proj.DelayStepRange(grid, normalSigmas: 5);
            if (hi > p.MaxDelayTicks)
                throw new MappingException($"projections[{j}].delay: delays of up to {hi} ticks exceed the {p.MaxDelayTicks} ticks SpiNNaker takes " +
                                           $"({p.CoreDelayTicks} on the core and {p.DelayExtensionStages} delay-extension stages of {p.CoreDelayTicks})");
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
                        if (!delayExtension.TryGetValue(source.Id, out var ext))
                        {
                            ext = new MachineVertex(vertices.Count, VertexKind.DelayExtension, pre, $"{source.Name} delays", source.Lo, source.Hi);
                            vertices.Add(ext);
                            delayExtension[source.Id] = ext;
                            edges.Add(new MachineEdge(source, ext, 0));
                        }
                        edges.Add(new MachineEdge(ext, sliceOf[post][b], synapses[a, b]));
                    }
                }
        }
        // poisson_inputs: one Poisson source per target neuron, one to one.
        for (int k = 0; k < spec.PoissonInputs.Count; k++)
        {
            var input = spec.PoissonInputs[k];
            int post = spec.PopulationIndex(input.Target);
            if (!isHosted[post]) continue;
            var inputCuts = Cuts(spec.Populations[post].Size, p.MaxSourcesPerCore);
            for (int s = 0; s + 1 < inputCuts.Length; s++)
            {
                var v = new MachineVertex(vertices.Count, VertexKind.PoissonInput, post, $"poisson_inputs[{k}][{inputCuts[s]}:{inputCuts[s + 1]}]",
                    inputCuts[s], inputCuts[s + 1]) { Input = k };
                vertices.Add(v);
                foreach (var target in sliceOf[post])
                {
                    int overlap = Math.Min(v.Hi, target.Hi) - Math.Max(v.Lo, target.Lo);
                    if (overlap > 0) edges.Add(new MachineEdge(v, target, overlap));
                }
            }
        }
        foreach (var v in vertices.Where(v => v.Kind == VertexKind.Neurons))
        {
            v.SdramBytes = MatrixBytes(spec, v.Population, v.Atoms, p);
            v.DtcmBytes = p.DtcmReservedBytes + (long)v.Atoms * (p.DtcmBytesPerNeuron + p.DtcmRingBytesPerNeuron);
        }
        return (vertices, edges);
    }

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

    /// <summary>Fills the application cores of the chips in the machine's order, one vertex per core, checking each chip's SDRAM.</summary>
    private static void Place(NetworkSpec spec, List<MachineVertex> vertices, SpiNNakerMachine machine, SpiNNakerParameters p)
    {
        int chip = 0, core = p.MonitorCoresPerChip;
        long sdram = 0;
        foreach (var v in vertices)
        {
            if (core >= p.CoresPerChip || sdram + v.SdramBytes > p.SdramBytes)
            {
                chip++;
                core = p.MonitorCoresPerChip;
                sdram = 0;
            }
            if (chip >= machine.Chips.Count)
            {
                string name = spec.Populations[v.Population].Name;
                string who = v.Kind switch
                {
                    VertexKind.PoissonInput => $"the Poisson drive of population '{name}'",
                    VertexKind.DelayExtension => $"a delay extension of population '{name}'",
                    _ => $"population '{name}'",
                };
                int needed = vertices.Count;
                throw new MappingException($"the machine is too small: {machine.Boards} {Name(machine.BoardType)} board(s) with " +
                                           $"{machine.Chips.Count} chips and {machine.Chips.Count * p.AppCoresPerChip} application cores; the model needs " +
                                           $"{needed} cores, and {who} ({v.Name}) found none left");
            }
            v.Chip = machine.Chips[chip];
            v.Core = core++;
            sdram += v.SdramBytes;
        }
    }

    /// <summary>Gives each vertex an aligned block of keys of the next power of two at or above its atoms (times its stages).</summary>
    private static void AllocateKeys(List<MachineVertex> vertices, int stages)
    {
        long next = 0;
        foreach (var v in vertices)
        {
            long need = v.Kind == VertexKind.DelayExtension ? (long)v.Atoms * Math.Max(1, stages) : v.Atoms;
            long block = 1;
            while (block < need) block <<= 1;
            next = (next + block - 1) / block * block;
            if (next + block > 1L << 32) throw new MappingException($"the model needs more than 2^32 routing keys ({v.Name} would start at {next})");
            v.Key = (uint)next;
            v.Mask = (uint)~(block - 1);
            v.KeySpace = block;
            next += block;
        }
    }

    /// <summary>The board type's name in messages.</summary>
    public static string Name(BoardType type) => type == BoardType.Spin3 ? "SpiNN-3" : "SpiNN-5";
}
