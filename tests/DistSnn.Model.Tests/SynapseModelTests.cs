using DistSnn.Model;

namespace DistSnn.Model.Tests;

/// <summary>The <c>synapse:</c> block of projections and the <c>reward:</c> schedule: reading, errors, writing.</summary>
public class SynapseModelTests
{
    private static string Projection(string synapse, string weight = "0.5 nS", string delay = "1 ms") =>
        $"  - {{source: exc, target: inh, connector: {{type: fixed_probability, p: 0.1}}, weight: {weight}, delay: {delay}, synapse: {synapse}}}";

    [Fact]
    public void Stdp_parameters_are_read_with_their_units()
    {
        var spec = ModelLoader.Parse(BadInputTests.With(13, Projection(
            "{type: stdp, tau_plus: 16.8 ms, tau_minus: 33.7 ms, a_plus: 0.01, a_minus: 0.012, w_min: 0 nS, w_max: 2 nS, " +
            "weight_dependence: multiplicative, pairing: nearest, normalize_total: 78 nS, normalize_interval: 350 ms, normalize_order: 2}")), "ok.yaml");
        var s = Assert.IsType<StdpSynapse>(spec.Projections[0].Synapse);
        Assert.Equal(new StdpSynapse
        {
            TauPlus = 16.8, TauMinus = 33.7, APlus = 0.01, AMinus = 0.012, WMin = 0, WMax = 2,
            Dependence = WeightDependence.Multiplicative, Pairing = SpikePairing.Nearest, NormalizeTotal = 78, NormalizeInterval = 350, NormalizeOrder = 2,
        }, s);
    }

    [Fact]
    public void A_projection_without_a_synapse_block_is_static()
    {
        var spec = ModelLoader.Parse(string.Join("\n", BadInputTests.Base), "ok.yaml");
        Assert.Same(StaticSynapse.Instance, spec.Projections[0].Synapse);
        Assert.False(spec.Projections[0].Synapse.IsPlastic);
    }

    [Fact]
    public void Triplet_presets_give_the_published_parameter_sets()
    {
        var nearest = ModelLoader.Parse(BadInputTests.With(13, Projection("{type: stdp_triplet, preset: visual_cortex_nearest, w_max: 1 nS}")), "ok.yaml");
        var t = Assert.IsType<TripletStdpSynapse>(nearest.Projections[0].Synapse);
        Assert.Equal((16.8, 33.7, 714.0, 40.0), (t.TauPlus, t.TauMinus, t.TauX, t.TauY));
        Assert.Equal((8.8e-11, 5.3e-2, 6.6e-3, 3.1e-3), (t.A2Plus, t.A3Plus, t.A2Minus, t.A3Minus));
        Assert.Equal(SpikePairing.Nearest, t.Pairing);
        var all = ModelLoader.Parse(BadInputTests.With(13, Projection("{type: stdp_triplet, w_max: 1 nS}")), "ok.yaml");
        var a = Assert.IsType<TripletStdpSynapse>(all.Projections[0].Synapse);
        Assert.Equal((101.0, 125.0, 5e-10, 6.2e-3, 7e-3, 2.3e-4), (a.TauX, a.TauY, a.A2Plus, a.A3Plus, a.A2Minus, a.A3Minus));
    }

