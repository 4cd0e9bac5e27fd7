using System.Globalization;
using System.Text;
using PureHDF;

namespace DistSnn.Learning.Gradient;

/// <summary>Where an exported network's test data are and how it is presented.</summary>
/// <param name="Reset">Every sample starts from the initial state, as in training (needs one-step delays, which exported networks have).</param>
/// <param name="RecordAll">Record the spikes of every layer, not only the read-out's (a convolutional network over the test set
/// spikes hundreds of millions of times in its hidden layers).</param>
public sealed record ExportPresentation(string ImagesFile, string LabelsFile, int Samples, double RestMs, bool Reset = true, bool RecordAll = false);

/// <summary>
/// Writes a trained network as a DistSnn model file (<c>model.yaml</c>) with its weights in an HDF5 file next to it
/// (<c>weights.h5</c>): populations <c>input</c> (model dataset_input, one source per pixel) and <c>layer1</c> …
/// <c>layerL</c>; one all_to_all projection per dense layer (and per recurrent layer onto itself), weights
/// <c>{file: weights.h5, dataset: /layerL/weight, unit: mV}</c> in the synapse order of all_to_all
/// ([sources, targets]), delay one step; biases as per-neuron DC currents (<c>/layerL/bias_pa</c>, the bias in mV per
/// step divided by the model's P20); a <c>dataset:</c> block that presents the test set with the training
/// encoding and reads the answer from the last layer's spike counts.
/// </summary>
public static class NetworkExport
{
    /// <summary>Refuses what the simulator cannot run yet; null when the network can be exported.</summary>
    public static string? Unsupported(Network<float> network)
    {
        if (network.Analog) return "an analog (ReLU) network runs in the simulator only after conversion (train convert)";
        if (network.Loss == LossKind.MaxMembrane)
            return "a max-membrane output does not spike; the simulator reads spike counts";
        return null;
    }

