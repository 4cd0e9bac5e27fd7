namespace DistSnn.Model;

/// <summary>Which synaptic input of the target neuron a projection feeds.</summary>
public enum Receptor
{
    /// <summary>Excitatory input (exponential or alpha current, or conductance, with tau_syn_exc; or a voltage jump).</summary>
    Exc,
    /// <summary>Inhibitory input (exponential or alpha current, or conductance, with tau_syn_inh; or a voltage jump).</summary>
    Inh,
}

/// <summary>One named, dimensioned parameter of a neuron model, with accessors used by the file loader.</summary>
public sealed record ParameterField(string Name, Dimension Dim, string Description,
    Func<NeuronModel, double> Get, Func<NeuronModel, double, NeuronModel> Set);

/// <summary>
/// A neuron (or spike source) model with its parameters. Parameter values are in canonical units (ms, mV, nS, pF,
/// pA, Hz). Each concrete record lists its parameters in <see cref="Parameters"/> so that files and the C# API
/// share one definition.
/// </summary>
public abstract record NeuronModel
{
    /// <summary>The model's name in files, e.g. <c>lif_delta</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>True for spike sources (no membrane; cannot be the target of a projection).</summary>
    public virtual bool IsSource => false;

    /// <summary>Parameters settable from files.</summary>
    public abstract IReadOnlyList<ParameterField> Parameters { get; }

    /// <summary>State variables that can be initialised and recorded, with their dimension.</summary>
    public abstract IReadOnlyList<(string Name, Dimension Dim)> StateVariables { get; }

    /// <summary>Dimensions a projection weight onto this model may have.</summary>
    public abstract IReadOnlyList<Dimension> WeightDimensions { get; }

    /// <summary>
    /// Parameters that may take a value per neuron (a list, an HDF5 dataset or a distribution, see
    /// <see cref="PopulationSpec.PerNeuron"/>); every other parameter takes one value per population.
    /// </summary>
    public virtual IReadOnlyList<string> PerNeuronParameters => [];

    /// <summary>Consistency checks between parameters: (parameter name, reason) for each problem.</summary>
    public virtual IEnumerable<(string Field, string Reason)> Check()
    {
        foreach (var p in Parameters)
        {
            var v = p.Get(this);
            if (!double.IsFinite(v) && !(p.Name is "stop" or "v_min"))
                yield return (p.Name, $"must be finite, got {v}");
            else if ((p.Name.StartsWith("tau", StringComparison.Ordinal) || p.Name is "c_m" or "g_l") && !(v > 0))
                yield return (p.Name, $"must be > 0, got {Units.Format(v, p.Dim)}");
            else if (p.Name is "t_ref" or "rate" or "delta_t" or "theta_plus" && v < 0)
                yield return (p.Name, $"must be >= 0, got {Units.Format(v, p.Dim)}");
        }
    }

    /// <summary>Looks up a model by its <see cref="Kind"/> name; null when unknown.</summary>
    public static NeuronModel? Create(string kind) => kind switch
    {
        "lif_delta" => new LifDelta(),
        "lif_exp_current" => new LifExpCurrent(),
        "lif_exp_cond" => new LifExpCond(),
        "lif_alpha_current" => new LifAlphaCurrent(),
        "izhikevich" => new Izhikevich(),
        "if_subtract" => new IfSubtract(),
        "dataset_input" => new DatasetInput(),
        "adex" => new AdEx(),
        "poisson_generator" => new PoissonGenerator(),
        "spike_generator" => new SpikeGenerator(),
        _ => null,
    };

    /// <summary>All model names known to <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Kinds { get; } =
        ["lif_delta", "lif_exp_current", "lif_exp_cond", "lif_alpha_current", "izhikevich", "adex", "if_subtract", "poisson_generator", "spike_generator", "dataset_input"];

    private protected static ParameterField P<T>(string name, Dimension dim, string doc, Func<T, double> get, Func<T, double, T> set)
        where T : NeuronModel => new(name, dim, doc, m => get((T)m), (m, v) => set((T)m, v));
}

