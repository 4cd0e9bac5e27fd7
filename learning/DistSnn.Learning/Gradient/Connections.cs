using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// A linear map from one layer's activity to the next layer's input, with its weights (if any) in a slice of the
/// network's parameter vector. Forward adds to the output; backward adds to the weight gradient and the input
/// gradient. Inputs are read sparsely (only their non-zero values), so spikes cost their number.
/// </summary>
public interface IConnection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Units read.</summary>
    int InputSize { get; }

    /// <summary>Units written.</summary>
    int OutputSize { get; }

    /// <summary>Weights held (0 for pooling).</summary>
    int WeightCount { get; }

    /// <summary>Inputs that reach each output unit (for initialisation).</summary>
    int FanIn { get; }

    /// <summary>output += W · input, reading only the inputs listed in <paramref name="nonZero"/>.</summary>
    void Forward(ReadOnlySpan<T> w, ReadOnlySpan<T> input, ReadOnlySpan<int> nonZero, Span<T> output);

    /// <summary>
    /// gW += gOutput ⊗ input over the non-zero inputs; gInput += Wᵀ · gOutput unless <paramref name="gInput"/> is empty.
    /// </summary>
    void Backward(ReadOnlySpan<T> w, ReadOnlySpan<T> input, ReadOnlySpan<int> nonZero, ReadOnlySpan<T> gOutput, Span<T> gW, Span<T> gInput);
}

/// <summary>All-to-all: <c>W[i · Out + j]</c> is the weight from input i to output j, so one input's weights are contiguous.</summary>
public sealed class DenseConnection<T>(int inputs, int outputs) : IConnection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <inheritdoc />
    public int InputSize => inputs;
    /// <inheritdoc />
    public int OutputSize => outputs;
    /// <inheritdoc />
    public int WeightCount => inputs * outputs;
    /// <inheritdoc />
    public int FanIn => inputs;

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<T> w, ReadOnlySpan<T> input, ReadOnlySpan<int> nonZero, Span<T> output)
    {
        foreach (int i in nonZero)
        {
            var row = w.Slice(i * outputs, outputs);
            T x = input[i];
            if (x == T.One) Lanes.Add(row, output);
            else Lanes.MultiplyAdd(row, x, output);
        }
    }

    /// <inheritdoc />
    public void Backward(ReadOnlySpan<T> w, ReadOnlySpan<T> input, ReadOnlySpan<int> nonZero, ReadOnlySpan<T> gOutput, Span<T> gW, Span<T> gInput)
    {
        foreach (int i in nonZero)
        {
            var g = gW.Slice(i * outputs, outputs);
            T x = input[i];
            if (x == T.One) Lanes.Add(gOutput, g);
            else Lanes.MultiplyAdd(gOutput, x, g);
        }
        if (gInput.IsEmpty) return;
        for (int i = 0; i < inputs; i++)
            gInput[i] += TensorPrimitives.Dot(w.Slice(i * outputs, outputs), gOutput);
    }
}

