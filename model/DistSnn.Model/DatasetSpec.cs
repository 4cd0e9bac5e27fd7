using DistSnn.Model.Datasets;

namespace DistSnn.Model;

/// <summary>How a presented sample's pixels drive the input population.</summary>
public enum SampleEncoding
{
    /// <summary>Each pixel's intensity (0 … 1) is delivered every step of the presentation as an analog input: the weight times the intensity.</summary>
    Direct,
    /// <summary>Each pixel fires as a Poisson process at intensity × <see cref="DatasetSpec.MaxRateHz"/>.</summary>
    Poisson,
    /// <summary>Each pixel at or above <see cref="DatasetSpec.LatencyThreshold"/> fires once, brighter ones earlier.</summary>
    Latency,
}

/// <summary>
/// A data set presented to the network: sample k is shown from step k·(present + rest) for <see cref="Present"/>
/// through the population <see cref="Input"/> (model <c>dataset_input</c>, one neuron per pixel), then nothing for
/// <see cref="Rest"/>; the spike counts of <see cref="Readout"/> during the presentation are the network's answer,
/// the neuron with the most spikes its class (the lowest index on a tie). The run lasts exactly the presentations.
/// </summary>
public sealed record DatasetSpec
{
    /// <summary>The images (IDX), full path.</summary>
    public required string ImagesFile { get; init; }
    /// <summary>The labels (IDX), full path.</summary>
    public required string LabelsFile { get; init; }
    /// <summary>The images read.</summary>
    public required IdxImages Images { get; init; }
    /// <summary>The labels read.</summary>
    public required byte[] Labels { get; init; }
    /// <summary>Samples presented: the first this many of the file.</summary>
    public required int Samples { get; init; }
    /// <summary>The input population.</summary>
    public required string Input { get; init; }
    /// <summary>The population whose spike counts are the answer.</summary>
    public required string Readout { get; init; }
    /// <summary>The encoding.</summary>
    public SampleEncoding Encoding { get; init; } = SampleEncoding.Direct;
    /// <summary>Poisson rate of a white pixel (Hz).</summary>
    public double MaxRateHz { get; init; } = DefaultMaxRateHz;
    /// <summary>Latency: the darkest pixel that still fires (0 … 1).</summary>
    public double LatencyThreshold { get; init; } = DefaultLatencyThreshold;
    /// <summary>Presentation of one sample (ms).</summary>
    public double Present { get; init; } = DefaultPresent;
    /// <summary>Pause after each presentation (ms).</summary>
    public double Rest { get; init; } = DefaultRest;

    /// <summary>Defaults of the file's keys.</summary>
    public const double DefaultMaxRateHz = 200, DefaultLatencyThreshold = 0.2, DefaultPresent = 25, DefaultRest = 50;

    /// <summary>
    /// Whether every neuron returns to its initial state, and pending input is dropped, at the start of every sample
    /// (as a trainer that runs each sample from rest does); without it the network runs on through the rest.
    /// </summary>
    public bool Reset { get; init; }

    /// <summary>Presentation steps on <paramref name="grid"/>.</summary>
    public long PresentSteps(TimeGrid grid) => grid.Steps(Present);
    /// <summary>Steps from one sample's start to the next.</summary>
    public long PeriodSteps(TimeGrid grid) => grid.Steps(Present) + grid.Steps(Rest);
    /// <summary>Pixels per sample.</summary>
    public int Pixels => Images.Rows * Images.Columns;
    /// <summary>The encoding's name in files.</summary>
    public string EncodingName => Encoding.ToString().ToLowerInvariant();
}

/// <summary>
/// The input population of a <see cref="DatasetSpec"/>: one source per pixel, driven by the presented sample in the
/// way the data set's encoding says. No parameters.
/// </summary>
public sealed record DatasetInput : NeuronModel
{
    /// <inheritdoc />
    public override string Kind => "dataset_input";
    /// <inheritdoc />
    public override bool IsSource => true;
    /// <inheritdoc />
    public override IReadOnlyList<ParameterField> Parameters => [];
    /// <inheritdoc />
    public override IReadOnlyList<(string, Dimension)> StateVariables => [];
    /// <inheritdoc />
    public override IReadOnlyList<Dimension> WeightDimensions => [];
}
