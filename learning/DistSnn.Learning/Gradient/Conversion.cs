using DistSnn.Learning.Datasets;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// ANN-to-SNN conversion with data-based weight normalisation (Diehl et al. 2015; Rueckauer et al. 2017): each layer's
/// activations are scaled by λ_l, a high percentile of their values over training samples, so that the converted
/// layer's rates (spikes per step of non-leaky integrate-and-fire neurons with threshold 1 and reset by subtraction)
/// stay below one: W'_l = W_l λ_{l−1} / λ_l, b'_l = b_l / λ_l, λ_0 = 1 for inputs in [0, 1]. Sum pooling is linear and
/// passes λ through.
/// </summary>
public static class Conversion
{
    /// <summary>The neurons of a converted network: if_subtract, threshold 1 mV above rest, c_m = dt, so a bias of b mV per step is a current of b pA.</summary>
    public static NeuronSpec Neuron(double dt = 1.0) => new() { Kind = UnitKind.IfSubtract, Dt = dt, EL = 0, VTh = 1, CM = dt, TRef = 0 };

    /// <summary>
    /// λ of every layer (1 for pooling stages, which take the λ of the layer below): the <paramref name="percentile"/>-th
    /// percentile of the layer's positive activations over the samples <paramref name="indices"/>.
    /// </summary>
    public static double[] Scales(Network<float> ann, float[] parameters, LabeledImages data, IReadOnlyList<int> indices, double percentile)
    {
        if (!ann.Analog) throw new ArgumentException("conversion starts from an analog (ReLU) network");
        if (!(percentile > 0 && percentile <= 100)) throw new ArgumentException($"--percentile: must lie in (0, 100], got {percentile}");
        int layers = ann.Stages.Count;
        var values = new List<float>[layers];
        for (int l = 0; l < layers; l++) values[l] = [];
        var trace = ann.CreateTrace();
        var input = new Activity<float>(1, ann.Architecture.Input.Size);
        var encoding = new InputEncoding { Kind = EncodingKind.Direct };
        foreach (int index in indices)
        {
            encoding.Encode(data.Image(index), input, 0, 0, index);
            ann.Forward(input, parameters, trace);
            for (int l = 0; l < layers; l++)
            {
                if (!ann.Stages[l].Def.HasUnits) continue;
                foreach (float a in trace.LayerOutput(l).Row(0)) if (a > 0) values[l].Add(a);
            }
        }
        var lambda = new double[layers];
        double below = 1.0;
        for (int l = 0; l < layers; l++)
        {
            if (!ann.Stages[l].Def.HasUnits) { lambda[l] = below; continue; }
            var v = values[l];
            if (v.Count == 0) { lambda[l] = below; continue; }
            v.Sort();
            int at = (int)Math.Clamp(Math.Ceiling(percentile / 100 * v.Count) - 1, 0, v.Count - 1);
            lambda[l] = below = v[at];
        }
        return lambda;
    }

    /// <summary>The converted parameters (same layout: the spiking network with biases has the analog network's blocks).</summary>
    public static float[] Convert(Network<float> ann, float[] parameters, double[] lambda)
    {
        var result = (float[])parameters.Clone();
        double below = 1.0;
        for (int l = 0; l < ann.Stages.Count; l++)
        {
            var stage = ann.Stages[l];
            if (!stage.Def.HasUnits) continue;
            double scale = below / lambda[l];
            if (stage.WeightOffset >= 0)
                for (int i = 0; i < stage.Connection.WeightCount; i++) result[stage.WeightOffset + i] = (float)(parameters[stage.WeightOffset + i] * scale);
            if (stage.BiasOffset >= 0)
            {
                int n = stage.Def.Kind == LayerKind.Conv ? stage.Def.Output.Channels : stage.Size;
                for (int i = 0; i < n; i++) result[stage.BiasOffset + i] = (float)(parameters[stage.BiasOffset + i] / lambda[l]);
            }
            below = lambda[l];
        }
        return result;
    }

    /// <summary>Training options of the converted network run for <paramref name="steps"/> steps with analog input.</summary>
    public static GradientTrainingOptions SpikingOptions(GradientTrainingOptions ann, int steps) => ann with
    {
        Neuron = Neuron(),
        Bias = true,
        Steps = steps,
        Encoding = new InputEncoding { Kind = EncodingKind.Direct },
        Epochs = 0,
        Validation = 0,
    };
}
