using DistSnn.Model;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Synapses;
using Xunit;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// The vector paths a plastic projection takes for rows of consecutive targets (frozen transmission, and the triplet
/// rule's depression) against the scalar loops: bit for bit, for every length and in the ring buffer the engine reads.
/// </summary>
public class ConsecutiveRowTests
{
    /// <summary>Each element of <paramref name="actual"/> has the bits of the scalar loop's <paramref name="expected"/>.</summary>
    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what} {i}: {actual[i]:R}, scalar {expected[i]:R}");
    }

    [Fact]
    public void AddInPlaceEqualsTheScalarLoopBitForBit()
    {
        var random = new System.Random(7);
        for (int n = 0; n <= 67; n++)
        {
            var values = new float[n];
            var vector = new float[n];
            for (int i = 0; i < n; i++)
            {
                // Magnitudes from 1e-30 to 1e30, both signs, so that rounding differs from element to element.
                values[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 31)));
                vector[i] = (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 31)));
            }
            var scalar = (float[])vector.Clone();
            for (int i = 0; i < n; i++) scalar[i] += values[i];
            VectorMath.AddInPlace(vector, values);
            AssertSameBits(scalar, vector, $"length {n}, element");
        }
    }

    [Fact]
    public void AddInPlaceRefusesSpansOfDifferentLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => VectorMath.AddInPlace(new float[5], new float[4]));
        Assert.Contains("4 values for 5 destinations", e.Message);
    }

    [Fact]
    public void AFrozenBlockAddsConsecutiveAndScatteredRowsIntoTheRightSlots()
    {
        const double dt = 0.1;
        const int delay = 3, targets = 37;
        var group = new LifDeltaGroup(new LifDelta(), targets, delay + 1, dt);
        // Row 0: all 37 targets in order (vector path); row 1: targets 5..24 (vector path, offset); row 2: scattered,
        // with a repeat (scalar path); row 3: none.
        int[][] rows = [Enumerable.Range(0, targets).ToArray(), Enumerable.Range(5, 20).ToArray(), [30, 2, 17, 2, 9], []];
        var rowStart = new int[rows.Length + 1];
        for (int r = 0; r < rows.Length; r++) rowStart[r + 1] = rowStart[r] + rows[r].Length;
        var tgt = rows.SelectMany(r => r).ToArray();
        var random = new System.Random(3);
        var w = tgt.Select(_ => (float)random.NextDouble()).ToArray();
        var rule = new PlasticRule(new StdpSynapse { APlus = 0.01, AMinus = 0.01, WMin = 0, WMax = 1 }, dt, 1.0);
        var block = new PlasticBlock(0, 0, 1, group, 0, rowStart, tgt, (float[])w.Clone(), delay, rule);

        // Spikes of one epoch of 3 steps, in (stamp, row) order, two of row 0 at different stamps.
        (long Stamp, int Row)[] spikes = [(1, 0), (1, 2), (2, 1), (3, 0), (3, 2)];
        foreach (var (stamp, row) in spikes) block.AddPre(row, stamp);
        var log = new PostSpikeLog();
        int cursor = 0;
        long events = block.Process(3, 3, log, ref cursor, 0, dt, learn: false);

        var expected = new float[group.Input.Length];
        foreach (var (stamp, row) in spikes)
        {
            int rowBase = (int)((stamp - 1 + delay) % group.Slots) * group.Padded;
            for (int k = rowStart[row]; k < rowStart[row + 1]; k++) expected[rowBase + tgt[k]] += w[k];
        }
        Assert.Equal(spikes.Sum(s => rows[s.Row].Length), events);
        AssertSameBits(expected, group.Input, "ring buffer entry");
        Assert.Equal(w, block.Weights);
    }

    [Fact]
    public void DepressAndAddEqualsTheScalarLoopBitForBit()
    {
        var random = new System.Random(11);
        const double wMin = 0.05;
        for (int n = 0; n <= 67; n++)
        {
            var w = new float[n];
            var y = new double[n];
            var input = new float[n];
            for (int i = 0; i < n; i++)
            {
                // Weights at, below and above the bound; a third of the traces exactly 0, as after a long silence.
                w[i] = random.Next(6) switch { 0 => (float)wMin, 1 => 0.01f, _ => (float)random.NextDouble() };
                y[i] = random.Next(3) == 0 ? 0 : random.NextDouble() * Math.Pow(10, random.Next(-12, 1));
                input[i] = (float)random.NextDouble();
            }
            if (n == 40) w[17] = -0f;
            double loss = 0.0002 * random.NextDouble();
            var (ws, xs) = ((float[])w.Clone(), (float[])input.Clone());
            for (int i = 0; i < n; i++)
            {
                if (y[i] != 0) ws[i] = (float)Math.Max(ws[i] - y[i] * loss, wMin);
                xs[i] += ws[i];
            }
            VectorMath.DepressAndAdd(w, y, loss, wMin, input);
            AssertSameBits(ws, w, $"length {n}, weight");
            AssertSameBits(xs, input, $"length {n}, input");
        }
    }

    [Fact]
    public void DepressAndAddRefusesSpansOfDifferentLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => VectorMath.DepressAndAdd(new float[3], new double[3], 0.1, 0, new float[2]));
        Assert.Contains("3 weights, 3 traces and 2 inputs", e.Message);
    }

    [Fact]
    public void ALearningTripletBlockGivesTheSameWeightsWithItsRowsInAnyOrder()
    {
        // The same synapses twice: rows of targets 0..n-1 in order (vector path) and reversed (scalar path). Every
        // synapse's change depends only on its own traces, so weights and ring buffers must agree bit for bit.
        const double dt = 0.5;
        const int delay = 1, sources = 30, targets = 41;
        var rule = new PlasticRule(new TripletStdpSynapse
        {
            TauPlus = 20, TauMinus = 20, TauX = 20, TauY = 40, A2Plus = 0, A3Plus = 0.05, A2Minus = 0.01, A3Minus = 0,
            Pairing = SpikePairing.Nearest, WMin = 0, WMax = 1,
        }, dt, 1.0);
        var random = new System.Random(5);
        var w0 = Enumerable.Range(0, sources * targets).Select(_ => (float)(0.3 * random.NextDouble())).ToArray();
        (PlasticBlock Block, LifDeltaGroup Group) Make(bool reversed)
        {
            var group = new LifDeltaGroup(new LifDelta(), targets, delay + 1, dt);
            var rowStart = Enumerable.Range(0, sources + 1).Select(r => r * targets).ToArray();
            var tgt = new int[sources * targets];
            var w = new float[tgt.Length];
            for (int r = 0; r < sources; r++)
                for (int j = 0; j < targets; j++)
                {
                    int i = reversed ? targets - 1 - j : j;
                    tgt[r * targets + j] = i;
                    w[r * targets + j] = w0[r * targets + i];
                }
            return (new PlasticBlock(0, 0, 1, group, 0, rowStart, tgt, w, delay, rule), group);
        }
        var (vector, vectorGroup) = Make(reversed: false);
        var (scalar, scalarGroup) = Make(reversed: true);
        var (logV, logS) = (new PostSpikeLog(), new PostSpikeLog());
        int cursorV = 0, cursorS = 0;
        var spikes = new System.Random(9);
        for (long step = 1; step <= 400; step++)
        {
            for (int r = 0; r < sources; r++)
                if (spikes.NextDouble() < 0.05) { vector.AddPre(r, step); scalar.AddPre(r, step); }
            for (int i = 0; i < targets; i++)
                if (spikes.NextDouble() < 0.02) { logV.Add(step, i); logS.Add(step, i); }
            vector.Process(step, 1, logV, ref cursorV, 0, dt);
            scalar.Process(step, 1, logS, ref cursorS, 0, dt);
            Assert.Equal(scalarGroup.Input, vectorGroup.Input);
            Array.Clear(scalarGroup.Input);
            Array.Clear(vectorGroup.Input);
        }
        int changed = 0;
        for (int r = 0; r < sources; r++)
            for (int j = 0; j < targets; j++)
            {
                float v = vector.Weights[r * targets + j], s = scalar.Weights[r * targets + targets - 1 - j];
                Assert.True(BitConverter.SingleToInt32Bits(v) == BitConverter.SingleToInt32Bits(s), $"row {r}, target {j}: {v:R} against {s:R}");
                if (v != w0[r * targets + j]) changed++;
            }
        Assert.True(changed > sources * targets / 2, $"only {changed} of {sources * targets} weights moved: the spikes did not exercise the rule");
    }
}
