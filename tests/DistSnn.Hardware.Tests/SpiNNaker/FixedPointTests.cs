using System.Numerics;
using DistSnn.Hardware.SpiNNaker.Execution;
using DistSnn.Model;

namespace DistSnn.Hardware.Tests.SpiNNaker;

/// <summary>
/// The s16.15 arithmetic and the LIF kernels: roundings checked on hand-computed values, and the kernels checked bit for
/// bit against an independent scalar reference written with exact integers (BigInteger) from the documented update.
/// </summary>
public sealed class FixedPointTests
{
    [Fact]
    public void Multiplication_rounds_halves_up_and_saturates()
    {
        Assert.Equal(32768, FixedPoint.FromDouble(1.0));
        Assert.Equal(-49152, FixedPoint.FromDouble(-1.5));
        Assert.Equal(2, FixedPoint.FromDouble(0.5 / 32768 * 3)); // 1.5 lsb: halves away from zero
        Assert.Equal(-2, FixedPoint.FromDouble(-0.5 / 32768 * 3));
        // 1 lsb × 0.5 = 0.5 lsb: up to 1; −0.5 lsb: up to 0; 3 lsb × 0.5 = 1.5 lsb: up to 2.
        Assert.Equal(1, FixedPoint.Multiply(1, 16384));
        Assert.Equal(0, FixedPoint.Multiply(-1, 16384));
        Assert.Equal(2, FixedPoint.Multiply(3, 16384));
        Assert.Equal(-1, FixedPoint.Multiply(-3, 16384));
        // 2.5 × 4 = 10 exactly.
        Assert.Equal(10 * 32768, FixedPoint.Multiply(FixedPoint.FromDouble(2.5), FixedPoint.FromDouble(4)));
        // 300 × 300 = 90,000 is beyond ±65,536: saturated.
        Assert.Equal(int.MaxValue, FixedPoint.Multiply(300 * 32768, 300 * 32768));
        Assert.Equal(int.MinValue, FixedPoint.Multiply(-300 * 32768, 300 * 32768));
    }

    [Fact]
    public void Decay_truncates_towards_minus_infinity()
    {
        uint half = 0x8000_0000;
        Assert.Equal(0, FixedPoint.Decay(1, half));   // 0.5 lsb down to 0
        Assert.Equal(-1, FixedPoint.Decay(-1, half)); // −0.5 lsb down to −1
        Assert.Equal(5, FixedPoint.Decay(11, half));
        Assert.Equal(-6, FixedPoint.Decay(-11, half));
        Assert.Equal(0x8000_0000u, FixedPoint.FractionFromDouble(0.5));
        Assert.Equal(uint.MaxValue, FixedPoint.FractionFromDouble(1.0));
        Assert.Equal(-3, FixedPoint.Add(-1, -2));
        Assert.Equal(int.MaxValue, FixedPoint.Add(int.MaxValue, 1));
    }

    private static readonly LifDelta Brunel = new() { TauM = 20, CM = 250, EL = 0, VTh = 20, VReset = 10, TRef = 2 };

    [Fact]
    public void A_lif_delta_step_by_hand()
    {
        var g = new FixedLifGroup(Brunel, 1, 0.1);
        g.State("v")[0] = 10;
        g.Initialised();
        Assert.Equal(327680, g.VFixed[0]);
        g.ShiftExc[0] = 1;
        // exp(−0.1 / 20) = 0.99501248 → round(32604.67) = 32605. With I = 0, α = E_L = 0:
        // V' = 0 − mul(32605, 0 − 327680) = −((−32605 × 327680 + 16384) >> 15) = −(−326050 × 32768 + 16384 >> 15) = 326050.
        // The jump: one word of 1638 (0.1 mV at shift 1: round(0.1 × 2^14) = 1638) is 1638 << 1 = 3276.
        Assert.Equal(1638, RingShifts.Word(0.1, 1, out _));
        g.AddWeight(0, 0, 0, 1638);
        Assert.Equal(0, g.Update(0));
        Assert.Equal(326050 + 3276, g.VFixed[0]);
        Assert.Equal(329326 / 32768.0, g.State("v")[0], 6);
        // The slot is cleared: the next step only leaks. V'' = −((−32605 × 329326 + 16384) >> 15).
        g.Update(1);
        long product = -32605L * 329326;
        Assert.Equal(-(int)((product + 16384) >> 15), g.VFixed[0]);
    }

