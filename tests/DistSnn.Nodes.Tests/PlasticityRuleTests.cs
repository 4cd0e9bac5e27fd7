using DistSnn.Model;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Synapses;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// The learning rules of <see cref="PlasticBlock"/> against their formulas: spike times are fed directly, as the
/// engine does at epoch boundaries, so every expected weight change is a closed form.
/// </summary>
public class PlasticityRuleTests
{
    private const double Dt = 0.1;
    private const int D = 10;      // epoch = min delay = 1 ms
    private const int Delay = 10;  // all dendritic

    /// <summary>One source row and one target neuron per synapse, driven by scripted pre and post spike stamps.</summary>
    private sealed class Rig
    {
        private readonly PostSpikeLog _log = new();
        private int _cursor;

        public Rig(SynapseModel model, int sources = 1, int targets = 1, float w0 = 0.5f, bool allToAll = true)
        {
            var group = new LifDeltaGroup(new LifDelta(), targets, Delay + 1, Dt);
            var rowStart = new int[sources + 1];
            var tgt = new List<int>();
            for (int j = 0; j < sources; j++)
            {
                for (int i = 0; i < targets; i++)
                    if (allToAll || i == j) tgt.Add(i);
                rowStart[j + 1] = tgt.Count;
            }
            Block = new PlasticBlock(0, 0, 1, group, 0, rowStart, tgt.ToArray(), Enumerable.Repeat(w0, tgt.Count).ToArray(),
                Delay, new PlasticRule(model, Dt, 1.0));
        }

        public PlasticBlock Block { get; }

        /// <summary>Runs boundaries until every scripted event has reached its synapse; stamps in steps.</summary>
        public void Run(IEnumerable<(long Stamp, int Row)> pres, IEnumerable<(long Stamp, int Target)> posts, double reward = 0)
        {
            var pre = pres.OrderBy(p => p.Stamp).ThenBy(p => p.Row).ToList();
            var post = posts.OrderBy(p => p.Stamp).ThenBy(p => p.Target).ToList();
            long last = Math.Max(pre.Count > 0 ? pre[^1].Stamp : 0, post.Count > 0 ? post[^1].Stamp + Delay : 0);
            int a = 0, b = 0;
            for (long h = D; h <= last + 2 * D; h += D)
            {
                while (b < post.Count && post[b].Stamp <= h) _log.Add(post[b].Stamp, post[b++].Target);
                while (a < pre.Count && pre[a].Stamp <= h) Block.AddPre(pre[a].Row, pre[a++].Stamp);
                Block.Process(h, D, _log, ref _cursor, reward, Dt);
            }
        }
    }

    private static long Steps(double ms) => new TimeGrid(Dt).Steps(ms);

    /// <summary>Pre at 50 ms; post such that it reaches the synapse Δt later (t_post + d - t_pre = Δt).</summary>
    private static double PairChange(SynapseModel model, double deltaMs, float w0 = 0.5f, double rateScale = 1)
    {
        var rig = new Rig(model, w0: w0);
        rig.Block.LearningRateScale = rateScale;
        long pre = Steps(150);
        long post = pre + Steps(deltaMs) - Delay;
        rig.Run([(pre, 0)], [(post, 0)]);
        return rig.Block.Weights[0] - w0;
    }

    [Theory]
    [InlineData(WeightDependence.Additive)]
    [InlineData(WeightDependence.Multiplicative)]
    public void PairRuleFollowsItsFormulaFromMinus100To100Ms(WeightDependence dependence)
    {
        var model = new StdpSynapse { TauPlus = 16.8, TauMinus = 33.7, APlus = 0.01, AMinus = 0.012, WMin = 0, WMax = 1, Dependence = dependence };
        const float w0 = 0.5f;
        for (double delta = -100; delta <= 100; delta += 2.5)
        {
            double expected = delta switch
            {
                > 0 => model.APlus * (dependence == WeightDependence.Additive ? 1 : 1 - w0) * Math.Exp(-delta / model.TauPlus),
                < 0 => -model.AMinus * (dependence == WeightDependence.Additive ? 1 : w0) * Math.Exp(delta / model.TauMinus),
                _ => 0,
            };
            double actual = PairChange(model, delta, w0);
            Assert.True(Math.Abs(actual - expected) <= 1e-6, $"Δt = {delta} ms: Δw = {actual}, formula {expected}");
        }
    }

    [Fact]
    public void TheLearningRateScaleMultipliesEveryChange()
    {
        var pair = new StdpSynapse { TauPlus = 20, TauMinus = 20, APlus = 0.01, AMinus = 0.012, WMin = 0, WMax = 1 };
        var triplet = new TripletStdpSynapse { A2Plus = 0.005, A3Plus = 0.006, A2Minus = 0.007, A3Minus = 0.002, WMin = 0, WMax = 1 };
        foreach (SynapseModel model in new SynapseModel[] { pair, triplet })
            foreach (double delta in new[] { -30.0, -5, 5, 30 })
            {
                double full = PairChange(model, delta);
                Assert.True(full != 0, $"{model.Kind}, Δt = {delta} ms: the pair changes the weight");
                Assert.Equal(full, PairChange(model, delta, rateScale: 1), 12);
                // Weights are floats near 0.5, resolved to 6e-8.
                double quarter = PairChange(model, delta, rateScale: 0.25);
                Assert.True(Math.Abs(quarter - 0.25 * full) <= 1e-7, $"{model.Kind}, Δt = {delta} ms: {quarter} against a quarter of {full}");
                Assert.Equal(0, PairChange(model, delta, rateScale: 0));
            }
    }

