using DistSnn.Learning.Gradient;

namespace DistSnn.Learning.Tests.Gradient;

public sealed class MicroBatchLedgerTests
{
    /// <summary>A micro-batch's "gradient": a pure function of (step, micro-batch), with values whose sums round.</summary>
    private static float[] Gradient(long step, int m) => [1e7f * (m % 3 - 1) + m + 0.1f * step, 1f / (m + 1), -m * 0.7f];

    private static float[] Run(int microBatches, string[] replicas, Func<MicroBatchLedger<float>, int, bool> loseAfterDelivery)
    {
        var ledger = new MicroBatchLedger<float>(5, microBatches, replicas);
        int delivered = 0;
        while (!ledger.Complete)
        {
            foreach (var r in ledger.Replicas.ToList())
            {
                var todo = ledger.Assigned(r);
                if (todo.Count == 0) continue;
                Assert.True(ledger.Deliver(5, todo[0], Gradient(5, todo[0])));
                if (loseAfterDelivery(ledger, ++delivered)) break;
            }
        }
        return ledger.Reduce();
    }

    [Fact]
    public void MicroBatchesGoToReplicasInTurn()
    {
        var ledger = new MicroBatchLedger<float>(0, 12, ["a", "b", "c"]);
        Assert.Equal([0, 3, 6, 9], ledger.Assigned("a"));
        Assert.Equal([2, 5, 8, 11], ledger.Assigned("c"));
    }

    [Fact]
    public void LosingReplicasGivesTheReducedGradientOfARunThatLostNobody()
    {
        var whole = Run(12, ["a", "b", "c"], (_, _) => false);
        var single = Run(12, ["solo"], (_, _) => false);
        Assert.Equal(whole, single);
        // "b" is lost after the fourth delivery, "c" after the seventh: their undelivered micro-batches move on.
        var lossy = Run(12, ["a", "b", "c"], (ledger, n) =>
        {
            if (n == 4) { Assert.NotEmpty(ledger.Lost("b")); return true; }
            if (n == 7) { ledger.Lost("c"); return true; }
            return false;
        });
        Assert.Equal(whole, lossy);
    }

    [Fact]
    public void LateRepeatedAndStaleAnswersAreIgnoredAndTheLastReplicaCannotGo()
    {
        var ledger = new MicroBatchLedger<float>(7, 4, ["a", "b"]);
        Assert.True(ledger.Deliver(7, 1, Gradient(7, 1)));
        Assert.False(ledger.Deliver(7, 1, [9f, 9f, 9f]));
        Assert.False(ledger.Deliver(6, 2, Gradient(6, 2)));
        Assert.Equal([(3, "a")], ledger.Lost("b"));
        Assert.Empty(ledger.Lost("b"));
        var e = Assert.Throws<InvalidOperationException>(() => ledger.Lost("a"));
        Assert.Contains("the last replica (a)", e.Message);
        Assert.Contains("micro-batches 0, 1, 2 are missing", Assert.Throws<InvalidOperationException>(() => new MicroBatchLedger<float>(7, 3, ["x"]).Reduce()).Message);
    }
}
