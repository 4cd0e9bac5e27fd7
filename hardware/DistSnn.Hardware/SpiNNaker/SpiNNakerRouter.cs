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
        // Per chip, every key block whose packets pass it and what should become of them (null: straight on by default).
        var flows = new Dictionary<Chip, List<(uint Key, uint Mask, uint? Route)>>();
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
                if (!flows.TryGetValue(chip, out var passing)) flows[chip] = passing = [];
                passing.Add((source.Key, source.Mask, straight ? null : route));
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
            var small = CompressOrdered(Compress(table), flows[chip]);
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
    /// Ordered covering (after Mundy et al. 2016): entries of one route are replaced by one entry for the smallest aligned
    /// key block that holds them, where that does not change the fate of any packet that passes the chip
    /// (<paramref name="flows"/>: every key block whose packets reach the chip, and the route it must take, null for
    /// straight on by default). The covering entry may overlap blocks of other routes, as long as each of those is matched
    /// first by a more specific entry: the table is ordered most specific first, so first match is longest-prefix match.
    /// Keys of no flow are free, as on the machine. All blocks are aligned powers of two, so any two are nested or apart.
    /// </summary>
    public static IReadOnlyList<RouterEntry> CompressOrdered(IReadOnlyList<RouterEntry> table, IReadOnlyList<(uint Key, uint Mask, uint? Route)> flows)
    {
        var entries = table.OrderBy(e => e.Key).ThenByDescending(e => e.Mask).ToList();
        var byKey = flows.OrderBy(f => f.Key).ToArray();
        var keys = byKey.Select(f => f.Key).ToArray();
        // Blocks larger than a candidate can hold it from outside its range: few, so scanned whole.
        var large = byKey.OrderBy(f => f.Mask).ToArray();
        static ulong Size(uint mask) => (ulong)(~mask) + 1;
        static bool Inside(uint key, uint mask, uint outerKey, uint outerMask) => Size(mask) <= Size(outerMask) && (key & outerMask) == outerKey;

        bool Valid(uint key, uint mask, uint route)
        {
            ulong end = key + Size(mask);
            // Other-route entries inside the candidate: they stay and come first.
            var inner = entries.Where(e => e.Route != route && Inside(e.Key, e.Mask, key, mask) && e.Mask != mask).ToList();
            RouterEntry? FirstInner(uint k, uint m)
            {
                RouterEntry? best = null;
                foreach (var e in inner)
                    if (Inside(k, m, e.Key, e.Mask) && (best is null || Size(e.Mask) < Size(best.Value.Mask))) best = e;
                return best;
            }
            int i = Array.BinarySearch(keys, key);
            if (i < 0) i = ~i;
            for (; i < byKey.Length && byKey[i].Key < end; i++)
            {
                var f = byKey[i];
                if (!Inside(f.Key, f.Mask, key, mask)) return false; // a larger block starting inside: partly captured
                var first = FirstInner(f.Key, f.Mask);
                if (f.Route == route) { if (first is not null) return false; }
                else if (f.Route is null || first is null || first.Value.Route != f.Route) return false;
            }
            foreach (var f in large)
            {
                if (Size(f.Mask) <= Size(mask)) break;
                if ((key & f.Mask) == f.Key && f.Route != route) return false; // the candidate lies inside a block routed otherwise
            }
            return true;
        }

        bool merged = true;
        while (merged)
        {
            merged = false;
            foreach (var route in entries.GroupBy(e => e.Route).OrderByDescending(g => g.Count()).Select(g => g.Key).ToList())
            {
                var same = entries.Where(e => e.Route == route).OrderBy(e => e.Key).ToList();
                for (int i = 0; i + 1 < same.Count; i++)
                {
                    var (a, b) = (same[i], same[i + 1]);
                    uint diff = a.Key ^ b.Key;
                    int prefix = System.Numerics.BitOperations.LeadingZeroCount(diff);
                    uint mask = (prefix == 0 ? 0u : ~0u << (32 - prefix)) & a.Mask & b.Mask;
                    uint key = a.Key & mask;
                    if (!Valid(key, mask, route)) continue;
                    entries.RemoveAll(e => e.Route == route && Inside(e.Key, e.Mask, key, mask));
                    entries.Add(new RouterEntry(key, mask, route));
                    same = entries.Where(e => e.Route == route).OrderBy(e => e.Key).ToList();
                    i = Math.Max(-1, same.FindIndex(e => e.Key == key && e.Mask == mask) - 1);
                    merged = true;
                }
            }
        }
        return entries.OrderByDescending(e => System.Numerics.BitOperations.PopCount(e.Mask)).ThenBy(e => e.Key).ToList();
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