    [Fact]
    public void WeightsStayWithinTheirBounds()
    {
        var model = new StdpSynapse { APlus = 2, AMinus = 2, WMin = 0.2, WMax = 0.6 };
        Assert.Equal(0.6f, 0.5f + (float)PairChange(model, 1, 0.5f), 6);
        Assert.Equal(0.2f, 0.5f + (float)PairChange(model, -1, 0.5f), 6);
    }

    [Fact]
    public void NearestAndAllToAllDifferAsTheoryPredictsOnATriplet()
    {
        // Two pre spikes 10 ms apart, then one post reaching the synapse 5 ms after the second: all-to-all pairs the
        // post with both pre spikes, nearest only with the second. And post-pre-pre: all-to-all depresses twice.
        var all = new StdpSynapse { TauPlus = 20, TauMinus = 20, APlus = 0.01, AMinus = 0.01, Pairing = SpikePairing.AllToAll };
        var nearest = all with { Pairing = SpikePairing.Nearest };
        long p1 = Steps(100), p2 = Steps(110), post = Steps(115) - Delay;
        double Change(StdpSynapse m, (long, int)[] pres, (long, int)[] posts)
        {
            var rig = new Rig(m);
            rig.Run(pres, posts);
            return rig.Block.Weights[0] - 0.5;
        }
        double allPot = Change(all, [(p1, 0), (p2, 0)], [(post, 0)]);
        double nearPot = Change(nearest, [(p1, 0), (p2, 0)], [(post, 0)]);
        Assert.Equal(0.01 * (Math.Exp(-15 / 20.0) + Math.Exp(-5 / 20.0)), allPot, 6);
        Assert.Equal(0.01 * Math.Exp(-5 / 20.0), nearPot, 6);

        // post reaches the synapse at 100 ms, pre spikes at 105 and 120 ms.
        long q = Steps(100) - Delay, r1 = Steps(105), r2 = Steps(120);
        double allDep = Change(all, [(r1, 0), (r2, 0)], [(q, 0)]);
        double nearDep = Change(nearest, [(r1, 0), (r2, 0)], [(q, 0)]);
        Assert.Equal(-0.01 * (Math.Exp(-5 / 20.0) + Math.Exp(-20 / 20.0)), allDep, 6);
        // Nearest-neighbour symmetric: the post trace is 1 after the post, and each pre reads it (not reset by pre).
        Assert.Equal(-0.01 * (Math.Exp(-5 / 20.0) + Math.Exp(-20 / 20.0)), nearDep, 6);
        Assert.True(allPot > nearPot, "all-to-all sums both pairs");
    }

    [Fact]
    public void TripletRuleReproducesTheSignChangeWithPairingFrequency()
    {
        // Sjöström et al. 2001 protocol as in Pfister & Gerstner 2006: 60 pairings at frequency ρ with
        // Δt = t_post - t_pre = ±10 ms at the synapse. Post-before-pre depresses at low ρ but potentiates at high ρ.
        double Change(double rhoHz, double deltaMs)
        {
            var rig = new Rig(TripletStdpSynapse.VisualCortexAllToAll with { WMin = 0, WMax = 10 }, w0: 5f);
            var pres = new List<(long, int)>();
            var posts = new List<(long, int)>();
            for (int k = 0; k < 60; k++)
            {
                long tPre = Steps(200 + k * 1000.0 / rhoHz);
                pres.Add((tPre, 0));
                posts.Add((tPre + Steps(deltaMs) - Delay, 0));
            }
            rig.Run(pres, posts);
            return rig.Block.Weights[0] - 5;
        }
        double lowPostPre = Change(1, -10), highPostPre = Change(50, -10);
        double lowPrePost = Change(1, 10), highPrePost = Change(50, 10);
        Assert.True(lowPostPre < 0, $"post-pre at 1 Hz: Δw = {lowPostPre}, expected depression");
        Assert.True(highPostPre > 0, $"post-pre at 50 Hz: Δw = {highPostPre}, expected potentiation");
        Assert.True(highPrePost > lowPrePost, "pre-post potentiation grows with frequency");
        Assert.True(highPrePost > 0);
        // At 1 Hz the traces have decayed between pairings, so 60 pairings are 60 independent pairs:
        // post-pre: -o1 A2- per pair with o1 = exp(-10/τ-); r2 from earlier pre spikes is ~0 a second later.
        var m = TripletStdpSynapse.VisualCortexAllToAll;
        double perPair = -Math.Exp(-10 / m.TauMinus) * m.A2Minus * 10;
        Assert.Equal(60 * perPair, lowPostPre, 3);
    }

