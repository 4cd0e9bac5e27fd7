using DistSnn.Learning.Gradient;

namespace DistSnn.Learning.Tests.Gradient;

public sealed class TrainingSpecTests
{
    [Fact]
    public void EverySettingReadsBackBitForBit()
    {
        var options = new GradientTrainingOptions
        {
            Architecture = Architecture.Parse("1x28x28-16c5s2p2-a2-32r-10"),
            Neuron = new NeuronSpec { Kind = UnitKind.IfSubtract, TauM = 1.0 / 3, TauSyn = 7.1, CM = 0.1, EL = -65, VTh = -50.000001, VReset = -70, TRef = 2, Dt = 0.25 },
            Steps = 17,
            Encoding = new InputEncoding { Kind = EncodingKind.Latency, MaxRateHz = 123.4, LatencyThreshold = 0.3, Dt = 0.25 },
            Surrogate = new Surrogate(SurrogateKind.Arctan, 2.5),
            Loss = LossKind.MaxMembrane,
            Bias = true,
            DetachReset = false,
            Epochs = 3,
            BatchSize = 77,
            MicroBatches = 7,
            Replicas = 5,
            LearningRate = 3e-4,
            Schedule = LearningRateSchedule.Step,
            WeightDecay = 0.1 + 0.2,
            RateWeight = 0.01,
            RateTarget = 0.05,
            Validation = 123,
            TrainLimit = 9999,
            Seed = ulong.MaxValue,
            InitGain = 0.7,
            Shift = 3,
            Flip = true,
        };
        var back = TrainingSpec.FromJson(TrainingSpec.ToJson(options), "spec");
        Assert.Equal(TrainingCheckpoint.Fingerprint(options), TrainingCheckpoint.Fingerprint(back));
        Assert.Equal(options.Replicas, back.Replicas);
        Assert.Equal(options.Neuron, back.Neuron);
        Assert.Equal(options.Encoding, back.Encoding);
        Assert.Equal((3, true), (back.Shift, back.Flip));

        var analog = TrainingSpec.FromJson(TrainingSpec.ToJson(options with { Architecture = Architecture.Parse("784-32-10"), Neuron = new NeuronSpec { Kind = UnitKind.Relu }, Steps = 1 }), "spec");
        Assert.Equal(UnitKind.Relu, analog.Neuron.Kind);
        Assert.True(analog.Bias);
    }

    [Fact]
    public void AugmentationAndStartingWeightsEnterTheFingerprintOnlyWhenUsed()
    {
        var plain = new GradientTrainingOptions { Architecture = Architecture.Parse("784-32-10") };
        string fingerprint = TrainingCheckpoint.Fingerprint(plain);
        Assert.EndsWith("}", fingerprint);
        Assert.DoesNotContain("Shift", fingerprint);
        Assert.DoesNotContain("shift", TrainingSpec.ToJson(plain));
        Assert.NotEqual(fingerprint, TrainingCheckpoint.Fingerprint(plain with { Shift = 1 }));
        Assert.NotEqual(fingerprint, TrainingCheckpoint.Fingerprint(plain with { Flip = true }));
        Assert.NotEqual(TrainingCheckpoint.Fingerprint(plain with { InitialWeights = "0123456789abcdef" }),
            TrainingCheckpoint.Fingerprint(plain with { InitialWeights = "fedcba9876543210" }));
    }

    [Fact]
    public void LeftOutFieldsTakeTheCommandsDefaults()
    {
        var o = TrainingSpec.FromJson("""{"arch": "784-256-10"}""", "spec");
        Assert.Equal(UnitKind.LifExpCurrent, o.Neuron.Kind);
        Assert.Equal((25, 10, 120, 12, 5e-3, 0.05, 5000, 1UL, 0.5), (o.Steps, o.Epochs, o.BatchSize, o.MicroBatches, o.LearningRate, o.WeightDecay, o.Validation, o.Seed, o.InitGain));
    }

    [Theory]
    [InlineData("[1, 2]", "job.json: expected a JSON object of training settings")]
    [InlineData("{\"arch\": \"784-10\"", "job.json: not JSON")]
    [InlineData("{\"epochs\": 3}", "job.json: field 'arch' is missing")]
    [InlineData("{\"arch\": \"784-10\", \"epoch\": 3}", "job.json: unknown field 'epoch'")]
    [InlineData("{\"arch\": \"784-10\", \"epochs\": \"three\"}", "job.json: field 'epochs': \"three\" is not a whole number")]
    [InlineData("{\"arch\": \"784-10\", \"epochs\": 2.5}", "job.json: field 'epochs': 2.5 is not a whole number")]
    [InlineData("{\"arch\": \"784-10\", \"bias\": 1}", "job.json: field 'bias': 1 is not a boolean")]
    [InlineData("{\"arch\": \"784-10\", \"neuron\": \"hh\"}", "job.json: neuron 'hh': expected lif_delta, lif_exp_current or if_subtract")]
    [InlineData("{\"arch\": \"784-10\", \"lr_schedule\": \"linear\"}", "job.json: lr_schedule 'linear': expected constant, cosine or step")]
    [InlineData("{\"arch\": \"784-10\", \"batch\": 0}", "--batch: must be at least 1, got 0")]
    public void BadSpecsAreRefusedNamingTheField(string json, string message)
    {
        var e = Assert.ThrowsAny<Exception>(() => TrainingSpec.FromJson(json, "job.json"));
        Assert.True(e is FormatException or ArgumentException, e.GetType().Name);
        Assert.Contains(message, e.Message);
    }
}