/// <summary>
/// Leaky integrate-and-fire with delta synapses (NEST <c>iaf_psc_delta</c>): each input spike makes the membrane
/// jump by its weight (mV). Spikes arriving while refractory are discarded, as in NEST. With
/// <see cref="ThetaPlus"/> &gt; 0 the threshold adapts: it is v_th + theta, theta grows by theta_plus at each spike
/// and decays with <see cref="TauTheta"/> (Diehl &amp; Cook 2015).
/// </summary>
public sealed record LifDelta : NeuronModel
{
    /// <summary>Membrane time constant (ms).</summary>
    public double TauM { get; init; } = 10;
    /// <summary>Membrane capacitance (pF); scales <see cref="IE"/>.</summary>
    public double CM { get; init; } = 250;
    /// <summary>Resting potential (mV).</summary>
    public double EL { get; init; } = -70;
    /// <summary>Threshold (mV).</summary>
    public double VTh { get; init; } = -55;
    /// <summary>Reset potential (mV).</summary>
    public double VReset { get; init; } = -70;
    /// <summary>Refractory period (ms).</summary>
    public double TRef { get; init; } = 2;
    /// <summary>Constant input current (pA).</summary>
    public double IE { get; init; }
    /// <summary>Lower bound of the membrane potential (mV); -infinity for none (NEST default).</summary>
    public double VMin { get; init; } = double.NegativeInfinity;
    /// <summary>Threshold increment per spike (mV; adaptive threshold of Diehl &amp; Cook 2015); 0 for none.</summary>
    public double ThetaPlus { get; init; }
    /// <summary>Decay time constant of the threshold increment (ms).</summary>
    public double TauTheta { get; init; } = AdaptiveThresholdDefaults.TauTheta;

    /// <inheritdoc />
    public override string Kind => "lif_delta";
    /// <inheritdoc />
    public override IReadOnlyList<ParameterField> Parameters => Fields;
    /// <inheritdoc />
    public override IReadOnlyList<string> PerNeuronParameters => PerNeuronFields.LifFields;
    /// <inheritdoc />
    public override IReadOnlyList<(string, Dimension)> StateVariables => StateVars;
    private static readonly (string, Dimension)[] StateVars = [("v", Dimension.Voltage), ("theta", Dimension.Voltage)];
    /// <inheritdoc />
    public override IReadOnlyList<Dimension> WeightDimensions => WeightDims;
    private static readonly Dimension[] WeightDims = [Dimension.Voltage];
    /// <inheritdoc />
    public override IEnumerable<(string, string)> Check() => base.Check().Concat(LifChecks.Threshold(VTh, VReset));

    private static readonly ParameterField[] Fields =
    [
        P<LifDelta>("tau_m", Dimension.Time, "membrane time constant", m => m.TauM, (m, v) => m with { TauM = v }),
        P<LifDelta>("c_m", Dimension.Capacitance, "membrane capacitance", m => m.CM, (m, v) => m with { CM = v }),
        P<LifDelta>("e_l", Dimension.Voltage, "resting potential", m => m.EL, (m, v) => m with { EL = v }),
        P<LifDelta>("v_th", Dimension.Voltage, "spike threshold", m => m.VTh, (m, v) => m with { VTh = v }),
        P<LifDelta>("v_reset", Dimension.Voltage, "reset potential", m => m.VReset, (m, v) => m with { VReset = v }),
        P<LifDelta>("t_ref", Dimension.Time, "refractory period", m => m.TRef, (m, v) => m with { TRef = v }),
        P<LifDelta>("i_e", Dimension.Current, "constant input current", m => m.IE, (m, v) => m with { IE = v }),
        P<LifDelta>("v_min", Dimension.Voltage, "lower bound of the membrane potential", m => m.VMin, (m, v) => m with { VMin = v }),
        P<LifDelta>("theta_plus", Dimension.Voltage, "threshold increment per spike", m => m.ThetaPlus, (m, v) => m with { ThetaPlus = v }),
        P<LifDelta>("tau_theta", Dimension.Time, "decay time constant of the threshold increment", m => m.TauTheta, (m, v) => m with { TauTheta = v }),
    ];
}

