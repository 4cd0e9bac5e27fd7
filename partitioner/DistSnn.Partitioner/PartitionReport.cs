using DistSnn.Model;

namespace DistSnn.Partitioner;

/// <summary>Estimated figures of one partition of a plan.</summary>
/// <param name="Partition">Partition index.</param>
/// <param name="Capacity">Relative capacity the plan gave it.</param>
/// <param name="Neurons">Neurons (and spike sources) it owns.</param>
/// <param name="ExpectedSynapses">Expected synapses onto its neurons (synapses live with their target).</param>
/// <param name="Load">Neurons + synapse cost × expected synapses.</param>
/// <param name="EstimatedBytes">Neuron state plus synapse store, see <see cref="PartitionReport"/>.</param>
/// <param name="CutSynapses">Expected synapses onto its neurons whose source is on another partition.</param>
/// <param name="SpikesOutPerEpoch">Expected spikes it sends to other partitions per epoch.</param>
/// <param name="SpikesInPerEpoch">Expected spikes it receives from other partitions per epoch.</param>
public sealed record PartitionFigures(int Partition, double Capacity, long Neurons, double ExpectedSynapses, double Load,
    double EstimatedBytes, double CutSynapses, double SpikesOutPerEpoch, double SpikesInPerEpoch);

/// <summary>
/// What a plan costs, estimated analytically from the specification (no synapse is generated): per partition
/// neurons, expected synapses, load and memory; overall the fraction of synapses that cross partitions and the
/// spike traffic between partitions per communication epoch.
/// <para>
/// Memory: <see cref="NeuronStateBytes"/> (64) bytes per neuron for its state variables, input ring slots and
/// bookkeeping, plus per synapse 4 bytes (the target index), 4 more when weights vary and 2 more when delays vary,
/// as the engine stores them; row indices are left out.
/// </para>
/// <para>
/// Traffic: a spike travels once to each other partition that holds at least one of its source's targets. Every
/// neuron is taken to fire at the nominal rate (<see cref="DefaultRateHz"/> = 10 Hz unless given), except spike
/// sources, whose rate is known: a <c>poisson_generator</c>'s rate, a <c>spike_generator</c>'s spikes per source over
/// the run's duration. An epoch is the network's minimum delay. On the wire a spike takes
/// <see cref="BytesPerSpike"/> (4) bytes.
/// </para>
/// </summary>
public sealed record PartitionReport
{
    /// <summary>Nominal firing rate (Hz) of neurons when none is given.</summary>
    public const double DefaultRateHz = 10;
    /// <summary>Bytes of one spike on the wire.</summary>
    public const double BytesPerSpike = 4;
    /// <summary>Bytes of one neuron's state, input buffers and bookkeeping.</summary>
    public const double NeuronStateBytes = 64;

    /// <summary>Name of the network.</summary>
    public required string Model { get; init; }
    /// <summary>Strategy of the plan.</summary>
    public required PartitionStrategy Strategy { get; init; }
    /// <summary>Number of partitions.</summary>
    public required int Parts { get; init; }
    /// <summary>Per-partition figures, by partition index.</summary>
    public required IReadOnlyList<PartitionFigures> Partitions { get; init; }
    /// <summary>Total neurons.</summary>
    public required long Neurons { get; init; }
    /// <summary>Expected synapses in the whole network.</summary>
    public required double ExpectedSynapses { get; init; }
    /// <summary>Expected synapses whose source and target are on different partitions.</summary>
    public required double CutSynapses { get; init; }
    /// <summary><see cref="CutSynapses"/> / <see cref="ExpectedSynapses"/> (0 without synapses).</summary>
    public required double CutFraction { get; init; }
    /// <summary>max over partitions of load / (capacity share × total load) − 1; 0 is perfect balance.</summary>
    public required double Imbalance { get; init; }
    /// <summary>Epoch length (ms): the network's minimum delay.</summary>
    public required double EpochMs { get; init; }
    /// <summary>Nominal firing rate (Hz) used for neurons.</summary>
    public required double RateHz { get; init; }
    /// <summary>Expected spikes crossing partitions per epoch, all pairs together.</summary>
    public required double SpikesPerEpoch { get; init; }
    /// <summary><see cref="SpikesPerEpoch"/> × <see cref="BytesPerSpike"/>.</summary>
    public required double BytesPerEpoch { get; init; }
    /// <summary>Ordered partition pairs (a, b), a ≠ b, with synapses from a to b: the packets sent per epoch.</summary>
    public required int Routes { get; init; }
    /// <summary>SynapseMatrix[a][b]: expected synapses from neurons on partition a to neurons on partition b.</summary>
    public required IReadOnlyList<IReadOnlyList<double>> SynapseMatrix { get; init; }

