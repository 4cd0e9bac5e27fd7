using System.Globalization;

namespace DistSnn.Model;

/// <summary>
/// A value that is either a constant or drawn per element (neuron or synapse) from a distribution. Values are in
/// the canonical unit of <see cref="Dim"/>. Drawing happens in the engine with counter-based random numbers keyed
/// by global ids, so the draw for one element never depends on partitioning.
/// </summary>
public abstract record ValueSpec(Dimension Dim)
{
    /// <summary>Smallest value this spec can produce (used e.g. for the network's minimum delay).</summary>
    public abstract double Lower { get; }

    /// <summary>Largest value this spec can produce.</summary>
    public abstract double Upper { get; }

    /// <summary>A constant, as in <c>1.5 ms</c>.</summary>
    public static ValueSpec Of(double value, Dimension dim) => new ConstantValue(value, dim);

    /// <summary>
    /// Parses <c>20 ms</c>, <c>uniform(0 mV, 20 mV)</c> or <c>normal(-65 mV, 5 mV)</c>. Throws
    /// <see cref="FormatException"/> with a user-facing message.
    /// </summary>
    public static ValueSpec Parse(string text, params Dimension[] allowed)
    {
        var s = text.Trim();
        int open = s.IndexOf('(');
        if (open < 0)
        {
            var (v, d) = Units.Parse(s, allowed);
            return new ConstantValue(v, d);
        }
        if (!s.EndsWith(')'))
            throw new FormatException($"'{text}' is missing a closing ')'");
        var fn = s[..open].Trim();
        var args = s[(open + 1)..^1].Split(',');
        if (args.Length != 2)
            throw new FormatException($"'{text}': {fn}(...) takes exactly two arguments");
        var (a, da) = Units.Parse(args[0], allowed);
        var (b, db) = Units.Parse(args[1], allowed);
        if (da != db)
            throw new FormatException($"'{text}': both arguments must have the same dimension");
        switch (fn)
        {
            case "uniform":
                if (!(a < b)) throw new FormatException($"'{text}': uniform(a, b) needs a < b");
                return new UniformValue(a, b, da);
            case "normal":
                if (!(b >= 0)) throw new FormatException($"'{text}': normal(mu, sigma) needs sigma >= 0");
                return new NormalValue(a, b, da);
            default:
                throw new FormatException($"'{text}': unknown distribution '{fn}' (known: uniform, normal)");
        }
    }
}

/// <summary>The same value for every element.</summary>
public sealed record ConstantValue(double Value, Dimension Dim) : ValueSpec(Dim)
{
    /// <inheritdoc />
    public override double Lower => Value;
    /// <inheritdoc />
    public override double Upper => Value;
    /// <inheritdoc />
    public override string ToString() => Units.Format(Value, Dim);
}

/// <summary>Uniform on [Low, High).</summary>
public sealed record UniformValue(double Low, double High, Dimension Dim) : ValueSpec(Dim)
{
    /// <inheritdoc />
    public override double Lower => Low;
    /// <inheritdoc />
    public override double Upper => High;
    /// <inheritdoc />
    public override string ToString() => $"uniform({Units.Format(Low, Dim)}, {Units.Format(High, Dim)})";
}

/// <summary>Normal with mean Mu and standard deviation Sigma (unbounded; delays are redrawn below dt).</summary>
public sealed record NormalValue(double Mu, double Sigma, Dimension Dim) : ValueSpec(Dim)
{
    /// <inheritdoc />
    public override double Lower => Sigma == 0 ? Mu : double.NegativeInfinity;
    /// <inheritdoc />
    public override double Upper => Sigma == 0 ? Mu : double.PositiveInfinity;
    /// <inheritdoc />
    public override string ToString() =>
        $"normal({Units.Format(Mu, Dim)}, {Units.Format(Sigma, Dim)})".ToString(CultureInfo.InvariantCulture);
}