/// <summary>
/// Non-leaky integrate-and-fire with reset by subtraction, the neuron of ANN-to-SNN conversion (Rueckauer et al.
/// 2017): V(t+h) = V + (i_e + I) h / c_m + J, J the weights (mV) of the spikes consumed in the step; a spike when
/// V &gt;= v_th, after which V drops by v_th − e_l, keeping what lay above the threshold, so that the spike rate
/// follows the input without the loss of a reset to a fixed value. e_l is where V starts and the level the threshold
/// is measured from. While refractory V is held and arriving spikes are discarded, as in <see cref="LifDelta"/>.
/// </summary>
public sealed record IfSubtract : NeuronModel
{
    /// <summary>Membrane capacitance (pF); scales currents.</summary>
    public double CM { get; init; } = 250;
    /// <summary>Starting potential and reference of the threshold (mV).</summary>
    public double EL { get; init; }
    /// <summary>Threshold (mV).</summary>
    public double VTh { get; init; } = 1;
    /// <summary>Refractory period (ms).</summary>
    public double TRef { get; init; }
    /// <summary>Constant input current (pA).</summary>
    public double IE { get; init; }

    /// <inheritdoc />
    public override string Kind => "if_subtract";
    /// <inheritdoc />
    public override IReadOnlyList<ParameterField> Parameters => Fields;
    /// <inheritdoc />
    public override IReadOnlyList<(string, Dimension)> StateVariables => StateVars;
    private static readonly (string, Dimension)[] StateVars = [("v", Dimension.Voltage)];
    /// <inheritdoc />
    public override IReadOnlyList<Dimension> WeightDimensions => WeightDims;
    private static readonly Dimension[] WeightDims = [Dimension.Voltage];
    /// <inheritdoc />
    public override IEnumerable<(string, string)> Check() => base.Check().Concat(ThresholdAboveRest());

    private IEnumerable<(string, string)> ThresholdAboveRest()
    {
        if (!(VTh > EL))
            yield return ("v_th", $"must be above e_l = {Units.Format(EL, Dimension.Voltage)}, got {Units.Format(VTh, Dimension.Voltage)}");
    }

    private static readonly ParameterField[] Fields =
    [
        P<IfSubtract>("c_m", Dimension.Capacitance, "membrane capacitance", m => m.CM, (m, v) => m with { CM = v }),
        P<IfSubtract>("e_l", Dimension.Voltage, "starting potential and reference of the threshold", m => m.EL, (m, v) => m with { EL = v }),
        P<IfSubtract>("v_th", Dimension.Voltage, "spike threshold", m => m.VTh, (m, v) => m with { VTh = v }),
        P<IfSubtract>("t_ref", Dimension.Time, "refractory period", m => m.TRef, (m, v) => m with { TRef = v }),
        P<IfSubtract>("i_e", Dimension.Current, "constant input current", m => m.IE, (m, v) => m with { IE = v }),
    ];
}

/// <summary>
/// Leaky integrate-and-fire with exponentially decaying synaptic currents (NEST <c>iaf_psc_exp</c>; Brette et al.
/// 2007 CUBA). Synaptic variables are kept in voltage units (current times membrane resistance), so weights may
/// be given in mV (a jump of the synaptic variable, as in the CUBA benchmark) or in pA (converted with
/// tau_m / c_m). Integrated exactly. Adaptive threshold v_th + theta as in <see cref="LifDelta"/>.
/// </summary>
public sealed record LifExpCurrent : NeuronModel
{
    /// <summary>Membrane time constant (ms).</summary>
    public double TauM { get; init; } = 10;
    /// <summary>Membrane capacitance (pF).</summary>
    public double CM { get; init; } = 250;
    /// <summary>Resting potential (mV).</summary>
    public double EL { get; init; } = -70;
    /// <summary>Threshold (mV).</summary>
    public double VTh { get; init; } = -55;
    /// <summary>Reset potential (mV).</summary>
    public double VReset { get; init; } = -70;
    /// <summary>Refractory period (ms).</summary>
    public double TRef { get; init; } = 2;
    /// <summary>Excitatory synaptic time constant (ms).</summary>
    public double TauSynExc { get; init; } = 2;
    /// <summary>Inhibitory synaptic time constant (ms).</summary>
    public double TauSynInh { get; init; } = 2;
    /// <summary>Constant input current (pA).</summary>
    public double IE { get; init; }
    /// <summary>Threshold increment per spike (mV; adaptive threshold of Diehl &amp; Cook 2015); 0 for none.</summary>
    public double ThetaPlus { get; init; }
    /// <summary>Decay time constant of the threshold increment (ms).</summary>
    public double TauTheta { get; init; } = AdaptiveThresholdDefaults.TauTheta;

