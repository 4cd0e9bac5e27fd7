using DistSnn.Model;
using DistSnn.Nodes.Random;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// <c>poisson_generator</c> sources: in each step whose start time lies in [start, stop), source i spikes with
/// probability 1 - exp(-rate dt), decided by a counter-based uniform keyed by (seed, gid, step) — so a source
/// produces the same train on any partition. At most one spike per step.
/// </summary>
public sealed class PoissonSourceGroup : NeuronGroup
{
    private readonly long[] _gids;
    private readonly ulong _key;
    private readonly double _p;
    private readonly long _firstStep, _endStep;
    private readonly double _dt;
    // Per-source spike probabilities once rates are set by the run (e.g. an image's pixels); null = the model's rate.
    private double[]? _pi;

    /// <summary>Builds the group for the sources with global ids <paramref name="gids"/>.</summary>
    public PoissonSourceGroup(PoissonGenerator p, long[] gids, double dt, ulong seed) : base(gids.Length, 0, 1)
    {
        _gids = gids;
        _dt = dt;
        _key = CounterRng.StreamKey(seed, RngPurpose.PoissonSource, 0);
        _p = -FastMath.ExpM1(-p.Rate * dt * 1e-3);
        var grid = new TimeGrid(dt);
        _firstStep = grid.StepsAtOrAfter(p.Start);
        _endStep = double.IsPositiveInfinity(p.Stop) ? long.MaxValue : grid.StepsAtOrAfter(p.Stop);
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables { get; } = [];

    /// <inheritdoc />
    public override float[] State(string name) => throw UnknownVariable(name);

    /// <inheritdoc />
    /// <summary>
    /// Sets each source's rate (Hz), by local index; the draws stay keyed by global id and step, so the spikes do not
    /// depend on the partitioning. The model's start and stop still apply.
    /// </summary>
    public void SetRates(ReadOnlySpan<double> ratesHz)
    {
        if (ratesHz.Length != _gids.Length) throw new ArgumentException($"{ratesHz.Length} rates for {_gids.Length} sources", nameof(ratesHz));
        _pi ??= new double[_gids.Length];
        for (int i = 0; i < _pi.Length; i++)
        {
            if (!(ratesHz[i] >= 0) || !double.IsFinite(ratesHz[i])) throw new ArgumentOutOfRangeException(nameof(ratesHz), $"rate {ratesHz[i]} Hz of source {i}");
            _pi[i] = -FastMath.ExpM1(-ratesHz[i] * _dt * 1e-3);
        }
    }

    /// <inheritdoc />
    public override void VisitState(Checkpoints.StateVisitor visitor)
    {
        base.VisitState(visitor);
        visitor.Optional("rates", ref _pi, _gids.Length);
    }

    /// <inheritdoc />
    public override int Update(long step)
    {
        if (step < _firstStep || step >= _endStep) return 0;
        if (_pi is { } pi)
        {
            int n = 0;
            for (int i = 0; i < _gids.Length; i++)
                if (pi[i] > 0 && CounterRng.Uniform(_key, (ulong)_gids[i], (ulong)step) < pi[i])
                    Spiked[n++] = i;
            return n;
        }
        if (_p <= 0) return 0;
        int spiked = 0;
        for (int i = 0; i < _gids.Length; i++)
            if (CounterRng.Uniform(_key, (ulong)_gids[i], (ulong)step) < _p)
                Spiked[spiked++] = i;
        return spiked;
    }
}

/// <summary>
/// <c>spike_generator</c> sources: replays given spike times, each rounded to the nearest step stamp (a spike
/// stamped s is emitted by the update of step s - 1). Several times that round to one step give one spike.
/// </summary>
public sealed class SpikeGeneratorGroup : NeuronGroup
{
    private readonly long[] _stamps;
    private readonly int[] _locals;
    private int _next;

    /// <summary>
    /// Builds the group; <paramref name="populationIndices"/> are the population-local indices of the sources
    /// this group holds, in group order.
    /// </summary>
    public SpikeGeneratorGroup(SpikeGenerator p, int[] populationIndices, double dt) : base(populationIndices.Length, 0, 1)
    {
        var events = new List<(long Stamp, int Local)>();
        for (int i = 0; i < populationIndices.Length; i++)
        {
            var times = p.TimesOf(populationIndices[i]);
            long last = -1;
            var grid = new TimeGrid(dt);
            foreach (var stamp in times.Select(grid.Steps).Order())
            {
                if (stamp < 1) throw new ArgumentException($"spike time {stamp * dt} ms is before the first step ({dt} ms)");
                if (stamp != last) events.Add((stamp, i));
                last = stamp;
            }
        }
        events.Sort();
        _stamps = events.Select(e => e.Stamp).ToArray();
        _locals = events.Select(e => e.Local).ToArray();
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables { get; } = [];

    /// <inheritdoc />
    public override float[] State(string name) => throw UnknownVariable(name);

    /// <inheritdoc />
    public override void VisitState(Checkpoints.StateVisitor visitor)
    {
        base.VisitState(visitor);
        visitor.Value("next", ref _next);
    }

    /// <inheritdoc />
    public override int Update(long step)
    {
        long stamp = step + 1;
        while (_next < _stamps.Length && _stamps[_next] < stamp) _next++;
        int spiked = 0;
        while (_next < _stamps.Length && _stamps[_next] == stamp)
            Spiked[spiked++] = _locals[_next++];
        return spiked;
    }
}

/// <summary>
/// The input population of a data set (<c>dataset_input</c>): neuron i is pixel i of the sample presented, firing as
/// the encoding says during the presentation and silent in the rest. With the direct encoding it emits nothing: the
/// partitions that hold its targets deliver the pixels' analog values themselves (see <see cref="PartitionEngine"/>).
/// </summary>
public sealed class DatasetInputGroup : NeuronGroup
{
    private readonly DatasetSpec _data;
    private readonly int[] _pixels;
    private readonly long _present, _period;
    private readonly double _dt;
    private readonly ulong _key;

    /// <summary>The sources of the pixels <paramref name="pixels"/> (population indices, ascending).</summary>
    public DatasetInputGroup(DatasetSpec data, int[] pixels, TimeGrid grid, ulong seed) : base(pixels.Length, 0, 1)
    {
        _data = data;
        _pixels = pixels;
        _present = data.PresentSteps(grid);
        _period = data.PeriodSteps(grid);
        _dt = grid.Dt;
        _key = SampleEncoder.PoissonKey(seed, SampleEncoder.EvaluationStream);
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables { get; } = [];

    /// <inheritdoc />
    public override float[] State(string name) => throw UnknownVariable(name);

    /// <inheritdoc />
    public override int Update(long step)
    {
        if (_data.Encoding == SampleEncoding.Direct) return 0;
        long sample = step / _period, phase = step % _period;
        if (sample >= _data.Samples || phase >= _present) return 0;
        var image = _data.Images.Image((int)sample);
        int spiked = 0;
        for (int k = 0; k < _pixels.Length; k++)
        {
            byte pixel = image[_pixels[k]];
            bool fire = _data.Encoding == SampleEncoding.Poisson
                ? SampleEncoder.PoissonSpike(_key, sample, image.Length, _pixels[k], phase, SampleEncoder.PoissonProbability(pixel, _data.MaxRateHz, _dt))
                : SampleEncoder.LatencyStep(SampleEncoder.Intensity(pixel), _data.LatencyThreshold, (int)_present) == phase;
            if (fire) Spiked[spiked++] = k;
        }
        return spiked;
    }
}