    [Fact]
    public void A_spike_resets_and_the_refractory_steps_drop_input()
    {
        var g = new FixedLifGroup(Brunel, 1, 0.1);
        g.State("v")[0] = 19.99f;
        g.Initialised();
        g.AddWeight(0, 0, 0, 1000); // shift 0: 1000 lsb = 0.0305 mV, enough to cross 20 after the leak? no: the leak takes 0.0997
        Assert.Equal(0, g.Update(0));
        g.AddWeight(0, 1, 0, 32768); // 1 mV
        Assert.Equal(1, g.Update(1));
        Assert.Equal(10 * 32768, g.VFixed[0]);
        Assert.Equal(20, g.RefractoryTimer[0]); // 2 ms / 0.1 ms
        for (int s = 2; s < 22; s++)
        {
            g.AddWeight(0, s, 0, 32768 * 2);
            Assert.Equal(0, g.Update(s));
            Assert.Equal(10 * 32768, g.VFixed[0]); // held at reset, input dropped
        }
        Assert.Equal(0, g.RefractoryTimer[0]);
        g.Update(22);
        Assert.True(g.VFixed[0] < 10 * 32768); // leaking again
    }

    [Fact]
    public void A_lif_exp_current_step_by_hand()
    {
        var m = new LifExpCurrent { TauM = 10, CM = 250, EL = -65, VTh = -50, VReset = -65, TRef = 2, TauSynExc = 0.5, TauSynInh = 0.5 };
        var g = new FixedLifGroup(m, 1, 0.1);
        g.State("v")[0] = -65;
        g.Initialised();
        // R = 10 / 0.25 = 40 MΩ → 1310720. 1 nA at shift 1 is the word 16384 (<< 1 = 32768).
        g.ShiftExc[0] = 1;
        g.AddWeight(0, 0, 0, 16384);
        g.Update(0);
        // init = 0.5/0.1 (1 − e^−0.2) = 0.906346; as u0.32: round(0.906346 × 2^32) = 3892715640 (to within one).
        uint init = FixedPoint.FractionFromDouble(FixedLifGroup.InitFactor(0.1, 0.5));
        int ie = (int)((32768L * init) >> 32); // the current after arrival: 29699 (0.9063 nA)
        Assert.Equal(29699, ie);
        // α = mul(29699, 1310720) − 65 × 32768 = 29699 × 40 − 2129920 = −941960; V = α − mul(expTC, α − V).
        int expTc = FixedPoint.FromDouble(Math.Exp(-0.1 / 10));
        int alpha = 29699 * 40 - 65 * 32768;
        int v = alpha - (int)(((long)expTc * (alpha - (-65 * 32768)) + 16384) >> 15);
        Assert.Equal(v, g.VFixed[0]);
        // After the update the current decays by e^(−0.2), truncated.
        Assert.Equal((int)((29699L * FixedPoint.FractionFromDouble(Math.Exp(-0.2))) >> 32), g.ExcFixed[0]);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    [InlineData(false, 3)]
    [InlineData(true, 4)]
    public void Kernels_match_the_scalar_reference_bit_for_bit(bool exponential, int seed)
    {
        var rng = new Random(seed);
        const int n = 64;
        NeuronModel model = exponential
            ? new LifExpCurrent { TauM = 5 + 20 * rng.NextDouble(), CM = 100 + 300 * rng.NextDouble(), EL = -70, VTh = -52, VReset = -68, TRef = 1, TauSynExc = 0.3 + 5 * rng.NextDouble(), TauSynInh = 0.3 + 8 * rng.NextDouble(), IE = 200 }
            : new LifDelta { TauM = 5 + 20 * rng.NextDouble(), CM = 250, EL = -65, VTh = -50, VReset = -60, TRef = 0.5, IE = 150, VMin = -80 };
        var g = new FixedLifGroup(model, n, 0.1);
        for (int i = 0; i < n; i++) g.State("v")[i] = (float)(-70 + 25 * rng.NextDouble());
        g.Initialised();
        for (int i = 0; i < n; i++)
        {
            g.ShiftExc[i] = (byte)rng.Next(0, 4);
            g.ShiftInh[i] = (byte)rng.Next(0, 4);
        }
        var reference = new ReferenceLif(model, 0.1, g);
        long spikes = 0;
        for (long step = 0; step < 2000; step++)
        {
            for (int i = 0; i < n; i++)
            {
                int we = rng.Next(0, 3) == 0 ? rng.Next(0, 60000) : 0, wi = rng.Next(0, 4) == 0 ? rng.Next(0, 60000) : 0;
                g.AddWeight(0, step, i, we);
                g.AddWeight(1, step, i, wi);
                reference.Add(i, we, wi);
            }
            if (step % 500 == 250) for (int i = 0; i < n; i++) g.CurrentPa[i] = (float)(rng.NextDouble() * 300 - 100);
            int k = g.Update(step);
            var expected = reference.Step(g.CurrentPa);
            Assert.Equal(expected, g.Spiked[..k]);
            spikes += k;
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(reference.V[i], g.VFixed[i]);
                Assert.Equal(reference.Refractory[i], g.RefractoryTimer[i]);
                Assert.Equal(reference.Exc[i], g.ExcFixed[i]);
                Assert.Equal(reference.Inh[i], g.InhFixed[i]);
            }
        }
        Assert.True(spikes > 50, $"{spikes} spikes");
    }

