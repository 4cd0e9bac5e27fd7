using DistSnn.Model;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// Each vector kernel against its scalar reference (<see cref="ScalarReference"/>), bit for bit, for neuron counts
/// that leave padding lanes, with random states, random ring-buffer input and random injected currents. Bitwise
/// equality is what makes spikes independent of a neuron's lane and thus of partitioning.
/// </summary>
public class KernelEquivalenceTests
{
    private const double Dt = 0.1;
    private const int Steps = 600;
    private const int Slots = 3;
    private const int Lead = 2;

    public static TheoryData<int> Counts => new() { 1, 7, 37, 100 };

    [Theory, MemberData(nameof(Counts))]
    public void LifDeltaMatchesScalarReference(int count)
    {
        var p = new LifDelta { TauM = 10, CM = 250, EL = -70, VTh = -55, VReset = -68, TRef = 2, IE = 30 };
        Compare(count, 101, p, (m, n) => new LifDeltaGroup(m, n, Slots, Dt), (m, n) => new LifDeltaReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) => Init(r, rng, ("v", -80, -54)),
            rng => Sparse(rng, -1f, 4f), _ => 0f, rng => Uniform(rng, -200, 900));
    }

    [Theory, MemberData(nameof(Counts))]
    public void LifDeltaWithLowerBoundMatchesScalarReference(int count)
    {
        // Strong inhibition drives V into the V_min clamp.
        var p = new LifDelta { TauM = 20, CM = 250, EL = 0, VTh = 20, VReset = 10, TRef = 1, VMin = -5 };
        Compare(count, 102, p, (m, n) => new LifDeltaGroup(m, n, Slots, Dt), (m, n) => new LifDeltaReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) => Init(r, rng, ("v", -5, 19.9)),
            rng => Sparse(rng, -6f, 5f), _ => 0f, rng => Uniform(rng, -300, 2000));
    }

    [Theory, MemberData(nameof(Counts))]
    public void LifExpCurrentMatchesScalarReference(int count)
    {
        var p = new LifExpCurrent { TauM = 10, CM = 250, EL = -65, VTh = -50, VReset = -65, TRef = 2, TauSynExc = 2, TauSynInh = 5, IE = 20 };
        Compare(count, 103, p, (m, n) => new LifExpCurrentGroup(m, n, Slots, Dt), (m, n) => new LifExpCurrentReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) => Init(r, rng, ("v", -75, -50.5), ("i_exc", 0, 10), ("i_inh", -8, 0)),
            rng => Sparse(rng, 0f, 4f), rng => Sparse(rng, -1f, 0f), rng => Uniform(rng, -100, 500));
    }

    [Theory, MemberData(nameof(Counts))]
    public void LifExpCurrentWithEqualTimeConstantsMatchesScalarReference(int count)
    {
        // tau_syn == tau_m takes the limit branch of the P21 propagator.
        var p = new LifExpCurrent { TauM = 5, CM = 200, EL = -70, VTh = -55, VReset = -70, TRef = 1.5, TauSynExc = 5, TauSynInh = 5 };
        Compare(count, 104, p, (m, n) => new LifExpCurrentGroup(m, n, Slots, Dt), (m, n) => new LifExpCurrentReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) => Init(r, rng, ("v", -72, -55.5), ("i_exc", 0, 20), ("i_inh", -5, 0)),
            rng => Sparse(rng, 0f, 4f), rng => Sparse(rng, -2f, 0f), rng => Uniform(rng, 0, 900));
    }

    [Theory, MemberData(nameof(Counts))]
    public void LifAlphaCurrentMatchesScalarReference(int count)
    {
        var p = new LifAlphaCurrent { TauM = 10, CM = 250, EL = -65, VTh = -50, VReset = -65, TRef = 2, TauSynExc = 2, TauSynInh = 5, IE = 20 };
        Compare(count, 110, p, (m, n) => new LifAlphaCurrentGroup(m, n, Slots, Dt), (m, n) => new LifAlphaCurrentReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) => Init(r, rng, ("v", -75, -50.5), ("i_exc", 0, 300), ("i_inh", -200, 0), ("di_exc", 0, 200), ("di_inh", -100, 0)),
            rng => Sparse(rng, 0f, 40f), rng => Sparse(rng, -4f, 0f), rng => Uniform(rng, -100, 500), AlphaDrives);
    }

    [Theory, MemberData(nameof(Counts))]
    public void LifAlphaCurrentWithEqualTimeConstantsMatchesScalarReference(int count)
    {
        // tau_syn == tau_m: NEST's singular case, where the propagators' series give h^2/(2C) e^(-h/tau) and h/C e^(-h/tau).
        var p = new LifAlphaCurrent { TauM = 5, CM = 200, EL = -70, VTh = -55, VReset = -70, TRef = 1.5, TauSynExc = 5, TauSynInh = 5 };
        Compare(count, 111, p, (m, n) => new LifAlphaCurrentGroup(m, n, Slots, Dt), (m, n) => new LifAlphaCurrentReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) => Init(r, rng, ("v", -72, -55.5), ("i_exc", 0, 400), ("i_inh", -100, 0), ("di_exc", 0, 100), ("di_inh", -50, 0)),
            rng => Sparse(rng, 0f, 25f), rng => Sparse(rng, -10f, 0f), rng => Uniform(rng, 0, 700), AlphaDrives);
    }

    /// <summary>The alpha currents' drives, state that is neither recorded nor initialised but compared all the same.</summary>
    private static (string, float[], float[])[] AlphaDrives(LifAlphaCurrentReference r, LifAlphaCurrentGroup g) =>
        [("di_exc", r.DIExc, g.DIExc), ("di_inh", r.DIInh, g.DIInh)];

    [Theory, MemberData(nameof(Counts))]
    public void LifExpCondMatchesScalarReference(int count)
    {
        var p = new LifExpCond { CM = 200, GL = 10, EL = -60, VTh = -50, VReset = -60, TRef = 5, EExc = 0, EInh = -80, TauSynExc = 5, TauSynInh = 10, IE = 10 };
        Compare(count, 105, p, (m, n) => new LifExpCondGroup(m, n, Slots, Dt), (m, n) => new LifExpCondReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) =>
            {
                Init(r, rng, ("v", -70, -50.5), ("g_exc", 0, 15), ("g_inh", 0, 30));
                // A total conductance of exactly zero takes the kernel's minimum-conductance branch.
                r.GExc[0] = -10f;
                r.GInh[0] = 0f;
            },
            rng => Sparse(rng, 0f, 1f), rng => Sparse(rng, 0f, 0.5f), rng => Uniform(rng, -50, 400));
    }

    [Theory, MemberData(nameof(Counts))]
    public void LifDeltaWithAdaptiveThresholdMatchesScalarReference(int count)
    {
        var draw = new System.Random(201_000 + count);
        var p = new LifDelta
        {
            TauM = 10, CM = 250, EL = -70, VTh = -55, VReset = -68, TRef = 2, IE = 30,
            ThetaPlus = Uniform(draw, 0.05, 2), TauTheta = Uniform(draw, 2, 300),
        };
        Compare(count, 201, p, (m, n) => new LifDeltaGroup(m, n, Slots, Dt), (m, n) => new LifDeltaReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) =>
            {
                Init(r, rng, ("v", -80, -54));
                InitTheta(r, rng);
            },
            rng => Sparse(rng, -1f, 5f), _ => 0f, rng => Uniform(rng, -200, 1200));
    }

    [Theory, MemberData(nameof(Counts))]
    public void LifExpCurrentWithAdaptiveThresholdMatchesScalarReference(int count)
    {
        // tau_theta left at its default (1e7 ms): a decay far below float resolution per step.
        var draw = new System.Random(203_000 + count);
        var p = new LifExpCurrent
        {
            TauM = 10, CM = 250, EL = -65, VTh = -50, VReset = -65, TRef = 2, TauSynExc = 2, TauSynInh = 5, IE = 20,
            ThetaPlus = Uniform(draw, 0.05, 2),
        };
        Compare(count, 203, p, (m, n) => new LifExpCurrentGroup(m, n, Slots, Dt), (m, n) => new LifExpCurrentReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) =>
            {
                Init(r, rng, ("v", -75, -50.5), ("i_exc", 0, 10), ("i_inh", -8, 0));
                InitTheta(r, rng);
            },
            rng => Sparse(rng, 0f, 5f), rng => Sparse(rng, -1f, 0f), rng => Uniform(rng, -100, 700));
    }

    [Theory, MemberData(nameof(Counts))]
    public void LifExpCondWithAdaptiveThresholdMatchesScalarReference(int count)
    {
        var draw = new System.Random(205_000 + count);
        var p = new LifExpCond
        {
            CM = 200, GL = 10, EL = -60, VTh = -50, VReset = -60, TRef = 5, EExc = 0, EInh = -80, TauSynExc = 5, TauSynInh = 10, IE = 10,
            ThetaPlus = Uniform(draw, 0.05, 2), TauTheta = Uniform(draw, 2, 300),
        };
        Compare(count, 205, p, (m, n) => new LifExpCondGroup(m, n, Slots, Dt), (m, n) => new LifExpCondReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) =>
            {
                Init(r, rng, ("v", -70, -50.5), ("g_exc", 0, 15), ("g_inh", 0, 30));
                InitTheta(r, rng);
            },
            rng => Sparse(rng, 0f, 1.5f), rng => Sparse(rng, 0f, 0.5f), rng => Uniform(rng, -50, 500));
    }

    [Theory, MemberData(nameof(Counts))]
    public void IzhikevichMatchesScalarReference(int count)
    {
        var p = new Izhikevich { A = 0.02, B = 0.2, C = -65, D = 8, VPeak = 30, IE = 2 };
        Compare(count, 106, p, (m, n) => new IzhikevichGroup(m, n, Slots, Dt), (m, n) => new IzhikevichReference(m, n, Dt),
            _ => null,
            (r, rng) =>
            {
                Init(r, rng, ("v", -75, 29));
                for (int i = 0; i < r.Count; i++) r.U[i] = 0.2f * r.V[i] + (float)Uniform(rng, -3, 3);
            },
            rng => Sparse(rng, -1f, 6f), _ => 0f, rng => Uniform(rng, 0, 15));
    }

    [Theory, MemberData(nameof(Counts))]
    public void IfSubtractMatchesScalarReference(int count)
    {
        // Inputs large enough to carry V past two thresholds: the subtraction keeps the excess.
        var p = new IfSubtract { CM = 250, EL = 0, VTh = 1, TRef = 0.2, IE = 15 };
        Compare(count, 109, p, (m, n) => new IfSubtractGroup(m, n, Slots, Dt), (m, n) => new IfSubtractReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) => Init(r, rng, ("v", -1, 0.99)),
            rng => Sparse(rng, -0.5f, 2.5f), _ => 0f, rng => Uniform(rng, -500, 1500));
    }

    [Theory, MemberData(nameof(Counts))]
    public void AdExMatchesScalarReference(int count)
    {
        var p = new AdEx { TRef = 0.5, IE = 100 };
        Compare(count, 107, p, (m, n) => new AdExGroup(m, n, Slots, Dt), (m, n) => new AdExReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) => Init(r, rng, ("v", -72, -40), ("w", 0, 150), ("g_exc", 0, 10), ("g_inh", 0, 10)),
            rng => Sparse(rng, 0f, 20f), rng => Sparse(rng, 0f, 0.5f), rng => Uniform(rng, 0, 1200));
    }

    [Theory, MemberData(nameof(Counts))]
    public void AdExWithoutExponentialTermMatchesScalarReference(int count)
    {
        // Delta_T = 0: adaptive LIF with threshold V_T, one Euler sub-step.
        var p = new AdEx { DeltaT = 0, VPeak = 0, Substeps = 1, TRef = 2, A = 2, B = 40 };
        Compare(count, 108, p, (m, n) => new AdExGroup(m, n, Slots, Dt), (m, n) => new AdExReference(m, n, Dt),
            g => g.Refractory,
            (r, rng) => Init(r, rng, ("v", -72, -51), ("w", 0, 50), ("g_exc", 0, 10), ("g_inh", 0, 10)),
            rng => Sparse(rng, 0f, 20f), rng => Sparse(rng, 0f, 0.5f), rng => Uniform(rng, 0, 1500));
    }

    private static double Uniform(System.Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    /// <summary>Input that is zero in about 60% of the neuron-steps and uniform otherwise.</summary>
    private static float Sparse(System.Random rng, float lo, float hi) => rng.NextDouble() < 0.6 ? 0f : (float)Uniform(rng, lo, hi);

    /// <summary>System.Random state for the named variables and random refractory counters for a quarter of the neurons.</summary>
    private static void Init(ScalarReference r, System.Random rng, params (string Name, double Lo, double Hi)[] ranges)
    {
        foreach (var (name, lo, hi) in ranges)
        {
            var a = r.State(name);
            for (int i = 0; i < r.Count; i++) a[i] = (float)Uniform(rng, lo, hi);
        }
        for (int i = 0; i < r.Count; i++)
            if (rng.NextDouble() < 0.25) r.Refractory[i] = rng.Next(0, r.RefSteps + 1);
    }

    /// <summary>
    /// theta 0 on the first half of the neurons, so that whole vectors take the kernel's branch for all-zero theta
    /// until they spike, uniform on the rest, and -0 on the last (which is not all-zero bits).
    /// </summary>
    private static void InitTheta(LifReference r, System.Random rng)
    {
        for (int i = r.Count / 2; i < r.Count; i++) r.Theta[i] = (float)Uniform(rng, 0, 3);
        if (r.Count > 2) r.Theta[r.Count - 1] = -0f;
    }

    /// <summary>The kernel's hidden low part of theta, compared bit for bit like the state variables.</summary>
    private static float[]? ThetaResidualOf(NeuronGroup g) => g switch
    {
        LifDeltaGroup d => d.ThetaResidual,
        LifExpCurrentGroup c => c.ThetaResidual,
        LifExpCondGroup e => e.ThetaResidual,
        _ => null,
    };

    private static void Compare<TModel, TGroup, TRef>(int count, int seed, TModel model, Func<TModel, int, TGroup> makeGroup,
        Func<TModel, int, TRef> makeReference, Func<TGroup, int[]?> refractoryOf, Action<TRef, System.Random> init,
        Func<System.Random, float> input0, Func<System.Random, float> input1, Func<System.Random, double> current,
        Func<TRef, TGroup, (string Name, float[] Reference, float[] Kernel)[]>? hiddenState = null)
        where TGroup : NeuronGroup where TRef : ScalarReference
    {
        var rng = new System.Random(seed * 1000 + count);
        var group = makeGroup(model, count);
        var reference = makeReference(model, count);
        Assert.Equal(0, group.Padded % System.Numerics.Vector<float>.Count);
        init(reference, rng);
        foreach (var name in reference.Variables)
            Array.Copy(reference.State(name), group.State(name), count);
        var hidden = hiddenState?.Invoke(reference, group) ?? [];
        foreach (var (_, r, k) in hidden) Array.Copy(r, k, count);
        var groupRefractory = refractoryOf(group);
        if (groupRefractory is not null) Array.Copy(reference.Refractory, groupRefractory, count);

        // The harness keeps its own copy of the ring buffer; it receives exactly the same float additions.
        int ports = group.Ports;
        var ring = new float[Slots, ports, count];
        int spikes = 0, refractoryInputs = 0;
        var expected = new List<int>();
        for (int u = 0; u < Steps; u++)
        {
            if (u % 37 == 0)
                for (int i = 0; i < count; i++)
                    group.CurrentPa[i] = reference.Current[i] = (float)current(rng);
            for (int port = 0; port < ports; port++)
            {
                var gen = port == 0 ? input0 : input1;
                Deposit(group, ring, port, u + Lead, gen, rng, count);
                Deposit(group, ring, port, u, gen, rng, count); // same-step deposit, as Poisson input does
            }

            int n = group.Update(u);

            expected.Clear();
            int slot = u % Slots;
            for (int i = 0; i < count; i++)
            {
                float a = ring[slot, 0, i], b = ports > 1 ? ring[slot, 1, i] : 0f;
                if (reference.Refractory[i] > 0 && (a != 0 || b != 0)) refractoryInputs++;
                if (reference.Step(i, a, b)) expected.Add(i);
                for (int port = 0; port < ports; port++) ring[slot, port, i] = 0f;
            }
            Assert.True(expected.SequenceEqual(group.Spiked.Take(n)),
                $"step {u}: spikes [{string.Join(",", expected)}] expected, kernel gave [{string.Join(",", group.Spiked.Take(n))}]");
            spikes += n;

            foreach (var name in reference.Variables)
                AssertBitwise(reference.State(name), group.State(name), count, $"{name} after step {u}");
            foreach (var (name, r, k) in hidden)
                AssertBitwise(r, k, count, $"{name} after step {u}");
            if (reference is LifReference lif)
                AssertBitwise(lif.ThetaResidual, ThetaResidualOf(group)!, count, $"theta residual after step {u}");
            if (groupRefractory is not null)
                Assert.True(reference.Refractory.AsSpan().SequenceEqual(groupRefractory.AsSpan(0, count)), $"refractory counters after step {u}");
            for (int port = 0; port < ports; port++)
            {
                Assert.True(group.InputSlot(port, u).ToArray().All(x => x == 0f), $"port {port}: slot of step {u} not cleared");
                for (int ahead = 1; ahead <= Lead; ahead++)
                {
                    var pending = group.InputSlot(port, u + ahead);
                    for (int i = 0; i < count; i++)
                        Assert.Equal(ring[(u + ahead) % Slots, port, i], pending[i]);
                }
            }
        }
        // The comparison is only meaningful if neurons fired and were refractory while input arrived.
        Assert.True(spikes >= count, $"only {spikes} spikes for {count} neurons");
        if (reference.RefSteps > 0) Assert.True(refractoryInputs > 0, "no input arrived during a refractory period");
    }

    private static void Deposit(NeuronGroup group, float[,,] ring, int port, long step, Func<System.Random, float> gen, System.Random rng, int count)
    {
        var slot = group.InputSlot(port, step);
        for (int i = 0; i < count; i++)
        {
            float x = gen(rng);
            slot[i] += x;
            ring[step % Slots, port, i] += x;
        }
    }

    private static void AssertBitwise(float[] expected, float[] actual, int count, string what)
    {
        for (int i = 0; i < count; i++)
        {
            int e = BitConverter.SingleToInt32Bits(expected[i]), a = BitConverter.SingleToInt32Bits(actual[i]);
            if (e != a)
                Assert.Fail($"{what}, neuron {i}: reference {expected[i]:R} (0x{e:X8}), kernel {actual[i]:R} (0x{a:X8})");
        }
    }
}
