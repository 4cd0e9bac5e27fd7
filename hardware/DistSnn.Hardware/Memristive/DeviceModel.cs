using DistSnn.Nodes.Random;

namespace DistSnn.Hardware.Memristive;

/// <summary>
/// The physics of one kind of device, as pure functions of the figures and of counter-based draws: programming to a
/// level, variation and faults (fixed per device), drift, read noise, the nonlinear pulse response and the column ADC.
/// A device is named by a stream (projection and sign of its side of the differential pair) and a cell (presynaptic
/// index × target population size + target index), never by partition, so every partitioning draws the same devices.
/// </summary>
public sealed class DeviceModel
{
    private readonly DeviceParameters _p;
    private readonly ulong _seed;
    private readonly double _driftFactorT;
    private readonly double _adcStep;
    private readonly int _adcMax;

    /// <summary>The model of devices with figures <paramref name="parameters"/>, drawn from <paramref name="seed"/>.</summary>
    public DeviceModel(DeviceParameters parameters, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _p = parameters;
        _seed = seed;
        _driftFactorT = (parameters.TInferenceS + parameters.DriftT0S) / parameters.DriftT0S;
        if (parameters.AdcBits > 0)
        {
            _adcMax = (1 << (parameters.AdcBits - 1)) - 1;
            _adcStep = parameters.AdcFullScaleRows * parameters.RangeUs / _adcMax;
        }
    }

    /// <summary>The figures.</summary>
    public DeviceParameters Parameters => _p;

    /// <summary>A device's fixed draws.</summary>
    /// <param name="Gain">Its response relative to the nominal one (1 + d2d ξ, at least 0.01): step size and range.</param>
    /// <param name="Stuck">−1 stuck at g_min, +1 stuck at g_max, 0 working.</param>
    /// <param name="Nu">Its drift exponent (≥ 0).</param>
    public readonly record struct Draws(double Gain, int Stuck, double Nu);

    /// <summary>The stream of the devices on side <paramref name="sign"/> (+1 or −1) of projection <paramref name="projection"/>'s pairs.</summary>
    public ulong Stream(int projection, int sign) => CounterRng.StreamKey(_seed, RngPurpose.Device, (ulong)projection << 1 | (sign < 0 ? 1UL : 0UL));

    /// <summary>The pulse stream of the same devices (c2c noise and rounding of each write).</summary>
    public ulong PulseStream(int projection, int sign) => CounterRng.StreamKey(_seed, RngPurpose.DevicePulse, (ulong)projection << 1 | (sign < 0 ? 1UL : 0UL));

    /// <summary>The read-noise stream of projection <paramref name="projection"/>.</summary>
    public ulong ReadStream(int projection) => CounterRng.StreamKey(_seed, RngPurpose.DeviceRead, (ulong)projection);

    /// <summary>The fixed draws of device <paramref name="cell"/> of <paramref name="stream"/>.</summary>
    public Draws DrawsOf(ulong stream, ulong cell)
    {
        double gain = _p.D2D > 0 ? Math.Max(0.01, 1 + _p.D2D * CounterRng.Normal(stream, cell, 0)) : 1;
        int stuck = 0;
        if (_p.StuckOn > 0 || _p.StuckOff > 0)
        {
            double u = CounterRng.Uniform(stream, cell, 2);
            stuck = u < _p.StuckOff ? -1 : u < _p.StuckOff + _p.StuckOn ? 1 : 0;
        }
        double nu = _p.DriftNuSigma > 0 ? Math.Max(0, _p.DriftNu + _p.DriftNuSigma * CounterRng.Normal(stream, cell, 2)) : _p.DriftNu;
        return new Draws(gain, stuck, nu);
    }

    /// <summary>The level nearest to the fraction <paramref name="f"/> of the range (unchanged when levels are continuous).</summary>
    public double Quantize(double f)
    {
        f = Math.Clamp(f, 0, 1);
        return _p.Levels >= 2 ? Math.Round(f * (_p.Levels - 1)) / (_p.Levels - 1) : f;
    }

    /// <summary>
    /// Programs device <paramref name="cell"/> of <paramref name="stream"/> to the fraction <paramref name="f"/> of its
    /// range (write and verify to the nearest level, then the device's own gain, the noise of the pulses it took, and
    /// faults). Returns its conductance G₀ (µS) just after programming and G at t_inference after drift.
    /// </summary>
    public (double G0, double Gt) Program(double f, ulong stream, ulong cell)
    {
        var d = DrawsOf(stream, cell);
        double fq = Quantize(f);
        double g = _p.GMinUs + fq * _p.RangeUs * d.Gain;
        if (_p.C2C > 0 && fq > 0)
        {
            // Each of the pulses that took the device from g_min to its level adds its own error.
            double pulses = Math.Max(1, Math.Round(fq * PulsesFullRange));
            g += _p.C2C * _p.RangeUs * Math.Sqrt(pulses) * CounterRng.Normal(stream, cell, 4);
        }
        if (_p.PcmProgrammingNoise) g += PcmProgrammingSigma(g) * CounterRng.Normal(stream, cell, 3);
        g = Math.Max(0, g);
        if (d.Stuck != 0) return d.Stuck < 0 ? (_p.GMinUs, _p.GMinUs) : (_p.GMaxUs, _p.GMaxUs);
        return (g, Drift(g, d.Nu));
    }

    /// <summary>Pulses from g_min to g_max: <c>pulses</c>, else levels − 1, else 1.</summary>
    public int PulsesFullRange => _p.Pulses > 0 ? _p.Pulses : _p.Levels >= 2 ? _p.Levels - 1 : 1;

