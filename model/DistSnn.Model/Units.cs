using System.Globalization;

namespace DistSnn.Model;

/// <summary>Physical dimension of a quantity. Each has one canonical unit used everywhere inside DistSnn.</summary>
public enum Dimension
{
    /// <summary>Plain number (probabilities, counts, Izhikevich a/b/d).</summary>
    Dimensionless,
    /// <summary>Canonical unit: ms.</summary>
    Time,
    /// <summary>Canonical unit: mV.</summary>
    Voltage,
    /// <summary>Canonical unit: nS.</summary>
    Conductance,
    /// <summary>Canonical unit: pF.</summary>
    Capacitance,
    /// <summary>Canonical unit: pA.</summary>
    Current,
    /// <summary>Canonical unit: Hz.</summary>
    Rate,
}

/// <summary>
/// Parses quantities written as "number unit" (e.g. <c>20 ms</c>, <c>-50 mV</c>, <c>6 nS</c>) and converts
/// them to the canonical unit of their dimension: ms, mV, nS, pF, pA, Hz.
/// </summary>
public static class Units
{
    private static readonly Dictionary<string, (Dimension Dim, double Factor)> Table = new(StringComparer.Ordinal)
    {
        ["s"] = (Dimension.Time, 1e3), ["ms"] = (Dimension.Time, 1), ["us"] = (Dimension.Time, 1e-3), ["µs"] = (Dimension.Time, 1e-3),
        ["V"] = (Dimension.Voltage, 1e3), ["mV"] = (Dimension.Voltage, 1), ["uV"] = (Dimension.Voltage, 1e-3), ["µV"] = (Dimension.Voltage, 1e-3),
        ["S"] = (Dimension.Conductance, 1e9), ["mS"] = (Dimension.Conductance, 1e6), ["uS"] = (Dimension.Conductance, 1e3),
        ["µS"] = (Dimension.Conductance, 1e3), ["nS"] = (Dimension.Conductance, 1), ["pS"] = (Dimension.Conductance, 1e-3),
        ["F"] = (Dimension.Capacitance, 1e12), ["uF"] = (Dimension.Capacitance, 1e6), ["µF"] = (Dimension.Capacitance, 1e6),
        ["nF"] = (Dimension.Capacitance, 1e3), ["pF"] = (Dimension.Capacitance, 1),
        ["A"] = (Dimension.Current, 1e12), ["mA"] = (Dimension.Current, 1e9), ["uA"] = (Dimension.Current, 1e6), ["µA"] = (Dimension.Current, 1e6),
        ["nA"] = (Dimension.Current, 1e3), ["pA"] = (Dimension.Current, 1),
        ["Hz"] = (Dimension.Rate, 1), ["kHz"] = (Dimension.Rate, 1e3),
    };

    /// <summary>The canonical unit symbol of a dimension ("" for dimensionless).</summary>
    public static string Canonical(Dimension d) => d switch
    {
        Dimension.Time => "ms",
        Dimension.Voltage => "mV",
        Dimension.Conductance => "nS",
        Dimension.Capacitance => "pF",
        Dimension.Current => "pA",
        Dimension.Rate => "Hz",
        _ => "",
    };

    /// <summary>Dimension of a unit symbol, or null when the symbol is unknown.</summary>
    public static Dimension? DimensionOf(string unit) => Table.TryGetValue(unit, out var e) ? e.Dim : null;

    /// <summary>
    /// Parses <paramref name="text"/> as a quantity of one of the <paramref name="allowed"/> dimensions and returns
    /// the value in canonical units and the dimension found. Throws <see cref="FormatException"/> with a message
    /// fit to show a user (the caller adds file and field path).
    /// </summary>
    public static (double Value, Dimension Dim) Parse(string text, params Dimension[] allowed)
    {
        var s = text.Trim();
        int split = s.Length;
        // The number ends where the unit begins: the first letter that cannot belong to a number ('e' followed by
        // a digit or sign is an exponent).
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsDigit(c) || c == '.' || c == '+' || c == '-') continue;
            if ((c == 'e' || c == 'E') && i + 1 < s.Length && (char.IsDigit(s[i + 1]) || s[i + 1] == '-' || s[i + 1] == '+') && i > 0)
                continue;
            split = i;
            break;
        }
        var numberText = s[..split].Trim();
        var unit = s[split..].Trim();
        if (numberText.Length == 0 || !double.TryParse(numberText, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            throw new FormatException($"'{text}' is not a number with a unit");
        if (!double.IsFinite(number))
            throw new FormatException($"'{text}' is not a finite number");
        if (unit.Length == 0)
        {
            if (allowed.Contains(Dimension.Dimensionless)) return (number, Dimension.Dimensionless);
            throw new FormatException($"'{text}' has no unit; expected {Describe(allowed)}");
        }
        if (!Table.TryGetValue(unit, out var entry))
            throw new FormatException($"'{text}' has unknown unit '{unit}'; expected {Describe(allowed)}");
        if (!allowed.Contains(entry.Dim))
            throw new FormatException($"'{text}' is a {entry.Dim.ToString().ToLowerInvariant()}; expected {Describe(allowed)}");
        return (number * entry.Factor, entry.Dim);
    }

    /// <summary>Parses a quantity of exactly one dimension, returning the canonical value.</summary>
    public static double Parse(string text, Dimension dim) => Parse(text, new[] { dim }).Value;

    internal static string Describe(IEnumerable<Dimension> allowed) =>
        string.Join(" or ", allowed.Select(d => d == Dimension.Dimensionless ? "a plain number" : $"a {d.ToString().ToLowerInvariant()} (e.g. in {Canonical(d)})"));

    /// <summary>Formats a canonical value with its unit, e.g. <c>0.05 ms</c>.</summary>
    public static string Format(double value, Dimension dim)
    {
        var u = Canonical(dim);
        var n = value.ToString("0.######", CultureInfo.InvariantCulture);
        return u.Length == 0 ? n : $"{n} {u}";
    }
}