    /// <inheritdoc />
    public override string Kind => "lif_exp_current";
    /// <inheritdoc />
    public override IReadOnlyList<ParameterField> Parameters => Fields;
    /// <inheritdoc />
    public override IReadOnlyList<string> PerNeuronParameters => PerNeuronFields.LifFields;
    /// <inheritdoc />
    public override IReadOnlyList<(string, Dimension)> StateVariables => StateVars;
    private static readonly (string, Dimension)[] StateVars =
        [("v", Dimension.Voltage), ("i_exc", Dimension.Voltage), ("i_inh", Dimension.Voltage), ("theta", Dimension.Voltage)];
    /// <inheritdoc />
    public override IReadOnlyList<Dimension> WeightDimensions => WeightDims;
    private static readonly Dimension[] WeightDims = [Dimension.Voltage, Dimension.Current];
    /// <inheritdoc />
    public override IEnumerable<(string, string)> Check() => base.Check().Concat(LifChecks.Threshold(VTh, VReset));

    private static readonly ParameterField[] Fields =
    [
        P<LifExpCurrent>("tau_m", Dimension.Time, "membrane time constant", m => m.TauM, (m, v) => m with { TauM = v }),
        P<LifExpCurrent>("c_m", Dimension.Capacitance, "membrane capacitance", m => m.CM, (m, v) => m with { CM = v }),
        P<LifExpCurrent>("e_l", Dimension.Voltage, "resting potential", m => m.EL, (m, v) => m with { EL = v }),
        P<LifExpCurrent>("v_th", Dimension.Voltage, "spike threshold", m => m.VTh, (m, v) => m with { VTh = v }),
        P<LifExpCurrent>("v_reset", Dimension.Voltage, "reset potential", m => m.VReset, (m, v) => m with { VReset = v }),
        P<LifExpCurrent>("t_ref", Dimension.Time, "refractory period", m => m.TRef, (m, v) => m with { TRef = v }),
        P<LifExpCurrent>("tau_syn_exc", Dimension.Time, "excitatory synaptic time constant", m => m.TauSynExc, (m, v) => m with { TauSynExc = v }),
        P<LifExpCurrent>("tau_syn_inh", Dimension.Time, "inhibitory synaptic time constant", m => m.TauSynInh, (m, v) => m with { TauSynInh = v }),
        P<LifExpCurrent>("i_e", Dimension.Current, "constant input current", m => m.IE, (m, v) => m with { IE = v }),
        P<LifExpCurrent>("theta_plus", Dimension.Voltage, "threshold increment per spike", m => m.ThetaPlus, (m, v) => m with { ThetaPlus = v }),
        P<LifExpCurrent>("tau_theta", Dimension.Time, "decay time constant of the threshold increment", m => m.TauTheta, (m, v) => m with { TauTheta = v }),
    ];
}

/// <summary>
/// Leaky integrate-and-fire with exponentially decaying conductances and reversal potentials (NEST
/// <c>iaf_cond_exp</c>; Vogels &amp; Abbott 2005 COBA). Conductances decay exactly; the membrane is advanced by
/// exponential Euler with the conductances held at their start-of-step values. Adaptive threshold v_th + theta as
/// in <see cref="LifDelta"/>.
/// </summary>
public sealed record LifExpCond : NeuronModel
{
    /// <summary>Membrane capacitance (pF).</summary>
    public double CM { get; init; } = 250;
    /// <summary>Leak conductance (nS).</summary>
    public double GL { get; init; } = 16.6667;
    /// <summary>Leak reversal potential (mV).</summary>
    public double EL { get; init; } = -70;
    /// <summary>Threshold (mV).</summary>
    public double VTh { get; init; } = -55;
    /// <summary>Reset potential (mV).</summary>
    public double VReset { get; init; } = -60;
    /// <summary>Refractory period (ms).</summary>
    public double TRef { get; init; } = 2;
    /// <summary>Excitatory reversal potential (mV).</summary>
    public double EExc { get; init; }
    /// <summary>Inhibitory reversal potential (mV).</summary>
    public double EInh { get; init; } = -85;
    /// <summary>Excitatory conductance time constant (ms).</summary>
    public double TauSynExc { get; init; } = 0.2;
    /// <summary>Inhibitory conductance time constant (ms).</summary>
    public double TauSynInh { get; init; } = 2;
    /// <summary>Constant input current (pA).</summary>
    public double IE { get; init; }
    /// <summary>Threshold increment per spike (mV; adaptive threshold of Diehl &amp; Cook 2015); 0 for none.</summary>
    public double ThetaPlus { get; init; }
    /// <summary>Decay time constant of the threshold increment (ms).</summary>
    public double TauTheta { get; init; } = AdaptiveThresholdDefaults.TauTheta;

