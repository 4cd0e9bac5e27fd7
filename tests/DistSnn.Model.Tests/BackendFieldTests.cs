namespace DistSnn.Model.Tests;

/// <summary>A population names the backend that hosts it (<c>backend:</c>, default cpu); the name is checked, and written back.</summary>
public class BackendFieldTests
{
    private const string Yaml = """
        name: hosted
        populations:
          - {name: src, size: 4, model: poisson_generator, parameters: {rate: 10 Hz}}
          - {name: board, size: 4, model: lif_delta, backend: spinnaker}
        projections:
          - {source: src, target: board, connector: {type: one_to_one}, weight: 1 mV, delay: 1 ms}
        """;

    [Fact]
    public void A_population_names_its_backend_and_the_others_are_on_the_cpu()
    {
        var spec = ModelLoader.Parse(Yaml, "hosted.yaml");
        Assert.Null(spec.Populations[0].Backend);
        Assert.Equal("cpu", spec.Populations[0].BackendName);
        Assert.Equal("spinnaker", spec.Populations[1].Backend);
        Assert.Equal("spinnaker", spec.Populations[1].BackendName);
    }

    [Fact]
    public void The_backend_is_written_back_and_a_model_without_one_is_written_as_before()
    {
        var spec = ModelLoader.Parse(Yaml, "hosted.yaml");
        var yaml = ModelWriter.ToYaml(spec);
        Assert.Contains("backend: spinnaker", yaml);
        SpecAssert.Equal(spec, ModelLoader.Parse(yaml, "back.yaml"));
        SpecAssert.Equal(spec, ModelLoader.Parse(ModelWriter.ToJson(spec), "back.json"));
        var onCpu = spec with { Populations = spec.Populations.Select(p => p with { Backend = null }).ToArray() };
        Assert.DoesNotContain("backend", ModelWriter.ToYaml(onCpu));
    }

    [Theory]
    [InlineData("Spinnaker", "'Spinnaker' is not a backend name")]
    [InlineData("9board", "'9board' is not a backend name")]
    [InlineData("board-1", "'board-1' is not a backend name")]
    public void A_malformed_backend_name_is_refused_naming_the_field_and_line(string name, string message)
    {
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(Yaml.Replace("spinnaker", name, StringComparison.Ordinal), "hosted.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.Equal("populations[1].backend", error.Path);
        Assert.Contains(message, error.Message);
        Assert.Equal("hosted.yaml", error.File);
    }

    private const string Placed = """
        name: placed
        populations:
          - {name: exc, size: 4, model: lif_delta}
          - {name: inh, size: 4, model: lif_delta, backend: cpu}
        placement: {exc: spinnaker, inh: cpu}
        backends:
          spinnaker: {time_scale_factor: 20, board_type: spin3}
        """;

    [Fact]
    public void Placement_names_backends_by_population_and_backend_options_are_kept_as_written()
    {
        var spec = ModelLoader.Parse(Placed, "placed.yaml");
        Assert.Equal("spinnaker", spec.Populations[0].Backend);
        Assert.Equal("cpu", spec.Populations[1].Backend);
        Assert.Equal("20", spec.BackendOptions["spinnaker"]["time_scale_factor"]);
        Assert.Equal("spin3", spec.BackendOptions["spinnaker"]["board_type"]);
        // Written back with each population's backend and the options: the same model reads back.
        var yaml = ModelWriter.ToYaml(spec);
        Assert.Contains("backends:", yaml);
        SpecAssert.Equal(spec, ModelLoader.Parse(yaml, "back.yaml"));
        SpecAssert.Equal(spec, ModelLoader.Parse(ModelWriter.ToJson(spec), "back.json"));
    }

    [Theory]
    [InlineData("placement: {exc: spinnaker, pyramidal: cpu}", "placement.pyramidal", "no population is named 'pyramidal' (populations: exc, inh)")]
    [InlineData("placement: {exc: spinnaker, inh: spinnaker}", "placement.inh", "places population 'inh' on backend 'spinnaker', but populations[1].backend names 'cpu'")]
    [InlineData("placement: {exc: Spinnaker}", "populations[0].backend", "'Spinnaker' is not a backend name")]
    [InlineData("backends: {spinnaker: {time_scale_factor: [1, 2]}}", "backends.spinnaker.time_scale_factor", "must be a single value")]
    [InlineData("backends: {Spin-naker: {a: 1}}", "backends.Spin-naker", "'Spin-naker' is not a backend name")]
    public void Bad_placement_or_backend_options_are_refused_naming_the_field(string line, string path, string message)
    {
        string yaml = Placed.Replace("placement: {exc: spinnaker, inh: cpu}", line.StartsWith("placement", StringComparison.Ordinal) ? line : "placement: {exc: spinnaker}")
            .Replace("backends:\n  spinnaker: {time_scale_factor: 20, board_type: spin3}", line.StartsWith("backends", StringComparison.Ordinal) ? line : "");
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(yaml, "placed.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
        Assert.Equal("placed.yaml", error.File);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void The_builder_places_a_population_on_a_backend()
    {
        var b = new NetworkBuilder("built");
        b.Population("chip", 3, new LifDelta()).OnBackend("memristive");
        Assert.Equal("memristive", b.Build().Populations[0].Backend);
    }
}