    [Fact]
    public void RewardRuleDoesNothingWithoutRewardAndFlipsSignWithIt()
    {
        var model = new RewardStdpSynapse { APlus = 1, AMinus = 1.5, TauC = 1000, LearningRate = 0.05, WMin = 0, WMax = 1 };
        // A causal pair (pre 5 ms before the post reaches the synapse) makes the eligibility positive.
        long pre = Steps(100), post = Steps(105) - Delay;
        double Change(double reward)
        {
            var rig = new Rig(model);
            rig.Run([(pre, 0)], [(post, 0)], reward);
            Assert.True(rig.Block.Eligibility[0] > 0, "a causal pair leaves a positive eligibility");
            return rig.Block.Weights[0] - 0.5;
        }
        Assert.Equal(0, Change(0));
        double up = Change(1), down = Change(-1);
        Assert.True(up > 0, $"positive reward: Δw = {up}");
        Assert.True(down < 0, $"negative reward: Δw = {down}");
        Assert.Equal(up, -down, 6);
    }

    /// <summary>20 sources onto 4 targets, 200 random pre and 40 random post spikes, normalised at every boundary.</summary>
    private static PlasticBlock LearnWithNormalisation(StdpSynapse model)
    {
        var rig = new Rig(model, sources: 20, targets: 4);
        var rnd = new System.Random(7);
        var pres = Enumerable.Range(0, 200).Select(_ => ((long)rnd.Next(1, 3000), rnd.Next(20))).Distinct().ToList();
        var posts = Enumerable.Range(0, 40).Select(_ => ((long)rnd.Next(1, 3000), rnd.Next(4))).Distinct().ToList();
        rig.Run(pres, posts);
        Assert.True(rig.Block.Weights.Distinct().Count() > 4, "learning made the weights differ");
        return rig.Block;
    }

    [Fact]
    public void NormalisationKeepsTheSumOfIncomingWeightsExact()
    {
        var b = LearnWithNormalisation(new StdpSynapse { APlus = 0.05, AMinus = 0.02, WMin = 0, WMax = 1, NormalizeTotal = 7.8 });
        for (int i = 0; i < 4; i++)
        {
            double sum = 0;
            for (int k = 0; k < b.Count; k++)
                if (b.Targets[k] == i) sum += b.Weights[k];
            Assert.Equal(7.8, sum, 4);
        }
    }

    [Fact]
    public void EuclideanNormalisationKeepsTheNormOfIncomingWeightsExact()
    {
        var b = LearnWithNormalisation(new StdpSynapse { APlus = 0.05, AMinus = 0.02, WMin = 0, WMax = 1, NormalizeTotal = 1.5, NormalizeOrder = 2 });
        for (int i = 0; i < 4; i++)
        {
            double squares = 0, sum = 0;
            for (int k = 0; k < b.Count; k++)
                if (b.Targets[k] == i) (squares, sum) = (squares + (double)b.Weights[k] * b.Weights[k], sum + b.Weights[k]);
            Assert.Equal(1.5, Math.Sqrt(squares), 4);
            // 20 weights of Euclidean norm 1.5 sum to at most 1.5·√20 = 6.7, and to exactly that only if all are equal.
            Assert.InRange(sum, 1.5, 1.5 * Math.Sqrt(20) - 1e-3);
        }
    }

    [Fact]
    public void AnStdpSynapseTakesAtMost16Bytes()
    {
        // NEST's stdp_synapse takes 24 bytes; the goal is 16. Row and reverse indices are included.
        var b = new NetworkBuilder("mem").WithDuration(1);
        var pre = b.Population("pre", 2000, new PoissonGenerator { Rate = 10 });
        var post = b.Population("post", 1000, new LifDelta());
        b.Connect(pre, post, new FixedProbability(0.1), weight: 0.1, delay: 1, synapse: new StdpSynapse { WMax = 1 });
        var engine = new PartitionEngine(b.Build(), 0, [Enumerable.Range(0, 2000).ToArray(), Enumerable.Range(0, 1000).ToArray()]);
        var block = Assert.Single(engine.PlasticBlocks);
        Assert.InRange(block.Count, 190_000, 210_000);
        double perSynapse = (double)block.Bytes / block.Count;
        Assert.True(perSynapse <= 16, $"{perSynapse:F2} bytes per STDP synapse");
        Assert.Equal(engine.SynapseBytes, block.Bytes);
    }

    [Fact]
    public void PreSpikesTransmitTheirWeightAfterDepression()
    {
        var model = new StdpSynapse { APlus = 0, AMinus = 0.1, WMin = 0, WMax = 1 };
        var rig = new Rig(model);
        long post = Steps(100) - Delay, pre = Steps(101);
        rig.Run([(pre, 0)], [(post, 0)]);
        float w = rig.Block.Weights[0];
        Assert.Equal(0.5 - 0.1 * Math.Exp(-1 / 20.0), w, 6);
        var g = rig.Block.Target;
        int slot = (int)((pre - 1 + Delay) % g.Slots);
        Assert.Equal(w, g.Input[slot * g.Padded + 0]);
    }
}