    /// <inheritdoc />
    public override string Kind => "lif_exp_cond";
    /// <inheritdoc />
    public override IReadOnlyList<ParameterField> Parameters => Fields;
    /// <inheritdoc />
    public override IReadOnlyList<string> PerNeuronParameters => PerNeuronFields.LifFields;
    /// <inheritdoc />
    public override IReadOnlyList<(string, Dimension)> StateVariables => StateVars;
    private static readonly (string, Dimension)[] StateVars =
        [("v", Dimension.Voltage), ("g_exc", Dimension.Conductance), ("g_inh", Dimension.Conductance), ("theta", Dimension.Voltage)];
    /// <inheritdoc />
    public override IReadOnlyList<Dimension> WeightDimensions => WeightDims;
    private static readonly Dimension[] WeightDims = [Dimension.Conductance];
    /// <inheritdoc />
    public override IEnumerable<(string, string)> Check() => base.Check().Concat(LifChecks.Threshold(VTh, VReset));

    private static readonly ParameterField[] Fields =
    [
        P<LifExpCond>("c_m", Dimension.Capacitance, "membrane capacitance", m => m.CM, (m, v) => m with { CM = v }),
        P<LifExpCond>("g_l", Dimension.Conductance, "leak conductance", m => m.GL, (m, v) => m with { GL = v }),
        P<LifExpCond>("e_l", Dimension.Voltage, "leak reversal potential", m => m.EL, (m, v) => m with { EL = v }),
        P<LifExpCond>("v_th", Dimension.Voltage, "spike threshold", m => m.VTh, (m, v) => m with { VTh = v }),
        P<LifExpCond>("v_reset", Dimension.Voltage, "reset potential", m => m.VReset, (m, v) => m with { VReset = v }),
        P<LifExpCond>("t_ref", Dimension.Time, "refractory period", m => m.TRef, (m, v) => m with { TRef = v }),
        P<LifExpCond>("e_exc", Dimension.Voltage, "excitatory reversal potential", m => m.EExc, (m, v) => m with { EExc = v }),
        P<LifExpCond>("e_inh", Dimension.Voltage, "inhibitory reversal potential", m => m.EInh, (m, v) => m with { EInh = v }),
        P<LifExpCond>("tau_syn_exc", Dimension.Time, "excitatory conductance time constant", m => m.TauSynExc, (m, v) => m with { TauSynExc = v }),
        P<LifExpCond>("tau_syn_inh", Dimension.Time, "inhibitory conductance time constant", m => m.TauSynInh, (m, v) => m with { TauSynInh = v }),
        P<LifExpCond>("i_e", Dimension.Current, "constant input current", m => m.IE, (m, v) => m with { IE = v }),
        P<LifExpCond>("theta_plus", Dimension.Voltage, "threshold increment per spike", m => m.ThetaPlus, (m, v) => m with { ThetaPlus = v }),
        P<LifExpCond>("tau_theta", Dimension.Time, "decay time constant of the threshold increment", m => m.TauTheta, (m, v) => m with { TauTheta = v }),
    ];
}

/// <summary>
/// Izhikevich (2003) neuron: v' = 0.04 v^2 + 5 v + 140 - u + I, u' = a (b v - u); at v >= v_peak, v = c and
/// u += d. As in NEST <c>izhikevich</c>, a, b and d are plain numbers in the model's own units (ms, mV), input
/// spikes make v jump by their weight (mV), and i_e is added to I in the model's units. Integrated with the
/// forward-Euler scheme NEST uses (both variables updated from start-of-step values).
/// </summary>
public sealed record Izhikevich : NeuronModel
{
    /// <summary>Recovery time scale (1/ms).</summary>
    public double A { get; init; } = 0.02;
    /// <summary>Recovery sensitivity.</summary>
    public double B { get; init; } = 0.2;
    /// <summary>Reset potential (mV).</summary>
    public double C { get; init; } = -65;
    /// <summary>Recovery jump after a spike.</summary>
    public double D { get; init; } = 8;
    /// <summary>Spike cut-off (mV).</summary>
    public double VPeak { get; init; } = 30;
    /// <summary>Constant input (model units, added to I).</summary>
    public double IE { get; init; }