/// <summary>
/// Convolution over channel-last images: kernel weights <c>W[((c · K + ky) · K + kx) · Cout + o]</c> (input channel,
/// kernel row, kernel column, output channel), so the output channels of one tap are contiguous. Output (oy, ox) reads
/// input (oy · S + ky − P, ox · S + kx − P); taps outside the image read zero.
/// </summary>
public sealed class ConvConnection<T> : IConnection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Shape _in, _out;
    private readonly int _k;
    // The taps of input unit i: _tapStart[i] … _tapStart[i + 1] in _weightAt (offset of the tap's output-channel
    // weights) and _outputAt (offset of the output position's channels), kernel rows then columns ascending.
    private readonly int[] _tapStart, _weightAt, _outputAt;

    /// <summary>A convolution from <paramref name="input"/> to <paramref name="output"/> with the given kernel, stride and padding.</summary>
    public ConvConnection(Shape input, Shape output, int kernel, int stride, int padding)
    {
        _in = input;
        _out = output;
        _k = kernel;
        int cin = input.Channels, cout = output.Channels;
        _tapStart = new int[input.Size + 1];
        var weightAt = new List<int>();
        var outputAt = new List<int>();
        for (int index = 0; index < input.Size; index++)
        {
            int c = index % cin, pixel = index / cin, y = pixel / input.Width, x = pixel % input.Width;
            for (int ky = 0; ky < kernel; ky++)
            for (int kx = 0; kx < kernel; kx++)
            {
                int ny = y + padding - ky, nx = x + padding - kx;
                if (ny < 0 || nx < 0 || ny % stride != 0 || nx % stride != 0) continue;
                int oy = ny / stride, ox = nx / stride;
                if (oy >= output.Height || ox >= output.Width) continue;
                weightAt.Add(((c * kernel + ky) * kernel + kx) * cout);
                outputAt.Add((oy * output.Width + ox) * cout);
            }
            _tapStart[index + 1] = weightAt.Count;
        }
        _weightAt = [.. weightAt];
        _outputAt = [.. outputAt];
    }

    /// <inheritdoc />
    public int InputSize => _in.Size;
    /// <inheritdoc />
    public int OutputSize => _out.Size;
    /// <inheritdoc />
    public int WeightCount => _in.Channels * _k * _k * _out.Channels;
    /// <inheritdoc />
    public int FanIn => _in.Channels * _k * _k;

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<T> w, ReadOnlySpan<T> input, ReadOnlySpan<int> nonZero, Span<T> output)
    {
        int cout = _out.Channels;
        foreach (int index in nonZero)
        {
            T v = input[index];
            for (int t = _tapStart[index]; t < _tapStart[index + 1]; t++)
            {
                var taps = w.Slice(_weightAt[t], cout);
                var o = output.Slice(_outputAt[t], cout);
                if (v == T.One) Lanes.Add(taps, o);
                else Lanes.MultiplyAdd(taps, v, o);
            }
        }
    }

    /// <inheritdoc />
    public void Backward(ReadOnlySpan<T> w, ReadOnlySpan<T> input, ReadOnlySpan<int> nonZero, ReadOnlySpan<T> gOutput, Span<T> gW, Span<T> gInput)
    {
        int cout = _out.Channels;
        foreach (int index in nonZero)
        {
            T v = input[index];
            for (int t = _tapStart[index]; t < _tapStart[index + 1]; t++)
            {
                var g = gW.Slice(_weightAt[t], cout);
                var go = gOutput.Slice(_outputAt[t], cout);
                if (v == T.One) Lanes.Add(go, g);
                else Lanes.MultiplyAdd(go, v, g);
            }
        }
        if (gInput.IsEmpty) return;
        InputGradient(w, gOutput, gInput);
    }

    /// <summary>
    /// gInput[pixel, c] += Σ_taps Σ_o w[c, tap, o] · gOutput[tap's output position, o], for all channels of a pixel at
    /// once: the weights are transposed to [tap, o, c] so that each (tap, o) scales a contiguous run of input channels.
    /// Every channel's sum runs over taps, then o, in that order, in vector lanes and the scalar tail alike (multiply,
    /// then add; never fused), so the result does not depend on the vector width.
    /// </summary>
    private void InputGradient(ReadOnlySpan<T> w, ReadOnlySpan<T> gOutput, Span<T> gInput)
    {
        int cin = _in.Channels, cout = _out.Channels, taps = _k * _k, pixels = _in.Height * _in.Width;
        T[] rented = ArrayPool<T>.Shared.Rent(WeightCount);
        var wt = rented.AsSpan(0, WeightCount);
        for (int c = 0; c < cin; c++)
            for (int tap = 0; tap < taps; tap++)
            {
                var row = w.Slice((c * taps + tap) * cout, cout);
                for (int o = 0; o < cout; o++) wt[(tap * cout + o) * cin + c] = row[o];
            }
        int lanes = Vector<T>.Count, vectorEnd = cin - cin % lanes, quadEnd = cin - cin % (4 * lanes);
        ref T wt0 = ref MemoryMarshal.GetReference(wt);
        // The taps of a pixel's channel 0 serve all its channels: they have the same output positions, and channel 0's
        // _weightAt is the tap's offset tap · cout, so its transposed rows start at _weightAt · cin.
        for (int pixel = 0; pixel < pixels; pixel++)
        {
            int first = pixel * cin, t0 = _tapStart[first], t1 = _tapStart[first + 1];
            var acc = gInput.Slice(first, cin);
            ref T acc0 = ref MemoryMarshal.GetReference(acc);
            // Four runs of channels at once: four independent chains of additions keep the adder busy.
            for (int c = 0; c < quadEnd; c += 4 * lanes)
            {
                var s0 = Vector.LoadUnsafe(ref acc0, (nuint)c);
                var s1 = Vector.LoadUnsafe(ref acc0, (nuint)(c + lanes));
                var s2 = Vector.LoadUnsafe(ref acc0, (nuint)(c + 2 * lanes));
                var s3 = Vector.LoadUnsafe(ref acc0, (nuint)(c + 3 * lanes));
                for (int t = t0; t < t1; t++)
                {
                    int wBase = _weightAt[t] * cin + c;
                    var go = gOutput.Slice(_outputAt[t], cout);
                    for (int o = 0; o < go.Length; o++)
                    {
                        var g = Vector.Create(go[o]);
                        ref T row = ref Unsafe.Add(ref wt0, wBase + o * cin);
                        s0 += g * Vector.LoadUnsafe(ref row);
                        s1 += g * Vector.LoadUnsafe(ref row, (nuint)lanes);
                        s2 += g * Vector.LoadUnsafe(ref row, (nuint)(2 * lanes));
                        s3 += g * Vector.LoadUnsafe(ref row, (nuint)(3 * lanes));
                    }
                }
                s0.StoreUnsafe(ref acc0, (nuint)c);
                s1.StoreUnsafe(ref acc0, (nuint)(c + lanes));
                s2.StoreUnsafe(ref acc0, (nuint)(c + 2 * lanes));
                s3.StoreUnsafe(ref acc0, (nuint)(c + 3 * lanes));
            }
            for (int c = quadEnd; c < vectorEnd; c += lanes)
            {
                var sum = Vector.LoadUnsafe(ref acc0, (nuint)c);
                for (int t = t0; t < t1; t++)
                {
                    int wBase = _weightAt[t] * cin + c;
                    var go = gOutput.Slice(_outputAt[t], cout);
                    for (int o = 0; o < cout; o++)
                        sum += Vector.Create(go[o]) * Vector.LoadUnsafe(ref wt0, (nuint)(wBase + o * cin));
                }
                sum.StoreUnsafe(ref acc0, (nuint)c);
            }
            for (int c = vectorEnd; c < cin; c++)
            {
                T sum = acc[c];
                for (int t = t0; t < t1; t++)
                {
                    int wBase = _weightAt[t] * cin + c;
                    var go = gOutput.Slice(_outputAt[t], cout);
                    for (int o = 0; o < cout; o++) sum += go[o] * wt[wBase + o * cin];
                }
                acc[c] = sum;
            }
        }
        ArrayPool<T>.Shared.Return(rented);
    }
}

