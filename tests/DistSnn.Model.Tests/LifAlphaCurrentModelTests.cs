using DistSnn.Model;

namespace DistSnn.Model.Tests;

/// <summary><c>lif_alpha_current</c> in files: NEST's defaults, parameters and state in units, weights in pA, and errors that name the field.</summary>
public class LifAlphaCurrentModelTests
{
    private const string Network = """
        run: {dt: 0.1 ms, duration: 100 ms, seed: 3}
        populations:
          - name: l4
            size: 10
            model: lif_alpha_current
            parameters: {tau_m: 20 ms, c_m: 0.5 nF, e_l: -65 mV, v_th: -50 mV, v_reset: -65 mV, t_ref: 2 ms, tau_syn_exc: 500 us, tau_syn_inh: 2 ms, i_e: 0.1 nA}
            initial: {v: uniform(-70 mV, -50 mV), i_exc: 20 pA}
        projections:
          - {source: l4, target: l4, connector: {type: fixed_probability, p: 0.1}, weight: 0.05 nA, delay: 1.5 ms}
          - {source: l4, target: l4, connector: {type: all_to_all}, weight: -30 pA, delay: 1 ms, receptor: inh}
        record:
          state:
            - {population: l4, variables: [v, i_exc, i_inh], neurons: [0]}
        """;

    [Fact]
    public void Defaults_are_those_of_nest_iaf_psc_alpha()
    {
        var m = Assert.IsType<LifAlphaCurrent>(NeuronModel.Create("lif_alpha_current"));
        Assert.Equal((10.0, 250.0, -70.0, -55.0, -70.0, 2.0, 2.0, 2.0, 0.0),
            (m.TauM, m.CM, m.EL, m.VTh, m.VReset, m.TRef, m.TauSynExc, m.TauSynInh, m.IE));
        Assert.Contains("lif_alpha_current", NeuronModel.Kinds);
        NeuronModel model = m;
        Assert.Equal(["v", "i_exc", "i_inh"], model.StateVariables.Select(v => v.Name));
        Assert.Equal([Dimension.Voltage, Dimension.Current, Dimension.Current], model.StateVariables.Select(v => v.Dim));
        Assert.Equal([Dimension.Current], m.WeightDimensions);
        Assert.Empty(m.Check());
    }

    [Fact]
    public void A_file_with_units_equals_the_builders_network_and_writes_back_the_same()
    {
        var b = new NetworkBuilder("net").WithDt(0.1).WithDuration(100).WithSeed(3);
        var l4 = b.Population("l4", 10, new LifAlphaCurrent
        {
            TauM = 20, CM = 500, EL = -65, VTh = -50, VReset = -65, TRef = 2, TauSynExc = 0.5, TauSynInh = 2, IE = 100,
        }).Initial("v", new UniformValue(-70, -50, Dimension.Voltage)).Initial("i_exc", 20);
        b.Connect(l4, l4, new FixedProbability(0.1), weight: 50, delay: 1.5);
        b.Connect(l4, l4, new AllToAll(), weight: -30, delay: 1, receptor: Receptor.Inh);
        b.RecordState(l4, ["v", "i_exc", "i_inh"], [0]);
        var built = b.Build();
        Assert.Equal(ValueSpec.Of(50, Dimension.Current), built.Projections[0].Weight);
        Assert.Equal(ValueSpec.Of(20, Dimension.Current), built.Populations[0].Initial["i_exc"]);

        var loaded = ModelLoader.Parse(Network, "net.yaml");
        SpecAssert.Equal(built, loaded);
        Assert.Empty(NetworkValidator.Validate(loaded));
        SpecAssert.Equal(loaded, ModelLoader.Parse(ModelWriter.ToYaml(loaded), "net.yaml"));
    }

    [Theory]
    [InlineData("tau_syn_exc: 500 us", "tau_syn_exc: 0 ms", "populations[0].parameters.tau_syn_exc", "must be > 0, got 0 ms")]
    [InlineData("tau_syn_inh: 2 ms", "tau_syn_inh: 2 mV", "populations[0].parameters.tau_syn_inh", "'2 mV' is a voltage; expected a time (e.g. in ms)")]
    [InlineData("c_m: 0.5 nF", "c_m: -0.5 nF", "populations[0].parameters.c_m", "must be > 0, got -500 pF")]
    [InlineData("t_ref: 2 ms", "t_ref: -1 ms", "populations[0].parameters.t_ref", "must be >= 0, got -1 ms")]
    [InlineData("v_reset: -65 mV", "v_reset: -45 mV", "populations[0].parameters.v_reset", "must be below v_th = -50 mV, got -45 mV")]
    [InlineData("i_e: 0.1 nA", "i_e: 0.1 nA, theta_plus: 1 mV", "populations[0].parameters.theta_plus", "unknown parameter for lif_alpha_current (expected one of: tau_m, c_m, e_l, v_th, v_reset, t_ref, tau_syn_exc, tau_syn_inh, i_e)")]
    [InlineData("i_exc: 20 pA", "i_exc: 20 mV", "populations[0].initial.i_exc", "'20 mV' is a voltage; expected a current (e.g. in pA)")]
    [InlineData("weight: 0.05 nA", "weight: 0.5 mV", "projections[0].weight", "'0.5 mV' is a voltage; expected a current (e.g. in pA)")]
    public void A_bad_value_is_refused_naming_the_field(string good, string bad, string path, string message)
    {
        Assert.Contains(good, Network);
        var e = Assert.Single(Assert.Throws<ModelException>(() => ModelLoader.Parse(Network.Replace(good, bad), "net.yaml")).Errors);
        Assert.Equal(path, e.Path);
        Assert.Equal(message, e.Message);
    }
}