    /// <inheritdoc />
    public override string Kind => "izhikevich";
    /// <inheritdoc />
    public override IReadOnlyList<ParameterField> Parameters => Fields;
    /// <inheritdoc />
    public override IReadOnlyList<string> PerNeuronParameters => PerNeuronFields.IzhikevichFields;
    /// <inheritdoc />
    public override IReadOnlyList<(string, Dimension)> StateVariables => StateVars;
    private static readonly (string, Dimension)[] StateVars = [("v", Dimension.Voltage), ("u", Dimension.Dimensionless)];
    /// <inheritdoc />
    public override IReadOnlyList<Dimension> WeightDimensions => WeightDims;
    private static readonly Dimension[] WeightDims = [Dimension.Voltage];

    private static readonly ParameterField[] Fields =
    [
        P<Izhikevich>("a", Dimension.Dimensionless, "recovery time scale (1/ms)", m => m.A, (m, v) => m with { A = v }),
        P<Izhikevich>("b", Dimension.Dimensionless, "recovery sensitivity", m => m.B, (m, v) => m with { B = v }),
        P<Izhikevich>("c", Dimension.Voltage, "reset potential", m => m.C, (m, v) => m with { C = v }),
        P<Izhikevich>("d", Dimension.Dimensionless, "recovery jump after a spike", m => m.D, (m, v) => m with { D = v }),
        P<Izhikevich>("v_peak", Dimension.Voltage, "spike cut-off", m => m.VPeak, (m, v) => m with { VPeak = v }),
        P<Izhikevich>("i_e", Dimension.Dimensionless, "constant input (model units)", m => m.IE, (m, v) => m with { IE = v }),
    ];
}

/// <summary>
/// Adaptive exponential integrate-and-fire (Brette &amp; Gerstner 2005) with exponential conductances (NEST
/// <c>aeif_cond_exp</c> parameters and defaults). Conductances decay exactly; V and w are advanced by forward
/// Euler on <see cref="Substeps"/> sub-steps of dt with the exponential term's argument capped at v_peak.
/// </summary>
public sealed record AdEx : NeuronModel
{
    /// <summary>Membrane capacitance (pF).</summary>
    public double CM { get; init; } = 281;
    /// <summary>Leak conductance (nS).</summary>
    public double GL { get; init; } = 30;
    /// <summary>Leak reversal potential (mV).</summary>
    public double EL { get; init; } = -70.6;
    /// <summary>Exponential threshold (mV).</summary>
    public double VT { get; init; } = -50.4;
    /// <summary>Slope factor (mV); 0 makes the model a plain adaptive LIF with threshold V_T.</summary>
    public double DeltaT { get; init; } = 2;
    /// <summary>Adaptation time constant (ms).</summary>
    public double TauW { get; init; } = 144;
    /// <summary>Subthreshold adaptation (nS).</summary>
    public double A { get; init; } = 4;
    /// <summary>Spike-triggered adaptation (pA).</summary>
    public double B { get; init; } = 80.5;
    /// <summary>Reset potential (mV).</summary>
    public double VReset { get; init; } = -60;
    /// <summary>Spike detection threshold (mV).</summary>
    public double VPeak { get; init; }
    /// <summary>Refractory period (ms).</summary>
    public double TRef { get; init; }
    /// <summary>Excitatory reversal potential (mV).</summary>
    public double EExc { get; init; }
    /// <summary>Inhibitory reversal potential (mV).</summary>
    public double EInh { get; init; } = -85;
    /// <summary>Excitatory conductance time constant (ms).</summary>
    public double TauSynExc { get; init; } = 0.2;
    /// <summary>Inhibitory conductance time constant (ms).</summary>
    public double TauSynInh { get; init; } = 2;
    /// <summary>Constant input current (pA).</summary>
    public double IE { get; init; }
    /// <summary>Euler sub-steps per dt (plain number, 1..100).</summary>
    public double Substeps { get; init; } = 10;

