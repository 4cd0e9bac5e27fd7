using DistSnn.Learning.Datasets;

namespace DistSnn.Learning.Gradient;

/// <summary>What a replica computed for one micro-batch: the summed gradient of its samples, their loss, hits and layer rates.</summary>
public sealed record MicroBatchOutcome(int MicroBatch, float[] Gradient, double Loss, int Correct, double[] Rates);

/// <summary>
/// What a replica computed for one node of the reduction tree: the node's sum, and per micro-batch under it (in
/// order) the loss, hits and layer rates.
/// </summary>
public sealed record SubtreeOutcome(Subtree Node, float[] Gradient, double[] Loss, int[] Correct, double[][] Rates);

/// <summary>
/// A data-parallel replica without state of its own: given the weights of a step, the step's minibatch and a
/// micro-batch number, it computes that micro-batch's gradient exactly as <see cref="GradientTrainer.Step"/> does on
/// a thread (same samples, same order, same encoding stream), so whoever computes a micro-batch delivers the same
/// numbers. One thread; a replica on a cluster node is one of these.
/// </summary>
public sealed class GradientReplica
{
    private readonly GradientTrainingOptions _options;
    private readonly LabeledImages _train;
    private readonly GradientTrainer.Worker _worker;

    /// <summary>A replica of the network <paramref name="options"/> describe, reading samples from <paramref name="train"/>.</summary>
    public GradientReplica(GradientTrainingOptions options, LabeledImages train)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        options.Validate();
        if (train.Rows * train.Columns != options.Architecture.Input.Size)
            throw new ArgumentException($"--arch '{options.Architecture.Text}': the input has {options.Architecture.Input.Size} units, the images {train.Rows}x{train.Columns}");
        _options = options;
        _train = train;
        Network = GradientTrainer.BuildNetwork(options);
        _worker = new GradientTrainer.Worker(Network);
    }

    /// <summary>The network.</summary>
    public Network<float> Network { get; }

    /// <summary>
    /// The gradient of micro-batch <paramref name="microBatch"/> of <paramref name="batch"/> (dataset indices in batch
    /// order, encoding stream <paramref name="epoch"/>) at <paramref name="parameters"/>.
    /// </summary>
    public MicroBatchOutcome Compute(float[] parameters, int[] batch, ulong epoch, int microBatch)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(batch);
        if (parameters.Length != Network.ParameterCount)
            throw new ArgumentException($"{parameters.Length} parameters sent, the network has {Network.ParameterCount}", nameof(parameters));
        foreach (int index in batch)
            if (index < 0 || index >= _train.Count) throw new ArgumentOutOfRangeException(nameof(batch), $"sample {index} is not in the {_train.Count} training samples");
        var (start, length) = MicroBatches.Range(batch.Length, _options.MicroBatches, microBatch);
        var grad = new float[Network.ParameterCount];
        var (loss, correct, rates) = _worker.Gradient(_options, _train, parameters, batch.AsSpan(start, length), epoch, grad);
        return new MicroBatchOutcome(microBatch, grad, loss, correct, rates);
    }

    /// <summary>
    /// The micro-batches <paramref name="microBatches"/> of a step, as the sums of the largest tree nodes they fill
    /// (<see cref="MicroBatches.Subtrees"/>), each added up by the tree's own additions.
    /// </summary>
    public IEnumerable<SubtreeOutcome> ComputeSubtrees(float[] parameters, int[] batch, ulong epoch, IReadOnlyList<int> microBatches)
    {
        int count = _options.MicroBatches;
        foreach (var node in MicroBatches.Subtrees(count, microBatches))
        {
            int length = node.End(count) - node.Start;
            var loss = new double[length];
            var correct = new int[length];
            var rates = new double[length][];
            var sum = MicroBatches.Sum<float>(count, node, _ => null, m =>
            {
                var outcome = Compute(parameters, batch, epoch, m);
                (loss[m - node.Start], correct[m - node.Start], rates[m - node.Start]) = (outcome.Loss, outcome.Correct, outcome.Rates);
                return outcome.Gradient;
            });
            yield return new SubtreeOutcome(node, sum, loss, correct, rates);
        }
    }
}