    /// <summary>
    /// The report of <paramref name="plan"/> for <paramref name="spec"/>, a pure function of its inputs. Loads use the
    /// synapse cost the plan was made with; <paramref name="rateHz"/> is the nominal firing rate of neurons.
    /// </summary>
    public static PartitionReport Compute(NetworkSpec spec, PartitionPlan plan, double rateHz = DefaultRateHz)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(plan);
        if (!(rateHz >= 0) || double.IsInfinity(rateHz))
            throw new ArgumentOutOfRangeException(nameof(rateHz), rateHz, "rate must be a finite number >= 0");
        if (plan.Owned(0).Count != spec.Populations.Count)
            throw new ArgumentException("the plan was made for a network with a different number of populations", nameof(plan));
        var c = new Connectivity(spec, plan.Options.SynapseCost);
        var layout = new ExplicitLayout(plan, c.Sizes);
        int k = plan.Parts;
        var loads = layout.Loads(c);
        var synapses = Traffic.Matrix(c, layout, out var synapseBytes);
        double epochMs = spec.EpochSteps() * spec.Run.Dt;
        var perNeuron = spec.Populations.Select(p => SourceRate(p, spec.Run, rateHz) * epochMs / 1000).ToArray();
        var spikes = Traffic.SpikesPerEpoch(c, layout, perNeuron, out var senders);

        double total = 0, cut = 0, crossing = 0;
        int routes = 0;
        var figures = new PartitionFigures[k];
        var rows = new IReadOnlyList<double>[k];
        for (int a = 0; a < k; a++)
        {
            var row = new double[k];
            for (int b = 0; b < k; b++)
            {
                row[b] = synapses[a, b];
                total += synapses[a, b];
                if (a == b) continue;
                cut += synapses[a, b];
                crossing += spikes[a, b];
                if (senders[a, b] > 0) routes++;
            }
            rows[a] = row;
        }
        for (int q = 0; q < k; q++)
        {
            double into = 0, cutInto = 0, sent = 0, received = 0;
            for (int a = 0; a < k; a++)
            {
                into += synapses[a, q];
                if (a == q) continue;
                cutInto += synapses[a, q];
                sent += spikes[q, a];
                received += spikes[a, q];
            }
            long neurons = plan.NeuronCount(q);
            figures[q] = new PartitionFigures(q, plan.Capacities[q], neurons, into, loads[q],
                neurons * NeuronStateBytes + synapseBytes[q], cutInto, sent, received);
        }
        return new PartitionReport
        {
            Model = spec.Name,
            Strategy = plan.Strategy,
            Parts = k,
            Partitions = figures,
            Neurons = spec.TotalNeurons,
            ExpectedSynapses = total,
            CutSynapses = cut,
            CutFraction = total > 0 ? cut / total : 0,
            Imbalance = Traffic.Imbalance(loads, plan.Fractions()),
            EpochMs = epochMs,
            RateHz = rateHz,
            SpikesPerEpoch = crossing,
            BytesPerEpoch = crossing * BytesPerSpike,
            Routes = routes,
            SynapseMatrix = rows,
        };
    }

    /// <summary>Firing rate (Hz) assumed for the neurons of one population.</summary>
    private static double SourceRate(PopulationSpec p, RunSettings run, double nominal) => p.Model switch
    {
        PoissonGenerator g => g.Rate,
        SpikeGenerator g => run.Duration > 0 && p.Size > 0
            ? (g.SpikeTimes.Count == 1 ? g.SpikeTimes[0].Count : g.SpikeTimes.Sum(t => (double)t.Count) / p.Size) / (run.Duration / 1000)
            : 0,
        _ => nominal,
    };
}
