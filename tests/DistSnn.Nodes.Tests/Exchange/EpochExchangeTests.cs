using DistSnn.Nodes.Exchange;

namespace DistSnn.Nodes.Tests.Exchange;

/// <summary>
/// The epoch protocol alone, without a backend: packets out of order, twice, for past and future epochs, from
/// strangers, partitions without in-neighbours, and the lag rule at lag 1 and 2. A partition is played by two
/// counters (epochs run, epochs delivered) that the test moves as a runtime would.
/// </summary>
public class EpochExchangeTests
{
    private sealed class Partition(EpochExchange<string> exchange)
    {
        public long Next, Delivered;
        public readonly List<string> Log = new();

        public ExchangeDecision Decide() => exchange.Decide(Next, Delivered);

        public PacketVerdict Offer(long epoch, int source) => exchange.Offer(epoch, source, $"{epoch}@{source}", Delivered);

        /// <summary>Acts as a runtime does until the exchange says wait or finished; returns the last decision.</summary>
        public ExchangeDecision Drive()
        {
            while (true)
            {
                var d = Decide();
                switch (d.Action)
                {
                    case ExchangeAction.Run:
                        Log.Add($"run {Next}");
                        Next++;
                        break;
                    case ExchangeAction.Deliver:
                        var packets = new List<string>();
                        exchange.TakeDelivery(d.Epoch, packets);
                        Log.Add($"deliver {d.Epoch}: {string.Join(" ", packets)}");
                        Delivered++;
                        break;
                    default:
                        return d;
                }
            }
        }
    }

    [Fact]
    public void Lag_1_runs_an_epoch_only_after_the_previous_one_is_delivered_from_every_in_neighbour()
    {
        var p = new Partition(new EpochExchange<string>([1, 2], lag: 1, epochs: 4));
        Assert.Equal(new ExchangeDecision(ExchangeAction.Wait, 0), p.Drive());
        Assert.Equal(["run 0"], p.Log);
        Assert.Equal(PacketVerdict.Accepted, p.Offer(0, 2));
        Assert.Equal(new ExchangeDecision(ExchangeAction.Wait, 0), p.Drive());
        Assert.Equal(PacketVerdict.Accepted, p.Offer(0, 1));
        Assert.Equal(new ExchangeDecision(ExchangeAction.Wait, 1), p.Drive());
        // Delivered in source order, whatever the order of arrival.
        Assert.Equal(["run 0", "deliver 0: 0@1 0@2", "run 1"], p.Log);
    }

    [Fact]
    public void Lag_2_runs_two_epochs_ahead_and_delivers_each_just_before_the_epoch_that_needs_it()
    {
        var exchange = new EpochExchange<string>([1], lag: 2, epochs: 5);
        var p = new Partition(exchange);
        Assert.Equal(new ExchangeDecision(ExchangeAction.Wait, 0), p.Drive());
        Assert.Equal(["run 0", "run 1"], p.Log);
        p.Offer(0, 1);
        p.Offer(1, 1);
        Assert.Equal(new ExchangeDecision(ExchangeAction.Wait, 2), p.Drive());
        // Epoch 1's packet was here before epoch 2 ran, yet it is delivered only before epoch 3 needs it.
        Assert.Equal(["run 0", "run 1", "deliver 0: 0@1", "run 2", "deliver 1: 1@1", "run 3"], p.Log);
        // The last two epochs' spikes are never exchanged: epoch 2 is the last whose packets count.
        Assert.Equal(2, exchange.LastExchangedEpoch);
        Assert.True(exchange.Sends(2));
        Assert.False(exchange.Sends(3));
        p.Offer(2, 1);
        Assert.Equal(new ExchangeDecision(ExchangeAction.Finished, 5), p.Drive());
        Assert.Equal(["deliver 2: 2@1", "run 4"], p.Log[^2..]);
    }

    [Fact]
    public void Packets_out_of_order_are_kept_until_their_epoch()
    {
        var exchange = new EpochExchange<string>([1, 2], lag: 1, epochs: 6);
        var p = new Partition(exchange);
        foreach (var (epoch, source) in new[] { (3, 2), (1, 1), (2, 2), (1, 2), (0, 2), (2, 1), (3, 1), (0, 1) })
            Assert.Equal(PacketVerdict.Accepted, p.Offer(epoch, source));
        Assert.Equal(8, exchange.PendingPackets);
        Assert.Equal([0L, 1, 2, 3], exchange.PendingEpochs);
        Assert.Equal(new ExchangeDecision(ExchangeAction.Wait, 4), p.Drive());
        Assert.Equal(["run 0", "deliver 0: 0@1 0@2", "run 1", "deliver 1: 1@1 1@2", "run 2", "deliver 2: 2@1 2@2", "run 3",
            "deliver 3: 3@1 3@2", "run 4"], p.Log);
        Assert.Equal(0, exchange.PendingPackets);
    }

