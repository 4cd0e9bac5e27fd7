using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// A training run's state after an optimizer step: parameters, Adam's moments and step count, the place in the run
/// (epoch, minibatch), the current epoch's running sums and the reports of the epochs done. Everything else a run
/// does follows from the settings and the seed, so a run resumed from a checkpoint ends with the weights of an
/// uninterrupted run, whatever the number of replicas. Written to a temporary file and renamed over the last one, so
/// a run killed while writing leaves the previous checkpoint intact.
/// </summary>
public static class TrainingCheckpoint
{
    private const string Magic = "DSNNTRN1";
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Epoch reports as JSON (a validation accuracy not measured is written as "NaN").</summary>
    public static string ReportsToJson(IReadOnlyList<EpochReport> reports) => JsonSerializer.Serialize(reports, Json);

    /// <summary>Epoch reports read back from <see cref="ReportsToJson"/>; throws <see cref="JsonException"/> on other text.</summary>
    public static List<EpochReport> ReportsFromJson(string json) => JsonSerializer.Deserialize<List<EpochReport>>(json, Json) ?? [];

    /// <summary>The settings a checkpoint must have been taken under (all but the number of replicas).</summary>
    public static string Fingerprint(GradientTrainingOptions o) => JsonSerializer.Serialize(new
    {
        arch = o.Architecture.Text, neuron = o.Neuron.ModelName, o.Neuron.Dt, o.Neuron.TauM, o.Neuron.TauSyn, o.Neuron.CM, o.Neuron.EL,
        o.Neuron.VTh, o.Neuron.VReset, o.Neuron.TRef, surrogate = o.Surrogate.Name, o.Surrogate.Beta, loss = o.Loss.ToString(), o.Bias,
        o.DetachReset, o.Steps, encoding = o.Encoding.Name, o.Encoding.MaxRateHz, o.Encoding.LatencyThreshold,
        o.Epochs, o.BatchSize, o.MicroBatches, o.LearningRate, schedule = o.Schedule.ToString(), o.WeightDecay, o.RateWeight, o.RateTarget,
        o.Validation, o.TrainLimit, o.Seed, o.InitGain,
    }) + Later(o);

    /// <summary>
    /// Augmentation and given starting weights: in the fingerprint only when used, so that the fingerprint of a run
    /// without them is the one its checkpoints were written with before these settings existed.
    /// </summary>
    private static string Later(GradientTrainingOptions o) =>
        o.Shift == 0 && !o.Flip && o.InitialWeights is null ? "" : JsonSerializer.Serialize(new { o.Shift, o.Flip, o.InitialWeights });

    /// <summary>Writes the trainer's state and <paramref name="reports"/> to <paramref name="path"/>.</summary>
    public static void Save(string path, GradientTrainer trainer, IReadOnlyList<EpochReport> reports)
    {
        string tmp = path + ".tmp";
        using (var file = File.Create(tmp))
        using (var w = new BinaryWriter(file, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Fingerprint(trainer.Options));
            w.Write(trainer.Optimizer.StepCount);
            w.Write(trainer.Epoch);
            w.Write(trainer.BatchInEpoch);
            w.Write(trainer.Parameters.Length);
            foreach (float p in trainer.Parameters) w.Write(p);
            foreach (double m in trainer.Optimizer.M) w.Write(m);
            foreach (double v in trainer.Optimizer.V) w.Write(v);
            var t = trainer.Totals;
            w.Write(t.LossSum);
            w.Write(t.Correct);
            w.Write(t.Seen);
            w.Write(t.Seconds);
            w.Write(t.Rates.Length);
            foreach (double r in t.Rates) w.Write(r);
            w.Write(ReportsToJson(reports));
            w.Flush();
            // On disk before it replaces the last checkpoint: a crash leaves one or the other, whole.
            file.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// Restores <paramref name="trainer"/> from <paramref name="path"/> and returns the epoch reports saved with it.
    /// Throws <see cref="InvalidDataException"/> naming the file when it is no checkpoint or was taken under other settings.
    /// </summary>
    public static List<EpochReport> Load(string path, GradientTrainer trainer)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(path), System.Text.Encoding.UTF8);
            if (r.ReadString() != Magic) throw new InvalidDataException($"{path}: not a training checkpoint");
            string fingerprint = r.ReadString();
            if (fingerprint != Fingerprint(trainer.Options))
                throw new InvalidDataException($"{path}: taken under other settings ({fingerprint}); resume with the settings of the run that wrote it");
            long steps = r.ReadInt64();
            int epoch = r.ReadInt32(), batch = r.ReadInt32(), n = r.ReadInt32();
            if (steps < 0 || epoch < 0 || batch < 0 || n != trainer.Parameters.Length) throw new InvalidDataException($"{path}: {n} parameters, the network has {trainer.Parameters.Length}");
            var p = new float[n];
            var m = new double[n];
            var v = new double[n];
            for (int i = 0; i < n; i++) p[i] = r.ReadSingle();
            for (int i = 0; i < n; i++) m[i] = r.ReadDouble();
            for (int i = 0; i < n; i++) v[i] = r.ReadDouble();
            double lossSum = r.ReadDouble(), correct = r.ReadDouble();
            int seen = r.ReadInt32();
            double seconds = r.ReadDouble();
            int layers = r.ReadInt32();
            if (layers != trainer.Network.Stages.Count) throw new InvalidDataException($"{path}: rates of {layers} layers, the network has {trainer.Network.Stages.Count}");
            var totals = new EpochTotals(layers) { LossSum = lossSum, Correct = correct, Seen = seen, Seconds = seconds };
            for (int l = 0; l < layers; l++) totals.Rates[l] = r.ReadDouble();
            var reports = ReportsFromJson(r.ReadString());
            trainer.Restore(p, m, v, steps, epoch, batch, totals);
            return reports;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or JsonException or ArgumentException or FormatException
                                   or OverflowException or UnauthorizedAccessException or OutOfMemoryException)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{path}: cannot read the training checkpoint: {e.Message}"), e);
        }
    }
}
