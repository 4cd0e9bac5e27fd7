using DistSnn.Learning.Gradient;
using DistSnn.Nodes.Random;

namespace DistSnn.Learning.Tests.Gradient;

/// <summary>The vectorised connection kernels against plain scalar loops written from their definitions.</summary>
public sealed class ConnectionReferenceTests
{
    private static float[] Random(int n, ulong stream, double sparsity = 0)
    {
        ulong key = CounterRng.StreamKey(11, RngPurpose.TrainInit, stream);
        var v = new float[n];
        for (int i = 0; i < n; i++)
        {
            double u = CounterRng.Uniform(key, (ulong)i, 0);
            v[i] = u < sparsity ? 0 : (float)(2 * CounterRng.Uniform(key, (ulong)i, 1) - 1);
        }
        if (sparsity > 0) for (int i = 0; i < n; i += 3) if (v[i] != 0) v[i] = 1; // spikes: value 1 takes the Add path
        return v;
    }

    private static int[] NonZero(float[] x) => Enumerable.Range(0, x.Length).Where(i => x[i] != 0).ToArray();

    private static void Close(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: reference {expected[i]}, kernel {actual[i]}");
    }

    [Fact]
    public void DenseMatchesScalarReference()
    {
        const int nIn = 37, nOut = 19;
        var conn = new DenseConnection<float>(nIn, nOut);
        var w = Random(nIn * nOut, 1);
        var x = Random(nIn, 2, sparsity: 0.6);
        var g = Random(nOut, 3);
        var y = new float[nOut];
        conn.Forward(w, x, NonZero(x), y);
        var gW = new float[w.Length];
        var gX = new float[nIn];
        conn.Backward(w, x, NonZero(x), g, gW, gX);

        var yRef = new float[nOut];
        var gWRef = new float[w.Length];
        var gXRef = new float[nIn];
        for (int j = 0; j < nOut; j++)
            for (int i = 0; i < nIn; i++) yRef[j] += w[i * nOut + j] * x[i];
        for (int i = 0; i < nIn; i++)
            for (int j = 0; j < nOut; j++)
            {
                gWRef[i * nOut + j] += g[j] * x[i];
                gXRef[i] += w[i * nOut + j] * g[j];
            }
        Close(yRef, y, "forward");
        Close(gWRef, gW, "weight gradient");
        Close(gXRef, gX, "input gradient");
    }

    [Theory]
    [InlineData(2, 7, 6, 3, 5, 1, 0)]
    [InlineData(1, 8, 8, 4, 3, 2, 1)]
    [InlineData(3, 5, 6, 2, 3, 1, 2)]
    [InlineData(32, 6, 5, 16, 3, 1, 1)]
    [InlineData(12, 5, 7, 8, 3, 2, 1)]
    [InlineData(44, 4, 4, 5, 3, 1, 1)]
    public void ConvMatchesScalarReference(int cin, int h, int wd, int cout, int k, int s, int pad)
    {
        var input = new Shape(cin, h, wd);
        var output = new Shape(cout, (h + 2 * pad - k) / s + 1, (wd + 2 * pad - k) / s + 1);
        var conn = new ConvConnection<float>(input, output, k, s, pad);
        var w = Random(conn.WeightCount, 4);
        var x = Random(input.Size, 5, sparsity: 0.5);
        var g = Random(output.Size, 6);
        var y = new float[output.Size];
        conn.Forward(w, x, NonZero(x), y);
        var gW = new float[w.Length];
        // Backward adds to the gradients it is given: start them from values of their own.
        var gX0 = Random(input.Size, 7);
        var gX = (float[])gX0.Clone();
        conn.Backward(w, x, NonZero(x), g, gW, gX);

        // out[oy, ox, o] = Σ_c,ky,kx w[c, ky, kx, o] · in[oy·s + ky − p, ox·s + kx − p, c]
        var yRef = new float[output.Size];
        var gWRef = new float[w.Length];
        var gXRef = (float[])gX0.Clone();
        for (int oy = 0; oy < output.Height; oy++)
        for (int ox = 0; ox < output.Width; ox++)
        for (int o = 0; o < cout; o++)
        for (int c = 0; c < cin; c++)
        for (int ky = 0; ky < k; ky++)
        for (int kx = 0; kx < k; kx++)
        {
            int iy = oy * s + ky - pad, ix = ox * s + kx - pad;
            if (iy < 0 || ix < 0 || iy >= h || ix >= wd) continue;
            int wi = ((c * k + ky) * k + kx) * cout + o, xi = (iy * wd + ix) * cin + c, yi = (oy * output.Width + ox) * cout + o;
            yRef[yi] += w[wi] * x[xi];
            gWRef[wi] += g[yi] * x[xi];
            gXRef[xi] += w[wi] * g[yi];
        }
        Close(yRef, y, "forward");
        Close(gWRef, gW, "weight gradient");
        Close(gXRef, gX, "input gradient");
    }

    [Fact]
    public void SumPoolMatchesScalarReference()
    {
        var input = new Shape(3, 4, 6);
        var pool = new SumPoolConnection<float>(input, 2);
        var x = Random(input.Size, 7, sparsity: 0.3);
        var g = Random(pool.OutputSize, 8);
        var y = new float[pool.OutputSize];
        pool.Forward([], x, NonZero(x), y);
        var gX = new float[input.Size];
        pool.Backward([], x, NonZero(x), g, [], gX);
        var yRef = new float[pool.OutputSize];
        var gXRef = new float[input.Size];
        for (int iy = 0; iy < 4; iy++)
        for (int ix = 0; ix < 6; ix++)
        for (int c = 0; c < 3; c++)
        {
            int o = ((iy / 2) * 3 + ix / 2) * 3 + c, i = (iy * 6 + ix) * 3 + c;
            yRef[o] += x[i];
            gXRef[i] += g[o];
        }
        Close(yRef, y, "forward");
        Close(gXRef, gX, "input gradient");
    }
}
