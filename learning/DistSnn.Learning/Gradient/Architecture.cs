using System.Globalization;
using System.Text.RegularExpressions;

namespace DistSnn.Learning.Gradient;

/// <summary>Shape of a layer's units: channels × height × width, stored channel-last (index (y · W + x) · C + c).</summary>
public readonly record struct Shape(int Channels, int Height, int Width)
{
    /// <summary>Number of units.</summary>
    public int Size => Channels * Height * Width;

    /// <summary>A flat layer of <paramref name="units"/> units.</summary>
    public static Shape Flat(int units) => new(units, 1, 1);

    /// <summary>True for a flat layer (height and width 1).</summary>
    public bool IsFlat => Height == 1 && Width == 1;

    /// <inheritdoc />
    public override string ToString() => IsFlat
        ? Channels.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Channels}x{Height}x{Width}");
}

/// <summary>What a layer of an architecture is.</summary>
public enum LayerKind
{
    /// <summary>All-to-all from the layer below (<c>N</c>).</summary>
    Dense,
    /// <summary>All-to-all from the layer below plus all-to-all within the layer, one step later (<c>Nr</c>).</summary>
    Recurrent,
    /// <summary>Convolution with shared kernels (<c>CcK</c>, optional <c>sS</c> stride and <c>pP</c> zero padding).</summary>
    Conv,
    /// <summary>Sum pooling over K × K windows with stride K (<c>aK</c>); it has no units of its own: the next layer reads the pooled sums.</summary>
    SumPool,
}

/// <summary>One layer of an <see cref="Architecture"/>, with the shape of its output.</summary>
public sealed record LayerDef(LayerKind Kind, Shape Output, int Kernel, int Stride, int Padding, string Token)
{
    /// <summary>True when the layer has neurons (not a pooling stage).</summary>
    public bool HasUnits => Kind != LayerKind.SumPool;
}

/// <summary>
/// A layered network written as a string of tokens joined by <c>-</c>: the input (<c>784</c> or <c>1x28x28</c>), then
/// layers: <c>256</c> dense, <c>256r</c> recurrent dense, <c>16c5</c> convolution (16 channels, 5 × 5 kernels; <c>16c3s2p1</c>
/// with stride 2 and padding 1), <c>a2</c> 2 × 2 sum pooling. The last layer is dense and holds one unit per class.
/// </summary>
public sealed partial record Architecture(Shape Input, IReadOnlyList<LayerDef> Layers, string Text)
{
    /// <summary>Units of the output layer (classes).</summary>
    public int Outputs => Layers[^1].Output.Size;

    /// <summary>True when the network has a convolution.</summary>
    public bool IsConvolutional => Layers.Any(l => l.Kind == LayerKind.Conv);

    /// <summary>Parses <paramref name="text"/>; errors name <paramref name="option"/> and the offending token.</summary>
    /// <exception cref="FormatException">The text is not an architecture or its shapes do not fit.</exception>
    public static Architecture Parse(string text, string option = "--arch")
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = text.Trim().Split('-');
        if (tokens.Length < 2)
            throw new FormatException($"{option} '{text}': needs an input and at least one layer, e.g. 784-256-10 or 1x28x28-8c5-a2-10");
        Shape input = ParseInput(tokens[0], text, option);
        var layers = new List<LayerDef>();
        Shape current = input;
        for (int i = 1; i < tokens.Length; i++)
        {
            string token = tokens[i].Trim();
            string where = $"{option} '{text}', layer {i} ('{token}')";
            LayerDef layer = ParseLayer(token, current, where);
            current = layer.Output;
            layers.Add(layer);
        }
        var last = layers[^1];
        if (last.Kind != LayerKind.Dense)
            throw new FormatException($"{option} '{text}': the last layer ('{last.Token}') must be dense, one unit per class (e.g. 10)");
        return new Architecture(input, layers, text.Trim());
    }

    private static Shape ParseInput(string token, string text, string option)
    {
        var parts = token.Trim().Split('x');
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new FormatException($"{option} '{text}': the input ('{token}') must be a unit count (784) or channels x height x width (1x28x28)");
        return sizes.Length switch
        {
            1 => Shape.Flat(sizes[0]),
            3 => new Shape(sizes[0], sizes[1], sizes[2]),
            _ => throw new FormatException($"{option} '{text}': the input ('{token}') must be a unit count (784) or channels x height x width (1x28x28)"),
        };
    }

    [GeneratedRegex(@"^(\d+)(r?)$")]
    private static partial Regex DensePattern();

    [GeneratedRegex(@"^(\d+)c(\d+)(?:s(\d+))?(?:p(\d+))?$")]
    private static partial Regex ConvPattern();

    [GeneratedRegex(@"^a(\d+)$")]
    private static partial Regex PoolPattern();

    private static int Int(Group g, int fallback) =>
        g.Success ? int.Parse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture) : fallback;

    private static LayerDef ParseLayer(string token, Shape input, string where)
    {
        var m = DensePattern().Match(token);
        if (m.Success)
        {
            int units = Int(m.Groups[1], 0);
            if (units < 1) throw new FormatException($"{where}: a layer needs at least one unit");
            return new LayerDef(m.Groups[2].Value == "r" ? LayerKind.Recurrent : LayerKind.Dense, Shape.Flat(units), 0, 1, 0, token);
        }
        m = ConvPattern().Match(token);
        if (m.Success)
        {
            if (input.IsFlat)
                throw new FormatException($"{where}: a convolution needs an image below it (an input written channels x height x width, e.g. 1x28x28), not a flat layer of {input.Size} units");
            int channels = Int(m.Groups[1], 0), kernel = Int(m.Groups[2], 0), stride = Int(m.Groups[3], 1), pad = Int(m.Groups[4], 0);
            if (channels < 1 || kernel < 1 || stride < 1)
                throw new FormatException($"{where}: channels, kernel and stride must be at least 1");
            int h = input.Height + 2 * pad - kernel, w = input.Width + 2 * pad - kernel;
            if (h < 0 || w < 0)
                throw new FormatException($"{where}: a {kernel}x{kernel} kernel does not fit the {input.Height}x{input.Width} input with padding {pad}");
            return new LayerDef(LayerKind.Conv, new Shape(channels, h / stride + 1, w / stride + 1), kernel, stride, pad, token);
        }
        m = PoolPattern().Match(token);
        if (m.Success)
        {
            int k = Int(m.Groups[1], 0);
            if (input.IsFlat)
                throw new FormatException($"{where}: pooling needs an image layer below it, not a flat one of {input.Size} units");
            if (k < 1 || input.Height % k != 0 || input.Width % k != 0)
                throw new FormatException($"{where}: a {k}x{k} pool must divide the {input.Height}x{input.Width} layer below it");
            return new LayerDef(LayerKind.SumPool, new Shape(input.Channels, input.Height / k, input.Width / k), k, k, 0, token);
        }
        throw new FormatException($"{where}: not a layer; expected N (dense), Nr (recurrent), CcK[sS][pP] (convolution) or aK (sum pooling)");
    }
}
