using DistSnn.Model;

namespace DistSnn.Model.Tests;

public class ExampleFileTests
{
    internal static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);
    internal static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "data", name);

    [Fact]
    public void Brunel_loads_with_the_values_of_the_file()
    {
        var spec = ModelLoader.LoadFile(Example("brunel.yaml"));

        Assert.Equal("brunel", spec.Name);
        Assert.Equal(new RunSettings { Dt = 0.1, Duration = 1000, Seed = 12345 }, spec.Run);
        Assert.Equal(["exc", "inh"], spec.Populations.Select(p => p.Name));
        Assert.Equal([10000, 2500], spec.Populations.Select(p => p.Size));
        var lif = new LifDelta { TauM = 20, CM = 250, EL = 0, VTh = 20, VReset = 10, TRef = 2 };
        foreach (var p in spec.Populations)
        {
            // The second population takes its parameters through the alias *lif.
            Assert.Equal(lif, p.Model);
            Assert.Equal(new UniformValue(0, 20, Dimension.Voltage), p.Initial["v"]);
        }

        Assert.Equal(4, spec.Projections.Count);
        var ee = spec.Projections[0];
        Assert.Equal(("exc", "exc", Receptor.Exc), (ee.Source, ee.Target, ee.Receptor));
        Assert.Equal(new FixedProbability(0.1) { AllowSelfConnections = false }, ee.Connector);
        Assert.Equal(ValueSpec.Of(0.1, Dimension.Voltage), ee.Weight);
        Assert.Equal(ValueSpec.Of(1.5, Dimension.Time), ee.Delay);
        var ie = spec.Projections[2];
        Assert.Equal(("inh", "exc", Receptor.Inh), (ie.Source, ie.Target, ie.Receptor));
        Assert.Equal(ValueSpec.Of(-0.5, Dimension.Voltage), ie.Weight);
        Assert.True(ie.Connector.AllowSelfConnections);
        Assert.False(spec.Projections[3].Connector.AllowSelfConnections);

        Assert.Equal(2, spec.PoissonInputs.Count);
        Assert.Equal(new PoissonInputSpec("exc", 1000, 20, ValueSpec.Of(0.1, Dimension.Voltage)), spec.PoissonInputs[0]);
        Assert.Equal("inh", spec.PoissonInputs[1].Target);

        Assert.Empty(spec.Currents);
        Assert.Equal(["exc", "inh"], spec.Recording.Spikes);
        Assert.Empty(spec.Recording.State);
        Assert.Equal(15, spec.MinDelaySteps());
        Assert.Equal(12500, spec.TotalNeurons);
    }

    [Fact]
    public void Coba_loads_with_the_values_of_the_file()
    {
        var spec = ModelLoader.LoadFile(Example("coba.yaml"));

        Assert.Equal("coba", spec.Name);
        Assert.Equal([3200, 800], spec.Populations.Select(p => p.Size));
        var cond = new LifExpCond
        {
            CM = 200, GL = 10, EL = -60, VTh = -50, VReset = -60, EExc = 0, EInh = -80, TauSynExc = 5, TauSynInh = 10, TRef = 5,
        };
        foreach (var p in spec.Populations)
        {
            Assert.Equal(cond, p.Model);
            Assert.Equal(new NormalValue(-65, 5, Dimension.Voltage), p.Initial["v"]);
            Assert.Equal(new NormalValue(40, 15, Dimension.Conductance), p.Initial["g_exc"]);
            Assert.Equal(new NormalValue(200, 120, Dimension.Conductance), p.Initial["g_inh"]);
        }
        Assert.All(spec.Projections, p => Assert.Equal(new FixedProbability(0.02), p.Connector));
        Assert.All(spec.Projections, p => Assert.Equal(ValueSpec.Of(0.1, Dimension.Time), p.Delay));
        Assert.Equal(ValueSpec.Of(6, Dimension.Conductance), spec.Projections[0].Weight);
        Assert.Equal(ValueSpec.Of(67, Dimension.Conductance), spec.Projections[2].Weight);
        Assert.Equal(Receptor.Inh, spec.Projections[3].Receptor);

        var rec = Assert.Single(spec.Recording.State);
        Assert.Equal("exc", rec.Population);
        Assert.Equal(["v", "g_exc", "g_inh"], rec.Variables);
        Assert.Equal([0, 1, 2], rec.Neurons);
        Assert.Equal(0.1, rec.Interval, 12);
        Assert.Equal(1, spec.MinDelaySteps());
    }

    [Fact]
    public void Cuba_loads_with_the_values_of_the_file()
    {
        var spec = ModelLoader.LoadFile(Example("cuba.yaml"));

        Assert.Equal("cuba", spec.Name);
        var model = new LifExpCurrent { TauM = 20, TauSynExc = 5, TauSynInh = 10, EL = -49, VTh = -50, VReset = -60, TRef = 5 };
        Assert.All(spec.Populations, p => Assert.Equal(model, p.Model));
        Assert.All(spec.Populations, p => Assert.Equal(new UniformValue(-60, -50, Dimension.Voltage), p.Initial["v"]));
        Assert.Equal(ValueSpec.Of(1.62, Dimension.Voltage), spec.Projections[1].Weight);
        Assert.Equal(ValueSpec.Of(-9, Dimension.Voltage), spec.Projections[2].Weight);
        Assert.Equal(["v", "i_exc", "i_inh"], Assert.Single(spec.Recording.State).Variables);
    }

    [Fact]
    public void Json_model_loads_to_the_same_spec_as_the_yaml()
    {
        var fromYaml = ModelLoader.LoadFile(Example("brunel.yaml"));
        var fromJson = ModelLoader.LoadFile(Data("brunel.json"));
        SpecAssert.Equal(fromYaml, fromJson);
    }

    [Fact]
    public void Json_errors_carry_lines_too()
    {
        const string json = "{\n  \"populations\": [\n    {\"name\": \"a\", \"size\": 3, \"model\": \"lif_delta\",\n     \"parameters\": {\"tau_m\": 20}}\n  ]\n}\n";
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(json, "net.json"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(("net.json", 4, "populations[0].parameters.tau_m"), (error.File, error.Line, error.Path));
        Assert.Equal("'20' has no unit; expected a time (e.g. in ms)", error.Message);
    }
}
