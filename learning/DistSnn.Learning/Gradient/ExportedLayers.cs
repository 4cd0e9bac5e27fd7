namespace DistSnn.Learning.Gradient;

/// <summary>
/// How a trained network's layers become populations and projections: every layer with neurons is a population
/// <c>layerN</c> (N its place in the architecture); sum pooling has no neurons, so it is folded into the projection
/// that reads it — a dense layer after pooling gets its weights repeated over each pooling window (a full
/// [sources, targets] matrix), a convolution after pooling becomes a convolution of the unpooled image with a kernel K·k,
/// stride S·k and padding P·k whose taps repeat each weight over a k × k block. Both give exactly the pooled sums.
/// </summary>
public sealed record ExportedLayer(int Stage, string Name, int Size, string Source, Shape SourceShape, int Pool, bool Conv);

/// <summary>The mapping of <see cref="ExportedLayer"/> and the weights it needs.</summary>
public static class ExportedLayers
{
    /// <summary>The populations with their incoming projection, in architecture order.</summary>
    public static List<ExportedLayer> Of(Network<float> network)
    {
        var result = new List<ExportedLayer>();
        string source = "input";
        Shape shape = network.Architecture.Input;
        int pool = 1;
        for (int l = 0; l < network.Stages.Count; l++)
        {
            var def = network.Stages[l].Def;
            if (def.Kind == LayerKind.SumPool)
            {
                pool *= def.Kernel;
                continue;
            }
            string name = $"layer{l + 1}";
            result.Add(new ExportedLayer(l, name, network.Stages[l].Size, source, shape, pool, def.Kind == LayerKind.Conv));
            source = name;
            shape = def.Output;
            pool = 1;
        }
        return result;
    }

    /// <summary>
    /// The incoming weights of <paramref name="layer"/> as the model file holds them: the trained block itself, or
    /// with pooling folded in the repeated matrix or kernel.
    /// </summary>
    public static float[] Weights(Network<float> network, float[] parameters, ExportedLayer layer)
    {
        var stage = network.Stages[layer.Stage];
        var w = parameters.AsSpan(stage.WeightOffset, stage.Connection.WeightCount);
        if (layer.Pool == 1) return w.ToArray();
        int k = layer.Pool;
        var src = layer.SourceShape;
        if (!layer.Conv)
        {
            // Dense over the pooled image: source (y, x, c) takes the weights of pooled unit (y / k, x / k, c).
            int nOut = stage.Size, pw = src.Width / k;
            var full = new float[src.Size * nOut];
            for (int y = 0; y < src.Height; y++)
            for (int x = 0; x < src.Width; x++)
            for (int c = 0; c < src.Channels; c++)
            {
                int pooled = ((y / k) * pw + x / k) * src.Channels + c;
                w.Slice(pooled * nOut, nOut).CopyTo(full.AsSpan(((y * src.Width + x) * src.Channels + c) * nOut, nOut));
            }
            return full;
        }
        var def = stage.Def;
        int kernel = def.Kernel, big = kernel * k, cin = src.Channels, cout = def.Output.Channels;
        var kernelFull = new float[cin * big * big * cout];
        for (int c = 0; c < cin; c++)
        for (int ky = 0; ky < big; ky++)
        for (int kx = 0; kx < big; kx++)
            w.Slice(((c * kernel + ky / k) * kernel + kx / k) * cout, cout)
                .CopyTo(kernelFull.AsSpan(((c * big + ky) * big + kx) * cout, cout));
        return kernelFull;
    }

    /// <summary>The connector text of <paramref name="layer"/>'s incoming projection.</summary>
    public static string Connector(Network<float> network, ExportedLayer layer)
    {
        if (!layer.Conv) return "{type: all_to_all}";
        var def = network.Stages[layer.Stage].Def;
        var s = layer.SourceShape;
        int k = layer.Pool;
        return $"{{type: conv, input: [{s.Channels}, {s.Height}, {s.Width}], kernel: {def.Kernel * k}, stride: {def.Stride * k}, padding: {def.Padding * k}, channels: {def.Output.Channels}}}";
    }

    /// <summary>
    /// The effective weights onto <paramref name="layer"/> as a dense [sources, targets] matrix, zero where there is no
    /// synapse: each source's row is the connection chain applied to that source alone (for the reference pass).
    /// </summary>
    public static float[] Dense(Network<float> network, float[] parameters, ExportedLayer layer)
    {
        int nIn = layer.SourceShape.Size, nOut = layer.Size;
        var m = new float[nIn * nOut];
        int first = layer.Stage;
        while (first > 0 && network.Stages[first - 1].Def.Kind == LayerKind.SumPool) first--;
        var one = new float[nIn];
        for (int i = 0; i < nIn; i++)
        {
            one[i] = 1f;
            ReadOnlySpan<float> values = one;
            int[] nz = [i];
            for (int l = first; l <= layer.Stage; l++)
            {
                var stage = network.Stages[l];
                var outv = new float[stage.Size];
                var w = stage.WeightOffset < 0 ? ReadOnlySpan<float>.Empty : parameters.AsSpan(stage.WeightOffset, stage.Connection.WeightCount);
                stage.Connection.Forward(w, values, nz, outv);
                values = outv;
                nz = Enumerable.Range(0, outv.Length).Where(j => outv[j] != 0f).ToArray();
            }
            values.CopyTo(m.AsSpan(i * nOut, nOut));
            one[i] = 0f;
        }
        return m;
    }
}