    [Fact]
    public void Duplicates_past_future_and_strangers_are_refused_and_change_nothing()
    {
        var exchange = new EpochExchange<string>([1, 2], lag: 1, epochs: 5);
        var p = new Partition(exchange);
        p.Drive();
        Assert.Equal(PacketVerdict.Accepted, p.Offer(0, 1));
        Assert.Equal(PacketVerdict.Duplicate, p.Offer(0, 1));
        Assert.Equal(PacketVerdict.UnknownSource, p.Offer(0, 3));
        Assert.Equal(PacketVerdict.UnknownSource, p.Offer(0, 0));
        Assert.Equal(PacketVerdict.FutureEpoch, p.Offer(4, 1)); // epochs 0 to 3 are exchanged in a run of 5 at lag 1
        Assert.Equal(PacketVerdict.FutureEpoch, p.Offer(long.MaxValue, 2));
        Assert.Equal(PacketVerdict.Accepted, p.Offer(3, 1));
        // Three refusals and a duplicate later, epoch 0 still waits for source 2 alone.
        Assert.Equal(new ExchangeDecision(ExchangeAction.Wait, 0), p.Drive());
        Assert.Equal(PacketVerdict.Accepted, p.Offer(0, 2));
        p.Drive();
        Assert.Equal(PacketVerdict.PastEpoch, p.Offer(0, 2));
        Assert.Equal(PacketVerdict.PastEpoch, p.Offer(-1, 1));
        Assert.Equal(["run 0", "deliver 0: 0@1 0@2", "run 1"], p.Log);
    }

    [Fact]
    public void A_partition_without_in_neighbours_runs_to_the_end_delivering_nothing()
    {
        var exchange = new EpochExchange<string>([], lag: 1, epochs: 3);
        var p = new Partition(exchange);
        Assert.Equal(PacketVerdict.UnknownSource, p.Offer(1, 0));
        Assert.Equal(new ExchangeDecision(ExchangeAction.Finished, 3), p.Drive());
        Assert.Equal(["run 0", "deliver 0: ", "run 1", "deliver 1: ", "run 2"], p.Log);
    }

    [Fact]
    public void Delivering_ahead_of_need_takes_complete_epochs_that_have_run_only()
    {
        var exchange = new EpochExchange<string>([1], lag: 2, epochs: 6);
        Assert.False(exchange.CanDeliverEarly(next: 0, delivered: 0)); // not run yet
        exchange.Offer(0, 1, "a", 0);
        Assert.True(exchange.CanDeliverEarly(next: 1, delivered: 0));
        Assert.False(exchange.CanDeliverEarly(next: 2, delivered: 1)); // epoch 1's packet is missing
        Assert.False(exchange.CanDeliverEarly(next: 6, delivered: 4)); // epoch 4's spikes are never exchanged
        var taken = new List<string>();
        Assert.Throws<InvalidOperationException>(() => exchange.TakeDelivery(1, taken));
        Assert.Equal(1, exchange.TakeDelivery(0, taken));
        Assert.Equal(["a"], taken);
    }

    /// <summary>
    /// Three partitions that all hear from each other, run by the exchange alone with packets handed over in a random
    /// order, twice each: every epoch is delivered with exactly one packet per source, and runs keep the lag rule.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Any_arrival_order_delivers_every_epoch_exactly_once(int lag)
    {
        const int parts = 3, epochs = 12;
        for (int seed = 0; seed < 20; seed++)
        {
            var rng = new System.Random(seed);
            var exchanges = Enumerable.Range(0, parts).Select(_ => new EpochExchange<string>([0, 1, 2], lag, epochs)).ToArray();
            var ps = exchanges.Select(e => new Partition(e)).ToArray();
            var inFlight = new List<(int Target, long Epoch, int Source)>();
            var offered = new HashSet<(int, long, int)>();
            while (ps.Any(p => p.Next < epochs))
            {
                int q = rng.Next(parts);
                var p = ps[q];
                long ran = p.Next;
                p.Drive();
                for (long e = ran; e < p.Next; e++)
                {
                    Assert.True(p.Delivered >= e - lag + 1, $"epoch {e} ran with {p.Delivered} epochs delivered at lag {lag}");
                    if (exchanges[q].Sends(e))
                        for (int t = 0; t < parts; t++) inFlight.Add((t, e, q));
                }
                // Hand over a few packets, some twice.
                for (int k = rng.Next(4); k > 0 && inFlight.Count > 0; k--)
                {
                    int i = rng.Next(inFlight.Count);
                    var (t, epoch, source) = inFlight[i];
                    var verdict = ps[t].Offer(epoch, source);
                    // A first packet is always kept; a second is a duplicate, or late once its epoch is delivered.
                    if (offered.Add((t, epoch, source))) Assert.Equal(PacketVerdict.Accepted, verdict);
                    else Assert.True(verdict is PacketVerdict.Duplicate or PacketVerdict.PastEpoch, $"{verdict} for epoch {epoch}");
                    if (rng.Next(3) > 0) inFlight.RemoveAt(i);
                }
            }
            foreach (var p in ps)
            {
                var delivered = p.Log.Where(l => l.StartsWith("deliver", StringComparison.Ordinal)).ToList();
                Assert.Equal(Enumerable.Range(0, epochs - lag).Select(e => $"deliver {e}: {e}@0 {e}@1 {e}@2"), delivered);
            }
        }
    }
}
