using System.Text.Json;
using PureHDF;

namespace DistSnn.Cli.Tests;

/// <summary>
/// <c>distsnn train stdp</c> refuses bad settings before loading any data, naming the option; a saved network is
/// evaluated again from its weights.h5.
/// </summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-train-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("--inhibition", "-1", "--inhibition: must be a finite weight >= 0 nS, got -1")]
    [InlineData("--nu-post", "-0.5", "--nu-post: must be a finite rate >= 0, got -0.5")]
    [InlineData("--nu-pre", "NaN", "--nu-pre: must be a finite rate >= 0, got NaN")]
    [InlineData("--label-samples", "-3", "--label-samples: must be 0 or more, got -3")]
    [InlineData("--total-rate", "-100", "--total-rate: must be a finite number of Hz >= 0, got -100")]
    [InlineData("--theta-plus", "-0.1", "--theta-plus: must be a finite step >= 0 mV, got -0.1")]
    [InlineData("--rate-norm", "-551", "--rate-norm: must be a finite number of Hz >= 0, got -551")]
    [InlineData("--weight-scale", "0", "--weight-scale: must be a finite weight > 0 nS, got 0")]
    [InlineData("--anneal-from", "1.5", "--anneal-from: must be a fraction of the pass from 0 to 1, got 1.5")]
    [InlineData("--anneal-to", "-1", "--anneal-to: must be a finite multiple >= 0, got -1")]
    [InlineData("--eval-rate-scale", "0", "--eval-rate-scale: must be a multiple > 0 and at most 100, got 0")]
    [InlineData("--eval-rate-scale", "101", "--eval-rate-scale: must be a multiple > 0 and at most 100, got 101")]
    [InlineData("--eval-presentations", "0", "--eval-presentations: must be 1 to 16, got 0")]
    [InlineData("--eval-presentations", "17", "--eval-presentations: must be 1 to 16, got 17")]
    [InlineData("--train-rate-scale", "-2", "--train-rate-scale: must be a multiple > 0 and at most 100, got -2")]
    [InlineData("--train-rate-scale", "200", "--train-rate-scale: must be a multiple > 0 and at most 100, got 200")]
    [InlineData("--init-weights", "images", "--init-weights: images imprints the first 10 training images (one per neuron); --train-samples must be more than that, got 5")]
    public void A_bad_setting_is_refused_with_its_name(string option, string value, string message)
    {
        var (code, _, stderr) = CliProcess.Run("train", "stdp", "--neurons", "10", "--train-samples", "5", option, value,
            "--data", "/nonexistent-fashion-mnist-folder");

        Assert.Equal(2, code);
        Assert.Contains($"error: {message}", stderr);
    }

    [Fact]
    public void The_help_lists_the_learning_settings_with_their_defaults()
    {
        var (code, stdout, _) = CliProcess.Run("train", "stdp", "--help");

        Assert.Equal(0, code);
        foreach (var option in new[] { "--inhibition", "--nu-post", "--nu-pre", "--label-samples", "--max-rate", "--total-rate", "--theta-plus",
                     "--rate-norm", "--weight-norm", "--weight-scale", "--anneal-from", "--anneal-to", "--eval-rate-scale", "--eval-presentations", "--save-responses", "--train-rate-scale", "--init-weights", "--pairing", "--weights" })
            Assert.Contains(option, stdout);
        Assert.Contains("[default: 30]", stdout);
        Assert.Contains("[default: 0.02]", stdout);
        Assert.Contains("[default: 10000]", stdout);
        Assert.Contains("--readout", stdout);
        Assert.Contains("[default: proportion]", stdout);
        Assert.Contains("[default: random]", stdout);
    }

    [Theory]
    [InlineData("--weight-norm", "l3", "euclidean")]
    [InlineData("--readout", "vote", "mean-count")]
    [InlineData("--init-weights", "zeros", "images")]
    [InlineData("--pairing", "triplet", "all-to-all")]
    public void An_unknown_choice_is_refused_with_the_choices(string option, string value, string choice)
    {
        var (code, _, stderr) = CliProcess.Run("train", "stdp", option, value, "--data", "/nonexistent-fashion-mnist-folder");

        Assert.NotEqual(0, code);
        Assert.Contains(value, stderr);
        Assert.Contains(choice, stderr);
    }

    [Fact]
    public void Train_readout_recomputes_every_readout_of_a_saved_responses_file_as_the_run_reported_it()
    {
        string run = Path.Combine(_dir, "linear");
        var (code, stdout, stderr) = CliProcess.Run("train", "stdp", "--neurons", "10", "--train-samples", "40", "--label-samples", "30",
            "--test-samples", "20", "--report-every", "20", "--readout", "linear", "--save-responses", "-o", run, "--json");
        Assert.True(code == 0, stderr);
        var trained = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("linear", trained.GetProperty("readout").GetString());
        var byReadout = trained.GetProperty("test_accuracy_by_readout");
        Assert.Equal(["linear", "mean-count", "profile", "proportion"], byReadout.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(byReadout.GetProperty("linear").GetDouble(), trained.GetProperty("test_accuracy").GetDouble());

        string responses = Path.Combine(run, "responses.h5");
        (code, stdout, stderr) = CliProcess.Run("train", "readout", responses, "--json");
        Assert.True(code == 0, stderr);
        var read = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal((10, 30, 20), (read.GetProperty("neurons").GetInt32(), read.GetProperty("label_samples").GetInt32(), read.GetProperty("test_samples").GetInt32()));
        foreach (var readout in byReadout.EnumerateObject())
            Assert.Equal(readout.Value.GetDouble(), read.GetProperty("test_accuracy_by_readout").GetProperty(readout.Name).GetDouble());
        Assert.Contains(read.GetProperty("linear_regularization").GetDouble(), new[] { 1e-2, 3e-3, 1e-3, 3e-4, 1e-4 });
        (code, stdout, stderr) = CliProcess.Run("train", "readout", responses, "--readout", "profile");
        Assert.True(code == 0, stderr);
        Assert.Contains("test accuracy (linear)", stdout);
        Assert.Contains("confusion matrix (profile):", stdout);

        // Refusals name the file and what is wrong; the readout needs frozen labelling counts.
        string weights = Path.Combine(run, "weights.h5");
        (code, _, stderr) = CliProcess.Run("train", "readout", weights);
        Assert.Equal(2, code);
        Assert.Contains($"error: {Path.GetFullPath(weights)}: no /label_counts dataset (not a responses.h5 of distsnn train stdp --save-responses)", stderr);
        string missing = Path.Combine(run, "missing.h5");
        (code, _, stderr) = CliProcess.Run("train", "readout", missing);
        Assert.Equal(2, code);
        Assert.Contains($"error: {Path.GetFullPath(missing)}: not a readable HDF5 file", stderr);
        (code, _, stderr) = CliProcess.Run("train", "stdp", "--readout", "linear", "--label-samples", "10", "-o", Path.Combine(_dir, "refused"));
        Assert.Equal(2, code);
        Assert.Contains("error: --readout: linear is fitted on the frozen network's labelling counts and needs --label-samples of at least 20, got 10", stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "refused")));
    }

    [Fact]
    public void A_saved_network_is_labelled_and_tested_again_from_its_weights_file()
    {
        string first = Path.Combine(_dir, "first"), again = Path.Combine(_dir, "again");
        var (code, stdout, stderr) = CliProcess.Run("train", "stdp", "--neurons", "10", "--train-samples", "20", "--label-samples", "10",
            "--test-samples", "10", "--report-every", "10", "-o", first, "--json");
        Assert.True(code == 0, stderr);
        var trained = JsonDocument.Parse(stdout).RootElement;
        string weights = Path.Combine(first, "weights.h5");

        // N comes from the file; nothing is trained, so the checksum is the trained one's.
        (code, stdout, stderr) = CliProcess.Run("train", "stdp", "--weights", weights, "--train-samples", "0", "--label-samples", "10",
            "--test-samples", "10", "--eval-rate-scale", "2", "--eval-presentations", "2", "--save-responses", "-o", again, "--json");
        Assert.True(code == 0, stderr);
        var evaluated = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(10, evaluated.GetProperty("neurons").GetInt32());
        Assert.Equal(0, evaluated.GetProperty("train_samples").GetInt32());
        Assert.Equal(trained.GetProperty("weights_checksum").GetString(), evaluated.GetProperty("weights_checksum").GetString());
        Assert.Equal(2, evaluated.GetProperty("eval_rate_scale").GetDouble());
        Assert.Equal(1, evaluated.GetProperty("train_rate_scale").GetDouble());
        Assert.Equal(2, evaluated.GetProperty("eval_presentations").GetInt32());
        Assert.Equal(1, trained.GetProperty("eval_presentations").GetInt32());
        Assert.Equal(Path.GetFullPath(weights), evaluated.GetProperty("started_from").GetString());
        Assert.Equal("random", trained.GetProperty("initial_weights").GetString());
        Assert.Equal("file", evaluated.GetProperty("initial_weights").GetString());
        Assert.Equal("nearest", trained.GetProperty("pairing").GetString());
        Assert.True(File.Exists(Path.Combine(again, "weights.h5")));
        // --save-responses: the counts of the 10 labelling and 10 test images, summed over both presentations.
        Assert.False(File.Exists(Path.Combine(first, "responses.h5")));
        using (var responses = H5File.OpenRead(Path.Combine(again, "responses.h5")))
        {
            var labelCounts = responses.Dataset("label_counts").Read<int[,]>();
            var testCounts = responses.Dataset("test_counts").Read<int[,]>();
            Assert.Equal((10, 10), (labelCounts.GetLength(0), labelCounts.GetLength(1)));
            Assert.Equal((10, 10), (testCounts.GetLength(0), testCounts.GetLength(1)));
            Assert.Contains(testCounts.Cast<int>(), c => c > 0);
            Assert.Equal(10, responses.Dataset("label_classes").Read<byte[]>().Length);
            Assert.Equal(10, responses.Dataset("test_classes").Read<byte[]>().Length);
        }

        (code, _, stderr) = CliProcess.Run("train", "stdp", "--eval-rate-scale", "4", "--label-samples", "0", "-o", again);
        Assert.Equal(2, code);
        Assert.Contains("error: --eval-rate-scale: needs --label-samples > 0", stderr);
        // Ten labelling images are too few for the linear readout: train readout says so of that file.
        (code, _, stderr) = CliProcess.Run("train", "readout", Path.Combine(again, "responses.h5"));
        Assert.Equal(2, code);
        Assert.Contains("/label_counts holds 10 images; the readouts need at least 20", stderr);
        (code, _, stderr) = CliProcess.Run("train", "stdp", "--eval-presentations", "3", "--label-samples", "0", "-o", again);
        Assert.Equal(2, code);
        Assert.Contains("error: --eval-presentations: needs --label-samples > 0", stderr);
        (code, _, stderr) = CliProcess.Run("train", "stdp", "--train-samples", "0", "-o", again);
        Assert.Equal(2, code);
        Assert.Contains("error: --train-samples: 0 needs --weights, a trained network to label and test", stderr);
        // Refusals name the file and what is wrong with it, and leave the saved network as it was.
        byte[] saved = File.ReadAllBytes(weights);
        (code, _, stderr) = CliProcess.Run("train", "stdp", "--weights", weights, "--neurons", "7", "--train-samples", "0", "--label-samples", "10", "-o", again);
        Assert.Equal(2, code);
        Assert.Contains($"error: --weights: {Path.GetFullPath(weights)} holds 10 neurons, --neurons says 7", stderr);
        (code, _, stderr) = CliProcess.Run("train", "stdp", "--weights", weights, "--train-samples", "5", "--label-samples", "5", "--test-samples", "5", "-o", first);
        Assert.Equal(2, code);
        Assert.Contains("would be overwritten by this run's weights", stderr);
        (code, _, stderr) = CliProcess.Run("train", "stdp", "--weights", weights, "--init-weights", "images", "--train-samples", "20", "-o", again);
        Assert.Equal(2, code);
        Assert.Contains("error: --init-weights: images cannot be combined with --weights", stderr);
        Assert.Equal(saved, File.ReadAllBytes(weights));
        string notHdf5 = Path.Combine(_dir, "notes.h5");
        File.WriteAllText(notHdf5, "not a network");
        (code, _, stderr) = CliProcess.Run("train", "stdp", "--weights", notHdf5, "--train-samples", "0", "-o", again);
        Assert.Equal(2, code);
        Assert.Contains($"error: --weights: {notHdf5}: not a readable HDF5 file", stderr);
        string spikes = Path.Combine(_dir, "spikes");
        Assert.Equal(0, CliProcess.Run("run", "examples/brunel.yaml", "--scale", "0.05", "--duration", "20 ms", "-o", spikes, "--json").ExitCode);
        (code, _, stderr) = CliProcess.Run("train", "stdp", "--weights", Path.Combine(spikes, "spikes.h5"), "--train-samples", "0", "-o", again);
        Assert.Equal(2, code);
        Assert.Contains("no /weights dataset (not a weights.h5 of distsnn train stdp)", stderr);
    }

    public static TheoryData<string, string> MalformedFiles => new()
    {
        { "shape", "/weights is [10, 3]; expected [784, neurons] for images of 784 pixels" },
        { "theta", "/theta is [2]; expected [3], one per neuron of /weights" },
        { "negative", "/weights[5, 1] is -0.5; weights are finite conductances >= 0 nS" },
        { "nan-theta", "/theta[2] is NaN; thresholds are finite and >= 0 mV" },
        { "group", "/weights is not a dataset" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void A_malformed_weights_file_is_refused_naming_the_dataset(string kind, string message)
    {
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, kind + ".h5");
        var weights = new float[kind == "shape" ? 10 : 784, 3];
        var theta = new float[kind == "theta" ? 2 : 3];
        if (kind == "negative") weights[5, 1] = -0.5f;
        if (kind == "nan-theta") theta[2] = float.NaN;
        var file = kind == "group"
            ? new H5File { ["weights"] = new H5Group { ["inner"] = theta }, ["theta"] = theta }
            : new H5File { ["weights"] = weights, ["theta"] = theta };
        file.Write(path);

        var (code, _, stderr) = CliProcess.Run("train", "stdp", "--weights", path, "--train-samples", "0", "-o", Path.Combine(_dir, "out"));

        Assert.Equal(2, code);
        Assert.Contains($"error: --weights: {path}: {message}", stderr);
    }
}
