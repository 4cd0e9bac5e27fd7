using DistSnn.Learning.Gradient;

namespace DistSnn.Learning.Tests.Gradient;

/// <summary>
/// The vector path of <see cref="LifUnits{T}"/> (whole vectors of neurons per step, taken without a refractory
/// period) against the per-neuron loop: the same bits forward and backward, for every kind of unit and option.
/// </summary>
public sealed class LifUnitsVectorTests
{
    public static TheoryData<UnitKind, SurrogateKind, bool, bool, bool, bool> Cases()
    {
        var data = new TheoryData<UnitKind, SurrogateKind, bool, bool, bool, bool>();
        foreach (var kind in new[] { UnitKind.LifDelta, UnitKind.LifExpCurrent, UnitKind.IfSubtract })
        foreach (var surrogate in new[] { SurrogateKind.FastSigmoid, SurrogateKind.Arctan })
        {
            // spiking, bias, detached reset, recurrent
            data.Add(kind, surrogate, true, true, true, false);
            data.Add(kind, surrogate, true, false, false, true);
            data.Add(kind, surrogate, false, true, true, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VectorPathEqualsThePerNeuronLoopBitForBit(UnitKind kind, SurrogateKind surrogate, bool spiking, bool bias, bool detach, bool recurrent)
    {
        Check<float>(kind, surrogate, spiking, bias, detach, recurrent);
        Check<double>(kind, surrogate, spiking, bias, detach, recurrent);
    }

    private static void Check<T>(UnitKind kind, SurrogateKind surrogate, bool spiking, bool bias, bool detach, bool recurrent)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        const int steps = 9, n = 37; // 37: whole vectors and a remainder the loop does
        var spec = new NeuronSpec { Kind = kind, TauM = 10, TauSyn = 2, CM = 1 };
        var sg = new Surrogate(surrogate, 5);
        var rng = new Random(17);
        T R(double scale) => T.CreateTruncating((rng.NextDouble() * 2 - 0.6) * scale);
        var input = Enumerable.Range(0, steps * n).Select(_ => R(kind == UnitKind.LifExpCurrent ? 8 : 1.2)).ToArray();
        var biases = bias ? Enumerable.Range(0, n).Select(_ => R(0.2)).ToArray() : [];
        var gSpikes = Enumerable.Range(0, steps * n).Select(_ => R(1)).ToArray();
        var gU = spiking ? [] : Enumerable.Range(0, steps * n).Select(_ => R(1)).ToArray();
        var dense = recurrent ? new DenseConnection<T>(n, n) : null;
        var wRec = recurrent ? Enumerable.Range(0, n * n).Select(_ => R(0.3)).ToArray() : [];

        (UnitTrace<T> Trace, Activity<T> Spikes, T[] GIn, T[] GBias, T[] GRec) Run(bool scalarOnly)
        {
            var units = new LifUnits<T>(spec, sg, spiking, smooth: false, detach) { ScalarOnly = scalarOnly };
            Assert.Equal(!scalarOnly, units.Vectorized);
            var trace = new UnitTrace<T>(steps, n);
            var spikes = new Activity<T>(steps, n);
            var j = (T[])input.Clone();
            units.Forward(steps, j, biases, dense, wRec, trace, spikes);
            var gs = (T[])gSpikes.Clone();
            var gIn = new T[steps * n];
            var gBias = new T[biases.Length];
            var gRec = new T[wRec.Length];
            units.Backward(steps, gs, gU, gIn, gBias, dense, wRec, gRec, trace, spikes);
            return (trace, spikes, gIn, gBias, gRec);
        }

        var vector = Run(scalarOnly: false);
        var scalar = Run(scalarOnly: true);
        if (spiking) Assert.Contains(scalar.Spikes.Values, v => v == T.One);
        Assert.Equal(scalar.Trace.U, vector.Trace.U);
        Assert.Equal(scalar.Trace.Y, vector.Trace.Y);
        Assert.Equal(scalar.Trace.Active, vector.Trace.Active);
        Assert.Equal(scalar.Spikes.Values, vector.Spikes.Values);
        Assert.Equal(scalar.GIn, vector.GIn);
        Assert.Equal(scalar.GBias, vector.GBias);
        Assert.Equal(scalar.GRec, vector.GRec);
        Assert.Contains(scalar.GIn, v => v != T.Zero);
    }

    [Fact]
    public void NonZeroIndicesAreThoseTheScalarTestFinds()
    {
        var rng = new Random(3);
        var activity = new Activity<float>(2, 45);
        var row = activity.Row(1);
        for (int i = 0; i < row.Length; i++) row[i] = rng.Next(4) == 0 ? (float)rng.NextDouble() + 0.1f : 0f;
        row[3] = -0f;
        row[8] = float.NaN;
        row[44] = 2f;
        activity.IndexRow(1);
        var expected = Enumerable.Range(0, row.Length).Where(i => activity.Row(1)[i] != 0f).ToArray();
        Assert.Contains(8, expected);
        Assert.DoesNotContain(3, expected);
        Assert.Equal(expected, activity.NonZero(1).ToArray());
        Assert.Equal(0, activity.NonZero(0).Length);
    }
}
