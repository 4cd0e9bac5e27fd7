using DistSnn.Hardware.Memristive;

namespace DistSnn.Hardware.Tests.Memristive;

/// <summary>Each non-ideality of the device model alone: what it changes, by how much, and that it changes nothing else.</summary>
public sealed class DeviceModelTests
{
    private static readonly DeviceParameters Clean = DeviceParameters.Presets[DeviceParameters.IdealPhysical];
    private const int Devices = 40_000;

    private static double[] Programmed(DeviceParameters p, double f, bool drifted = false, int projection = 3)
    {
        var m = new DeviceModel(p, 11);
        ulong stream = m.Stream(projection, 1);
        return Enumerable.Range(0, Devices).Select(i => drifted ? m.Program(f, stream, (ulong)i).Gt : m.Program(f, stream, (ulong)i).G0).ToArray();
    }

    private static (double Mean, double Sd) Stats(IEnumerable<double> xs)
    {
        var a = xs.ToArray();
        double mean = a.Average();
        return (mean, Math.Sqrt(a.Sum(x => (x - mean) * (x - mean)) / (a.Length - 1)));
    }

    [Fact]
    public void Without_non_idealities_a_device_holds_its_exact_conductance()
    {
        Assert.False(Clean.AnyNonIdeality);
        foreach (double f in new[] { 0, 0.1234567, 0.5, 1 })
            Assert.All(Programmed(Clean, f).Take(100), g => Assert.Equal(Clean.GMinUs + f * Clean.RangeUs, g, 12));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(32)]
    [InlineData(256)]
    public void Levels_quantise_to_the_nearest_level_and_nothing_else(int levels)
    {
        var p = Clean with { Levels = levels };
        var m = new DeviceModel(p, 1);
        double step = p.RangeUs / (levels - 1);
        for (int k = 0; k <= 1000; k++)
        {
            double f = k / 1000.0;
            double g = m.Program(f, m.Stream(0, 1), (ulong)k).G0;
            double level = (g - p.GMinUs) / step;
            Assert.Equal(Math.Round(level), level, 9); // on a level
            Assert.True(Math.Abs(g - (p.GMinUs + f * p.RangeUs)) <= step / 2 + 1e-12, $"f={f}: {g} is not the nearest level"); // the nearest
        }
        // Every device with the same target lands on the same level: no draws involved.
        Assert.Single(Programmed(p, 0.37).Distinct());
    }

    [Fact]
    public void The_adc_clips_at_full_scale_and_rounds_to_its_step()
    {
        var p = Clean with { AdcBits = 5, AdcFullScaleRows = 2 };
        var m = new DeviceModel(p, 1);
        double full = 2 * p.RangeUs, step = full / 15; // 5 bits: 15 steps each side of 0
        long clips = 0;
        Assert.Equal(step * 4, m.Convert(step * 4.4, ref clips), 12);
        Assert.Equal(step * 5, m.Convert(step * 4.6, ref clips), 12);
        Assert.Equal(-step * 3, m.Convert(-step * 3.2, ref clips), 12);
        Assert.Equal(0, clips);
        Assert.Equal(full, m.Convert(full * 1.7, ref clips), 12);
        Assert.Equal(-full, m.Convert(-full * 3, ref clips), 12);
        Assert.Equal(2, clips);
        // An exact ADC passes everything through.
        var exact = new DeviceModel(Clean, 1);
        Assert.Equal(123.456, exact.Convert(123.456, ref clips));
        Assert.Equal(2, clips);
    }

    [Theory]
    [InlineData(0.0175, 0.0904)]
    [InlineData(0.1, 0)]
    [InlineData(0, 0.3)]
    public void Stuck_at_fractions_hit_within_binomial_bounds_and_other_devices_are_untouched(double off, double on)
    {
        var p = Clean with { StuckOff = off, StuckOn = on };
        var gs = Programmed(p, 0.5);
        double ideal = p.GMinUs + 0.5 * p.RangeUs;
        int nOff = gs.Count(g => g == p.GMinUs), nOn = gs.Count(g => g == p.GMaxUs);
        Assert.Equal(Devices, nOff + nOn + gs.Count(g => g == ideal));
        foreach (var (n, frac) in new[] { (nOff, off), (nOn, on) })
        {
            double sd = Math.Sqrt(Devices * frac * (1 - frac));
            Assert.True(Math.Abs(n - Devices * frac) <= 4 * sd + 1e-9, $"{n} stuck of {Devices}, expected {Devices * frac} ± {4 * sd}");
        }
    }

