using DistSnn.Model;
using DistSnn.Nodes.Checkpoints;
using DistSnn.Nodes.Kernels;
using DistSnn.Nodes.Synapses;
using Xunit;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// Synapses with per-synapse delays reach their targets through arrival lanes: rows sorted by delay and cut into runs of
/// one delay, runs listed by arrival step, added into the ring slot just before the step that reads it. Checked against the scalar path — every
/// event added straight into its ring cell at delivery, rows in generation order — bit for bit.
/// </summary>
public class ArrivalLaneTests
{
    private const int Neurons = 37, Slots = 9, Rows = 23;

    /// <summary>Rows with multapses (several synapses of one row onto one target with one delay) and weights of many magnitudes, so that any change of summation order shows.</summary>
    private static (int[] RowStart, int[] Targets, float[] Weights, ushort[] Delays) RandomRows(int seed, bool constDelay = false)
    {
        var random = new System.Random(seed);
        var rowStart = new int[Rows + 1];
        var targets = new List<int>();
        var weights = new List<float>();
        var delays = new List<ushort>();
        for (int r = 0; r < Rows; r++)
        {
            int n = r % 5 == 0 ? 0 : random.Next(1, 60);
            for (int k = 0; k < n; k++)
            {
                targets.Add(random.Next(Neurons / 3)); // few targets: many synapses share a cell
                weights.Add((float)(random.NextDouble() * Math.Pow(10, random.Next(-6, 4)) * (random.Next(2) == 0 ? -1 : 1)));
                delays.Add(constDelay ? (ushort)4 : (ushort)random.Next(1, Slots + 1));
            }
            rowStart[r + 1] = targets.Count;
        }
        return (rowStart, targets.ToArray(), weights.ToArray(), delays.ToArray());
    }

    private static LifExpCurrentGroup Group() => new(new LifExpCurrent(), Neurons, Slots, 0.1);

    /// <summary>The scalar reference: each synapse's weight added into ring cell (stamp - 1 + delay) at delivery, in row order.</summary>
    private static void DeliverScalar(NeuronGroup g, int port, (int[] RowStart, int[] Targets, float[] Weights, ushort[] Delays) rows, int row, long stamp)
    {
        for (int k = rows.RowStart[row]; k < rows.RowStart[row + 1]; k++)
            g.InputSlot(port, stamp - 1 + rows.Delays[k])[rows.Targets[k]] += rows.Weights[k];
    }

    private static void AssertSameBits(Span<float> expected, Span<float> actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}, neuron {i}: {actual[i]:R}, scalar {expected[i]:R}");
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void LanesAddWhatTheScalarPathAddsInItsOrder(int seed, bool constDelay)
    {
        var reference = Group();
        var laned = Group();
        var lane = new ArrivalLane(laned, 1, Slots);
        // Two projections onto one port through one lane, delivered spike by spike as the engine does; a constant delay
        // (every row one run) is given as the projection's delay, as the builder gives it.
        var projections = new[] { RandomRows(seed, constDelay), RandomRows(seed + 100, constDelay) };
        var blocks = projections.Select(r =>
        {
            var rows = new DelayedRows(0, 0, 0, Neurons, 1, r.RowStart.ToArray(), r.Targets.ToArray(), r.Weights.ToArray(), 0, constDelay ? null : r.Delays.ToArray(), 4);
            rows.Join(lane);
            return rows;
        }).ToArray();
        Assert.Equal(projections.Sum(r => r.Targets.Length), blocks.Sum(b => b.Count));
        var random = new System.Random(seed);
        long events = 0, expectedEvents = 0;
        for (long step = 0; step < 60; step++)
        {
            // Spikes stamped step + 1 (emitted by this step's update) are delivered after it and read from step + 1 on.
            foreach (int row in Enumerable.Range(0, Rows).Where(_ => random.Next(3) == 0))
            {
                for (int b = 0; b < blocks.Length; b++)
                {
                    DeliverScalar(reference, 1, projections[b], row, step + 1);
                    expectedEvents += projections[b].RowStart[row + 1] - projections[b].RowStart[row];
                    events += blocks[b].Enqueue(row, step + 1);
                }
            }
            lane.Drain(step + 1);
            AssertSameBits(reference.InputSlot(1, step + 1), laned.InputSlot(1, step + 1), $"step {step + 1}");
            Assert.Equal(0f, laned.InputSlot(0, step + 1).ToArray().Max(Math.Abs)); // nothing on the other port
            foreach (var g in new[] { reference, laned }) g.InputSlot(1, step + 1).Clear(); // read by the update
        }
        Assert.Equal(expectedEvents, events);
        Assert.True(events > 1000, $"{events} events");
        Assert.True(lane.Pending > 0, "events still on their way at the end");
        Assert.True(blocks.Sum(b => b.Runs) < blocks.Sum(b => b.Count), "runs hold several synapses");
    }