    /// <summary>
    /// The documented update in exact integers: products as BigInteger, shifts as floor division, saturation by
    /// comparison. Shares no code with the kernel beyond reading its initial state and parameters' doubles.
    /// </summary>
    private sealed class ReferenceLif
    {
        private static readonly BigInteger Two15 = BigInteger.Pow(2, 15), Two14 = BigInteger.Pow(2, 14), Two32 = BigInteger.Pow(2, 32);
        private readonly bool _exp;
        private readonly long _vRest, _vReset, _vTh, _vMin, _r, _expTc, _iE, _dE, _dI, _initE, _initI;
        private readonly int _ref;
        private readonly byte[] _shiftE, _shiftI;
        private readonly int[] _ringE, _ringI;
        private readonly float[] _lastPa;
        public long[] V, Exc, Inh, Offset;
        public int[] Refractory;

        public ReferenceLif(NeuronModel model, double dt, FixedLifGroup g)
        {
            int n = g.Count;
            static long Fix(double x) => (long)Math.Round(x * 32768, MidpointRounding.AwayFromZero);
            static long Frac(double x) => Math.Min((long)uint.MaxValue, (long)Math.Round(x * 4294967296.0, MidpointRounding.AwayFromZero));
            double tau, cm;
            switch (model)
            {
                case LifDelta d:
                    (tau, cm) = (d.TauM, d.CM);
                    (_vRest, _vReset, _vTh, _vMin, _iE) = (Fix(d.EL), Fix(d.VReset), Fix(d.VTh), double.IsNegativeInfinity(d.VMin) ? int.MinValue : Fix(d.VMin), Fix(d.IE / 1000));
                    _ref = (int)Math.Round(d.TRef / dt);
                    break;
                case LifExpCurrent e:
                    _exp = true;
                    (tau, cm) = (e.TauM, e.CM);
                    (_vRest, _vReset, _vTh, _vMin, _iE) = (Fix(e.EL), Fix(e.VReset), Fix(e.VTh), int.MinValue, Fix(e.IE / 1000));
                    _ref = (int)Math.Round(e.TRef / dt);
                    (_dE, _dI) = (Frac(Math.Exp(-dt / e.TauSynExc)), Frac(Math.Exp(-dt / e.TauSynInh)));
                    (_initE, _initI) = (Frac(e.TauSynExc / dt * (1 - Math.Exp(-dt / e.TauSynExc))), Frac(e.TauSynInh / dt * (1 - Math.Exp(-dt / e.TauSynInh))));
                    break;
                default: throw new ArgumentException("lif models only");
            }
            _r = Fix(tau / (cm / 1000));
            _expTc = Fix(Math.Exp(-dt / tau));
            V = g.VFixed.Select(v => (long)v).ToArray();
            Exc = new long[n];
            Inh = new long[n];
            Offset = Enumerable.Repeat(_iE, n).ToArray();
            Refractory = new int[n];
            _shiftE = g.ShiftExc;
            _shiftI = g.ShiftInh;
            _ringE = new int[n];
            _ringI = new int[n];
            _lastPa = new float[n];
        }

