using DistSnn.Learning.Gradient;

namespace DistSnn.Learning.Tests.Gradient;

public sealed class ArchitectureTests
{
    [Fact]
    public void ParsesDenseRecurrentAndConvolutionalLayers()
    {
        var a = Architecture.Parse("784-256r-10");
        Assert.Equal(784, a.Input.Size);
        Assert.Equal([LayerKind.Recurrent, LayerKind.Dense], a.Layers.Select(l => l.Kind));
        Assert.Equal(10, a.Outputs);

        var c = Architecture.Parse("1x28x28-16c5-a2-32c3s2p1-10");
        Assert.Equal(new Shape(16, 24, 24), c.Layers[0].Output);
        Assert.Equal(new Shape(16, 12, 12), c.Layers[1].Output);
        Assert.Equal(new Shape(32, 6, 6), c.Layers[2].Output);
        Assert.True(c.IsConvolutional);
    }

    [Theory]
    [InlineData("784", "needs an input and at least one layer")]
    [InlineData("784-25x-10", "layer 1 ('25x'): not a layer")]
    [InlineData("784-16c5-10", "a convolution needs an image below it")]
    [InlineData("1x28x28-16c5-a5-10", "a 5x5 pool must divide the 24x24 layer")]
    [InlineData("1x8x8-4c9-10", "a 9x9 kernel does not fit the 8x8 input")]
    [InlineData("1x28x28-8c5-a2", "the last layer ('a2') must be dense")]
    [InlineData("28x28-10", "the input ('28x28')")]
    [InlineData("784-0-10", "at least one unit")]
    public void RefusesWhatDoesNotFitNamingTheOptionAndToken(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => Architecture.Parse(text));
        Assert.Contains("--arch", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
