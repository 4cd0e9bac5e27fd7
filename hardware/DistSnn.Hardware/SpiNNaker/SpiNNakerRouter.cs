namespace DistSnn.Hardware.SpiNNaker;

/// <summary>The router tables of a mapping, before and after compression, and the links each vertex's spikes use.</summary>
public sealed record RoutingResult(
    IReadOnlyDictionary<Chip, IReadOnlyList<RouterEntry>> Uncompressed,
    IReadOnlyDictionary<Chip, IReadOnlyList<RouterEntry>> Tables,
    IReadOnlyDictionary<int, IReadOnlyList<(Chip Chip, int Link)>> LinksOf);

/// <summary>
/// Multicast routing: for each vertex with targets, a tree of shortest paths over the machine from its chip to every
/// target chip (ties to the lowest link, so the same on every run); a router entry for its key block on every chip of
/// the tree, except where a packet only passes straight through (the router's default route does that); then each
/// chip's table is compressed by merging entries with the same route whose blocks are halves of one block, which keeps
/// every lookup exactly as before. A chip that still needs more entries than its router has fails the mapping.
/// </summary>
public static class SpiNNakerRouter
{
    /// <summary>Routes every edge of the graph; throws <see cref="MappingException"/> naming the chip and populations when a table overflows.</summary>
    public static RoutingResult Route(SpiNNakerMachine machine, IReadOnlyList<MachineVertex> vertices, IReadOnlyList<MachineEdge> edges,
        SpiNNakerParameters parameters)
    {
        var tables = new Dictionary<Chip, List<RouterEntry>>();
        var owners = new Dictionary<Chip, List<MachineVertex>>();
        var linksOf = new Dictionary<int, IReadOnlyList<(Chip, int)>>();
        var trees = new Dictionary<Chip, int[,]>();
        foreach (var group in edges.GroupBy(e => e.Source.Id).OrderBy(g => g.Key))
        {
            var source = group.First().Source;
            if (!trees.TryGetValue(source.Chip, out var tree)) trees[source.Chip] = tree = machine.ShortestPathTree(source.Chip);
            // Per chip of the tree: the links packets leave by and the cores they are delivered to.
            var routes = new Dictionary<Chip, uint>();
            var enteredBy = new Dictionary<Chip, int>();
            foreach (var target in group.Select(e => e.Target).Distinct())
            {
                var chip = target.Chip;
                if (tree[chip.X, chip.Y] == -2)
                    throw new MappingException($"chip ({chip.X}, {chip.Y}) of {target.Name} cannot be reached from chip ({source.Chip.X}, {source.Chip.Y}) of {source.Name}");
                routes[chip] = routes.GetValueOrDefault(chip) | RouterEntry.CoreBit(target.Core);
                // Walk back to the source, adding the link used on each hop, until the path joins the tree.
                while (!chip.Equals(source.Chip))
                {
                    int link = tree[chip.X, chip.Y];
                    enteredBy[chip] = link;
                    var previous = machine.Previous(chip, link);
                    bool known = routes.ContainsKey(previous);
                    routes[previous] = routes.GetValueOrDefault(previous) | RouterEntry.Link(link);
                    if (known) break;
                    chip = previous;
                }
            }
            var used = new List<(Chip, int)>();
            foreach (var (chip, route) in routes)
            {
                for (int link = 0; link < 6; link++)
                    if ((route & RouterEntry.Link(link)) != 0) used.Add((chip, link));
                // Default routing carries a packet straight on: a chip it only crosses needs no entry.
                bool straight = !chip.Equals(source.Chip) && route == RouterEntry.Link(enteredBy[chip]);
                if (straight) continue;
                if (!tables.TryGetValue(chip, out var table)) tables[chip] = table = new List<RouterEntry>();
                table.Add(new RouterEntry(source.Key, source.Mask, route));
                if (!owners.TryGetValue(chip, out var list)) owners[chip] = list = new List<MachineVertex>();
                list.Add(source);
            }
            linksOf[source.Id] = used;
        }
        var compressed = new Dictionary<Chip, IReadOnlyList<RouterEntry>>();
        foreach (var (chip, table) in tables)
        {
            var small = Compress(table);
            if (small.Count > parameters.RouterEntries)
            {
                var names = owners[chip].Select(v => v.Name).Distinct().Take(5);
                throw new MappingException($"chip ({chip.X}, {chip.Y}) needs {small.Count} router entries after compression ({table.Count} before), " +
                                           $"more than its router's {parameters.RouterEntries}; the routes of {string.Join(", ", names)}" +
                                           $"{(owners[chip].Count > 5 ? " and others" : "")} cross it");
            }
            compressed[chip] = small;
        }
        return new RoutingResult(tables.ToDictionary(t => t.Key, t => (IReadOnlyList<RouterEntry>)t.Value), compressed, linksOf);
    }