    [Fact]
    public void Drift_follows_its_power_law_and_compensation_inputs_match_it()
    {
        var p = Clean with { DriftNu = 0.06, TInferenceS = 3600, DriftT0S = 20 };
        var m = new DeviceModel(p, 1);
        var (g0, gt) = m.Program(0.8, m.Stream(0, 1), 5);
        Assert.Equal(g0 * Math.Pow((3600 + 20) / 20.0, -0.06), gt, 12);
        // No drift when read right after programming.
        var early = new DeviceModel(p with { TInferenceS = 0 }, 1).Program(0.8, m.Stream(0, 1), 5);
        Assert.Equal(early.G0, early.Gt);
        // With spread exponents, ln(G0/Gt) / ln(t/t0) is the per-device nu: mean and sd as given.
        var spread = p with { DriftNuSigma = 0.01 };
        var sm = new DeviceModel(spread, 1);
        var nus = Enumerable.Range(0, Devices).Select(i => sm.Program(0.8, sm.Stream(0, 1), (ulong)i)).Select(x => Math.Log(x.G0 / x.Gt) / Math.Log(181)).ToArray();
        var (mean, sd) = Stats(nus);
        Assert.InRange(mean, 0.06 - 4 * 0.01 / Math.Sqrt(Devices), 0.06 + 4 * 0.01 / Math.Sqrt(Devices));
        Assert.InRange(sd, 0.01 * 0.97, 0.01 * 1.03);
        // G0 itself is untouched by drift.
        Assert.Equal(Clean.GMinUs + 0.8 * Clean.RangeUs, g0, 12);
    }

    [Fact]
    public void Device_to_device_variation_scales_each_devices_change_with_sigma_d2d()
    {
        var p = Clean with { D2D = 0.2 };
        var gains = Programmed(p, 0.5).Select(g => (g - p.GMinUs) / (0.5 * p.RangeUs) - 1).ToArray();
        var (mean, sd) = Stats(gains);
        Assert.InRange(mean, -4 * 0.2 / Math.Sqrt(Devices), 4 * 0.2 / Math.Sqrt(Devices));
        Assert.InRange(sd, 0.2 * 0.97, 0.2 * 1.03);
        // Fixed per device: programming it again gives the same conductance; a device at g_min has nothing to scale.
        Assert.Equal(Programmed(p, 0.5), Programmed(p, 0.5));
        Assert.All(Programmed(p, 0).Take(100), g => Assert.Equal(p.GMinUs, g));
    }

    [Fact]
    public void Cycle_to_cycle_noise_adds_sigma_per_pulse_taken()
    {
        var p = Clean with { C2C = 0.01, Levels = 33 };
        double f = 0.5; // 16 pulses of 32 from g_min
        var errors = Programmed(p, f).Select(g => g - (p.GMinUs + f * p.RangeUs)).ToArray();
        var (mean, sd) = Stats(errors);
        double expected = 0.01 * p.RangeUs * Math.Sqrt(16);
        Assert.InRange(mean, -4 * expected / Math.Sqrt(Devices), 4 * expected / Math.Sqrt(Devices));
        Assert.InRange(sd, expected * 0.97, expected * 1.03);
        // One pulse: sd of the pulse's noise is c2c of the range.
        var m = new DeviceModel(Clean with { C2C = 0.01, Pulses = 100 }, 1);
        var steps = Enumerable.Range(0, Devices).Select(i => m.Pulse(0.5, true, Nodes.Random.CounterRng.Normal(99, (ulong)i, 0)) - 0.51).ToArray();
        Assert.InRange(Stats(steps).Sd, 0.01 * 0.97, 0.01 * 1.03);
    }

