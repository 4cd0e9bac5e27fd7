using DistSnn.Model;
using DistSnn.Partitioner;

namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// The left shift of each population's ring buffers, per synapse type, chosen as sPyNNaker 5's
/// <c>_get_ring_buffer_to_input_left_shifts</c> does: from the largest summed input a ring slot is expected to hold.
/// Per synapse type, over the projections and <c>poisson_inputs</c> onto the population: λ = in-degree × rate × h
/// events per tick (rate <see cref="SpiNNakerParameters.RingBufferRateHz"/> for neurons, the input's own rate for
/// Poisson drives and Poisson sources), mean Σ λ E[w], variance Σ λ E[w²]; the bound is mean + σ × sd
/// (<see cref="SpiNNakerParameters.RingBufferSigma"/>), and never below the largest single weight. The shift is the
/// smallest s ≥ 0 with 2^s above the bound; a weight w is stored as round(|w| × 2^(15 − s)) (so a 16-bit word covers up
/// to 2^(s+1) with resolution 2^(s−15)). Weights are in the ring's unit: mV for <c>lif_delta</c>, nA for
/// <c>lif_exp_current</c>.
/// </summary>
public sealed class RingShifts
{
    private readonly int[,] _shifts;

    private RingShifts(int[,] shifts) => _shifts = shifts;

    /// <summary>The shift of population <paramref name="population"/>'s ring of synapse type <paramref name="type"/> (0 exc, 1 inh).</summary>
    public int Shift(int population, int type) => _shifts[population, type];

    /// <summary>The shifts of every population of <paramref name="spec"/> hosted by the machine (others are 0).</summary>
    public static RingShifts Of(NetworkSpec spec, IReadOnlyCollection<int> hosted, SpiNNakerParameters p)
    {
        int pops = spec.Populations.Count;
        var shifts = new int[pops, 2];
        double h = spec.Run.Dt / 1000.0;
        foreach (int post in hosted)
        {
            var model = spec.Populations[post].Model;
            if (model.IsSource) continue;
            var mean = new double[2];
            var square = new double[2];
            var largest = new double[2];
            int size = spec.Populations[post].Size;
            for (int j = 0; j < spec.Projections.Count; j++)
            {
                var proj = spec.Projections[j];
                if (spec.PopulationIndex(proj.Target) != post) continue;
                int pre = spec.PopulationIndex(proj.Source);
                var source = spec.Populations[pre];
                double indegree = ExpectedSynapses.Between(spec, j, [0, source.Size], [0, size])[0, 0] / size;
                double rate = source.Model is PoissonGenerator g ? g.Rate : p.RingBufferRateHz;
                Accumulate(type: proj.Receptor == Receptor.Exc ? 0 : 1, indegree * rate * h, proj.Weight, RingUnit(model, proj.Weight.Dim));
            }
            foreach (var input in spec.PoissonInputs)
                if (spec.PopulationIndex(input.Target) == post)
                    Accumulate(input.Receptor == Receptor.Exc ? 0 : 1, input.Sources * input.Rate * h, input.Weight, RingUnit(model, input.Weight.Dim));
            for (int type = 0; type < 2; type++)
            {
                double bound = Math.Max(mean[type] + p.RingBufferSigma * Math.Sqrt(square[type]), largest[type]);
                int s = 0;
                while (s < 30 && Math.Pow(2, s) <= bound) s++;
                shifts[post, type] = s;
            }

            void Accumulate(int type, double lambda, ValueSpec weight, double unit)
            {
                var (m, sd, max) = Moments(weight);
                mean[type] += lambda * m * unit;
                square[type] += lambda * (m * m + sd * sd) * unit * unit;
                largest[type] = Math.Max(largest[type], max * unit);
            }
        }
        return new RingShifts(shifts);
    }

    /// <summary>Factor from a weight's file unit to the ring's unit: mV for lif_delta, nA for lif_exp_current.</summary>
    public static double RingUnit(NeuronModel model, Dimension weightDim) => model switch
    {
        LifExpCurrent m when weightDim == Dimension.Current => 1e-3, // pA to nA
        LifExpCurrent m => 1 / FixedLifGroup.Resistance(m.TauM, m.CM), // mV-scaled current to nA
        _ => 1,
    };

    /// <summary>Mean and standard deviation of |w|, and the largest |w| a draw can take (normal: mean + 5 sd).</summary>
    private static (double Mean, double Sd, double Max) Moments(ValueSpec w) => w switch
    {
        ConstantValue c => (Math.Abs(c.Value), 0, Math.Abs(c.Value)),
        UniformValue u => (Math.Abs((u.Low + u.High) / 2), (u.High - u.Low) / Math.Sqrt(12), Math.Max(Math.Abs(u.Low), Math.Abs(u.High))),
        NormalValue n => (Math.Abs(n.Mu), n.Sigma, Math.Abs(n.Mu) + 5 * n.Sigma),
        _ => (Math.Max(Math.Abs(w.Lower), Math.Abs(w.Upper)), 0, Math.Max(Math.Abs(w.Lower), Math.Abs(w.Upper))),
    };

    /// <summary>
    /// A weight magnitude (in the ring's unit) as the 16-bit word for <paramref name="shift"/>: round(|w| × 2^(15 − shift)),
    /// to nearest; words above 65535 are clipped (<paramref name="clipped"/> is set).
    /// </summary>
    public static int Word(double magnitude, int shift, out bool clipped)
    {
        double scaled = Math.Round(Math.Abs(magnitude) * Math.Pow(2, 15 - shift), MidpointRounding.AwayFromZero);
        clipped = scaled > ushort.MaxValue;
        return clipped ? ushort.MaxValue : (int)scaled;
    }
}