    /// <summary>Writes <c>model.yaml</c> and <c>weights.h5</c> into <paramref name="dir"/>; returns the model's path.</summary>
    public static string Write(string dir, string name, Network<float> network, float[] parameters, GradientTrainingOptions options,
        ExportPresentation presentation)
    {
        if (Unsupported(network) is { } why) throw new NotSupportedException(why);
        Directory.CreateDirectory(dir);
        WriteWeights(Path.Combine(dir, "weights.h5"), network, parameters, options.Neuron);
        var n = options.Neuron;
        var inv = CultureInfo.InvariantCulture;
        string Num(double v) => v.ToString("R", inv);
        var yaml = new StringBuilder();
        yaml.AppendLine(inv, $"# {name}: exported by distsnn {options.Neuron.ModelName} training; weights in weights.h5 ([sources, targets] per projection)");
        yaml.AppendLine(inv, $"name: {name}");
        yaml.AppendLine(inv, $"run: {{dt: {Num(n.Dt)} ms, seed: {options.Seed}}}");
        yaml.AppendLine("populations:");
        yaml.AppendLine(inv, $"  - {{name: input, size: {network.Architecture.Input.Size}, model: dataset_input}}");
        string parameters1 = n.Kind switch
        {
            UnitKind.LifDelta => $"{{tau_m: {Num(n.TauM)} ms, c_m: {Num(n.CM)} pF, e_l: {Num(n.EL)} mV, v_th: {Num(n.VTh)} mV, v_reset: {Num(n.VReset)} mV, t_ref: {Num(n.TRef)} ms}}",
            UnitKind.LifExpCurrent => $"{{tau_m: {Num(n.TauM)} ms, c_m: {Num(n.CM)} pF, e_l: {Num(n.EL)} mV, v_th: {Num(n.VTh)} mV, v_reset: {Num(n.VReset)} mV, t_ref: {Num(n.TRef)} ms, tau_syn_exc: {Num(n.TauSyn)} ms, tau_syn_inh: {Num(n.TauSyn)} ms}}",
            _ => $"{{c_m: {Num(n.CM)} pF, e_l: {Num(n.EL)} mV, v_th: {Num(n.VTh)} mV, t_ref: {Num(n.TRef)} ms}}",
        };
        var layers = ExportedLayers.Of(network);
        foreach (var layer in layers)
            yaml.AppendLine(inv, $"  - {{name: {layer.Name}, size: {layer.Size}, model: {n.ModelName}, parameters: {parameters1}}}");
        yaml.AppendLine("projections:");
        foreach (var layer in layers)
        {
            // Weights of either sign go to the excitatory port: both ports share one time constant, so the sum is the trainer's.
            string dataset = layer.Pool == 1 ? "weight" : "weight_unpooled";
            yaml.AppendLine(inv, $"  - {{source: {layer.Source}, target: {layer.Name}, connector: {ExportedLayers.Connector(network, layer)}, weight: {{file: weights.h5, dataset: /{layer.Name}/{dataset}, unit: mV}}, delay: {Num(n.Dt)} ms}}");
            if (network.Stages[layer.Stage].Recurrent is not null)
                yaml.AppendLine(inv, $"  - {{source: {layer.Name}, target: {layer.Name}, connector: {{type: all_to_all}}, weight: {{file: weights.h5, dataset: /{layer.Name}/recurrent, unit: mV}}, delay: {Num(n.Dt)} ms}}");
        }
        var biased = layers.Where(layer => network.Stages[layer.Stage].BiasOffset >= 0).ToList();
        if (biased.Count > 0)
        {
            yaml.AppendLine("currents:");
            foreach (var layer in biased)
                yaml.AppendLine(inv, $"  - {{type: dc, target: {layer.Name}, amplitude: {{file: weights.h5, dataset: /{layer.Name}/bias_pa, unit: pA}}}}");
        }
        yaml.AppendLine("dataset:");
        yaml.AppendLine(inv, $"  images: {Quote(presentation.ImagesFile)}");
        yaml.AppendLine(inv, $"  labels: {Quote(presentation.LabelsFile)}");
        yaml.AppendLine(inv, $"  samples: {presentation.Samples}");
        yaml.AppendLine("  input: input");
        yaml.AppendLine(inv, $"  readout: {layers[^1].Name}");
        yaml.AppendLine(inv, $"  encoding: {options.Encoding.Name}");
        if (options.Encoding.Kind == EncodingKind.Poisson) yaml.AppendLine(inv, $"  max_rate: {Num(options.Encoding.MaxRateHz)} Hz");
        if (options.Encoding.Kind == EncodingKind.Latency) yaml.AppendLine(inv, $"  latency_threshold: {Num(options.Encoding.LatencyThreshold)}");
        yaml.AppendLine(inv, $"  present: {Num(options.Steps * n.Dt)} ms");
        yaml.AppendLine(inv, $"  rest: {Num(presentation.RestMs)} ms");
        yaml.AppendLine(inv, $"  reset: {(presentation.Reset ? "true" : "false")}");
        if (presentation.RecordAll) yaml.AppendLine("record: {spikes: all}");
        else
        {
            yaml.AppendLine("# the read-out's spikes only; {spikes: all} records every layer");
            yaml.AppendLine(inv, $"record: {{spikes: [{layers[^1].Name}]}}");
        }
        string path = Path.Combine(dir, "model.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }

    /// <summary>The DC current (pA) whose membrane gain per step is each bias (mV per step).</summary>
    public static float[] BiasCurrents(ReadOnlySpan<float> bias, NeuronSpec neuron)
    {
        double p20 = neuron.P20;
        var pa = new float[bias.Length];
        for (int i = 0; i < bias.Length; i++) pa[i] = (float)(bias[i] / p20);
        return pa;
    }

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>One dataset per parameter block, shaped as <see cref="ParameterBlock.Shape"/>.</summary>
    /// <remarks>
    /// With <paramref name="neuron"/> (a spiking network) also what the model file reads: each bias as the DC current
    /// that gives it, one per neuron (<c>bias_pa</c>), and, where pooling is folded into a projection, its weights
    /// unpooled (<c>weight_unpooled</c>, see <see cref="ExportedLayers"/>).
    /// </remarks>
    public static void WriteWeights(string path, Network<float> network, float[] parameters, NeuronSpec? neuron = null)
    {
        var file = new H5File();
        var groups = new Dictionary<string, H5Group>(StringComparer.Ordinal);
        H5Group Group(string name)
        {
            if (!groups.TryGetValue(name, out var group)) file[name] = groups[name] = group = new H5Group();
            return group;
        }
        foreach (var block in network.Blocks)
        {
            var parts = block.Name.Split('.');
            var values = parameters.AsSpan(block.Offset, block.Length).ToArray();
            Group(parts[0])[parts[1]] = new H5Dataset(values, fileDims: block.Shape.Select(d => (ulong)d).ToArray());
            if (block.Kind != BlockKind.Bias || neuron is null || network.Analog) continue;
            var stage = network.Stages[block.Layer];
            var perNeuron = new float[stage.Size];
            for (int i = 0; i < perNeuron.Length; i++) perNeuron[i] = values[i % values.Length];
            Group(parts[0])["bias_pa"] = new H5Dataset(BiasCurrents(perNeuron, neuron), fileDims: [(ulong)perNeuron.Length]);
        }
        if (neuron is not null && !network.Analog)
            foreach (var layer in ExportedLayers.Of(network).Where(l => l.Pool > 1))
            {
                var w = ExportedLayers.Weights(network, parameters, layer);
                Group(layer.Name)["weight_unpooled"] = new H5Dataset(w, fileDims: [(ulong)w.Length]);
            }
        file.Attributes["architecture"] = network.Architecture.Text;
        file.Attributes["units"] = network.Neuron.ModelName;
        file.Attributes["steps"] = network.Steps;
        file.Write(path);
    }
}
