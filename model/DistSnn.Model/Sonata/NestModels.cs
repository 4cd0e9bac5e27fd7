namespace DistSnn.Model.Sonata;

/// <summary>
/// One parameter or state variable in NEST's name and unit: DistSnn value = NEST value × <see cref="ToDistSnn"/>.
/// <see cref="ToDistSnn"/> is NaN where no constant factor exists: <c>lif_exp_current</c> keeps its synaptic variables
/// i_exc and i_inh in mV (current × membrane resistance), NEST's I_syn_ex and I_syn_in are in pA, and
/// mV = pA × tau_m / C_m depends on the population's parameters. Such a name maps a recording (a SONATA report's
/// <c>variable_name</c>), not a value.
/// </summary>
public sealed record NestName(string DistSnn, string Nest, double ToDistSnn = 1.0);

/// <summary>
/// How DistSnn's neuron models correspond to NEST's, by the names and units SONATA point-neuron networks use
/// (<c>model_template: nest:iaf_psc_exp</c> with a <c>dynamics_params</c> JSON of NEST parameter names): NEST gives
/// times in ms, voltages in mV, capacitances in pF, currents in pA and conductances in nS, which are DistSnn's
/// canonical units, so the factors are 1 except where the state differs (DistSnn keeps the synaptic variables of
/// <c>lif_exp_current</c> in mV). The SONATA importer and exporter share this one table.
/// </summary>
public static class NestModels
{
    /// <summary>A DistSnn model and its NEST counterpart.</summary>
    public sealed record Entry(string Kind, string NestModel, IReadOnlyList<NestName> Parameters, IReadOnlyList<NestName> State);

    private static readonly NestName[] LifCommon =
    [
        new("tau_m", "tau_m"), new("c_m", "C_m"), new("e_l", "E_L"), new("v_th", "V_th"), new("v_reset", "V_reset"),
        new("t_ref", "t_ref"), new("i_e", "I_e"),
    ];

    /// <summary>Every model with a NEST counterpart.</summary>
    public static IReadOnlyList<Entry> All { get; } =
    [
        new("lif_delta", "iaf_psc_delta", [.. LifCommon, new("v_min", "V_min")], [new("v", "V_m")]),
        new("lif_exp_current", "iaf_psc_exp", [.. LifCommon, new("tau_syn_exc", "tau_syn_ex"), new("tau_syn_inh", "tau_syn_in")],
            [new("v", "V_m"), new("i_exc", "I_syn_ex", double.NaN), new("i_inh", "I_syn_in", double.NaN)]),
        new("lif_alpha_current", "iaf_psc_alpha", [.. LifCommon, new("tau_syn_exc", "tau_syn_ex"), new("tau_syn_inh", "tau_syn_in")], [new("v", "V_m")]),
        new("lif_exp_cond", "iaf_cond_exp",
        [
            new("c_m", "C_m"), new("g_l", "g_L"), new("e_l", "E_L"), new("v_th", "V_th"), new("v_reset", "V_reset"),
            new("t_ref", "t_ref"), new("e_exc", "E_ex"), new("e_inh", "E_in"), new("tau_syn_exc", "tau_syn_ex"),
            new("tau_syn_inh", "tau_syn_in"), new("i_e", "I_e"),
        ], [new("v", "V_m"), new("g_exc", "g_ex"), new("g_inh", "g_in")]),
        new("izhikevich", "izhikevich",
            [new("a", "a"), new("b", "b"), new("c", "c"), new("d", "d"), new("v_peak", "V_th"), new("i_e", "I_e")],
            [new("v", "V_m"), new("u", "U_m")]),
        new("adex", "aeif_cond_exp",
        [
            new("c_m", "C_m"), new("g_l", "g_L"), new("e_l", "E_L"), new("v_t", "V_th"), new("delta_t", "Delta_T"),
            new("tau_w", "tau_w"), new("a", "a"), new("b", "b"), new("v_reset", "V_reset"), new("v_peak", "V_peak"),
            new("t_ref", "t_ref"), new("e_exc", "E_ex"), new("e_inh", "E_in"), new("tau_syn_exc", "tau_syn_ex"),
            new("tau_syn_inh", "tau_syn_in"), new("i_e", "I_e"),
        ], [new("v", "V_m"), new("w", "w"), new("g_exc", "g_ex"), new("g_inh", "g_in")]),
    ];

    /// <summary>The prefix of DistSnn's extensions to SONATA (keys, templates and names SONATA has no word for).</summary>
    public const string Extension = "distsnn:";

    /// <summary>
    /// The unit of a SONATA (NEST) weight onto <paramref name="model"/>: nS for conductance-based synapses, pA for
    /// current-based ones, mV for voltage jumps (<c>iaf_psc_delta</c>, <c>izhikevich</c>).
    /// </summary>
    public static Dimension WeightDimension(NeuronModel model) =>
        model.WeightDimensions.Contains(Dimension.Conductance) ? Dimension.Conductance
        : model.WeightDimensions.Contains(Dimension.Current) ? Dimension.Current
        : model.WeightDimensions[0];

    /// <summary>Whether the sign of a weight onto <paramref name="model"/> picks its excitatory or inhibitory synapse (NEST's convention).</summary>
    public static bool SignPicksReceptor(NeuronModel model) => WeightDimension(model) is Dimension.Current or Dimension.Conductance;

    /// <summary>The entry of NEST model <paramref name="nestModel"/> (without the <c>nest:</c> prefix); null when none.</summary>
    public static Entry? ByNest(string nestModel) => All.FirstOrDefault(e => e.NestModel == nestModel);

    /// <summary>The entry of DistSnn model <paramref name="kind"/>; null when it has no NEST counterpart.</summary>
    public static Entry? ByKind(string kind) => All.FirstOrDefault(e => e.Kind == kind);

    /// <summary>
    /// NEST parameters a point-neuron file may carry that change nothing DistSnn models (NEST's defaults for them
    /// are what DistSnn does), so they are accepted and ignored rather than refused.
    /// </summary>
    public static IReadOnlySet<string> Neutral { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "refractory_input",
    };
}