/// <summary>Sum pooling over K × K windows with stride K, channel-last; no weights.</summary>
public sealed class SumPoolConnection<T>(Shape input, int k) : IConnection<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Shape _out = new(input.Channels, input.Height / k, input.Width / k);
    // The pooled unit of each input unit, computed once: the backward pass visits every input unit every step.
    private readonly int[] _outputOf = OutputMap(input, k);

    /// <inheritdoc />
    public int InputSize => input.Size;
    /// <inheritdoc />
    public int OutputSize => _out.Size;
    /// <inheritdoc />
    public int WeightCount => 0;
    /// <inheritdoc />
    public int FanIn => k * k;

    private static int[] OutputMap(Shape input, int k)
    {
        var map = new int[input.Size];
        int outWidth = input.Width / k;
        for (int index = 0; index < map.Length; index++)
        {
            int c = index % input.Channels, pixel = index / input.Channels;
            int y = pixel / input.Width / k, x = pixel % input.Width / k;
            map[index] = (y * outWidth + x) * input.Channels + c;
        }
        return map;
    }

    /// <inheritdoc />
    public void Forward(ReadOnlySpan<T> w, ReadOnlySpan<T> values, ReadOnlySpan<int> nonZero, Span<T> output)
    {
        foreach (int index in nonZero) output[_outputOf[index]] += values[index];
    }

    /// <inheritdoc />
    public void Backward(ReadOnlySpan<T> w, ReadOnlySpan<T> values, ReadOnlySpan<int> nonZero, ReadOnlySpan<T> gOutput, Span<T> gW, Span<T> gInput)
    {
        if (gInput.IsEmpty) return;
        if (gInput.Length != _outputOf.Length) throw new ArgumentException($"the input gradient has {gInput.Length} values, the pool's input {_outputOf.Length}", nameof(gInput));
        var map = _outputOf.AsSpan();
        for (int index = 0; index < map.Length; index++) gInput[index] += gOutput[map[index]];
    }
}
