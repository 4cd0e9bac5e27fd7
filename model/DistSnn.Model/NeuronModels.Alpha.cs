namespace DistSnn.Model;

/// <summary>
/// Leaky integrate-and-fire with alpha-shaped synaptic currents (NEST <c>iaf_psc_alpha</c>), integrated exactly.
/// C_m dV/dt = −C_m (V − E_L) / tau_m + I_exc + I_inh + i_e + I_stim, and per receptor
/// I(t) = w e / tau_syn · t exp(−t / tau_syn) after an input spike of weight w (pA) at t = 0: the current peaks at w
/// at t = tau_syn. The synaptic currents are kept in pA and weights are given in pA, as in NEST. After a spike V is
/// clamped to v_reset for t_ref; the synaptic currents keep evolving. No adaptive threshold.
/// </summary>
public sealed record LifAlphaCurrent : NeuronModel
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
    /// <summary>Rise time of the excitatory alpha current, the time of its peak after a spike (ms).</summary>
    public double TauSynExc { get; init; } = 2;
    /// <summary>Rise time of the inhibitory alpha current, the time of its peak after a spike (ms).</summary>
    public double TauSynInh { get; init; } = 2;
    /// <summary>Constant input current (pA).</summary>
    public double IE { get; init; }

    /// <inheritdoc />
    public override string Kind => "lif_alpha_current";
    /// <inheritdoc />
    public override IReadOnlyList<ParameterField> Parameters => Fields;
    /// <inheritdoc />
    public override IReadOnlyList<string> PerNeuronParameters => PerNeuronFields.LifFields;
    /// <inheritdoc />
    public override IReadOnlyList<(string, Dimension)> StateVariables => StateVars;
    private static readonly (string, Dimension)[] StateVars =
        [("v", Dimension.Voltage), ("i_exc", Dimension.Current), ("i_inh", Dimension.Current)];
    /// <inheritdoc />
    public override IReadOnlyList<Dimension> WeightDimensions => WeightDims;
    private static readonly Dimension[] WeightDims = [Dimension.Current];
    /// <inheritdoc />
    public override IEnumerable<(string, string)> Check() => base.Check().Concat(LifChecks.Threshold(VTh, VReset));

    private static readonly ParameterField[] Fields =
    [
        P<LifAlphaCurrent>("tau_m", Dimension.Time, "membrane time constant", m => m.TauM, (m, v) => m with { TauM = v }),
        P<LifAlphaCurrent>("c_m", Dimension.Capacitance, "membrane capacitance", m => m.CM, (m, v) => m with { CM = v }),
        P<LifAlphaCurrent>("e_l", Dimension.Voltage, "resting potential", m => m.EL, (m, v) => m with { EL = v }),
        P<LifAlphaCurrent>("v_th", Dimension.Voltage, "spike threshold", m => m.VTh, (m, v) => m with { VTh = v }),
        P<LifAlphaCurrent>("v_reset", Dimension.Voltage, "reset potential", m => m.VReset, (m, v) => m with { VReset = v }),
        P<LifAlphaCurrent>("t_ref", Dimension.Time, "refractory period", m => m.TRef, (m, v) => m with { TRef = v }),
        P<LifAlphaCurrent>("tau_syn_exc", Dimension.Time, "rise time of the excitatory alpha current", m => m.TauSynExc, (m, v) => m with { TauSynExc = v }),
        P<LifAlphaCurrent>("tau_syn_inh", Dimension.Time, "rise time of the inhibitory alpha current", m => m.TauSynInh, (m, v) => m with { TauSynInh = v }),
        P<LifAlphaCurrent>("i_e", Dimension.Current, "constant input current", m => m.IE, (m, v) => m with { IE = v }),
    ];
}
