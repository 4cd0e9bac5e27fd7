namespace DistSnn.Cli.Tests;

/// <summary><c>distsnn train stdp</c> refuses bad settings before loading any data, naming the option.</summary>
public class TrainCommandTests
{
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
                     "--rate-norm", "--weight-norm", "--weight-scale", "--anneal-from", "--anneal-to" })
            Assert.Contains(option, stdout);
        Assert.Contains("[default: 30]", stdout);
        Assert.Contains("[default: 0.02]", stdout);
        Assert.Contains("[default: 10000]", stdout);
        Assert.Contains("--readout", stdout);
        Assert.Contains("[default: proportion]", stdout);
    }

    [Theory]
    [InlineData("--weight-norm", "l3", "euclidean")]
    [InlineData("--readout", "vote", "mean-count")]
    public void An_unknown_choice_is_refused_with_the_choices(string option, string value, string choice)
    {
        var (code, _, stderr) = CliProcess.Run("train", "stdp", option, value, "--data", "/nonexistent-fashion-mnist-folder");

        Assert.NotEqual(0, code);
        Assert.Contains(value, stderr);
        Assert.Contains(choice, stderr);
    }
}
