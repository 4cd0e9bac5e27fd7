using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// Partition independence at engine level: networks run with the in-memory exchange on 1, 2, 3 and 7 partitions,
/// cut contiguously or round-robin, must produce identical spike trains and identical final state (every state
/// variable), bit for bit.
/// </summary>
public class DeterminismTests
{
    private const double Dt = 0.1;

    /// <summary>Brunel-like network of lif_delta neurons with Poisson input and a poisson_generator population.</summary>
    internal static NetworkSpec Brunel()
    {
        var b = new NetworkBuilder("brunel").WithDt(Dt).WithDuration(200).WithSeed(2024);
        var model = new LifDelta { TauM = 20, CM = 250, EL = 0, VTh = 20, VReset = 10, TRef = 2 };
        var exc = b.Population("exc", 400, model).Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        var inh = b.Population("inh", 100, model).Initial("v", new UniformValue(0, 20, Dimension.Voltage));
        var ext = b.Population("ext", 50, new PoissonGenerator { Rate = 20 });
        var delays = new UniformValue(1.0, 2.0, Dimension.Time);
        foreach (var target in new[] { exc, inh })
        {
            b.Connect(exc, target, new FixedProbability(0.1) { AllowSelfConnections = false }, ValueSpec.Of(0.2, Dimension.Voltage), delays);
            b.Connect(inh, target, new FixedProbability(0.1) { AllowSelfConnections = false }, weight: -1.2, delay: 1.5);
            b.PoissonInput(target, 40, 160, 0.2);
        }
        b.Connect(ext, exc, new FixedNumberPre(5), weight: 0.2, delay: 1.0);
        b.RecordAllSpikes();
        return b.Build();
    }

    /// <summary>COBA-like network of lif_exp_cond neurons, plus small AdEx, Izhikevich and CUBA populations.</summary>
    internal static NetworkSpec Coba()
    {
        var b = new NetworkBuilder("coba").WithDt(Dt).WithDuration(200).WithSeed(77);
        var cond = new LifExpCond { CM = 200, GL = 10, EL = -60, VTh = -50, VReset = -60, TRef = 5, EExc = 0, EInh = -80, TauSynExc = 5, TauSynInh = 10 };
        var exc = b.Population("exc", 400, cond).Initial("v", new UniformValue(-60, -50, Dimension.Voltage));
        var inh = b.Population("inh", 100, cond).Initial("v", new UniformValue(-60, -50, Dimension.Voltage));
        var adex = b.Population("adex", 37, new AdEx { TRef = 1 }).Initial("w", new UniformValue(0, 50, Dimension.Current));
        // Fewer Izhikevich neurons than partitions: some partitions hold none of them.
        var izh = b.Population("izh", 3, new Izhikevich()).Initial("v", new NormalValue(-65, 3, Dimension.Voltage));
        var cuba = b.Population("cuba", 23, new LifExpCurrent { TauSynExc = 5, TauSynInh = 10 });
        foreach (var target in new[] { exc, inh })
        {
            b.Connect(exc, target, new FixedNumberPre(40), new UniformValue(0.4, 1.0, Dimension.Conductance), new UniformValue(0.5, 1.5, Dimension.Time));
            b.Connect(inh, target, new FixedNumberPre(10), weight: 8.0, delay: 0.8, receptor: Receptor.Inh);
            b.PoissonInput(target, 100, 25, 1.0);
        }
        b.Connect(exc, adex, new FixedProbability(0.1), weight: 2.0, delay: 0.5);
        b.Connect(inh, izh, new FixedNumberPost(3), weight: -2.0, delay: 2.0);
        b.Connect(izh, exc, new FixedTotalNumber(200), weight: 1.0, delay: 1.0);
        b.Connect(exc, cuba, new FixedProbability(0.05), ValueSpec.Of(40, Dimension.Current), ValueSpec.Of(0.7, Dimension.Time));
        b.Connect(adex, cuba, new AllToAll(), ValueSpec.Of(-30, Dimension.Current), ValueSpec.Of(1.0, Dimension.Time), Receptor.Inh);
        b.PoissonInput(adex, 50, 100, 3.0);
        b.PoissonInput(cuba, 50, 60, ValueSpec.Of(30, Dimension.Current));
        b.Dc(adex, 400);
        b.Dc(izh, 8, 0, 150);
        b.StepCurrent(cuba, [0, 50, 120], [100, 250, 0], neurons: [0, 5, 22]);
        b.RecordAllSpikes();
        return b.Build();
    }