    /// <inheritdoc />
    public override string Kind => "adex";
    /// <inheritdoc />
    public override IReadOnlyList<ParameterField> Parameters => Fields;
    /// <inheritdoc />
    public override IReadOnlyList<(string, Dimension)> StateVariables => StateVars;
    private static readonly (string, Dimension)[] StateVars =
        [("v", Dimension.Voltage), ("w", Dimension.Current), ("g_exc", Dimension.Conductance), ("g_inh", Dimension.Conductance)];
    /// <inheritdoc />
    public override IReadOnlyList<Dimension> WeightDimensions => WeightDims;
    private static readonly Dimension[] WeightDims = [Dimension.Conductance];
    /// <inheritdoc />
    public override IEnumerable<(string, string)> Check()
    {
        foreach (var e in base.Check()) yield return e;
        if (!(VPeak > VT)) yield return ("v_peak", $"must be above v_t = {Units.Format(VT, Dimension.Voltage)}");
        if (!(VReset < VPeak)) yield return ("v_reset", $"must be below v_peak = {Units.Format(VPeak, Dimension.Voltage)}");
        if (!(Substeps >= 1 && Substeps <= 100 && Substeps == Math.Floor(Substeps)))
            yield return ("substeps", $"must be a whole number from 1 to 100, got {Substeps}");
    }

    private static readonly ParameterField[] Fields =
    [
        P<AdEx>("c_m", Dimension.Capacitance, "membrane capacitance", m => m.CM, (m, v) => m with { CM = v }),
        P<AdEx>("g_l", Dimension.Conductance, "leak conductance", m => m.GL, (m, v) => m with { GL = v }),
        P<AdEx>("e_l", Dimension.Voltage, "leak reversal potential", m => m.EL, (m, v) => m with { EL = v }),
        P<AdEx>("v_t", Dimension.Voltage, "exponential threshold", m => m.VT, (m, v) => m with { VT = v }),
        P<AdEx>("delta_t", Dimension.Voltage, "slope factor", m => m.DeltaT, (m, v) => m with { DeltaT = v }),
        P<AdEx>("tau_w", Dimension.Time, "adaptation time constant", m => m.TauW, (m, v) => m with { TauW = v }),
        P<AdEx>("a", Dimension.Conductance, "subthreshold adaptation", m => m.A, (m, v) => m with { A = v }),
        P<AdEx>("b", Dimension.Current, "spike-triggered adaptation", m => m.B, (m, v) => m with { B = v }),
        P<AdEx>("v_reset", Dimension.Voltage, "reset potential", m => m.VReset, (m, v) => m with { VReset = v }),
        P<AdEx>("v_peak", Dimension.Voltage, "spike detection threshold", m => m.VPeak, (m, v) => m with { VPeak = v }),
        P<AdEx>("t_ref", Dimension.Time, "refractory period", m => m.TRef, (m, v) => m with { TRef = v }),
        P<AdEx>("e_exc", Dimension.Voltage, "excitatory reversal potential", m => m.EExc, (m, v) => m with { EExc = v }),
        P<AdEx>("e_inh", Dimension.Voltage, "inhibitory reversal potential", m => m.EInh, (m, v) => m with { EInh = v }),
        P<AdEx>("tau_syn_exc", Dimension.Time, "excitatory conductance time constant", m => m.TauSynExc, (m, v) => m with { TauSynExc = v }),
        P<AdEx>("tau_syn_inh", Dimension.Time, "inhibitory conductance time constant", m => m.TauSynInh, (m, v) => m with { TauSynInh = v }),
        P<AdEx>("i_e", Dimension.Current, "constant input current", m => m.IE, (m, v) => m with { IE = v }),
        P<AdEx>("substeps", Dimension.Dimensionless, "Euler sub-steps per dt", m => m.Substeps, (m, v) => m with { Substeps = v }),
    ];
}

/// <summary>
/// Poisson spike source (NEST <c>poisson_generator</c> as a population of independent sources; PyNN
/// <c>SpikeSourcePoisson</c>): in each step of [start, stop) a source spikes with probability 1 - exp(-rate dt).
/// </summary>
public sealed record PoissonGenerator : NeuronModel
{
    /// <summary>Firing rate (Hz).</summary>
    public double Rate { get; init; } = 10;
    /// <summary>Start of activity (ms).</summary>
    public double Start { get; init; }
    /// <summary>End of activity (ms); +infinity for none.</summary>
    public double Stop { get; init; } = double.PositiveInfinity;

