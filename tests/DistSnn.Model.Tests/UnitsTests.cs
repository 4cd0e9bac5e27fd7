using DistSnn.Model;

namespace DistSnn.Model.Tests;

public class UnitsTests
{
    [Theory]
    [InlineData("20 ms", Dimension.Time, 20)]
    [InlineData("1.5 s", Dimension.Time, 1500)]
    [InlineData("250 us", Dimension.Time, 0.25)]
    [InlineData("250 µs", Dimension.Time, 0.25)]
    [InlineData("-65 mV", Dimension.Voltage, -65)]
    [InlineData("0.02 V", Dimension.Voltage, 20)]
    [InlineData("500 uV", Dimension.Voltage, 0.5)]
    [InlineData("6 nS", Dimension.Conductance, 6)]
    [InlineData("10 uS", Dimension.Conductance, 10_000)]
    [InlineData("1 mS", Dimension.Conductance, 1e6)]
    [InlineData("250 pS", Dimension.Conductance, 0.25)]
    [InlineData("250 pF", Dimension.Capacitance, 250)]
    [InlineData("0.2 nF", Dimension.Capacitance, 200)]
    [InlineData("1 uF", Dimension.Capacitance, 1e6)]
    [InlineData("100 pA", Dimension.Current, 100)]
    [InlineData("0.5 nA", Dimension.Current, 500)]
    [InlineData("2 uA", Dimension.Current, 2e6)]
    [InlineData("20 Hz", Dimension.Rate, 20)]
    [InlineData("1.5 kHz", Dimension.Rate, 1500)]
    [InlineData("0.02", Dimension.Dimensionless, 0.02)]
    public void Parses_each_dimension_and_prefix(string text, Dimension dim, double expected)
    {
        var (value, found) = Units.Parse(text, [dim]);
        Assert.Equal(dim, found);
        Assert.Equal(expected, value, 9);
    }

    [Theory]
    [InlineData("1e3 ms", 1000)]
    [InlineData("1.5e-3 s", 1.5)]
    [InlineData("2E+1 ms", 20)]
    [InlineData("  3ms  ", 3)]
    [InlineData("+4 ms", 4)]
    public void Parses_exponents_and_spacing(string text, double expected)
    {
        Assert.Equal(expected, Units.Parse(text, Dimension.Time), 12);
    }

    [Theory]
    [InlineData("20", Dimension.Time, "'20' has no unit; expected a time (e.g. in ms)")]
    [InlineData("20 mV", Dimension.Time, "'20 mV' is a voltage; expected a time (e.g. in ms)")]
    [InlineData("20 xs", Dimension.Time, "unknown unit 'xs'")]
    [InlineData("20 MS", Dimension.Time, "unknown unit 'MS'")]
    [InlineData("ms", Dimension.Time, "is not a number with a unit")]
    [InlineData("abc", Dimension.Voltage, "is not a number with a unit")]
    [InlineData("1e400 ms", Dimension.Time, "is not a finite number")]
    [InlineData("5 Hz", Dimension.Conductance, "expected a conductance (e.g. in nS)")]
    [InlineData("5 ms", Dimension.Dimensionless, "expected a plain number")]
    public void Rejects_wrong_or_missing_units(string text, Dimension dim, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => Units.Parse(text, dim));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void Accepts_any_of_several_dimensions()
    {
        Assert.Equal((100.0, Dimension.Current), Units.Parse("100 pA", Dimension.Voltage, Dimension.Current));
        Assert.Equal((1.0, Dimension.Voltage), Units.Parse("1 mV", Dimension.Voltage, Dimension.Current));
        var e = Assert.Throws<FormatException>(() => Units.Parse("1 nS", Dimension.Voltage, Dimension.Current));
        Assert.Contains("a voltage (e.g. in mV) or a current (e.g. in pA)", e.Message);
    }

    [Fact]
    public void Formats_canonical_values()
    {
        Assert.Equal("0.05 ms", Units.Format(0.05, Dimension.Time));
        Assert.Equal("-0.5 mV", Units.Format(-0.5, Dimension.Voltage));
        Assert.Equal("3", Units.Format(3, Dimension.Dimensionless));
        Assert.Equal(Dimension.Rate, Units.DimensionOf("kHz"));
        Assert.Null(Units.DimensionOf("furlong"));
    }
}

public class ValueSpecTests
{
    [Fact]
    public void Parses_constants()
    {
        Assert.Equal(new ConstantValue(1.5, Dimension.Time), ValueSpec.Parse("1.5 ms", Dimension.Time));
        Assert.Equal(new ConstantValue(-0.5, Dimension.Voltage), ValueSpec.Parse(" -0.5 mV ", Dimension.Voltage));
        Assert.Equal(ValueSpec.Of(2, Dimension.Conductance), ValueSpec.Parse("2 nS", Dimension.Conductance));
    }

    [Fact]
    public void Parses_distributions_with_bounds()
    {
        var u = Assert.IsType<UniformValue>(ValueSpec.Parse("uniform(0 mV, 20 mV)", Dimension.Voltage));
        Assert.Equal((0.0, 20.0, Dimension.Voltage), (u.Low, u.High, u.Dim));
        Assert.Equal((0.0, 20.0), (u.Lower, u.Upper));
        Assert.Equal("uniform(0 mV, 20 mV)", u.ToString());

        var n = Assert.IsType<NormalValue>(ValueSpec.Parse("normal(200 nS, 120 nS)", Dimension.Conductance));
        Assert.Equal((200.0, 120.0), (n.Mu, n.Sigma));
        Assert.Equal(double.NegativeInfinity, n.Lower);

        var narrow = Assert.IsType<NormalValue>(ValueSpec.Parse("normal(1 ms, 0 ms)", Dimension.Time));
        Assert.Equal(1.0, narrow.Lower);

        var converted = Assert.IsType<UniformValue>(ValueSpec.Parse("uniform(1 nA, 2 nA)", Dimension.Current));
        Assert.Equal((1000.0, 2000.0), (converted.Low, converted.High));
    }

    [Theory]
    [InlineData("uniform(20 mV, 0 mV)", "needs a < b")]
    [InlineData("normal(1 mV, -1 mV)", "needs sigma >= 0")]
    [InlineData("uniform(0 mV, 1 ms)", "is a time; expected a voltage")]
    [InlineData("gamma(1 mV, 2 mV)", "unknown distribution 'gamma'")]
    [InlineData("uniform(0 mV)", "takes exactly two arguments")]
    [InlineData("uniform(0 mV, 1 mV", "missing a closing ')'")]
    [InlineData("uniform(0, 1)", "has no unit")]
    public void Rejects_bad_distributions(string text, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => ValueSpec.Parse(text, Dimension.Voltage));
        Assert.Contains(fragment, e.Message);
    }
}