    /// <summary>
    /// Merges entries with the same route whose key blocks are the two halves of one block, until none are left: the
    /// table then routes every key exactly as before (no key it did not route is matched), whatever the entry order.
    /// </summary>
    public static IReadOnlyList<RouterEntry> Compress(IReadOnlyList<RouterEntry> table)
    {
        var result = new List<RouterEntry>();
        foreach (var group in table.GroupBy(e => e.Route))
        {
            // Per mask, the keys of the group's entries; merging moves a pair to the next wider mask.
            var byMask = group.GroupBy(e => e.Mask).ToDictionary(g => g.Key, g => new HashSet<uint>(g.Select(e => e.Key)));
            bool merged = true;
            while (merged)
            {
                merged = false;
                foreach (var mask in byMask.Keys.OrderByDescending(m => m).ToList())
                {
                    var keys = byMask[mask];
                    // The lowest bit of the mask is the one that tells the halves of the next block apart.
                    uint bit = mask & (uint)-(int)mask;
                    if (bit == 0) continue;
                    foreach (var key in keys.Where(k => (k & bit) == 0).ToList())
                    {
                        if (!keys.Contains(key | bit)) continue;
                        keys.Remove(key);
                        keys.Remove(key | bit);
                        uint wider = mask & ~bit;
                        if (!byMask.TryGetValue(wider, out var set)) byMask[wider] = set = new HashSet<uint>();
                        set.Add(key);
                        merged = true;
                    }
                }
            }
            foreach (var (mask, keys) in byMask)
                foreach (var key in keys.Order()) result.Add(new RouterEntry(key, mask, group.Key));
        }
        return result.OrderBy(e => e.Key).ThenByDescending(e => e.Mask).ToList();
    }

    /// <summary>
    /// Follows a packet with <paramref name="key"/> from core <paramref name="core"/> of <paramref name="chip"/> through
    /// the tables (first match; no match sends a packet that came in on a link straight on, and drops one from a local
    /// core) and returns every (chip, core) it reaches; a loop or a link to nowhere throws.
    /// </summary>
    public static IReadOnlyList<(Chip Chip, int Core)> Deliveries(SpiNNakerMachine machine, IReadOnlyDictionary<Chip, IReadOnlyList<RouterEntry>> tables,
        Chip chip, uint key) => Trace(machine, tables, chip, key).Deliveries.Select(d => (d.Chip, d.Core)).ToList();

    /// <summary>
    /// The tree a packet with <paramref name="key"/> sent on <paramref name="chip"/> takes through the tables: hop k leaves
    /// <c>Hops[k].Chip</c> by <c>Hops[k].Link</c> after hop <c>Hops[k].Parent</c> (−1: it leaves the source chip); the
    /// packet reaches core <c>Deliveries[d].Core</c> of <c>Deliveries[d].Chip</c>, the chip hop <c>Deliveries[d].Hop</c>
    /// entered (−1: the source chip). Breadth first, links and cores in ascending order.
    /// </summary>
    public static PacketTrace Trace(SpiNNakerMachine machine, IReadOnlyDictionary<Chip, IReadOnlyList<RouterEntry>> tables, Chip chip, uint key)
    {
        var hops = new List<(Chip Chip, int Link, int Parent)>();
        var deliveries = new List<(Chip Chip, int Core, int Hop)>();
        var visited = new HashSet<(Chip, int)>();
        var pending = new Queue<(Chip Chip, int InLink, int Hop)>();
        pending.Enqueue((chip, -1, -1));
        while (pending.Count > 0)
        {
            var (at, inLink, hop) = pending.Dequeue();
            if (!visited.Add((at, inLink))) throw new InvalidOperationException($"key {key:x8} loops at chip ({at.X}, {at.Y})");
            uint route = 0;
            bool matched = false;
            if (tables.TryGetValue(at, out var table))
                foreach (var e in table)
                    if (e.Matches(key))
                    {
                        route = e.Route;
                        matched = true;
                        break;
                    }
            if (!matched)
            {
                if (inLink < 0) continue; // a local packet without an entry goes nowhere
                route = RouterEntry.Link(SpiNNakerMachine.Opposite(inLink));
            }
            for (int c = 0; c < 18; c++)
                if ((route & RouterEntry.CoreBit(c)) != 0) deliveries.Add((at, c, hop));
            for (int link = 0; link < 6; link++)
            {
                if ((route & RouterEntry.Link(link)) == 0) continue;
                var next = machine.Neighbour(at, link) ?? throw new InvalidOperationException($"key {key:x8} leaves chip ({at.X}, {at.Y}) by link {link}, which leads nowhere");
                hops.Add((at, link, hop));
                pending.Enqueue((next, SpiNNakerMachine.Opposite(link), hops.Count - 1));
            }
        }
        return new PacketTrace(hops, deliveries);
    }
}

/// <summary>The tree of one packet through the router tables (see <see cref="SpiNNakerRouter.Trace"/>).</summary>
public sealed record PacketTrace(IReadOnlyList<(Chip Chip, int Link, int Parent)> Hops, IReadOnlyList<(Chip Chip, int Core, int Hop)> Deliveries);