    /// <inheritdoc />
    public override string Kind => "poisson_generator";
    /// <inheritdoc />
    public override bool IsSource => true;
    /// <inheritdoc />
    public override IReadOnlyList<ParameterField> Parameters => Fields;
    /// <inheritdoc />
    public override IReadOnlyList<(string, Dimension)> StateVariables { get; } = [];
    /// <inheritdoc />
    public override IReadOnlyList<Dimension> WeightDimensions { get; } = [];
    /// <inheritdoc />
    public override IEnumerable<(string, string)> Check()
    {
        foreach (var e in base.Check()) yield return e;
        if (Start < 0) yield return ("start", "must be >= 0 ms");
        if (!(Stop > Start)) yield return ("stop", "must be after start");
    }

    private static readonly ParameterField[] Fields =
    [
        P<PoissonGenerator>("rate", Dimension.Rate, "firing rate", m => m.Rate, (m, v) => m with { Rate = v }),
        P<PoissonGenerator>("start", Dimension.Time, "start of activity", m => m.Start, (m, v) => m with { Start = v }),
        P<PoissonGenerator>("stop", Dimension.Time, "end of activity", m => m.Stop, (m, v) => m with { Stop = v }),
    ];
}

/// <summary>
/// Spike source that emits given spike times (NEST <c>spike_generator</c>; PyNN <c>SpikeSourceArray</c>). Times
/// are rounded to the nearest step and must be at least one step (spikes are stamped at the end of a step).
/// Either one list shared by all sources, or one list per source.
/// </summary>
public sealed record SpikeGenerator : NeuronModel
{
    /// <summary>Spike times (ms): one list for all sources, or one per source.</summary>
    public IReadOnlyList<IReadOnlyList<double>> SpikeTimes { get; init; } = [];

    /// <inheritdoc />
    public override string Kind => "spike_generator";
    /// <inheritdoc />
    public override bool IsSource => true;
    /// <inheritdoc />
    public override IReadOnlyList<ParameterField> Parameters { get; } = [];
    /// <inheritdoc />
    public override IReadOnlyList<(string, Dimension)> StateVariables { get; } = [];
    /// <inheritdoc />
    public override IReadOnlyList<Dimension> WeightDimensions { get; } = [];

    /// <summary>Spike times of source <paramref name="index"/>.</summary>
    public IReadOnlyList<double> TimesOf(int index) => SpikeTimes.Count == 1 ? SpikeTimes[0] : SpikeTimes[index];

    /// <inheritdoc />
    public bool Equals(SpikeGenerator? other) =>
        other is not null && SpikeTimes.Count == other.SpikeTimes.Count &&
        SpikeTimes.Zip(other.SpikeTimes).All(p => p.First.SequenceEqual(p.Second));

    /// <inheritdoc />
    public override int GetHashCode() => SpikeTimes.Count;
}

/// <summary>
/// Shared by the LIF models' adaptive threshold: the effective threshold is v_th + theta; each spike adds
/// theta_plus to theta, which decays back to 0 with tau_theta (homeostasis of Diehl &amp; Cook 2015).
/// </summary>
internal static class AdaptiveThresholdDefaults
{
    /// <summary>tau_theta of Diehl &amp; Cook 2015 (ms): so long that theta acts as a slow, cumulative homeostat.</summary>
    public const double TauTheta = 1e7;
}

/// <summary>The parameters the CPU kernels hold per neuron, by model family.</summary>
internal static class PerNeuronFields
{
    public static readonly string[] LifFields = ["e_l", "v_th", "v_reset", "i_e"];
    public static readonly string[] IzhikevichFields = ["a", "b", "c", "d", "i_e"];
}

internal static class LifChecks
{
    public static IEnumerable<(string, string)> Threshold(double vTh, double vReset)
    {
        if (!(vReset < vTh))
            yield return ("v_reset", $"must be below v_th = {Units.Format(vTh, Dimension.Voltage)}, got {Units.Format(vReset, Dimension.Voltage)}");
    }
}
