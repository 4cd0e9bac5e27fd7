namespace DistSnn.Nodes;

/// <summary>
/// Runs a set of partition engines in one thread, exchanging spikes in memory with the same epoch protocol as
/// the actor runtime: run epoch e everywhere; hand every engine all of epoch e's spikes just before epoch
/// e + lag runs (so the spikes of the last lag epochs, which would arrive after the end, are never delivered).
/// The reference transport for tests and the baseline the distributed runs are compared with.
/// </summary>
public static class InMemoryExchange
{
    /// <summary>Runs every engine to the end.</summary>
    public static void Run(IReadOnlyList<PartitionEngine> engines)
    {
        var inTransit = new Queue<SpikeBatch[]>();
        var first = engines[0];
        while (!first.Finished)
        {
            while (first.NextEpoch - first.DeliveredEpochs >= first.Lag)
            {
                var epoch = inTransit.Dequeue();
                foreach (var e in engines) e.Deliver(epoch);
            }
            var batches = new SpikeBatch[engines.Count];
            for (int q = 0; q < engines.Count; q++)
            {
                var b = engines[q].RunEpoch();
                batches[q] = new SpikeBatch(b.Stamps[..b.Count], b.Gids[..b.Count], b.Count);
            }
            inTransit.Enqueue(batches);
        }
    }
}
