namespace DistSnn.Model.Tests;

/// <summary>The <c>conv</c> connector: read, checked against the populations, written back.</summary>
public sealed class ConvConnectorTests
{
    private static string Model(string connector, int source = 32, int target = 18) => $$$"""
        run: {dt: 1 ms}
        populations:
          - {name: img, size: {{{source}}}, model: spike_generator, parameters: {spike_times: [1 ms]}}
          - {name: maps, size: {{{target}}}, model: lif_delta}
        projections:
          - {source: img, target: maps, connector: {{{connector}}}, weight: 0.5 mV, delay: 1 ms}
        """;

    [Fact]
    public void ReadsChecksAndWritesBack()
    {
        // 2 × 4 × 4 image, 3 × 3 kernels, stride 1, no padding: 2 × 2 × 2 = 8 … with 2 output channels: 2 × 2 × 2.
        var spec = ModelLoader.Parse(Model("{type: conv, input: [2, 4, 4], kernel: 3, channels: 2}", 32, 8));
        var cv = Assert.IsType<Conv>(spec.Projections[0].Connector);
        Assert.Equal((2, 2, 1, 0), (cv.OutHeight, cv.OutWidth, cv.Stride, cv.Padding));
        Assert.Equal(2L * 3 * 3 * 2, cv.KernelWeights);
        var again = ModelLoader.Parse(ModelWriter.ToYaml(spec));
        Assert.Equal(cv, again.Projections[0].Connector);
    }

    [Theory]
    [InlineData("{type: conv, input: [2, 4, 4], kernel: 3, channels: 2}", 30, 8, "projections[0].connector.input", "[2, 4, 4] is 32 neurons, but 'img' has 30")]
    [InlineData("{type: conv, input: [2, 4, 4], kernel: 3, channels: 2}", 32, 9, "projections[0].connector.channels", "2 x 2 x 2 = 8 neurons, but 'maps' has 9")]
    [InlineData("{type: conv, input: [2, 4, 4], kernel: 6, channels: 2}", 32, 8, "projections[0].connector.kernel", "a 6x6 kernel does not fit the 4x4 image")]
    [InlineData("{type: conv, input: [2, 4], kernel: 3, channels: 2}", 32, 8, "projections[0].connector.input", "expected [channels, height, width]")]
    public void RefusesShapesThatDoNotFit(string connector, int source, int target, string path, string message)
    {
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(Model(connector, source, target), "conv.yaml"));
        Assert.Contains(path, e.Message);
        Assert.Contains(message, e.Message);
    }
}
