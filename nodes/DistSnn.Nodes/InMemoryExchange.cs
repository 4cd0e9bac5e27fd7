namespace DistSnn.Nodes;

/// <summary>
/// Runs a set of partition engines in one thread, exchanging spikes in memory with the same epoch protocol as
/// the actor runtime: run epoch e everywhere, then hand every engine all of epoch e's spikes. The reference
/// transport for tests and the baseline the distributed runs are compared with.
/// </summary>
public static class InMemoryExchange
{
    /// <summary>Runs every engine to the end.</summary>
    public static void Run(IReadOnlyList<PartitionEngine> engines)
    {
        var batches = new SpikeBatch[engines.Count];
        while (!engines[0].Finished)
        {
            for (int q = 0; q < engines.Count; q++)
            {
                var b = engines[q].RunEpoch();
                batches[q] = new SpikeBatch(b.Stamps[..b.Count], b.Gids[..b.Count], b.Count);
            }
            if (engines[0].Finished) break;
            foreach (var e in engines) e.Deliver(batches);
        }
    }
}
