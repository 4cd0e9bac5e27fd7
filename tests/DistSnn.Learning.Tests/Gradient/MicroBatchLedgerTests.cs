using DistSnn.Learning.Gradient;

namespace DistSnn.Learning.Tests.Gradient;

public sealed class MicroBatchLedgerTests
{
    /// <summary>A micro-batch's "gradient": a pure function of (step, micro-batch), with values whose sums round.</summary>
    private static float[] Gradient(long step, int m) => [1e7f * (m % 3 - 1) + m + 0.1f * step, 1f / (m + 1), -m * 0.7f];

    /// <summary>What a replica sends for <paramref name="microBatches"/>: the sums of the largest tree nodes they fill.</summary>
    private static List<(Subtree Node, float[] Sum)> Replica(long step, int count, IReadOnlyList<int> microBatches) =>
        MicroBatches.Subtrees(count, microBatches).Select(node => (node, MicroBatches.Sum<float>(count, node, _ => null, m => Gradient(step, m)))).ToList();

    private static float[] TreeOfAll(long step, int count)
    {
        var grads = Enumerable.Range(0, count).Select(m => Gradient(step, m)).ToArray();
        MicroBatches.TreeReduce(grads);
        return grads[0];
    }

    /// <summary>Runs a step: each replica in turn sends one node sum; <paramref name="lose"/> may drop a replica after a delivery.</summary>
    private static float[] Run(int count, string[] replicas, Func<MicroBatchLedger<float>, int, bool> lose)
    {
        var ledger = new MicroBatchLedger<float>(5, count, replicas);
        int delivered = 0;
        while (!ledger.Complete)
        {
            foreach (var r in ledger.Replicas.ToList())
            {
                var todo = ledger.Assigned(r);
                if (todo.Count == 0) continue;
                var (node, sum) = Replica(5, count, todo)[0];
                Assert.True(ledger.Deliver(5, r, node, sum));
                if (lose(ledger, ++delivered)) break;
            }
        }
        return ledger.Reduce();
    }

    [Fact]
    public void ReplicasGetContiguousBlocksAndSendWholeNodesOfTheTree()
    {
        var ledger = new MicroBatchLedger<float>(0, 12, ["a", "b", "c"]);
        Assert.Equal([0, 1, 2, 3], ledger.Assigned("a"));
        Assert.Equal([8, 9, 10, 11], ledger.Assigned("c"));
        // Three replicas of twelve: one sum each; two: two sums each (0–3 and 4–5; 6–7 and 8–11).
        Assert.Equal([new Subtree(8, 3)], MicroBatches.Subtrees(12, [8, 9, 10, 11]));
        Assert.Equal([new Subtree(0, 2), new Subtree(4, 1)], MicroBatches.Subtrees(12, MicroBatches.OfReplica(12, 2, 0)));
        Assert.Equal([new Subtree(6, 1), new Subtree(8, 3)], MicroBatches.Subtrees(12, MicroBatches.OfReplica(12, 2, 1)));
        Assert.Equal([new Subtree(0, 4)], MicroBatches.Subtrees(12, Enumerable.Range(0, 12)));
        Assert.Equal([new Subtree(1, 0), new Subtree(2, 0), new Subtree(4, 2)], MicroBatches.Subtrees(5, [4, 2, 1])); // 4 is alone under (4, 2)
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(16)]
    public void NodeSumsOfAnySplitAddUpToTheTreeOfAllMicroBatchesBitForBit(int count)
    {
        var expected = TreeOfAll(3, count);
        var rng = new Random(count);
        for (int trial = 0; trial < 30; trial++)
        {
            // Random owners: each micro-batch to one of three replicas, which send the nodes they fill.
            var owners = Enumerable.Range(0, count).Select(_ => rng.Next(3)).ToArray();
            var sums = new Dictionary<Subtree, float[]>();
            for (int r = 0; r < 3; r++)
                foreach (var (node, sum) in Replica(3, count, Enumerable.Range(0, count).Where(m => owners[m] == r).ToList())) sums[node] = sum;
            Assert.Equal(count, sums.Keys.Sum(n => n.End(count) - n.Start));
            var total = MicroBatches.Sum<float>(count, new Subtree(0, MicroBatches.RootLevel(count)), n => sums.GetValueOrDefault(n), m => throw new InvalidOperationException($"{m}"));
            Assert.Equal(expected, total);
        }
    }

    [Fact]
    public void LosingReplicasGivesTheReducedGradientOfARunThatLostNobody()
    {
        var whole = Run(12, ["a", "b", "c"], (_, _) => false);
        Assert.Equal(TreeOfAll(5, 12), whole);
        Assert.Equal(whole, Run(12, ["solo"], (_, _) => false));
        Assert.Equal(whole, Run(12, ["a", "b"], (_, _) => false));
        // "b" is lost after its first delivery, "c" later: their undelivered micro-batches move on in contiguous shares.
        var lossy = Run(12, ["a", "b", "c", "d"], (ledger, n) =>
        {
            if (n == 2) { Assert.NotEmpty(ledger.Lost("b")); return true; }
            if (n == 4) { ledger.Lost("c"); return true; }
            return false;
        });
        Assert.Equal(whole, lossy);
    }

    [Fact]
    public void LateRepeatedForeignAndStaleAnswersAreIgnoredAndTheLastReplicaCannotGo()
    {
        var ledger = new MicroBatchLedger<float>(7, 4, ["a", "b"]);
        Assert.Equal([0, 1], ledger.Assigned("a"));
        Assert.True(ledger.Deliver(7, "b", new Subtree(2, 0), Gradient(7, 2)));
        Assert.False(ledger.Deliver(7, "b", new Subtree(2, 0), [9f, 9f, 9f]));      // repeated
        Assert.False(ledger.Deliver(7, "b", new Subtree(2, 1), [9f, 9f, 9f]));      // overlaps what is in
        Assert.False(ledger.Deliver(7, "b", new Subtree(0, 0), Gradient(7, 0)));    // a's micro-batch
        Assert.False(ledger.Deliver(7, "a", new Subtree(1, 1), Gradient(7, 1)));    // not a node (1 is no multiple of 2)
        Assert.False(ledger.Deliver(6, "a", new Subtree(0, 0), Gradient(6, 0)));    // another step
        Assert.Equal([(3, "a")], ledger.Lost("b"));
        Assert.Empty(ledger.Lost("b"));
        Assert.False(ledger.Deliver(7, "b", new Subtree(3, 0), Gradient(7, 3)));    // from a replica given up on
        Assert.Equal([0, 1, 3], ledger.Assigned("a"));
        var e = Assert.Throws<InvalidOperationException>(() => ledger.Lost("a"));
        Assert.Contains("the last replica (a)", e.Message);
        Assert.Contains("micro-batches 0, 1, 2 are missing", Assert.Throws<InvalidOperationException>(() => new MicroBatchLedger<float>(7, 3, ["x"]).Reduce()).Message);
    }
}
