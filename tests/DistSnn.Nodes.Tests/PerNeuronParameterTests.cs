using DistSnn.Model;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// A group whose neurons each have their own parameters (<see cref="NeuronGroup.SetParameter"/>) must evolve every
/// neuron exactly as a one-neuron group built with that neuron's values as the population-wide parameters — which
/// the scalar references check in <see cref="KernelEquivalenceTests"/>. Inputs and currents are random and the same
/// for both, bit for bit.
/// </summary>
public class PerNeuronParameterTests
{
    private const double Dt = 0.1;
    private const int Count = 13;
    private const int Steps = 800;

    [Fact]
    public void LifDeltaNeuronsFollowTheirOwnParameters() => Check(
        new LifDelta { TauM = 20, CM = 250, EL = -65, VTh = -50, VReset = -65, TRef = 2 },
        new() { ["e_l"] = (-70, -60), ["v_th"] = (-55, -45), ["v_reset"] = (-75, -62), ["i_e"] = (200, 500) },
        (m, n) => new LifDeltaGroup(m, n, 2, Dt));

    [Fact]
    public void LifExpCurrentNeuronsFollowTheirOwnParameters() => Check(
        new LifExpCurrent { TauM = 10, CM = 250, EL = -65, VTh = -50, VReset = -65, TRef = 2, TauSynExc = 2, TauSynInh = 5 },
        new() { ["e_l"] = (-70, -60), ["v_th"] = (-55, -48), ["v_reset"] = (-75, -62), ["i_e"] = (600, 900) },
        (m, n) => new LifExpCurrentGroup(m, n, 2, Dt));

    [Fact]
    public void LifAlphaCurrentNeuronsFollowTheirOwnParameters() => Check(
        new LifAlphaCurrent { TauM = 10, CM = 250, EL = -65, VTh = -50, VReset = -65, TRef = 2, TauSynExc = 2, TauSynInh = 5 },
        new() { ["e_l"] = (-70, -60), ["v_th"] = (-55, -48), ["v_reset"] = (-75, -62), ["i_e"] = (600, 900) },
        (m, n) => new LifAlphaCurrentGroup(m, n, 2, Dt));

    [Fact]
    public void LifExpCondNeuronsFollowTheirOwnParameters() => Check(
        new LifExpCond { CM = 200, GL = 10, EL = -60, VTh = -50, VReset = -60, TRef = 5, TauSynExc = 5, TauSynInh = 10 },
        new() { ["e_l"] = (-65, -55), ["v_th"] = (-52, -45), ["v_reset"] = (-70, -58), ["i_e"] = (100, 300) },
        (m, n) => new LifExpCondGroup(m, n, 2, Dt));

    [Fact]
    public void IzhikevichNeuronsFollowTheirOwnParameters() => Check(
        new Izhikevich(),
        new() { ["a"] = (0.02, 0.1), ["b"] = (0.2, 0.25), ["c"] = (-65, -50), ["d"] = (2, 8), ["i_e"] = (5, 15) },
        (m, n) => new IzhikevichGroup(m, n, 2, Dt));

    private static void Check<TModel>(TModel model, Dictionary<string, (double Lo, double Hi)> ranges, Func<TModel, int, NeuronGroup> make)
        where TModel : NeuronModel
    {
        var rng = new System.Random(17);
        var values = ranges.ToDictionary(kv => kv.Key, kv => Enumerable.Range(0, Count).Select(_ => (float)(kv.Value.Lo + (kv.Value.Hi - kv.Value.Lo) * rng.NextDouble())).ToArray());
        Assert.All(ranges.Keys, name => Assert.Contains(name, model.PerNeuronParameters));
        var mixed = make(model, Count);
        foreach (var (name, v) in values) mixed.SetParameter(name, v);
        var singles = new NeuronGroup[Count];
        for (int i = 0; i < Count; i++)
        {
            NeuronModel m = model;
            foreach (var (name, v) in values) m = m.Parameters.Single(f => f.Name == name).Set(m, v[i]);
            singles[i] = make((TModel)m, 1);
        }
        var spikeSteps = new List<int>[Count];
        for (int i = 0; i < Count; i++) spikeSteps[i] = [];
        for (int step = 0; step < Steps; step++)
        {
            for (int i = 0; i < Count; i++)
            {
                float current = rng.NextDouble() < 0.1 ? (float)(rng.NextDouble() * 200) : 0f;
                mixed.CurrentPa[i] = singles[i].CurrentPa[0] = current;
                for (int port = 0; port < mixed.Ports; port++)
                {
                    float w = rng.NextDouble() < 0.3 ? (float)(rng.NextDouble() * (port == 0 ? 3 : -2)) : 0f;
                    mixed.InputSlot(port, step)[i] += w;
                    singles[i].InputSlot(port, step)[0] += w;
                }
            }
            int fired = mixed.Update(step);
            var firedSet = mixed.Spiked.AsSpan(0, fired).ToArray();
            for (int i = 0; i < Count; i++)
            {
                bool single = singles[i].Update(step) == 1;
                Assert.True(single == firedSet.Contains(i), $"neuron {i} step {step}: alone it {(single ? "spiked" : "did not spike")}");
                if (single) spikeSteps[i].Add(step);
                foreach (var name in mixed.Variables)
                    Assert.True(BitConverter.SingleToInt32Bits(mixed.State(name)[i]) == BitConverter.SingleToInt32Bits(singles[i].State(name)[0]),
                        $"neuron {i} step {step} {name}: {mixed.State(name)[i]} vs {singles[i].State(name)[0]}");
            }
        }
        // The parameters must matter: every neuron spikes, and not all at the same steps.
        Assert.All(spikeSteps, s => Assert.NotEmpty(s));
        Assert.True(spikeSteps.Select(s => string.Join(",", s)).Distinct().Count() > Count / 2);
    }

    [Fact]
    public void ARejectsValuesOfTheWrongLengthAndUnknownParameters()
    {
        var g = new LifDeltaGroup(new LifDelta(), 5, 1, Dt);
        var e = Assert.Throws<ArgumentException>(() => g.SetParameter("v_th", new float[4]));
        Assert.Contains("4 values of 'v_th' for 5 neurons", e.Message);
        e = Assert.Throws<ArgumentException>(() => g.SetParameter("tau_m", new float[5]));
        Assert.Contains("'tau_m'", e.Message);
    }

    [Fact]
    public void VStartsAtEachNeuronsOwnRestingPotential()
    {
        var g = new LifExpCurrentGroup(new LifExpCurrent(), 3, 1, Dt);
        g.SetParameter("e_l", new float[] { -70, -60, -55.5f });
        Assert.Equal([-70f, -60f, -55.5f], g.V.Take(3));
    }
}
