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
/// <param name="Model">The target population's model.</param>
/// <param name="Receptor">The projection's receptor.</param>
public sealed record NestWeights(NeuronModel Model, Receptor Receptor)
{
    /// <summary>Whether the model has separate excitatory and inhibitory inputs, so that NEST's sign convention applies.</summary>
    public bool TwoPorts => PartitionEngine.PortOf(Model, Receptor.Inh) != PartitionEngine.PortOf(Model, Receptor.Exc);

    /// <summary>Whether the model's synapses are conductances (weights &gt;= 0 in DistSnn, the receptor chosen by the projection).</summary>
    public bool Conductance => Model.WeightDimensions.Contains(Dimension.Conductance);

    /// <summary>The unit NEST gives weights onto the model in.</summary>
    public Dimension Unit => Conductance ? Dimension.Conductance
        : TwoPorts && Model.WeightDimensions.Contains(Dimension.Current) ? Dimension.Current
        : Model.WeightDimensions[0];

    /// <summary>The factor by which the engine takes a weight given in <see cref="Unit"/> to the model's input variable.</summary>
    public double ImportScale => PartitionEngine.WeightScale(Model, Unit);

    /// <summary>
    /// The NEST weight of a synapse whose input-unit weight in the engine is <paramref name="engine"/>; false (with the
    /// reason) when NEST's sign convention cannot say it: a negative weight onto an excitatory input (NEST would take it
    /// as inhibitory), a positive current weight onto an inhibitory input, or a negative conductance.
    /// </summary>
    public bool TryToNest(float engine, out double nest, out string why)
    {
        nest = double.NaN;
        why = "";
        if (!TwoPorts)
        {
            nest = Unscale(engine, ImportScale);
            return true;
        }
        if (Conductance)
        {
            if (engine < 0)
            {
                why = "a negative conductance";
                return false;
            }
            // NEST takes a negative conductance weight as the inhibitory input with its magnitude.
            nest = Receptor == Receptor.Inh ? -Widen(engine) : Widen(engine);
            return true;
        }
        if (Receptor == Receptor.Exc && engine < 0)
        {
            why = "a negative weight onto the excitatory input, which NEST's convention takes as inhibitory";
            return false;
        }
        if (Receptor == Receptor.Inh && engine > 0)
        {
            why = "a positive weight onto the inhibitory input, which NEST's convention takes as excitatory";
            return false;
        }
        nest = Unscale(engine, ImportScale);
        return true;
    }

    /// <summary>
    /// The double with the fewest significant digits whose product with <paramref name="scale"/> rounds to the float
    /// <paramref name="value"/>: the engine's 1.62f mV is written as 20.25 pA (at 250 pF and 20 ms), its 0.1f mV as 0.1 mV,
    /// not as the float's exact binary value 0.10000000149011612, which a reader would take for another weight.
    /// value / scale itself always qualifies (its product's error is far below half a float step), so there is one.
    /// </summary>
    public static double Unscale(float value, double scale)
    {
        if (scale == 1.0) return Widen(value);
        double x0 = value / scale;
        for (int digits = 1; digits <= 17; digits++)
        {
            double x = double.Parse(x0.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if ((float)(x * scale) == value) return x;
        }
        for (int i = 0; i < 64 && (float)(x0 * scale) != value; i++)
            x0 = (float)(x0 * scale) < value ? Math.BitIncrement(x0) : Math.BitDecrement(x0);
        if ((float)(x0 * scale) != value)
            throw new InvalidOperationException($"no weight x with (float)(x * {scale}) == {value}");
        return x0;
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