    [Fact]
    public void SortingByDelayIsStableAndKeepsEverySynapseWithItsWeight()
    {
        var rows = RandomRows(5);
        var (t, w, d) = (rows.Targets.ToArray(), rows.Weights.ToArray(), rows.Delays.ToArray());
        DelayedRows.SortRowsByDelay(rows.RowStart, t, w, d);
        for (int r = 0; r < Rows; r++)
        {
            int begin = rows.RowStart[r], n = rows.RowStart[r + 1] - begin;
            var expected = Enumerable.Range(begin, n).OrderBy(k => rows.Delays[k]) // LINQ's OrderBy is stable
                .Select(k => (rows.Targets[k], rows.Weights[k], rows.Delays[k])).ToArray();
            var actual = Enumerable.Range(begin, n).Select(k => (t[k], w[k], d[k])).ToArray();
            Assert.Equal(expected, actual);
        }
        Assert.NotEqual(rows.Delays, d); // the rows were not already in order
    }

    [Fact]
    public void ClearedLanesAddNothingAndRestoredLanesContinue()
    {
        var rows = RandomRows(8);
        var g = Group();
        var lane = new ArrivalLane(g, 0, Slots);
        var block = new DelayedRows(0, 0, 0, Neurons, 0, rows.RowStart, rows.Targets, rows.Weights, 0, rows.Delays, 0);
        block.Join(lane);
        for (int row = 0; row < Rows; row++) block.Enqueue(row, 3);
        long pending = lane.Pending;
        Assert.Equal(rows.Targets.Length, pending);

        using var saved = new MemoryStream();
        StateFile.Save(saved, "TESTLANE"u8, 1, lane.VisitState);
        var copyGroup = Group();
        var copy = new ArrivalLane(copyGroup, 0, Slots);
        new DelayedRows(0, 0, 0, Neurons, 0, rows.RowStart, rows.Targets, rows.Weights, 0, rows.Delays, 0).Join(copy);
        StateFile.Restore(new MemoryStream(saved.ToArray()), "TESTLANE"u8, 1, "lane", copy.VisitState);
        Assert.Equal(pending, copy.Pending);
        for (long step = 3; step < 3 + Slots; step++)
        {
            lane.Drain(step);
            copy.Drain(step);
        }
        AssertSameBits(g.Input, copyGroup.Input, "restored lane");
        Assert.NotEqual(0f, g.Input.Max(Math.Abs));

        // A lane whose blocks hold fewer synapses than a saved entry names is refused, naming the entry.
        var small = new ArrivalLane(Group(), 0, Slots);
        var (rs, t, w, d) = RandomRows(9);
        new DelayedRows(0, 0, 0, Neurons, 0, [0, 1], [t[0]], [w[0]], 0, [d[0]], 0).Join(small);
        var error = Assert.Throws<CheckpointFormatException>(() =>
            StateFile.Restore(new MemoryStream(saved.ToArray()), "TESTLANE"u8, 1, "lane", small.VisitState));
        Assert.Contains("does not fit the synapses held", error.Message);

        for (int row = 0; row < Rows; row++) block.Enqueue(row, 20);
        lane.Clear();
        Assert.Equal(0, lane.Pending);
        Array.Clear(g.Input);
        for (long step = 20; step < 20 + Slots; step++) lane.Drain(step);
        Assert.Equal(0f, g.Input.Max(Math.Abs));
    }
}
