namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// Where a multicast packet goes (<see cref="SpiNNakerRouter.Trace"/>), as indices: a tree of hops: hop k crosses
/// link <see cref="Links"/>[k] after hop <see cref="Parents"/>[k] (−1: it leaves the source chip); the packet reaches
/// vertex <see cref="Vertices"/>[d] on the chip hop <see cref="DeliveryHops"/>[d] entered (−1: the source chip).
/// <see cref="Routers"/> counts the routers it passes (the source chip's and one per hop).
/// </summary>
public sealed record PacketRoute(int[] Links, int[] Parents, int[] Vertices, int[] DeliveryHops)
{
    /// <summary>Whether hop k leads to a core of the machine (not only to the live output, whose path is ideal).</summary>
    public bool[] ToMachine { get; init; } = [];

    /// <summary>Routers the packet passes.</summary>
    public int Routers => Links.Length + 1;
}

/// <summary>
/// The keys of a mapping and the routes their packets take, looked up in the (possibly altered) router tables and
/// remembered per key: a key's route depends on the tables alone. One instance per partition (not shared between
/// threads).
/// </summary>
public sealed class MachineRoutes
{
    private readonly SpiNNakerMapping _mapping;
    private readonly IReadOnlyDictionary<Chip, IReadOnlyList<RouterEntry>> _tables;
    private readonly Dictionary<Chip, int> _chipIndex;
    private readonly Dictionary<(Chip, int), int> _vertexAt;
    private readonly Dictionary<uint, PacketRoute> _routes = new();

    /// <summary>Routes of <paramref name="mapping"/> through <paramref name="tables"/> (default: the mapping's compressed tables).</summary>
    public MachineRoutes(SpiNNakerMapping mapping, IReadOnlyDictionary<Chip, IReadOnlyList<RouterEntry>>? tables = null)
    {
        _mapping = mapping;
        _tables = tables ?? mapping.Routing.Tables;
        _chipIndex = new Dictionary<Chip, int>();
        for (int c = 0; c < mapping.Machine.Chips.Count; c++) _chipIndex[mapping.Machine.Chips[c]] = c;
        _vertexAt = mapping.Vertices.ToDictionary(v => (v.Chip, v.Core), v => v.Id);
    }

    /// <summary>Links in the machine (chips × 6): link ids are chip index × 6 + link.</summary>
    public int LinkCount => _mapping.Machine.Chips.Count * 6;

    /// <summary>The chip and link of a link id.</summary>
    public (Chip Chip, int Link) LinkOf(int id) => (_mapping.Machine.Chips[id / 6], id % 6);

    /// <summary>The route of a packet with <paramref name="key"/> sent by a core on <paramref name="chip"/>.</summary>
    public PacketRoute Route(uint key, Chip chip)
    {
        if (_routes.TryGetValue(key, out var known)) return known;
        var trace = SpiNNakerRouter.Trace(_mapping.Machine, _tables, chip, key);
        var links = trace.Hops.Select(h => _chipIndex[h.Chip] * 6 + h.Link).ToArray();
        var parents = trace.Hops.Select(h => h.Parent).ToArray();
        // A route to a core that runs nothing is dropped there (the monitor would discard it).
        var vertices = trace.Deliveries.Select(d => _vertexAt.TryGetValue((d.Chip, d.Core), out int v) ? v : -1).ToArray();
        var deliveryHops = trace.Deliveries.Select(d => d.Hop).ToArray();
        var toMachine = new bool[links.Length];
        for (int d = 0; d < vertices.Length; d++)
        {
            if (vertices[d] < 0 || _mapping.Vertices[vertices[d]].Kind == VertexKind.HostOutput) continue;
            for (int h = deliveryHops[d]; h >= 0 && !toMachine[h]; h = parents[h]) toMachine[h] = true;
        }
        var result = new PacketRoute(links, parents, vertices, deliveryHops) { ToMachine = toMachine };
        _routes[key] = result;
        return result;
    }
}
