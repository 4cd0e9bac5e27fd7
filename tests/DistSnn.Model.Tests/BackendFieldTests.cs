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

    [Fact]
    public void The_builder_places_a_population_on_a_backend()
    {
        var b = new NetworkBuilder("built");
        b.Population("chip", 3, new LifDelta()).OnBackend("memristive");
        Assert.Equal("memristive", b.Build().Populations[0].Backend);
    }
}