    /// <summary>G at t_inference after programming of a device at <paramref name="g0"/> with drift exponent <paramref name="nu"/>: G₀ ((t_inference + t₀) / t₀)^−ν, as aihwkit.</summary>
    public double Drift(double g0, double nu) => nu > 0 && _driftFactorT > 1 ? g0 * Math.Pow(_driftFactorT, -nu) : g0;

    /// <summary>aihwkit's PCM programming noise σ (µS) at conductance <paramref name="g"/>, its 25 µS law scaled to g_max.</summary>
    public double PcmProgrammingSigma(double g)
    {
        double gr = Math.Clamp(g / _p.GMaxUs, 0, 1);
        return Math.Max(0, 0.26348 + 1.9650 * gr - 1.1731 * gr * gr) * _p.GMaxUs / 25;
    }

    /// <summary>Standard deviation (µS) of one read of a device at <paramref name="g"/>.</summary>
    public double ReadSigma(double g)
    {
        if (_p.PcmReadNoise)
        {
            double gr = Math.Clamp(g / _p.GMaxUs, 0, 1);
            double qs = gr <= 0 ? 0.2 : Math.Min(0.0088 / Math.Pow(gr, 0.65), 0.2);
            const double tRead = 250e-9;
            double t = _p.TInferenceS + _p.DriftT0S;
            return g * qs * Math.Sqrt(Math.Log((t + tRead) / (2 * tRead)));
        }
        return _p.ReadNoise * g;
    }

    /// <summary>Whether reads are noisy.</summary>
    public bool NoisyReads => _p.PcmReadNoise || _p.ReadNoise > 0;

    /// <summary>
    /// One programming pulse on a device at fraction <paramref name="x"/> of its range, up (<paramref name="up"/>) along
    /// the potentiation curve or down along the depression curve, with the pulse's c2c noise
    /// (<paramref name="noise"/>, a standard normal draw); returns the new fraction in [0, 1].
    /// </summary>
    public double Pulse(double x, bool up, double noise)
    {
        int n = PulsesFullRange;
        // Programming noise may have left the device a little outside its curve.
        x = Math.Clamp(x, 0, 1);
        double next;
        if (up)
        {
            double p = InverseLtp(x, n);
            next = Ltp(Math.Min(p + 1, n), n);
        }
        else
        {
            double p = InverseLtd(x, n);
            next = Ltd(Math.Max(p - 1, 0), n);
        }
        if (_p.C2C > 0) next += _p.C2C * noise;
        next = Math.Clamp(next, 0, 1);
        // The pulse states along the curve are the device's levels; only a device with fewer levels than pulse states
        // lands on the nearest of its levels.
        return _p.Levels >= 2 && _p.Levels < n + 1 ? Quantize(next) : next;
    }

    /// <summary>Fraction of the range after <paramref name="p"/> of <paramref name="n"/> potentiation pulses from g_min.</summary>
    public double Ltp(double p, int n)
    {
        double a = _p.NlLtp;
        return a <= 0 ? p / n : (1 - Math.Exp(-a * p / n)) / (1 - Math.Exp(-a));
    }

    /// <summary>The pulse position on the potentiation curve of fraction <paramref name="x"/>.</summary>
    public double InverseLtp(double x, int n)
    {
        double a = _p.NlLtp;
        return a <= 0 ? x * n : -n / a * Math.Log(1 - x * (1 - Math.Exp(-a)));
    }

    /// <summary>Fraction of the range at position <paramref name="p"/> of the depression curve (p = n at g_max; depression pulses lower p).</summary>
    public double Ltd(double p, int n)
    {
        double b = _p.NlLtd;
        return b <= 0 ? p / n : 1 - (1 - Math.Exp(-b * (n - p) / n)) / (1 - Math.Exp(-b));
    }

    /// <summary>The position on the depression curve of fraction <paramref name="x"/>.</summary>
    public double InverseLtd(double x, int n)
    {
        double b = _p.NlLtd;
        return b <= 0 ? x * n : n + n / b * Math.Log(1 - (1 - x) * (1 - Math.Exp(-b)));
    }

    /// <summary>Whether the ADC limits conversions.</summary>
    public bool QuantizedAdc => _adcMax > 0;

    /// <summary>
    /// The ADC's output for a differential column sum <paramref name="sum"/> (µS of active rows; the read voltage
    /// cancels): clipped at ± full scale, rounded to its step. Counts clipped conversions in <paramref name="clips"/>.
    /// </summary>
    public double Convert(double sum, ref long clips)
    {
        if (_adcMax == 0) return sum;
        double code = Math.Round(sum / _adcStep);
        if (code > _adcMax) { code = _adcMax; clips++; }
        else if (code < -_adcMax) { code = -_adcMax; clips++; }
        return code * _adcStep;
    }

    /// <summary>Energy of one ADC conversion (J): NeuroSim V1.3's column power (6.4806 log2(levels) + 49.047) µW over (bits + 1) cycles; 8 bits when exact.</summary>
    public double AdcEnergyJ
    {
        get
        {
            int bits = _p.AdcBits > 0 ? _p.AdcBits : 8;
            return (6.4806 * bits + 49.047) * 1e-6 * (bits + 1) * _p.AdcNsPerBit * 1e-9;
        }
    }

    /// <summary>Time of one read of a tile (s): the read pulse, then every column's conversion on its shared ADC in turn.</summary>
    public double ReadLatencyS
    {
        get
        {
            int bits = _p.AdcBits > 0 ? _p.AdcBits : 8;
            return (_p.ReadNs + _p.ColumnsPerAdc * (bits + 1) * _p.AdcNsPerBit) * 1e-9;
        }
    }
}
