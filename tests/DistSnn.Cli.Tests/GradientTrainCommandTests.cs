using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary>
/// <c>train surrogate</c>, <c>train ann</c> and <c>train convert</c> on a few hundred real Fashion-MNIST images (the
/// data set is installed by .ci/run), and the exported model simulated by <c>run</c>.
/// </summary>
public sealed class GradientTrainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-train-grad-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public void SurrogateTrainingLearnsExportsAndTheSimulatorAgrees()
    {
        string outDir = Path.Combine(_dir, "surrogate");
        var (code, stdout, stderr) = CliProcess.Run("train", "surrogate", "--arch", "784-64-10", "--epochs", "3", "--batch", "24", "--train-samples", "900",
            "--validation", "100", "--test-samples", "200", "--replicas", "2", "--out", outDir);
        Assert.True(code == 0, stderr);
        Assert.Contains("test accuracy", stdout);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "train_summary.json")));
        double accuracy = summary.RootElement.GetProperty("test_accuracy").GetDouble();
        Assert.True(accuracy > 0.5, $"test accuracy {accuracy:P1} after 3 passes over 800 images (chance 10%)");
        foreach (var file in new[] { "model.yaml", "weights.h5", "training_curves.png", "training_curves.svg", "confusion_matrix.png" })
            Assert.True(File.Exists(Path.Combine(outDir, file)), file);
        Assert.Contains("record: {spikes: [layer2]}", File.ReadAllText(Path.Combine(outDir, "model.yaml")));

        string simDir = Path.Combine(_dir, "sim");
        (code, _, stderr) = CliProcess.Run("run", Path.Combine(outDir, "model.yaml"), "--no-plots", "--json", "--partitions", "2", "--out", simDir);
        Assert.True(code == 0, stderr);
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(simDir, "summary.json")));
        var dataset = run.RootElement.GetProperty("dataset");
        Assert.Equal(200, dataset.GetProperty("samples").GetInt32());
        // Same network, same images, each from rest: at most a few answers differ (summation order).
        Assert.InRange(dataset.GetProperty("accuracy").GetDouble(), accuracy - 0.03, accuracy + 0.03);
        Assert.Equal(201, File.ReadAllLines(Path.Combine(simDir, "predictions.csv")).Length);
    }

    [Fact]
    public void ConversionTestsTheConvertedNetworkAtEachStepCount()
    {
        string outDir = Path.Combine(_dir, "convert");
        var (code, stdout, stderr) = CliProcess.Run("train", "convert", "--arch", "784-64-10", "--epochs", "2", "--train-samples", "900",
            "--validation", "100", "--test-samples", "200", "--norm-samples", "300", "--steps", "16,64", "--out", outDir);
        Assert.True(code == 0, stderr);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "train_summary.json")));
        double ann = summary.RootElement.GetProperty("ann_test_accuracy").GetDouble();
        var converted = summary.RootElement.GetProperty("converted").EnumerateArray().Select(e => e.GetProperty("test_accuracy").GetDouble()).ToArray();
        Assert.True(ann > 0.5, $"analog accuracy {ann:P1}");
        Assert.Equal(2, converted.Length);
        Assert.True(converted[1] >= ann - 0.05, $"converted at 64 steps {converted[1]:P1}, analog {ann:P1}");
        Assert.True(File.Exists(Path.Combine(outDir, "conversion.png")));
        Assert.Contains("at 64 steps", stdout);
    }

    [Theory]
    [InlineData("--arch", "784-25x-10", "--arch '784-25x-10', layer 1 ('25x'): not a layer")]
    [InlineData("--arch", "100-10", "--arch '100-10': the input has 100 units, the images 28x28 = 784 pixels")]
    [InlineData("--replicas", "13", "--replicas: must lie in 1 … 12")]
    [InlineData("--encoding", "morse", "--encoding 'morse': expected direct, poisson or latency")]
    [InlineData("--dataset", "cifar", "--dataset 'cifar': the data sets are fashion-mnist")]
    public void BadOptionsAreNamed(string option, string value, string message)
    {
        var (code, _, stderr) = CliProcess.Run("train", "surrogate", option, value, "--epochs", "0", "--out", Path.Combine(_dir, "bad"));
        Assert.Equal(2, code);
        Assert.Contains($"error: {message}", stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "bad")));
    }

    [Fact]
    public void SettingsTheSimulatorWouldRefuseAreRefusedBeforeTraining()
    {
        var (code, _, stderr) = CliProcess.Run("train", "surrogate", "--encoding", "poisson", "--max-rate", "2000", "--out", Path.Combine(_dir, "rate"));
        Assert.Equal(2, code);
        Assert.Contains("error: --max-rate: must be positive and at most one spike per step", stderr);
        (code, _, stderr) = CliProcess.Run("train", "convert", "--test-samples", "0", "--out", Path.Combine(_dir, "convert0"));
        Assert.Equal(2, code);
        Assert.Contains("error: --test-samples: the converted network is tested", stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "rate")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "convert0")));
    }

    [Fact]
    public void AMissingDatasetFolderIsNamed()
    {
        string missing = Path.Combine(_dir, "no-such-folder");
        var (code, _, stderr) = CliProcess.Run("train", "ann", "--data", missing, "--out", Path.Combine(_dir, "x"));
        Assert.Equal(2, code);
        Assert.Contains("train-images-idx3-ubyte.gz", stderr);
        Assert.Contains(missing, stderr);
    }
}

