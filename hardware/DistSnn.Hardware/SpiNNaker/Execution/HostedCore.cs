using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// The synapses of one projection and delay stage onto one core, ready to deliver: as float weights into the CPU
/// kernel's ring (<see cref="Float"/>, ideal mode), or as 16-bit words into the fixed-point rings (<see cref="Words"/>
/// or <see cref="ConstWord"/>, synapse type <see cref="Type"/>). Targets are indices in the core's synapse space
/// (see <see cref="HostedCore.GroupIndex"/>).
/// </summary>
public sealed record CoreBlock(StageRows Rows, int Type, SynapseBlock? Float, ushort[]? Words, int ConstWord)
{
    /// <summary>Synaptic words in the row of source atom <paramref name="atom"/>.</summary>
    public int RowLength(int atom) => Rows.RowStart[atom + 1] - Rows.RowStart[atom];
}

/// <summary>What one core has counted so far (the provenance sPyNNaker reports per core, plus what only a model can know).</summary>
public sealed class CoreCounters
{
    /// <summary>Packets served (spikes, delay-extension packets and Poisson packets).</summary>
    public long Packets;
    /// <summary>Synaptic words processed into the ring buffers (the whole core's).</summary>
    public long SynapticWords;
    /// <summary>Packets served after a tick that some of their synapses needed (those synapses were dropped).</summary>
    public long LatePackets;
    /// <summary>Synapses dropped for being late.</summary>
    public long LateSynapses;
    /// <summary>Poisson packets beyond what the tick had time for (late for their one-tick delay, lost).</summary>
    public long LatePoisson;
    /// <summary>Packets dropped because the input buffer was full.</summary>
    public long BufferOverflows;
    /// <summary>Packets that were on their way here and were dropped on an overloaded link.</summary>
    public long LinkDrops;
    /// <summary>Packets that should have arrived (an edge of the mapping) but the router tables took elsewhere.</summary>
    public long Missing;
    /// <summary>Packets that arrived with a key the master population table does not know.</summary>
    public long Misrouted;
    /// <summary>Ticks whose work did not fit the tick.</summary>
    public long Overruns;
    /// <summary>The largest work any tick asked of the core (cycles).</summary>
    public double MaxTickCycles;
    /// <summary>Cycles spent, all ticks (for the energy model).</summary>
    public double BusyCycles;

    /// <summary>The counters in <see cref="Columns"/> order.</summary>
    public double[] Values(int neurons) =>
        [neurons, Packets, SynapticWords, LatePackets, LateSynapses, LatePoisson, BufferOverflows, LinkDrops, Missing, Misrouted, Overruns, MaxTickCycles, BusyCycles];

    /// <summary>Column names of <see cref="Values"/>.</summary>
    public static readonly string[] Columns =
        ["neurons", "packets", "synaptic_words", "late_packets", "late_synapses", "late_poisson", "buffer_overflows", "link_drops",
         "missing", "misrouted", "overruns", "max_tick_cycles", "busy_cycles"];

    /// <summary>Restores the counters from <see cref="Values"/>.</summary>
    public void Set(double[] v)
    {
        (Packets, SynapticWords, LatePackets, LateSynapses, LatePoisson, BufferOverflows, LinkDrops, Missing, Misrouted, Overruns) =
            ((long)v[1], (long)v[2], (long)v[3], (long)v[4], (long)v[5], (long)v[6], (long)v[7], (long)v[8], (long)v[9], (long)v[10]);
        (MaxTickCycles, BusyCycles) = (v[11], v[12]);
    }
}

/// <summary>
/// A neuron core this partition models: a slice of a population, the neurons of it the partition owns, its master
/// population table, its Poisson drives and (fixed-point runs) its timing. A partition models the whole core — every
/// synapse onto the slice counts in its packets' costs — and writes only into the neurons it owns.
/// </summary>
public sealed class HostedCore
{
    /// <summary>A core for <paramref name="vertex"/>; <paramref name="groupIndex"/>[k] is the group index of synapse-space neuron k, or −1.</summary>
    public HostedCore(int index, MachineVertex vertex, NeuronGroup group, int[] groupIndex)
    {
        Index = index;
        Vertex = vertex;
        Group = group;
        GroupIndex = groupIndex;
    }

    /// <summary>Index among the partition's cores.</summary>
    public int Index { get; }
    /// <summary>The slice.</summary>
    public MachineVertex Vertex { get; }
    /// <summary>The population's neuron group on this partition.</summary>
    public NeuronGroup Group { get; }
    /// <summary>Group index of each neuron of the synapse space (−1: owned by another partition).</summary>
    public int[] GroupIndex { get; }
    /// <summary>The master population table.</summary>
    public MasterPopulationTable Table { get; set; } = new([]);
    /// <summary>The Poisson drives onto the core, by input index.</summary>
    public List<PoissonDrive> Poisson { get; } = [];
    /// <summary>The cycles taken first in a tick (Poisson and delay-extension packets), made once per core.</summary>
    public Func<long, double>? Priority { get; set; }
    /// <summary>Timing (fixed-point runs only).</summary>
    public CoreTiming? Timing { get; set; }
    /// <summary>Provenance.</summary>
    public CoreCounters Counters { get; } = new();
    /// <summary>Synapses onto the slice held here: all of them in fixed-point runs (the other partitions' neurons included), the owned neurons' in ideal runs.</summary>
    public long Synapses { get; set; }
}
