using System.Numerics;
using System.Numerics.Tensors;

namespace DistSnn.Learning.Gradient;

/// <summary>What the output layer's answer to a sample is, and so what the cross-entropy is taken of.</summary>
public enum LossKind
{
    /// <summary>Spike counts of the output neurons over the presentation.</summary>
    Count,
    /// <summary>Maximum over the presentation of each output neuron's membrane; the output layer does not spike.</summary>
    MaxMembrane,
}

/// <summary>What a parameter block holds.</summary>
public enum BlockKind
{
    /// <summary>The weights from the layer below.</summary>
    Weight,
    /// <summary>The weights within a recurrent layer.</summary>
    Recurrent,
    /// <summary>One bias per unit (per channel of a convolution).</summary>
    Bias,
}

/// <summary>A named slice of the parameter vector: <see cref="Kind"/> of the architecture's layer <see cref="Layer"/> (0-based).</summary>
public sealed record ParameterBlock(string Name, int Offset, int Length, int[] Shape, int Layer, BlockKind Kind);

/// <summary>One layer of a <see cref="Network{T}"/>: the connection from below, and its units if it has any.</summary>
public sealed class Stage<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal Stage(LayerDef def, IConnection<T> connection, DenseConnection<T>? recurrent, LifUnits<T>? lif, bool relu,
        int weights, int recurrentWeights, int bias, int delay)
    {
        Def = def;
        Connection = connection;
        Recurrent = recurrent;
        Lif = lif;
        Relu = relu;
        WeightOffset = weights;
        RecurrentOffset = recurrentWeights;
        BiasOffset = bias;
        Delay = delay;
    }

    /// <summary>The layer as written in the architecture.</summary>
    public LayerDef Def { get; }
    /// <summary>The connection from the layer below.</summary>
    public IConnection<T> Connection { get; }
    /// <summary>Connections within the layer (recurrent layers).</summary>
    public DenseConnection<T>? Recurrent { get; }
    /// <summary>Spiking units, or null for analog units and pooling.</summary>
    public LifUnits<T>? Lif { get; }
    /// <summary>True for rectified-linear units (hidden layers of an analog network).</summary>
    public bool Relu { get; }
    /// <summary>Offsets of this layer's parameters; −1 where it has none.</summary>
    public int WeightOffset { get; }
    /// <inheritdoc cref="WeightOffset"/>
    public int RecurrentOffset { get; }
    /// <inheritdoc cref="WeightOffset"/>
    public int BiasOffset { get; }
    /// <summary>Steps between the layer below's activity and this layer's input (1 in a spiking network, as a one-step delay).</summary>
    public int Delay { get; }
    /// <summary>Units of this layer.</summary>
    public int Size => Connection.OutputSize;
}

/// <summary>Per-sample buffers of one worker: every layer's input, state, output and their gradients.</summary>
public sealed class NetworkTrace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    internal NetworkTrace(Network<T> net)
    {
        int steps = net.Steps;
        foreach (var stage in net.Stages)
        {
            int n = stage.Size;
            Input.Add(new T[steps * n]);
            Units.Add(new UnitTrace<T>(stage.Lif is null ? 0 : steps, n));
            Output.Add(new Activity<T>(steps, n));
            GradOutput.Add(new T[steps * n]);
            GradInput.Add(new T[steps * n]);
        }
        Logits = new T[net.Architecture.Outputs];
        ArgMaxStep = new int[net.Architecture.Outputs];
        GradU = new T[steps * net.Architecture.Outputs];
        Scratch = new T[net.Stages.Max(s => Math.Max(s.Size, s.Connection.InputSize))];
        Rates = new double[net.Stages.Count];
    }

    internal List<T[]> Input { get; } = [];
    internal List<UnitTrace<T>> Units { get; } = [];
    internal List<Activity<T>> Output { get; } = [];
    internal List<T[]> GradOutput { get; } = [];
    internal List<T[]> GradInput { get; } = [];
    internal int[] ArgMaxStep { get; }
    internal Activity<T>? NetworkInput { get; set; }
    internal T[] GradU { get; }
    internal T[] Scratch { get; }

    /// <summary>The output layer's answer to the last sample (spike counts or maximum membrane).</summary>
    public T[] Logits { get; }

    /// <summary>Spikes per neuron and step of each layer in the last sample (0 for analog layers and pooling).</summary>
    public double[] Rates { get; }

    /// <summary>A layer's output over the steps of the last sample (spikes of a spiking layer).</summary>
    public Activity<T> LayerOutput(int layer) => Output[layer];
}