/// <summary>A training process killed with SIGKILL and started again with --resume ends with the weights of an uninterrupted run.</summary>
public sealed class TrainingResumeProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-train-resume-").FullName;

    public void Dispose() => TestProcesses.DeleteDirectory(_dir);

    private static string[] Args(string outDir, int replicas) =>
        ["train", "surrogate", "--arch", "784-48r-10", "--epochs", "3", "--batch", "24", "--train-samples", "1500", "--validation", "100",
         "--test-samples", "100", "--replicas", replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), "--checkpoint-every", "5",
         "--resume", "--json", "--out", outDir];

    private static string Checksum(string outDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "train_summary.json")));
        return doc.RootElement.GetProperty("parameters_checksum").GetString()!;
    }

    [Fact]
    public void KilledAndResumedRunEndsWithTheUninterruptedWeights()
    {
        string whole = Path.Combine(_dir, "whole"), killed = Path.Combine(_dir, "killed");
        var (code, _, stderr) = CliProcess.Run(Args(whole, 1));
        Assert.True(code == 0, stderr);

        // Killed once a checkpoint past the first epoch exists; resumed with another number of replicas.
        var p = TestProcesses.StartCli(Args(killed, 2));
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            string checkpoint = Path.Combine(killed, "checkpoint.bin");
            while (DateTime.UtcNow < deadline && !p.HasExited && !(File.Exists(checkpoint) && new FileInfo(checkpoint).LastWriteTimeUtc > DateTime.UtcNow.AddSeconds(-60) && StepOf(checkpoint) > 70))
                Thread.Sleep(20);
            Assert.False(p.HasExited, "the run ended before it could be killed");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        finally { TestProcesses.Stop(p); }
        Assert.False(File.Exists(Path.Combine(killed, "train_summary.json")));

        (code, _, stderr) = CliProcess.Run(Args(killed, 3));
        Assert.True(code == 0, stderr);
        Assert.Contains("resuming from", stderr);
        Assert.Equal(Checksum(whole), Checksum(killed));
    }

    /// <summary>The optimizer step a checkpoint was taken at (after the magic and the settings), or 0 while it is being replaced.</summary>
    private static long StepOf(string path)
    {
        try
        {
            using var r = new BinaryReader(File.Open(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            r.ReadString();
            r.ReadString();
            return r.ReadInt64();
        }
        catch (IOException) { return 0; }
    }
}

/// <summary>Gradient training records its loss, accuracy and samples on the OpenTelemetry instruments.</summary>
public sealed class GradientTrainTelemetryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("distsnn-train-otel-").FullName;

    public void Dispose() => TestProcesses.DeleteDirectory(_dir);

    [Fact]
    public void TrainingRecordsLossAccuracyAndSamples()
    {
        var seen = new Dictionary<string, List<double>>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DistSnn.Monitoring.Telemetry.Name && instrument.Name.StartsWith("distsnn.train.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        void Record(string name, double value)
        {
            lock (seen) (seen.TryGetValue(name, out var list) ? list : seen[name] = []).Add(value);
        }
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => Record(i.Name, v));
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => Record(i.Name, v));
        listener.Start();
        var options = new DistSnn.Learning.Gradient.GradientTrainingOptions
        {
            Architecture = DistSnn.Learning.Gradient.Architecture.Parse("784-32-10"), Epochs = 1, BatchSize = 50, TrainLimit = 600, Validation = 100,
        };
        int code = GradientTrainCommand.Execute(options, null, new DirectoryInfo(Path.Combine(_dir, "out")), 100, json: true, "train surrogate", CancellationToken.None);
        Assert.Equal(0, code);
        lock (seen)
        {
            Assert.Equal(500, seen["distsnn.train.samples"].Sum());
            Assert.Equal(10, seen["distsnn.train.loss"].Count);
            Assert.All(seen["distsnn.train.loss"], l => Assert.True(l > 0 && double.IsFinite(l)));
            Assert.All(seen["distsnn.train.accuracy"], a => Assert.InRange(a, 0, 1));
        }
    }
}