        private static long Sat(BigInteger x) => x > int.MaxValue ? int.MaxValue : x < int.MinValue ? int.MinValue : (long)x;
        private static BigInteger Floor(BigInteger a, BigInteger b) { var q = BigInteger.DivRem(a, b, out var r); return r.Sign < 0 ? q - 1 : q; }
        private static long Mul(long a, long b) => Sat(Floor(new BigInteger(a) * b + Two14, Two15));
        private static long Dec(long x, long d) => (long)Floor(new BigInteger(x) * d, Two32);
        private static long Sum(long a, long b) => Sat(new BigInteger(a) + b);

        public void Add(int i, int we, int wi)
        {
            _ringE[i] = Math.Min(65535, _ringE[i] + we);
            _ringI[i] = Math.Min(65535, _ringI[i] + wi);
        }

        public int[] Step(float[] currentPa)
        {
            var spiked = new List<int>();
            for (int i = 0; i < V.Length; i++)
            {
                if (currentPa[i] != _lastPa[i])
                {
                    _lastPa[i] = currentPa[i];
                    Offset[i] = Sum(_iE, (long)Math.Round(currentPa[i] / 1000.0 * 32768, MidpointRounding.AwayFromZero));
                }
                long inE = Sat(new BigInteger(_ringE[i]) * BigInteger.Pow(2, _shiftE[i]));
                long inI = Sat(new BigInteger(_ringI[i]) * BigInteger.Pow(2, _shiftI[i]));
                _ringE[i] = _ringI[i] = 0;
                long v = V[i];
                if (_exp)
                {
                    Exc[i] = Sum(Exc[i], Dec(inE, _initE));
                    Inh[i] = Sum(Inh[i], Dec(inI, _initI));
                }
                if (Refractory[i] <= 0)
                {
                    long current = _exp ? Sum(Sum(Exc[i], -Inh[i]), Offset[i]) : Offset[i];
                    long alpha = Sum(Mul(current, _r), _vRest);
                    v = Sum(alpha, -Mul(_expTc, Sum(alpha, -v)));
                    if (!_exp) v = Math.Max(Sum(Sum(v, inE), -inI), _vMin);
                }
                else Refractory[i]--;
                if (v >= _vTh)
                {
                    v = _vReset;
                    Refractory[i] = _ref;
                    spiked.Add(i);
                }
                V[i] = v;
                if (_exp)
                {
                    Exc[i] = Dec(Exc[i], _dE);
                    Inh[i] = Dec(Inh[i], _dI);
                }
            }
            return spiked.ToArray();
        }
    }
}