    public static TheoryData<string, string, string> BadSynapses => new()
    {
        // synapse block (or whole projection line), expected path, message fragment
        { Projection("{type: stdpp}"), "projections[0].synapse.type", "unknown synapse type 'stdpp' (known: static, stdp, stdp_triplet, stdp_reward)" },
        { Projection("{type: stdp, tau_plus: 20}"), "projections[0].synapse.tau_plus", "'20' has no unit; expected a time" },
        { Projection("{type: stdp, tau_plus: -1 ms}"), "projections[0].synapse.tau_plus", "must be > 0 ms" },
        { Projection("{type: stdp, a_plus: -0.1}"), "projections[0].synapse.a_plus", "must be >= 0" },
        { Projection("{type: stdp, w_max: 1 mV}"), "projections[0].synapse.w_max", "'1 mV' is a voltage; expected a conductance" },
        { Projection("{type: stdp, w_min: 2 nS, w_max: 1 nS}", weight: "1.5 nS"), "projections[0].synapse.w_max", "must be above w_min" },
        { Projection("{type: stdp, pairing: nearest_neighbour}"), "projections[0].synapse.pairing", "'nearest_neighbour' is not allowed; expected all_to_all or nearest" },
        { Projection("{type: stdp, weight_dependence: soft}"), "projections[0].synapse.weight_dependence", "expected additive or multiplicative" },
        { Projection("{type: stdp, tau_c: 1 s}"), "projections[0].synapse.tau_c", "unknown key for a stdp synapse" },
        { Projection("{type: stdp_triplet, preset: hippocampus}"), "projections[0].synapse.preset", "unknown preset 'hippocampus'" },
        { Projection("{type: stdp, w_max: 1 nS}", weight: "3 nS"), "projections[0].weight", "3 nS is outside [w_min, w_max] = [0 nS, 1 nS]" },
        { Projection("{type: stdp, w_max: 1 nS}", delay: "'uniform(1 ms, 2 ms)'"), "projections[0].delay", "varies between synapses; stdp synapses need a constant delay" },
        { Projection("{type: stdp_reward, normalize_total: 0 nS}"), "projections[0].synapse.normalize_total", "must be > 0" },
        { Projection("{type: stdp, normalize_total: 4 nS, normalize_order: 3}"), "projections[0].synapse.normalize_order", "must be 1 (sum) or 2 (Euclidean norm), got 3" },
    };

    [Theory]
    [MemberData(nameof(BadSynapses))]
    public void Bad_synapse_blocks_name_the_field(string line, string path, string fragment)
    {
        var e = BadInputTests.Fail(BadInputTests.With(13, line));
        var error = Assert.Single(e.Errors, x => x.Path == path);
        Assert.Contains(fragment, error.Message);
        Assert.Equal(13, error.Line);
    }

    [Fact]
    public void Reward_schedule_is_read_and_checked()
    {
        var ok = ModelLoader.Parse(string.Join("\n", BadInputTests.Base) + "\nreward: {times: [0 ms, 50 ms], values: [0, -1.5]}\n", "ok.yaml");
        Assert.Equal(0, ok.Reward!.At(10));
        Assert.Equal(-1.5, ok.Reward.At(50));
        var e = BadInputTests.Fail(string.Join("\n", BadInputTests.Base) + "\nreward: {times: [10 ms, 5 ms], values: [1]}\n");
        Assert.Contains(e.Errors, x => x.Path == "reward.values" && x.Message.Contains("has 1 values for 2 times"));
        Assert.Contains(e.Errors, x => x.Path == "reward.times[1]" && x.Message.Contains("times must increase"));
    }

    [Fact]
    public void Plastic_models_read_back_equal_from_yaml_and_json()
    {
        var spec = ModelLoader.LoadFile(ExampleFileTests.Example("brunel_stdp.yaml"));
        Assert.IsType<StdpSynapse>(spec.Projections[0].Synapse);
        SpecAssert.Equal(spec, ModelLoader.Parse(ModelWriter.ToYaml(spec), "b.yaml"));
        SpecAssert.Equal(spec, ModelLoader.Parse(ModelWriter.ToJson(spec), "b.json"));

        var b = new NetworkBuilder("plastic").WithDuration(100).WithReward([0, 40], [0.5, -1]);
        var src = b.Population("src", 20, new PoissonGenerator { Rate = 10 });
        var n = b.Population("n", 5, new LifExpCond());
        b.Connect(src, n, new AllToAll(), weight: 0.5, delay: 1, synapse: TripletStdpSynapse.VisualCortexNearest with { WMax = 2 });
        b.Connect(src, n, new AllToAll(), weight: 0.5, delay: 1, synapse: new RewardStdpSynapse { WMax = 1, TauC = 500, NormalizeTotal = 5, NormalizeOrder = 2 });
        var built = b.Build();
        var back = ModelLoader.Parse(ModelWriter.ToYaml(built), "p.yaml");
        SpecAssert.Equal(built, back);
        Assert.Equal(built.Projections[0].Synapse, back.Projections[0].Synapse);
        Assert.Equal(built.Projections[1].Synapse, back.Projections[1].Synapse);
        Assert.Equal(built.Reward, back.Reward);
    }
}