    [Fact]
    public void Pcm_programming_noise_follows_the_aihwkit_law()
    {
        var p = DeviceParameters.Presets[DeviceParameters.PcmAihwkit] with { PcmReadNoise = false, DriftNu = 0, DriftNuSigma = 0 };
        double f = 0.6, target = p.GMinUs + f * p.RangeUs, gr = target / p.GMaxUs;
        var (_, sd) = Stats(Programmed(p, f));
        double expected = 0.26348 + 1.9650 * gr - 1.1731 * gr * gr;
        Assert.InRange(sd, expected * 0.97, expected * 1.03);
    }

    [Fact]
    public void The_update_curve_is_bounded_monotone_and_nonlinear_as_asked()
    {
        var linear = new DeviceModel(Clean with { Pulses = 10 }, 1);
        double x = 0;
        for (int k = 1; k <= 10; k++)
        {
            x = linear.Pulse(x, true, 0);
            Assert.Equal(k / 10.0, x, 12);
        }
        Assert.Equal(1, linear.Pulse(1, true, 0));
        Assert.Equal(0, linear.Pulse(0, false, 0));
        var nl = new DeviceModel(Clean with { Pulses = 50, NlLtp = 1.75, NlLtd = 1.46 }, 1);
        var ups = new List<double> { 0 };
        for (int k = 0; k < 50; k++) ups.Add(nl.Pulse(ups[^1], true, 0));
        Assert.Equal(1, ups[^1], 9);
        var upSteps = ups.Zip(ups.Skip(1), (a, b) => b - a).ToArray();
        Assert.All(upSteps.Zip(upSteps.Skip(1)), s => Assert.True(s.Second < s.First, "potentiation steps shrink as the device fills"));
        var downs = new List<double> { 1 };
        for (int k = 0; k < 50; k++) downs.Add(nl.Pulse(downs[^1], false, 0));
        Assert.Equal(0, downs[^1], 9);
        var downSteps = downs.Zip(downs.Skip(1), (a, b) => a - b).ToArray();
        Assert.True(downSteps[0] > downSteps[^1], "depression is steep from the top");
        for (double v = 0; v <= 1; v += 0.05)
        {
            Assert.Equal(v, nl.Ltp(nl.InverseLtp(v, 50), 50), 9);
            Assert.Equal(v, nl.Ltd(nl.InverseLtd(v, 50), 50), 9);
        }
    }

    [Fact]
    public void The_rram_preset_walks_its_whole_range_in_its_pulses_and_never_returns_nan()
    {
        var p = DeviceParameters.Presets[DeviceParameters.RramNeuroSim] with { C2C = 0 };
        var m = new DeviceModel(p, 1);
        double x = 0;
        var seen = new HashSet<double> { x };
        for (int k = 0; k < p.Pulses; k++) Assert.True(seen.Add(x = m.Pulse(x, true, 0)), $"pulse {k + 1} up did not move the device");
        Assert.Equal(1, x, 9);
        for (int k = 0; k < p.Pulses; k++)
        {
            double next = m.Pulse(x, false, 0);
            Assert.True(next < x, $"pulse {k + 1} down did not move the device");
            x = next;
        }
        Assert.Equal(0, x, 9);
        // Programming noise may leave a device outside its curve: the next pulse starts from its bound.
        Assert.True(double.IsFinite(m.Pulse(1.3, true, 0)) && double.IsFinite(m.Pulse(-0.2, false, 0)));
    }

    [Fact]
    public void Pcm_read_noise_follows_the_aihwkit_law()
    {
        var p = Clean with { GMinUs = 0, GMaxUs = 25, PcmReadNoise = true, TInferenceS = 3600 };
        var m = new DeviceModel(p, 1);
        double g = 12.5, qs = Math.Min(0.0088 / Math.Pow(0.5, 0.65), 0.2);
        Assert.Equal(g * qs * Math.Sqrt(Math.Log((3620 + 250e-9) / (2 * 250e-9))), m.ReadSigma(g), 12);
        Assert.Equal(0.05 * 7.0, new DeviceModel(Clean with { ReadNoise = 0.05 }, 1).ReadSigma(7.0), 12);
    }
}
