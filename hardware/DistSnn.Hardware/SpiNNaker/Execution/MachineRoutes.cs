namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// Where a multicast packet goes, found by following it through the router tables from its source chip (first match
/// wins, no match goes straight through, a local packet without a match goes nowhere). A tree of hops: hop k crosses
/// link <see cref="Links"/>[k] after hop <see cref="Parents"/>[k] (−1: it leaves the source chip); the packet reaches
/// vertex <see cref="Vertices"/>[d] on the chip hop <see cref="DeliveryHops"/>[d] entered (−1: the source chip).
/// <see cref="Routers"/> counts the routers it passes (the source chip's and one per hop).
/// </summary>
public sealed record PacketRoute(int[] Links, int[] Parents, int[] Vertices, int[] DeliveryHops)
{
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
    private readonly MachineVertex[] _byKey;
    private readonly uint[] _keys;

    /// <summary>Routes of <paramref name="mapping"/> through <paramref name="tables"/> (default: the mapping's compressed tables).</summary>
    public MachineRoutes(SpiNNakerMapping mapping, IReadOnlyDictionary<Chip, IReadOnlyList<RouterEntry>>? tables = null)
    {
        _mapping = mapping;
        _tables = tables ?? mapping.Routing.Tables;
        _chipIndex = new Dictionary<Chip, int>();
        for (int c = 0; c < mapping.Machine.Chips.Count; c++) _chipIndex[mapping.Machine.Chips[c]] = c;
        _vertexAt = mapping.Vertices.ToDictionary(v => (v.Chip, v.Core), v => v.Id);
        _byKey = mapping.Vertices.Where(v => v.KeySpace > 0).OrderBy(v => v.Key).ToArray();
        _keys = _byKey.Select(v => v.Key).ToArray();
    }

    /// <summary>Links in the machine (chips × 6): link ids are chip index × 6 + link.</summary>
    public int LinkCount => _mapping.Machine.Chips.Count * 6;

    /// <summary>The chip and link of a link id.</summary>
    public (Chip Chip, int Link) LinkOf(int id) => (_mapping.Machine.Chips[id / 6], id % 6);

    /// <summary>The vertex whose key block holds <paramref name="key"/>, or null.</summary>
    public MachineVertex? VertexOfKey(uint key)
    {
        int i = Array.BinarySearch(_keys, key);
        if (i < 0) i = ~i - 1;
        if (i < 0) return null;
        var v = _byKey[i];
        return key - v.Key < v.KeySpace ? v : null;
    }

    /// <summary>The route of a packet with <paramref name="key"/> sent by a core on <paramref name="chip"/>.</summary>
    public PacketRoute Route(uint key, Chip chip)
    {
        if (_routes.TryGetValue(key, out var known)) return known;
        var links = new List<int>();
        var parents = new List<int>();
        var vertices = new List<int>();
        var deliveryHops = new List<int>();
        var visited = new HashSet<(Chip, int)>();
        var pending = new Queue<(Chip Chip, int InLink, int Hop)>();
        pending.Enqueue((chip, -1, -1));
        while (pending.Count > 0)
        {
            var (at, inLink, hop) = pending.Dequeue();
            if (!visited.Add((at, inLink))) throw new InvalidOperationException($"key {key:x8} loops at chip ({at.X}, {at.Y})");
            uint route = 0;
            bool matched = false;
            if (_tables.TryGetValue(at, out var table))
                foreach (var e in table)
                    if (e.Matches(key))
                    {
                        route = e.Route;
                        matched = true;
                        break;
                    }
            if (!matched)
            {
                if (inLink < 0) continue;
                route = RouterEntry.Link(SpiNNakerMachine.Opposite(inLink));
            }
            for (int c = 0; c < 18; c++)
                if ((route & RouterEntry.CoreBit(c)) != 0)
                {
                    // A route to a core that runs nothing is dropped there (the monitor would discard it).
                    vertices.Add(_vertexAt.TryGetValue((at, c), out int v) ? v : -1);
                    deliveryHops.Add(hop);
                }
            for (int link = 0; link < 6; link++)
            {
                if ((route & RouterEntry.Link(link)) == 0) continue;
                var next = _mapping.Machine.Neighbour(at, link)
                    ?? throw new InvalidOperationException($"key {key:x8} leaves chip ({at.X}, {at.Y}) by link {link}, which leads nowhere");
                links.Add(_chipIndex[at] * 6 + link);
                parents.Add(hop);
                pending.Enqueue((next, SpiNNakerMachine.Opposite(link), links.Count - 1));
            }
        }
        var result = new PacketRoute(links.ToArray(), parents.ToArray(), vertices.ToArray(), deliveryHops.ToArray());
        _routes[key] = result;
        return result;
    }
}
