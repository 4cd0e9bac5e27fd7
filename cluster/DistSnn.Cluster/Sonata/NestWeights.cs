using System.Globalization;
using DistSnn.Model;
using DistSnn.Nodes;

namespace DistSnn.Cluster.Sonata;

/// <summary>
/// How a projection's weights are written in NEST's convention, which a SONATA point-neuron network follows: the
/// weight is in the unit NEST gives for the target model (mV for <c>iaf_psc_delta</c> and <c>izhikevich</c>, pA for
/// current-based synapses, nS for conductance-based ones), and for models with an excitatory and an inhibitory input
/// its sign picks the input (w &gt;= 0 excitatory, w &lt; 0 inhibitory). The value written is chosen so that the importer,
/// taking it in <see cref="Unit"/> and converting it as the engine converts a weight of that unit
/// (<see cref="PartitionEngine.WeightScale"/>), gets back exactly the float the engine holds for the synapse.
/// </summary>
public sealed record NestWeights
{
    /// <summary>The convention for weights of projections onto <paramref name="model"/> through <paramref name="receptor"/>.</summary>
    public NestWeights(NeuronModel model, Receptor receptor)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Receptor = receptor;
        TwoPorts = PartitionEngine.PortOf(model, Receptor.Inh) != PartitionEngine.PortOf(model, Receptor.Exc);
        Conductance = model.WeightDimensions.Contains(Dimension.Conductance);
        Unit = Conductance ? Dimension.Conductance
            : TwoPorts && model.WeightDimensions.Contains(Dimension.Current) ? Dimension.Current
            : model.WeightDimensions[0];
        ImportScale = PartitionEngine.WeightScale(model, Unit);
    }

    /// <summary>The target population's model.</summary>
    public NeuronModel Model { get; }

    /// <summary>The projection's receptor.</summary>
    public Receptor Receptor { get; }

    /// <summary>Whether the model has separate excitatory and inhibitory inputs, so that NEST's sign convention applies.</summary>
    public bool TwoPorts { get; }

    /// <summary>Whether the model's synapses are conductances (weights &gt;= 0 in DistSnn, the receptor chosen by the projection).</summary>
    public bool Conductance { get; }

    /// <summary>The unit NEST gives weights onto the model in.</summary>
    public Dimension Unit { get; }

    /// <summary>The factor by which the engine takes a weight given in <see cref="Unit"/> to the model's input variable.</summary>
    public double ImportScale { get; }

    /// <summary>
    /// Why NEST's sign convention cannot say the engine weight <paramref name="engine"/> (the target's input unit), or
    /// null when it can: a negative weight onto an excitatory input (NEST would take it as inhibitory), a positive current
    /// weight onto an inhibitory input, or a negative conductance.
    /// </summary>
    public string? Refusal(float engine) =>
        !TwoPorts ? null
        : Conductance ? (engine < 0 ? "a negative conductance" : null)
        : Receptor == Receptor.Exc && engine < 0 ? "a negative weight onto the excitatory input, which NEST's convention takes as inhibitory"
        : Receptor == Receptor.Inh && engine > 0 ? "a positive weight onto the inhibitory input, which NEST's convention takes as excitatory"
        : null;

    /// <summary>
    /// The NEST weight of a synapse whose engine weight is <paramref name="engine"/>; false (with the reason, see
    /// <see cref="Refusal"/>) when NEST's convention cannot say it.
    /// </summary>
    public bool TryToNest(float engine, out double nest, out string why)
    {
        why = Refusal(engine) ?? "";
        // NEST takes a negative conductance weight as the inhibitory input with its magnitude.
        nest = why.Length > 0 ? double.NaN
            : Conductance ? (Receptor == Receptor.Inh ? -Widen(engine) : Widen(engine))
            : Unscale(engine, ImportScale);
        return why.Length == 0;
    }

    /// <summary>
    /// A double with few significant digits whose product with <paramref name="scale"/> rounds to the float
    /// <paramref name="value"/>: the engine's 1.62f mV is written as 20.25 pA (at 250 pF and 20 ms), its 0.1f mV as 0.1 mV,
    /// not as the float's exact binary value 0.10000000149011612, which a reader would take for another weight. The
    /// number of digits is found by bisection on value / scale rounded in decimal (a string search costs ten times as
    /// much, which counts at a billion synapses); value / scale itself always qualifies (its product's error is far
    /// below half a float step).
    /// </summary>
    public static double Unscale(float value, double scale)
    {
        if (scale == 1.0) return Widen(value);
        double x0 = value / scale;
        if ((float)(x0 * scale) != value)
            throw new InvalidOperationException($"no weight x with (float)(x * {scale}) == {value}");
        if (x0 == 0 || !(Math.Abs(x0) is > 1e-20 and < 1e20)) return x0;
        decimal exact = (decimal)x0; // 15 significant digits, more than a float needs
        int exponent = (int)Math.Floor(Math.Log10(Math.Abs(x0)));
        double Rounded(int digits)
        {
            int decimals = digits - 1 - exponent;
            if (decimals >= 0) return (double)Math.Round(exact, Math.Min(decimals, 28), MidpointRounding.ToEven);
            decimal unit = 1;
            for (int i = 0; i < -decimals; i++) unit *= 10;
            return (double)(Math.Round(exact / unit, MidpointRounding.ToEven) * unit);
        }
        int lo = 1, hi = 15;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if ((float)(Rounded(mid) * scale) == value) hi = mid;
            else lo = mid + 1;
        }
        double x = Rounded(hi);
        return (float)(x * scale) == value ? x : x0;
    }

    /// <summary>
    /// The float as the double of its shortest decimal form (0.1f as 0.1), which converts back to the same float; the
    /// float's exact value where that would not hold.
    /// </summary>
    public static double Widen(float value)
    {
        double x = double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (float)x == value || float.IsNaN(value) ? x : value;
    }

    /// <summary>
    /// A double x with <c>x * scale == value</c> exactly, or null when none lies within a few steps of value / scale
    /// (a double product cannot reach every double).
    /// </summary>
    public static double? UnscaleExact(double value, double scale)
    {
        if (scale == 1.0) return value;
        double x0 = value / scale;
        if (x0 * scale == value) return x0;
        double up = x0, down = x0;
        for (int i = 0; i < 16; i++)
        {
            up = Math.BitIncrement(up);
            down = Math.BitDecrement(down);
            if (up * scale == value) return up;
            if (down * scale == value) return down;
        }
        return null;
    }
}
