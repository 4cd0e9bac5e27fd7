using DistSnn.Learning.Datasets;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Learning.Gradient;

/// <summary>A spike of a reference run: layer (0-based), step, neuron.</summary>
public readonly record struct ReferenceSpike(int Layer, long Step, int Neuron);

/// <summary>
/// The trainer's reference forward pass: the exported network run as the simulator runs it, in scalar float arithmetic
/// written out here — samples presented one after another for the training's steps, each from the initial state
/// (<c>reset</c>, as exported models do) or running on through a rest, each layer's input of a step summed in the
/// simulator's canonical order (the analog or spiking input first, pixels ascending, then the spikes of the layers in
/// population order, neurons ascending, each neuron's synapses in target order), and each neuron updated by the formula
/// of its simulator kernel. Its spikes are the simulator's, bit for bit; the fast training path sums in another order
/// (and always starts a sample from rest), so it can differ in rare spikes.
/// </summary>
public static class ReferenceForward
{
    /// <summary>
    /// Runs <paramref name="samples"/> samples of <paramref name="data"/> with <paramref name="restSteps"/> steps of rest;
    /// returns the output layer's spike counts during each presentation ([sample, class]) and, with
    /// <paramref name="spikes"/>, every spike.
    /// </summary>
    public static int[,] Run(Network<float> network, float[] parameters, GradientTrainingOptions options, LabeledImages data, int samples,
        int restSteps, List<ReferenceSpike>? spikes = null, bool reset = true)
    {
        if (NetworkExport.Unsupported(network) is { } why) throw new NotSupportedException(why);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(restSteps);
        if (samples < 0 || samples > data.Count) throw new ArgumentOutOfRangeException(nameof(samples), $"{samples} samples of a set of {data.Count}");
        var n = options.Neuron;
        var exported = ExportedLayers.Of(network);
        int layers = exported.Count, present = options.Steps, period = present + restSteps, pixels = network.Architecture.Input.Size;
        // Each layer's incoming weights as a dense [sources, targets] matrix (zero where no synapse; adding zero changes nothing).
        var incoming = exported.Select(e => ExportedLayers.Dense(network, parameters, e)).ToArray();
        var recurrentW = exported.Select(e => network.Stages[e.Stage] is { Recurrent: not null } st
            ? parameters.AsSpan(st.RecurrentOffset, st.Size * st.Size).ToArray() : null).ToArray();
        float el = (float)n.EL, vth = (float)n.VTh, vreset = (float)n.VReset, p22 = (float)n.P22, p20 = (float)n.P20, drop = (float)(n.VTh - n.EL);
        float p21 = (float)n.P21, p11 = (float)n.P11;
        int refSteps = n.RefractorySteps;
        var v = new float[layers][];
        var y = new float[layers][];
        var refr = new int[layers][];
        var input = new float[layers][];
        var fired = new List<int>[layers];
        var current = new float[layers][];
        for (int l = 0; l < layers; l++)
        {
            int size = exported[l].Size;
            v[l] = new float[size];
            Array.Fill(v[l], el);
            y[l] = new float[size];
            refr[l] = new int[size];
            input[l] = new float[size];
            fired[l] = [];
            var stage = network.Stages[exported[l].Stage];
            if (stage.BiasOffset < 0) current[l] = new float[size];
            else
            {
                int channels = stage.Def.Kind == LayerKind.Conv ? stage.Def.Output.Channels : size;
                var perNeuron = new float[size];
                for (int i = 0; i < size; i++) perNeuron[i] = parameters[stage.BiasOffset + i % channels];
                current[l] = NetworkExport.BiasCurrents(perNeuron, n);
            }
        }
        var counts = new int[samples, network.Architecture.Outputs];
        ulong key = SampleEncoder.PoissonKey(options.Seed, SampleEncoder.EvaluationStream);
        var enc = options.Encoding;
        var inputFired = new List<int>();
        long total = (long)samples * period;
        for (long step = 0; step < total; step++)
        {
            if (reset && step > 0 && step % period == 0)
                for (int l = 0; l < layers; l++)
                {
                    Array.Fill(v[l], el);
                    Array.Clear(y[l]);
                    Array.Clear(refr[l]);
                    Array.Clear(input[l]);
                }
            // 1. Every layer consumes the input delivered for this step and updates, in population order.
            for (int l = 0; l < layers; l++)
            {
                var vl = v[l];
                fired[l].Clear();
                for (int i = 0; i < vl.Length; i++)
                {
                    float j = input[l][i];
                    input[l][i] = 0f;
                    bool active = refr[l][i] == 0;
                    float vn = n.Kind switch
                    {
                        UnitKind.LifDelta => el + (vl[i] - el) * p22 + (current[l][i] + 0f) * p20 + j,
                        UnitKind.LifExpCurrent => el + (vl[i] - el) * p22 + y[l][i] * p21 + 0f * p21 + (current[l][i] + 0f) * p20,
                        _ => vl[i] + (current[l][i] + 0f) * p20 + j,
                    };
                    if (n.Kind == UnitKind.LifDelta) vn = MathF.Max(vn, float.NegativeInfinity);
                    if (active) vl[i] = vn;
                    else refr[l][i]--;
                    if (n.Kind == UnitKind.LifExpCurrent) y[l][i] = y[l][i] * p11 + j;
                    if (vl[i] >= vth)
                    {
                        vl[i] = n.Kind == UnitKind.IfSubtract ? vl[i] - drop : vreset;
                        refr[l][i] = refSteps;
                        fired[l].Add(i);
                        spikes?.Add(new ReferenceSpike(l, step, i));
                        long sample = step / period;
                        if (l == layers - 1 && step % period < present) counts[sample, i]++;
                    }
                }
            }
            // 2. This step's input and spikes are delivered for the next step, in canonical order.
            long k = step / period, phase = step % period;
            if (k < samples && phase < present)
            {
                var image = data.Image((int)k);
                var w0 = incoming[0];
                int n1 = exported[0].Size;
                for (int i = 0; i < pixels; i++)
                {
                    if (image[i] == 0) continue;
                    float x;
                    switch (enc.Kind)
                    {
                        case EncodingKind.Direct: x = SampleEncoder.Analog(image[i]); break;
                        case EncodingKind.Poisson:
                            if (!SampleEncoder.PoissonSpike(key, k, pixels, i, phase, SampleEncoder.PoissonProbability(image[i], enc.MaxRateHz, n.Dt))) continue;
                            x = 1f;
                            break;
                        default:
                            if (SampleEncoder.LatencyStep(SampleEncoder.Intensity(image[i]), enc.LatencyThreshold, present) != phase) continue;
                            x = 1f;
                            break;
                    }
                    var row = w0.AsSpan(i * n1, n1);
                    var target = input[0];
                    if (enc.Kind == EncodingKind.Direct)
                        for (int t = 0; t < n1; t++) target[t] += row[t] * x;
                    else
                        for (int t = 0; t < n1; t++) target[t] += row[t];
                }
            }
            for (int l = 0; l < layers; l++)
            {
                // Layer l's spikes feed layer l + 1 and, if recurrent, layer l itself; projections in file order.
                foreach (int i in fired[l])
                {
                    if (recurrentW[l] is { } rec) AddRow(rec, i, input[l]);
                    if (l + 1 < layers) AddRow(incoming[l + 1], i, input[l + 1]);
                }
            }
        }
        return counts;
    }

    private static void AddRow(ReadOnlySpan<float> w, int source, float[] target)
    {
        var row = w.Slice(source * target.Length, target.Length);
        for (int t = 0; t < target.Length; t++) target[t] += row[t];
    }
}
