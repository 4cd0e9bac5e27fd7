using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// A gradient-training job as JSON: every setting of <see cref="GradientTrainingOptions"/> under the names of the
/// <c>distsnn train</c> options (snake_case). It is the body of a training submission to a cluster (<c>POST /train</c>);
/// numbers are written so that they read back bit for bit. Fields left out take
/// their defaults; an unknown field or a value of the wrong kind is refused, naming the field.
/// </summary>
public static class TrainingSpec
{
    private static readonly HashSet<string> Fields =
    [
        "arch", "neuron", "tau_m", "tau_syn", "c_m", "e_l", "v_th", "v_reset", "t_ref", "dt", "steps", "encoding", "max_rate",
        "latency_threshold", "surrogate", "surrogate_slope", "loss", "bias", "reset_gradient", "epochs", "batch", "micro_batches",
        "replicas", "lr", "lr_schedule", "weight_decay", "rate_weight", "rate_target", "validation", "train_samples", "seed", "init_gain",
        "shift", "flip",
    ];

    /// <summary>The settings as a JSON object.</summary>
    public static string ToJson(GradientTrainingOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var n = o.Neuron;
        var json = new JsonObject
        {
            ["arch"] = o.Architecture.Text,
            ["neuron"] = n.Kind == UnitKind.Relu ? "relu" : n.ModelName,
            ["tau_m"] = n.TauM, ["tau_syn"] = n.TauSyn, ["c_m"] = n.CM, ["e_l"] = n.EL, ["v_th"] = n.VTh, ["v_reset"] = n.VReset,
            ["t_ref"] = n.TRef, ["dt"] = n.Dt,
            ["steps"] = o.Steps,
            ["encoding"] = o.Encoding.Name, ["max_rate"] = o.Encoding.MaxRateHz, ["latency_threshold"] = o.Encoding.LatencyThreshold,
            ["surrogate"] = o.Surrogate.Name, ["surrogate_slope"] = o.Surrogate.Beta,
            ["loss"] = o.Loss == LossKind.Count ? "count" : "max-membrane",
            ["bias"] = o.Bias, ["reset_gradient"] = !o.DetachReset,
            ["epochs"] = o.Epochs, ["batch"] = o.BatchSize, ["micro_batches"] = o.MicroBatches, ["replicas"] = o.Replicas,
            ["lr"] = o.LearningRate, ["lr_schedule"] = o.Schedule.ToString().ToLowerInvariant(), ["weight_decay"] = o.WeightDecay,
            ["rate_weight"] = o.RateWeight, ["rate_target"] = o.RateTarget,
            ["validation"] = o.Validation, ["train_samples"] = o.TrainLimit, ["seed"] = o.Seed, ["init_gain"] = o.InitGain,
        };
        // Written only when used, so that a coordinator without augmentation still reads the jobs that need none.
        if (o.Shift != 0) json["shift"] = o.Shift;
        if (o.Flip) json["flip"] = true;
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Reads settings written by <see cref="ToJson"/> (or by hand) and checks them. Throws <see cref="FormatException"/>
    /// naming <paramref name="source"/> and the field when the text is no such object, and the checks'
    /// <see cref="ArgumentException"/> when a value is out of range.
    /// </summary>
    public static GradientTrainingOptions FromJson(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(text) as JsonObject ?? throw new FormatException($"{source}: expected a JSON object of training settings");
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not JSON: {e.Message}", e);
        }
        foreach (var (key, _) in root)
            if (!Fields.Contains(key)) throw new FormatException($"{source}: unknown field '{key}' (fields: {string.Join(", ", Fields)})");
        string Str(string field, string fallback) => Get(root, source, field, node => node.GetValue<string>()) ?? fallback;
        double Num(string field, double fallback) => Get(root, source, field, node => (double?)node.GetValue<double>()) ?? fallback;
        int Int(string field, int fallback) => Get(root, source, field, node => (int?)node.GetValue<int>()) ?? fallback;
        bool Bool(string field, bool fallback) => Get(root, source, field, node => (bool?)node.GetValue<bool>()) ?? fallback;

        var defaults = new NeuronSpec();
        string arch = Str("arch", "");
        if (arch.Length == 0) throw new FormatException($"{source}: field 'arch' is missing");
        string neuron = Str("neuron", "lif_exp_current");
        var kind = neuron == "relu" ? UnitKind.Relu : NeuronSpec.ParseKind(neuron, $"{source}: neuron");
        double dt = Num("dt", defaults.Dt);
        var options = new GradientTrainingOptions
        {
            Architecture = Architecture.Parse(arch),
            Neuron = new NeuronSpec
            {
                Kind = kind, TauM = Num("tau_m", defaults.TauM), TauSyn = Num("tau_syn", defaults.TauSyn), CM = Num("c_m", defaults.CM),
                EL = Num("e_l", defaults.EL), VTh = Num("v_th", defaults.VTh), VReset = Num("v_reset", defaults.VReset),
                TRef = Num("t_ref", defaults.TRef), Dt = dt,
            },
            Steps = Int("steps", 25),
            Encoding = new InputEncoding
            {
                Kind = InputEncoding.ParseKind(Str("encoding", "direct"), $"{source}: encoding"),
                MaxRateHz = Num("max_rate", 200), LatencyThreshold = Num("latency_threshold", 0.2), Dt = dt,
            },
            Surrogate = new Surrogate(Surrogate.ParseKind(Str("surrogate", "fast-sigmoid"), $"{source}: surrogate"), Num("surrogate_slope", 5)),
            Loss = Str("loss", "count") switch
            {
                "count" => LossKind.Count,
                "max-membrane" => LossKind.MaxMembrane,
                var s => throw new FormatException($"{source}: loss '{s}': expected count or max-membrane"),
            },
            Bias = Bool("bias", kind == UnitKind.Relu),
            DetachReset = !Bool("reset_gradient", false),
            Epochs = Int("epochs", 10),
            BatchSize = Int("batch", 120),
            MicroBatches = Int("micro_batches", 12),
            Replicas = Int("replicas", 1),
            LearningRate = Num("lr", kind == UnitKind.Relu ? 1e-3 : 5e-3),
            Schedule = Str("lr_schedule", "cosine") switch
            {
                "constant" => LearningRateSchedule.Constant,
                "cosine" => LearningRateSchedule.Cosine,
                "step" => LearningRateSchedule.Step,
                var s => throw new FormatException($"{source}: lr_schedule '{s}': expected constant, cosine or step"),
            },
            WeightDecay = Num("weight_decay", 0.05),
            RateWeight = Num("rate_weight", 0),
            RateTarget = Num("rate_target", 0.1),
            Validation = Int("validation", 5000),
            TrainLimit = Int("train_samples", 0),
            Seed = Get(root, source, "seed", node => (ulong?)node.GetValue<ulong>()) ?? 1UL,
            InitGain = Num("init_gain", kind == UnitKind.Relu ? 1.0 : 0.5),
            Shift = Int("shift", 0),
            Flip = Bool("flip", false),
        };
        if (kind == UnitKind.Relu) options = options with { Steps = 1, Bias = true };
        options.Validate();
        return options;
    }

    private static T? Get<T>(JsonObject root, string source, string field, Func<JsonNode, T?> read)
    {
        if (!root.TryGetPropertyValue(field, out var node) || node is null) return default;
        try
        {
            return read(node);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{source}: field '{field}': {node.ToJsonString()} is not a {Kind<T>()}"), e);
        }
    }

    private static string Kind<T>() => typeof(T) == typeof(string) ? "string" : typeof(T) == typeof(bool?) ? "boolean"
        : typeof(T) == typeof(int?) || typeof(T) == typeof(ulong?) ? "whole number" : "number";
}