    /// <summary>The three LIF models with adaptive thresholds (Diehl &amp; Cook style), some starting with theta &gt; 0.</summary>
    internal static NetworkSpec Adaptive()
    {
        var b = new NetworkBuilder("adaptive").WithDt(Dt).WithDuration(200).WithSeed(31);
        var exc = b.Population("exc", 300, new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10, TRef = 2, ThetaPlus = 0.3, TauTheta = 80 })
            .Initial("v", new UniformValue(0, 20, Dimension.Voltage)).Initial("theta", new UniformValue(0, 2, Dimension.Voltage));
        var cuba = b.Population("cuba", 60, new LifExpCurrent { TauSynExc = 5, TauSynInh = 10, ThetaPlus = 0.5 });
        var cond = b.Population("cond", 90, new LifExpCond { CM = 200, GL = 10, EL = -60, VTh = -50, VReset = -60, TRef = 5, TauSynExc = 5, TauSynInh = 10, ThetaPlus = 1, TauTheta = 300 })
            .Initial("v", new UniformValue(-60, -50, Dimension.Voltage));
        b.Connect(exc, exc, new FixedProbability(0.1) { AllowSelfConnections = false }, ValueSpec.Of(0.2, Dimension.Voltage), new UniformValue(1.0, 2.0, Dimension.Time));
        b.Connect(exc, cuba, new FixedNumberPre(20), ValueSpec.Of(40, Dimension.Current), ValueSpec.Of(0.7, Dimension.Time));
        b.Connect(exc, cond, new FixedNumberPre(30), new UniformValue(0.4, 1.0, Dimension.Conductance), ValueSpec.Of(1.2, Dimension.Time));
        b.Connect(cond, exc, new FixedProbability(0.1), weight: -0.2, delay: 1.5);
        b.PoissonInput(exc, 40, 200, 0.2);
        b.PoissonInput(cuba, 50, 60, ValueSpec.Of(30, Dimension.Current));
        b.PoissonInput(cond, 100, 25, 1.0);
        b.RecordAllSpikes();
        return b.Build();
    }

    /// <summary>
    /// Neurons with their own parameters and initial values: lists, data and per-neuron draws on the three LIF models
    /// and Izhikevich (Izhikevich 2003's heterogeneous a, b, c, d).
    /// </summary>
    internal static NetworkSpec Heterogeneous()
    {
        var b = new NetworkBuilder("heterogeneous").WithDt(Dt).WithDuration(200).WithSeed(5);
        static ArrayValue Ramp(int n, double lo, double hi, Dimension dim) =>
            ArrayValue.FromList(Enumerable.Range(0, n).Select(i => (float)(lo + (hi - lo) * ((i * 37) % n) / n)).ToArray(), dim);
        var delta = b.Population("delta", 200, new LifDelta { TauM = 20, EL = 0, VTh = 20, VReset = 10, TRef = 2 })
            .PerNeuron("v_th", Ramp(200, 18, 22, Dimension.Voltage))
            .PerNeuron("i_e", new UniformValue(0, 150, Dimension.Current))
            .Initial("v", Ramp(200, 0, 18, Dimension.Voltage));
        var cuba = b.Population("cuba", 50, new LifExpCurrent { TauSynExc = 5, TauSynInh = 10 })
            .PerNeuron("e_l", new NormalValue(-65, 2, Dimension.Voltage))
            .PerNeuron("v_reset", Ramp(50, -72, -66, Dimension.Voltage));
        var cond = b.Population("cond", 60, new LifExpCond { CM = 200, GL = 10, EL = -60, VTh = -50, VReset = -60, TRef = 5, TauSynExc = 5, TauSynInh = 10 })
            .PerNeuron("e_l", Ramp(60, -62, -58, Dimension.Voltage))
            .PerNeuron("v_th", new UniformValue(-52, -48, Dimension.Voltage));
        var re = Enumerable.Range(0, 40).Select(i => (i * 17 % 40) / 40.0).ToArray();
        var izh = b.Population("izh", 40, new Izhikevich())
            .PerNeuron("c", ArrayValue.FromList(re.Select(r => (float)(-65 + 15 * r * r)).ToArray(), Dimension.Voltage))
            .PerNeuron("d", ArrayValue.FromList(re.Select(r => (float)(8 - 6 * r * r)).ToArray(), Dimension.Dimensionless))
            .PerNeuron("i_e", new UniformValue(3, 8, Dimension.Dimensionless));
        b.Connect(delta, delta, new FixedProbability(0.1) { AllowSelfConnections = false }, ValueSpec.Of(0.2, Dimension.Voltage), new UniformValue(1.0, 2.0, Dimension.Time));
        b.Connect(delta, cuba, new FixedNumberPre(20), ValueSpec.Of(40, Dimension.Current), ValueSpec.Of(0.7, Dimension.Time));
        b.Connect(delta, cond, new FixedNumberPre(30), new UniformValue(0.05, 0.2, Dimension.Conductance), ValueSpec.Of(1.2, Dimension.Time));
        b.Connect(delta, izh, new FixedNumberPre(10), weight: 1.0, delay: 1.0);
        b.Connect(cond, delta, new FixedProbability(0.1), weight: -0.2, delay: 1.5);
        b.PoissonInput(delta, 40, 200, 0.2);
        b.PoissonInput(cuba, 50, 60, ValueSpec.Of(12, Dimension.Current));
        b.PoissonInput(cond, 100, 25, 0.3);
        b.RecordAllSpikes();
        return b.Build();
    }

    /// <summary>
    /// Brunel-like network of lif_alpha_current neurons (weights in pA), the excitatory ones with inhibition in NEST's
    /// singular case tau_syn == tau_m, with Poisson input, a poisson_generator population, a DC current and initial
    /// currents.
    /// </summary>
    internal static NetworkSpec Alpha()
    {
        var b = new NetworkBuilder("alpha").WithDt(Dt).WithDuration(200).WithSeed(4242);
        var model = new LifAlphaCurrent { TauSynExc = 0.5, TauSynInh = 10 };
        var exc = b.Population("exc", 320, model).Initial("v", new UniformValue(-70, -55, Dimension.Voltage));
        var inh = b.Population("inh", 80, model with { TauSynInh = 3 }).Initial("v", new UniformValue(-70, -55, Dimension.Voltage))
            .Initial("i_exc", new UniformValue(0, 200, Dimension.Current));
        var ext = b.Population("ext", 40, new PoissonGenerator { Rate = 20 });
        var delays = new UniformValue(1.0, 2.0, Dimension.Time);
        foreach (var target in new[] { exc, inh })
        {
            b.Connect(exc, target, new FixedProbability(0.1) { AllowSelfConnections = false }, ValueSpec.Of(40, Dimension.Current), delays);
            b.Connect(inh, target, new FixedProbability(0.1) { AllowSelfConnections = false }, ValueSpec.Of(-10, Dimension.Current),
                ValueSpec.Of(1.5, Dimension.Time), Receptor.Inh);
            b.PoissonInput(target, 100, 90, ValueSpec.Of(40, Dimension.Current));
        }
        b.Connect(ext, exc, new FixedNumberPre(5), ValueSpec.Of(40, Dimension.Current), ValueSpec.Of(1.0, Dimension.Time));
        b.Dc(inh, 100);
        b.RecordAllSpikes();
        return b.Build();
    }

    public static TheoryData<string> Networks => new() { "brunel", "coba", "adaptive", "heterogeneous", "alpha" };

    [Theory, MemberData(nameof(Networks))]
    public void SpikeTrainsAndStateDoNotDependOnPartitioning(string name)
    {
        var spec = name switch { "brunel" => Brunel(), "coba" => Coba(), "heterogeneous" => Heterogeneous(), "alpha" => Alpha(), _ => Adaptive() };
        var reference = Sim.Run(spec, 1);
        var pops = spec.Populations;
        var refTrains = Enumerable.Range(0, pops.Count).Select(p => Sim.SpikeTrains(reference, p, pops[p].Size)).ToArray();
        var stateful = Enumerable.Range(0, pops.Count).Where(p => !pops[p].Model.IsSource).ToArray();
        var refState = stateful.SelectMany(p => pops[p].Model.StateVariables.Select(v => (p, v.Name)))
            .ToDictionary(pv => pv, pv => Sim.FinalState(reference, pv.p, pops[pv.p].Size, pv.Name));

        // The comparison is only meaningful if every population is active but not saturated.
        for (int p = 0; p < pops.Count; p++)
        {
            double rate = refTrains[p].Sum(t => t.Count) / (pops[p].Size * spec.Run.Duration * 1e-3);
            Assert.True(rate >= 2 && rate <= 120, $"{pops[p].Name}: {rate} Hz");
        }

        foreach (var parts in new[] { 2, 3, 7 })
            foreach (var strategy in new[] { PartitionStrategy.Contiguous, PartitionStrategy.RoundRobin })
            {
                var engines = Sim.Run(spec, parts, strategy);
                Assert.Equal(spec.TotalNeurons, engines.Sum(e => e.NeuronCount));
                for (int p = 0; p < pops.Count; p++)
                {
                    var trains = Sim.SpikeTrains(engines, p, pops[p].Size);
                    for (int i = 0; i < pops[p].Size; i++)
                        Assert.True(refTrains[p][i].SequenceEqual(trains[i]),
                            $"{parts} partitions ({strategy}): {pops[p].Name}[{i}] spikes differ");
                }
                foreach (var ((p, variable), expected) in refState)
                {
                    var actual = Sim.FinalState(engines, p, pops[p].Size, variable);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"{parts} partitions ({strategy}): final {variable} of {pops[p].Name} differs");
                }
                Assert.Equal(reference.Sum(e => e.SynapseCount), engines.Sum(e => e.SynapseCount));
                Assert.Equal(reference.Sum(e => e.SpikesEmitted), engines.Sum(e => e.SpikesEmitted));
            }
    }

    [Fact]
    public void RunsAreRepeatableAndSeedDependent()
    {
        var spec = Brunel();
        var a = Sim.Spikes(Sim.Run(spec, 2), 0);
        var b = Sim.Spikes(Sim.Run(spec, 2), 0);
        Assert.Equal(a, b);
        var other = Sim.Spikes(Sim.Run(spec with { Run = spec.Run with { Seed = 2025 } }, 2), 0);
        Assert.NotEqual(a, other);
    }
}