/// <summary>
/// A layered network with its parameters in one flat vector: spiking (surrogate-gradient BPTT over
/// <see cref="Steps"/> steps) or analog (rectified linear, one step). Forward and backward handle one sample; the
/// weight gradient is added to a caller's buffer, so a micro-batch's gradient is the sum of its samples' in the order
/// they are given.
/// </summary>
public sealed class Network<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<ParameterBlock> _blocks = [];

    /// <summary>Builds the layers of <paramref name="architecture"/>.</summary>
    /// <param name="architecture">The layers.</param>
    /// <param name="neuron">The spiking units, or a <see cref="UnitKind.Relu"/> spec for an analog network.</param>
    /// <param name="surrogate">The surrogate gradient (ignored by analog networks).</param>
    /// <param name="loss">What the output answers.</param>
    /// <param name="bias">Whether units have a trained bias.</param>
    /// <param name="steps">Steps per sample (1 for an analog network).</param>
    /// <param name="smooth">Spikes are the surrogate's antiderivative (gradient checks only).</param>
    /// <param name="detachReset">No gradient through the reset (see <see cref="LifUnits{T}"/>).</param>
    public Network(Architecture architecture, NeuronSpec neuron, Surrogate surrogate, LossKind loss, bool bias, int steps, bool smooth = false,
        bool detachReset = false)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(neuron);
        Architecture = architecture;
        Neuron = neuron;
        Loss = loss;
        Analog = neuron.Kind == UnitKind.Relu;
        Steps = Analog ? 1 : steps;
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), "a spiking network needs at least one step");
        int offset = 0;
        var input = architecture.Input;
        for (int l = 0; l < architecture.Layers.Count; l++)
        {
            var def = architecture.Layers[l];
            bool last = l == architecture.Layers.Count - 1;
            IConnection<T> connection = def.Kind switch
            {
                LayerKind.Dense or LayerKind.Recurrent => new DenseConnection<T>(input.Size, def.Output.Size),
                LayerKind.Conv => new ConvConnection<T>(input, def.Output, def.Kernel, def.Stride, def.Padding),
                _ => new SumPoolConnection<T>(input, def.Kernel),
            };
            int w = -1, r = -1, b = -1;
            if (connection.WeightCount > 0)
            {
                w = Add(BlockKind.Weight, connection.WeightCount, def.Kind == LayerKind.Conv
                    ? [input.Channels, def.Kernel, def.Kernel, def.Output.Channels] : [input.Size, def.Output.Size]);
            }
            DenseConnection<T>? recurrent = null;
            if (def.Kind == LayerKind.Recurrent)
            {
                recurrent = new DenseConnection<T>(def.Output.Size, def.Output.Size);
                r = Add(BlockKind.Recurrent, def.Output.Size * def.Output.Size, [def.Output.Size, def.Output.Size]);
            }
            if (def.HasUnits && (bias || Analog))
                b = Add(BlockKind.Bias, def.Kind == LayerKind.Conv ? def.Output.Channels : def.Output.Size,
                    [def.Kind == LayerKind.Conv ? def.Output.Channels : def.Output.Size]);
            LifUnits<T>? lif = null;
            if (def.HasUnits && !Analog)
                lif = new LifUnits<T>(neuron, surrogate, spiking: !(last && loss == LossKind.MaxMembrane), smooth, detachReset);
            int delay = Analog || !def.HasUnits ? 0 : 1;
            Stages.Add(new Stage<T>(def, connection, recurrent, lif, Analog && def.HasUnits && !last, w, r, b, delay));
            input = def.Output;
        }
        ParameterCount = offset;

        int Add(BlockKind kind, int length, int[] shape)
        {
            int layer = Stages.Count;
            _blocks.Add(new ParameterBlock($"layer{layer + 1}.{kind.ToString().ToLowerInvariant()}", offset, length, shape, layer, kind));
            offset += length;
            return offset - length;
        }
    }

    /// <summary>The layers as written.</summary>
    public Architecture Architecture { get; }
    /// <summary>The units.</summary>
    public NeuronSpec Neuron { get; }
    /// <summary>What the output answers.</summary>
    public LossKind Loss { get; }
    /// <summary>True for a rectified-linear network.</summary>
    public bool Analog { get; }
    /// <summary>Steps per sample.</summary>
    public int Steps { get; }
    /// <summary>The layers.</summary>
    public List<Stage<T>> Stages { get; } = [];
    /// <summary>Length of the parameter vector.</summary>
    public int ParameterCount { get; }
    /// <summary>The named slices of the parameter vector, in order.</summary>
    public IReadOnlyList<ParameterBlock> Blocks => _blocks;

    /// <summary>Buffers for one worker.</summary>
    public NetworkTrace<T> CreateTrace() => new(this);

    /// <summary>Runs one sample; the answer is in <see cref="NetworkTrace{T}.Logits"/>.</summary>
    public void Forward(Activity<T> input, ReadOnlySpan<T> p, NetworkTrace<T> trace)
    {
        if (input.Size != Architecture.Input.Size)
            throw new ArgumentException($"the input has {input.Size} units, the network {Architecture.Input.Size}", nameof(input));
        trace.NetworkInput = input;
        var below = input;
        for (int l = 0; l < Stages.Count; l++)
        {
            var stage = Stages[l];
            int n = stage.Size;
            var j = trace.Input[l].AsSpan();
            j.Clear();
            var w = stage.WeightOffset < 0 ? ReadOnlySpan<T>.Empty : p.Slice(stage.WeightOffset, stage.Connection.WeightCount);
            FeedForward(stage, below, w, j, trace.Scratch.AsSpan(0, n));
            var output = trace.Output[l];
            var bias = stage.BiasOffset < 0 ? ReadOnlySpan<T>.Empty : p.Slice(stage.BiasOffset, BiasLength(stage));
            if (stage.Lif is not null)
            {
                output.Static = false;
                var wRec = stage.RecurrentOffset < 0 ? ReadOnlySpan<T>.Empty : p.Slice(stage.RecurrentOffset, n * n);
                var expanded = ExpandBias(stage, bias, trace.Scratch);
                stage.Lif.Forward(Steps, j, expanded, stage.Recurrent, wRec, trace.Units[l], output);
                T total = TensorPrimitives.Sum<T>(output.Values);
                trace.Rates[l] = double.CreateTruncating(total) / ((double)Steps * n);
            }
            else
            {
                // Analog units and pooling: the output is the input, rectified where the layer says so.
                output.Static = below.Static;
                int rows = output.Static ? 1 : Steps;
                for (int t = 0; t < rows; t++)
                {
                    var src = j.Slice(t * n, n);
                    var dst = output.Row(t);
                    src.CopyTo(dst);
                    if (!bias.IsEmpty) AddBias(stage, bias, dst);
                    if (stage.Relu) TensorPrimitives.Max(dst, T.Zero, dst);
                }
                output.Index();
                trace.Rates[l] = 0;
            }
            below = output;
        }
        ComputeLogits(trace);
    }

    private void FeedForward(Stage<T> stage, Activity<T> below, ReadOnlySpan<T> w, Span<T> j, Span<T> row)
    {
        int n = stage.Size, d = stage.Delay;
        if (below.Static)
        {
            row.Clear();
            stage.Connection.Forward(w, below.Row(0), below.NonZero(0), row);
            for (int t = d; t < Steps; t++) row.CopyTo(j.Slice(t * n, n));
            return;
        }
        for (int t = d; t < Steps; t++)
            stage.Connection.Forward(w, below.Row(t - d), below.NonZero(t - d), j.Slice(t * n, n));
    }

    private static int BiasLength(Stage<T> stage) =>
        stage.Def.Kind == LayerKind.Conv ? stage.Def.Output.Channels : stage.Size;

    /// <summary>A convolution's bias is per channel; the units want one per unit.</summary>
    private static ReadOnlySpan<T> ExpandBias(Stage<T> stage, ReadOnlySpan<T> bias, T[] scratch)
    {
        if (bias.IsEmpty || stage.Def.Kind != LayerKind.Conv) return bias;
        var full = scratch.AsSpan(0, stage.Size);
        full.Clear();
        AddBias(stage, bias, full);
        return full;
    }

    private static void AddBias(Stage<T> stage, ReadOnlySpan<T> bias, Span<T> values)
    {
        if (stage.Def.Kind != LayerKind.Conv) { TensorPrimitives.Add(values, bias, values); return; }
        int c = bias.Length;
        for (int i = 0; i < values.Length; i += c) TensorPrimitives.Add(values.Slice(i, c), bias, values.Slice(i, c));
    }

    private void ComputeLogits(NetworkTrace<T> trace)
    {
        int l = Stages.Count - 1, n = Stages[l].Size;
        var logits = trace.Logits.AsSpan();
        if (Analog)
        {
            trace.Output[l].Row(0).CopyTo(logits);
            return;
        }
        if (Loss == LossKind.Count)
        {
            logits.Clear();
            var s = trace.Output[l];
            for (int t = 0; t < Steps; t++) TensorPrimitives.Add(logits, s.Row(t), logits);
            return;
        }
        var u = trace.Units[l].U;
        for (int k = 0; k < n; k++)
        {
            int best = 0;
            for (int t = 1; t < Steps; t++)
                if (u[t * n + k] > u[best * n + k]) best = t;
            trace.ArgMaxStep[k] = best;
            logits[k] = u[best * n + k];
        }
    }

    /// <summary>
    /// Adds dL/dp to <paramref name="grad"/> for the sample last run through <paramref name="trace"/>, given dL/dlogits
    /// and a rate penalty rateWeight · max(0, r − rateTarget)² on each hidden spiking layer's rate r (spikes per
    /// neuron and step).
    /// </summary>
    public void Backward(ReadOnlySpan<T> p, NetworkTrace<T> trace, ReadOnlySpan<T> gLogits, Span<T> grad,
        double rateWeight = 0, double rateTarget = 0)
    {
        int last = Stages.Count - 1;
        for (int l = 0; l <= last; l++) trace.GradOutput[l].AsSpan().Clear();
        int nOut = Stages[last].Size;
        var gu = ReadOnlySpan<T>.Empty;
        if (Analog) gLogits.CopyTo(trace.GradOutput[last]);
        else if (Loss == LossKind.Count)
            for (int t = 0; t < Steps; t++) gLogits.CopyTo(trace.GradOutput[last].AsSpan(t * nOut, nOut));
        else
        {
            Array.Clear(trace.GradU);
            for (int k = 0; k < nOut; k++) trace.GradU[trace.ArgMaxStep[k] * nOut + k] = gLogits[k];
            gu = trace.GradU;
        }
        for (int l = last; l >= 0; l--)
        {
            var stage = Stages[l];
            int n = stage.Size;
            var gOut = trace.GradOutput[l].AsSpan();
            var gJ = trace.GradInput[l].AsSpan();
            var gBias = stage.BiasOffset < 0 ? Span<T>.Empty : grad.Slice(stage.BiasOffset, BiasLength(stage));
            var biasScratch = stage.Def.Kind == LayerKind.Conv && !gBias.IsEmpty ? trace.Scratch.AsSpan(0, n) : gBias;
            if (biasScratch != gBias) biasScratch.Clear();
            if (stage.Lif is not null)
            {
                if (rateWeight > 0 && l < last && trace.Rates[l] > rateTarget)
                    TensorPrimitives.Add(gOut, T.CreateTruncating(2 * rateWeight * (trace.Rates[l] - rateTarget) / ((double)Steps * n)), gOut);
                var wRec = stage.RecurrentOffset < 0 ? ReadOnlySpan<T>.Empty : p.Slice(stage.RecurrentOffset, n * n);
                var gRec = stage.RecurrentOffset < 0 ? Span<T>.Empty : grad.Slice(stage.RecurrentOffset, n * n);
                stage.Lif.Backward(Steps, gOut, l == last ? gu : ReadOnlySpan<T>.Empty, gJ, biasScratch, stage.Recurrent, wRec, gRec,
                    trace.Units[l], trace.Output[l]);
            }
            else
            {
                var output = trace.Output[l];
                for (int t = 0; t < Steps; t++)
                {
                    var go = gOut.Slice(t * n, n);
                    var gj = gJ.Slice(t * n, n);
                    go.CopyTo(gj);
                    if (stage.Relu)
                    {
                        var o = output.Row(t);
                        for (int i = 0; i < n; i++) if (o[i] <= T.Zero) gj[i] = T.Zero;
                    }
                    if (!biasScratch.IsEmpty) TensorPrimitives.Add(biasScratch, gj, biasScratch);
                }
            }
            if (biasScratch != gBias)
                for (int i = 0; i < n; i++) gBias[i % gBias.Length] += biasScratch[i];
            var below = l == 0 ? null : trace.Output[l - 1];
            var gBelow = l == 0 ? Span<T>.Empty : trace.GradOutput[l - 1].AsSpan();
            BackwardConnection(stage, l == 0 ? trace.NetworkInput! : below!, p, grad, gJ, gBelow, trace.Scratch);
        }
    }

    private void BackwardConnection(Stage<T> stage, Activity<T> below, ReadOnlySpan<T> p, Span<T> grad, Span<T> gJ, Span<T> gBelow, T[] scratch)
    {
        int n = stage.Size, nIn = stage.Connection.InputSize, d = stage.Delay;
        var w = stage.WeightOffset < 0 ? ReadOnlySpan<T>.Empty : p.Slice(stage.WeightOffset, stage.Connection.WeightCount);
        var gW = stage.WeightOffset < 0 ? Span<T>.Empty : grad.Slice(stage.WeightOffset, stage.Connection.WeightCount);
        if (below.Static)
        {
            var sum = scratch.AsSpan(0, n);
            sum.Clear();
            for (int t = d; t < Steps; t++) TensorPrimitives.Add(sum, gJ.Slice(t * n, n), sum);
            stage.Connection.Backward(w, below.Row(0), below.NonZero(0), sum, gW, gBelow.IsEmpty ? gBelow : gBelow.Slice(0, nIn));
            return;
        }
        for (int t = d; t < Steps; t++)
            stage.Connection.Backward(w, below.Row(t - d), below.NonZero(t - d), gJ.Slice(t * n, n), gW,
                gBelow.IsEmpty ? gBelow : gBelow.Slice((t - d) * nIn, nIn));
    }
}
