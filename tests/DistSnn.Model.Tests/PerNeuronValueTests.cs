using PureHDF;

namespace DistSnn.Model.Tests;

/// <summary>
/// Values given per neuron: initial values and parameters as lists, HDF5 datasets or distributions; what loads,
/// what is written back, and how wrong shapes, files, datasets, units and parameters are named.
/// </summary>
public sealed class PerNeuronValueTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-perneuron-").FullName;

    public PerNeuronValueTests()
    {
        var h5 = new H5File
        {
            ["exc"] = new H5Group
            {
                ["v0"] = new double[] { -0.0569, -0.0551, -0.060, -0.058 },
                ["v_th"] = new float[] { -50, -49, -51, -50.5f },
            },
            ["three"] = new float[] { 1, 2, 3 },
            ["thirty"] = Enumerable.Range(0, 30).Select(i => i == 25 ? double.NaN : -70.0 + i).ToArray(),
            ["labels"] = new int[] { 1, 2, 3, 4 },
        };
        h5.Write(Path.Combine(_dir, "values.h5"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    private string Model(string parameters = "v_th: {file: values.h5, dataset: /exc/v_th, unit: mV}", string initial = "v: [-56.9 mV, -55.1 mV, -60 mV, -58 mV]",
        string model = "lif_exp_current")
    {
        string text = $"""
            run: {"{"}dt: 0.1 ms, duration: 50 ms{"}"}
            populations:
              - name: exc
                size: 4
                model: {model}
                parameters: {"{"}{parameters}{"}"}
                initial: {"{"}{initial}{"}"}
            record: {"{"}spikes: [exc]{"}"}
            """;
        string path = Path.Combine(_dir, "model.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ListsDatasetsAndDistributionsLoadAndWriteBack()
    {
        var spec = ModelLoader.LoadFile(Model(parameters: "v_th: {file: values.h5, dataset: /exc/v_th, unit: mV}, i_e: 'uniform(0 pA, 10 pA)', e_l: [-70 mV, -69 mV, -68 mV, -67 mV], tau_m: 12 ms"));
        var pop = spec.Populations[0];
        Assert.Equal([-56.9f, -55.1f, -60f, -58f], Assert.IsType<ArrayValue>(pop.Initial["v"]).Values);
        Assert.Equal([-50f, -49f, -51f, -50.5f], Assert.IsType<ArrayValue>(pop.PerNeuron["v_th"]).Values);
        Assert.Equal([-70f, -69f, -68f, -67f], Assert.IsType<ArrayValue>(pop.PerNeuron["e_l"]).Values);
        Assert.Equal(new UniformValue(0, 10, Dimension.Current), pop.PerNeuron["i_e"]);
        Assert.Equal(12, ((LifExpCurrent)pop.Model).TauM);

        var yaml = ModelWriter.ToYaml(spec);
        Assert.Contains("[-56.9 mV, -55.1 mV, -60 mV, -58 mV]", yaml);
        var again = ModelLoader.Parse(yaml, Path.Combine(_dir, "again.yaml")).Populations[0];
        Assert.Equal(Assert.IsType<ArrayValue>(pop.Initial["v"]).Values, Assert.IsType<ArrayValue>(again.Initial["v"]).Values);
        Assert.Equal(Assert.IsType<ArrayValue>(pop.PerNeuron["v_th"]).Values, Assert.IsType<ArrayValue>(again.PerNeuron["v_th"]).Values);
        Assert.Equal(Assert.IsType<ArrayValue>(pop.PerNeuron["e_l"]).Values, Assert.IsType<ArrayValue>(again.PerNeuron["e_l"]).Values);
        Assert.Equal(pop.PerNeuron["i_e"], again.PerNeuron["i_e"]);
    }

    [Fact]
    public void InitialValuesFromADatasetAreScaledByItsUnit()
    {
        var spec = ModelLoader.LoadFile(Model(initial: "v: {file: values.h5, dataset: exc/v0, unit: V}"));
        Assert.Equal([-56.9f, -55.1f, -60f, -58f], Assert.IsType<ArrayValue>(spec.Populations[0].Initial["v"]).Values);
    }

    [Theory]
    [InlineData("initial", "v: [-56.9 mV, -55.1 mV, -60 mV]", "populations[0].initial.v", "the list holds 3 values; the population has 4 neurons")]
    [InlineData("initial", "v: {file: values.h5, dataset: /three, unit: mV}", "populations[0].initial.v", "holds 3 values; the population has 4 neurons")]
    [InlineData("initial", "v: {file: nothere.h5, dataset: /three, unit: mV}", "populations[0].initial.v", "file nothere.h5 not found")]
    [InlineData("initial", "v: {file: values.h5, dataset: /exc/nothere, unit: mV}", "populations[0].initial.v", "values.h5 has no dataset /exc/nothere")]
    [InlineData("initial", "v: {file: values.h5, dataset: /labels, unit: mV}", "populations[0].initial.v", "expected float32 or float64")]
    [InlineData("initial", "v: {file: values.h5, dataset: /exc/v0, unit: ms}", "populations[0].initial.v.unit", "ms")]
    [InlineData("initial", "v: [-56.9 mV, -55.1 ms, -60 mV, -58 mV]", "populations[0].initial.v[1]", "ms")]
    [InlineData("initial", "v: [-56.9 mV, -55.1 mV, oops, -58 mV]", "populations[0].initial.v[2]", "oops")]
    [InlineData("initial", "v: []", "populations[0].initial.v", "is an empty list")]
    [InlineData("parameters", "v_th: [-50 mV, -50 mV]", "populations[0].parameters.v_th", "holds 2 values; the population has 4 neurons")]
    [InlineData("parameters", "v_th: [-50 pA, -50 pA, -50 pA, -50 pA]", "populations[0].parameters.v_th[0]", "pA")]
    [InlineData("parameters", "tau_m: [10 ms, 11 ms, 12 ms, 13 ms]", "populations[0].parameters.tau_m", "lif_exp_current takes one value of tau_m per population (only e_l, v_th, v_reset, i_e may differ per neuron)")]
    [InlineData("parameters", "tau_m: 'uniform(5 ms, 10 ms)'", "populations[0].parameters.tau_m", "takes one value of tau_m per population")]
    [InlineData("parameters", "v_reset: [-60 mV, -60 mV, -45 mV, -60 mV], v_th: -50 mV", "populations[0].parameters.v_reset", "neuron 2 has v_reset = -45 mV, v_th = -50 mV")]
    public void RefusesWhatDoesNotFitNamingFieldAndLine(string where, string value, string path, string message)
    {
        var model = where == "initial" ? Model(initial: value) : Model(parameters: value);
        var e = Assert.Throws<ModelException>(() => ModelLoader.LoadFile(model));
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
        Assert.Matches(@"model\.yaml:\d+:", e.Message);
    }

    /// <summary>
    /// A per-neuron dataset is sized when the model is read and read by range when the network is built: a partition
    /// reads its own neurons' values only, so a bad value outside its range is never read by it.
    /// </summary>
    [Fact]
    public void PerNeuronDatasetsAreReadByTheRangeEachPartitionNeeds()
    {
        var v = ArrayValue.Read(_dir, "values.h5", "/thirty", 1e3, Dimension.Voltage, "V", byRange: true);
        Assert.Equal(30, v.Count);
        Assert.Equal([-70e3f, -69e3f, -61e3f], v.Take([0, 1, 9]));
        Assert.Equal([-60e3f, -56e3f], v.Take([10, 14]));
        var e = Assert.Throws<FormatException>(() => v.Take([20, 29]));
        Assert.Contains("values.h5:/thirty[25] is NaN; values must be finite", e.Message);
        Assert.Throws<FormatException>(() => v.Values);
        // Read whole (weights, delays, or byRange off), the bad value is found when the model is read.
        e = Assert.Throws<FormatException>(() => ArrayValue.Read(_dir, "values.h5", "/thirty", 1, Dimension.Voltage, "mV"));
        Assert.Contains("[25] is NaN", e.Message);
    }

    private string GivenSources(string sources, string weight = "[0.1 mV, 0.2 mV, 0.3 mV, 0.4 mV, 0.5 mV, 0.6 mV]")
    {
        string path = Path.Combine(_dir, "sources.yaml");
        File.WriteAllText(path, $$"""
            populations:
              - {name: a, size: 4, model: lif_delta}
              - {name: b, size: 3, model: lif_delta}
            projections:
              - source: a
                target: b
                connector: {type: fixed_number_pre, n: 2, sources: {{sources}}}
                weight: {{weight}}
                delay: 1 ms
            """);
        return path;
    }

    /// <summary>A fixed in-degree with given sources takes weights as data (target-major) and writes back the same.</summary>
    [Fact]
    public void AFixedInDegreeWithGivenSourcesTakesWeightsAsData()
    {
        var spec = ModelLoader.LoadFile(GivenSources("[[0, 1], [3, 3], [2, 0]]"));
        var c = Assert.IsType<FixedNumberPre>(spec.Projections[0].Connector);
        Assert.Equal([0, 1, 3, 3, 2, 0], c.Sources!);
        Assert.Equal(6, Assert.IsType<ArrayValue>(spec.Projections[0].Weight).Count);
        var again = ModelLoader.Parse(ModelWriter.ToYaml(spec), Path.Combine(_dir, "again.yaml"));
        Assert.Equal(c, again.Projections[0].Connector);
    }

    [Theory]
    [InlineData("[[0, 1], [3, 3]]", "projections[0].connector.sources", "lists 4 sources; 3 targets × n = 2 need 6")]
    [InlineData("[[0, 1], [3], [2, 0]]", "projections[0].connector.sources[1]", "lists 1 sources; the connector's n is 2")]
    [InlineData("[[0, 1], [3, 4], [2, 0]]", "projections[0].connector.sources[1][1]", "4 is not a neuron of 'a' (4 neurons)")]
    public void GivenSourcesAreCheckedNamingTheEntry(string sources, string path, string message)
    {
        var e = Assert.Throws<ModelException>(() => ModelLoader.LoadFile(GivenSources(sources)));
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ModelsWithoutPerNeuronParametersSayWhichMayVary()
    {
        var e = Assert.Throws<ModelException>(() => ModelLoader.LoadFile(Model(model: "adex", parameters: "v_t: [-50 mV, -50 mV, -50 mV, -50 mV]", initial: "v: -60 mV")));
        Assert.Contains("populations[0].parameters.v_t", e.Message);
        Assert.Contains("none of its parameters may differ per neuron", e.Message);
    }

    [Fact]
    public void TheBuilderRefusesParametersThatCannotVary()
    {
        var b = new NetworkBuilder("x");
        b.Population("p", 3, new LifDelta()).PerNeuron("tau_m", ArrayValue.FromList([10, 11, 12], Dimension.Time));
        var e = Assert.Throws<ModelException>(() => b.Build());
        Assert.Contains("populations[0].parameters.tau_m", e.Message);
        Assert.Contains("per-neuron parameters: e_l, v_th, v_reset, i_e", e.Message);
    }
}
