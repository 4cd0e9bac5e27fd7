using DistSnn.Model;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Nodes.Tests;

/// <summary>
/// One-neuron-at-a-time reference of a neuron kernel: the same float formulas in the same operation order as the
/// kernel's documentation, written as plain scalar code. The vector kernels must agree bit for bit, because the
/// engine relies on a neuron's result not depending on the lane it occupies.
/// </summary>
internal abstract class ScalarReference
{
    protected ScalarReference(int count, double dt, double tRef)
    {
        Count = count;
        RefSteps = (int)new TimeGrid(dt).Steps(tRef);
        Refractory = new int[count];
        Current = new float[count];
    }

    public int Count { get; }
    public int RefSteps { get; }
    public int[] Refractory { get; }

    /// <summary>Injected current (pA) per neuron.</summary>
    public float[] Current { get; }

    /// <summary>Names of the float state variables, matching the kernel's <see cref="NeuronGroup.State"/>.</summary>
    public abstract string[] Variables { get; }

    public abstract float[] State(string name);

    /// <summary>Advances neuron <paramref name="i"/> one step with the inputs consumed in it; true when it spiked.</summary>
    public abstract bool Step(int i, float in0, float in1);
}

/// <summary>
/// A LIF reference with the adaptive threshold: theta = Theta + ThetaResidual, advanced in double; in each step
/// theta decays before the threshold test, and grows by theta_plus after a spike.
/// </summary>
internal abstract class LifReference : ScalarReference
{
    private readonly double _thetaDecay, _thetaPlus;

    protected LifReference(int count, double dt, double tRef, double thetaPlus, double tauTheta) : base(count, dt, tRef)
    {
        _thetaDecay = Math.Exp(-dt / tauTheta);
        _thetaPlus = thetaPlus;
        Theta = new float[count];
        ThetaResidual = new float[count];
    }

    public float[] Theta { get; }
    public float[] ThetaResidual { get; }

    /// <summary>Decays theta over the step and returns the threshold V_th + theta it is tested against.</summary>
    protected float DecayedThreshold(int i, float vth)
    {
        double t = ((double)Theta[i] + ThetaResidual[i]) * _thetaDecay;
        Theta[i] = (float)t;
        ThetaResidual[i] = (float)(t - Theta[i]);
        return vth + Theta[i];
    }

    protected void AddThetaPlus(int i)
    {
        if (_thetaPlus == 0) return;
        double t = (double)Theta[i] + ThetaResidual[i] + _thetaPlus;
        Theta[i] = (float)t;
        ThetaResidual[i] = (float)(t - Theta[i]);
    }
}

internal sealed class LifDeltaReference : LifReference
{
    private readonly float _el, _p22, _p20, _vth, _vreset, _vmin, _ie;

    public LifDeltaReference(LifDelta p, int count, double dt) : base(count, dt, p.TRef, p.ThetaPlus, p.TauTheta)
    {
        _el = (float)p.EL;
        _p22 = (float)Propagators.Decay(dt, p.TauM);
        _p20 = (float)Propagators.ConstantCurrent(dt, p.TauM, p.CM);
        _vth = (float)p.VTh;
        _vreset = (float)p.VReset;
        _vmin = (float)p.VMin;
        _ie = (float)p.IE;
        V = new float[count];
    }

    public float[] V { get; }
    public override string[] Variables => ["v", "theta"];
    public override float[] State(string name) => name == "v" ? V : Theta;

    public override bool Step(int i, float in0, float in1)
    {
        // V(t+h) = E_L + (V - E_L) P22 + (i_e + I) P20 + J, bounded below by V_min; held while refractory.
        float vn = _el + (V[i] - _el) * _p22 + (Current[i] + _ie) * _p20 + in0;
        vn = MathF.Max(vn, _vmin);
        if (Refractory[i] == 0) V[i] = vn;
        else Refractory[i]--;
        if (V[i] < DecayedThreshold(i, _vth)) return false;
        V[i] = _vreset;
        Refractory[i] = RefSteps;
        AddThetaPlus(i);
        return true;
    }
}

internal sealed class LifExpCurrentReference : LifReference
{
    private readonly float _el, _p22, _p20, _p21e, _p21i, _p11e, _p11i, _vth, _vreset, _ie;

    public LifExpCurrentReference(LifExpCurrent p, int count, double dt) : base(count, dt, p.TRef, p.ThetaPlus, p.TauTheta)
    {
        _el = (float)p.EL;
        _p22 = (float)Propagators.Decay(dt, p.TauM);
        _p20 = (float)Propagators.ConstantCurrent(dt, p.TauM, p.CM);
        _p21e = (float)Propagators.ExpSynapseOnMembrane(dt, p.TauM, p.TauSynExc);
        _p21i = (float)Propagators.ExpSynapseOnMembrane(dt, p.TauM, p.TauSynInh);
        _p11e = (float)Propagators.Decay(dt, p.TauSynExc);
        _p11i = (float)Propagators.Decay(dt, p.TauSynInh);
        _vth = (float)p.VTh;
        _vreset = (float)p.VReset;
        _ie = (float)p.IE;
        V = new float[count];
        IExc = new float[count];
        IInh = new float[count];
    }

    public float[] V { get; }
    public float[] IExc { get; }
    public float[] IInh { get; }
    public override string[] Variables => ["v", "i_exc", "i_inh", "theta"];

    public override float[] State(string name) => name switch { "v" => V, "i_exc" => IExc, "i_inh" => IInh, _ => Theta };

    public override bool Step(int i, float in0, float in1)
    {
        float vn = _el + (V[i] - _el) * _p22 + IExc[i] * _p21e + IInh[i] * _p21i + (Current[i] + _ie) * _p20;
        if (Refractory[i] == 0) V[i] = vn;
        else Refractory[i]--;
        IExc[i] = IExc[i] * _p11e + in0;
        IInh[i] = IInh[i] * _p11i + in1;
        if (V[i] < DecayedThreshold(i, _vth)) return false;
        V[i] = _vreset;
        Refractory[i] = RefSteps;
        AddThetaPlus(i);
        return true;
    }
}

internal sealed class LifExpCondReference : LifReference
{
    private readonly float _gl, _glEl, _ee, _ei, _negHOverC, _pe, _pi, _vth, _vreset, _ie;

    public LifExpCondReference(LifExpCond p, int count, double dt) : base(count, dt, p.TRef, p.ThetaPlus, p.TauTheta)
    {
        _gl = (float)p.GL;
        _glEl = (float)(p.GL * p.EL);
        _ee = (float)p.EExc;
        _ei = (float)p.EInh;
        _negHOverC = (float)(-dt / p.CM);
        _pe = (float)Propagators.Decay(dt, p.TauSynExc);
        _pi = (float)Propagators.Decay(dt, p.TauSynInh);
        _vth = (float)p.VTh;
        _vreset = (float)p.VReset;
        _ie = (float)p.IE;
        V = new float[count];
        GExc = new float[count];
        GInh = new float[count];
    }

    public float[] V { get; }
    public float[] GExc { get; }
    public float[] GInh { get; }
    public override string[] Variables => ["v", "g_exc", "g_inh", "theta"];

    public override float[] State(string name) => name switch { "v" => V, "g_exc" => GExc, "g_inh" => GInh, _ => Theta };

    public override bool Step(int i, float in0, float in1)
    {
        // Exponential Euler with start-of-step conductances; total conductance kept away from zero (1e-3 nS).
        float g = _gl + GExc[i] + GInh[i];
        if (MathF.Abs(g) < 1e-3f) g = 1e-3f;
        float vinf = (_glEl + GExc[i] * _ee + GInh[i] * _ei + (Current[i] + _ie)) / g;
        float vn = vinf + (V[i] - vinf) * FastMath.Exp(g * _negHOverC);
        if (Refractory[i] == 0) V[i] = vn;
        else Refractory[i]--;
        GExc[i] = GExc[i] * _pe + in0;
        GInh[i] = GInh[i] * _pi + in1;
        if (V[i] < DecayedThreshold(i, _vth)) return false;
        V[i] = _vreset;
        Refractory[i] = RefSteps;
        AddThetaPlus(i);
        return true;
    }
}

internal sealed class LifAlphaCurrentReference : ScalarReference
{
    private readonly float _el, _expm1M, _p30, _p31e, _p32e, _p31i, _p32i, _p11e, _p21e, _p11i, _p21i, _jumpE, _jumpI, _vth, _vreset, _ie;

    public LifAlphaCurrentReference(LifAlphaCurrent p, int count, double dt) : base(count, dt, p.TRef)
    {
        _el = (float)p.EL;
        _expm1M = (float)FastMath.ExpM1(-dt / p.TauM);
        _p30 = (float)Propagators.ConstantCurrent(dt, p.TauM, p.CM);
        var (p31e, p32e) = Propagators.AlphaSynapseOnMembrane(dt, p.TauM, p.TauSynExc, p.CM);
        var (p31i, p32i) = Propagators.AlphaSynapseOnMembrane(dt, p.TauM, p.TauSynInh, p.CM);
        (_p31e, _p32e, _p31i, _p32i) = ((float)p31e, (float)p32e, (float)p31i, (float)p32i);
        _p11e = (float)Propagators.Decay(dt, p.TauSynExc);
        _p21e = (float)(dt * Propagators.Decay(dt, p.TauSynExc));
        _p11i = (float)Propagators.Decay(dt, p.TauSynInh);
        _p21i = (float)(dt * Propagators.Decay(dt, p.TauSynInh));
        _jumpE = (float)(Math.E / p.TauSynExc);
        _jumpI = (float)(Math.E / p.TauSynInh);
        _vth = (float)p.VTh;
        _vreset = (float)p.VReset;
        _ie = (float)p.IE;
        V = new float[count];
        IExc = new float[count];
        IInh = new float[count];
        DIExc = new float[count];
        DIInh = new float[count];
    }

    public float[] V { get; }
    public float[] IExc { get; }
    public float[] IInh { get; }
    public float[] DIExc { get; }
    public float[] DIInh { get; }
    public override string[] Variables => ["v", "i_exc", "i_inh"];

    /// <summary>The state variables, and the hidden drives <c>di_exc</c>, <c>di_inh</c> (pA/ms) for initialisation.</summary>
    public override float[] State(string name) =>
        name switch { "v" => V, "i_exc" => IExc, "i_inh" => IInh, "di_exc" => DIExc, "di_inh" => DIInh, _ => throw new ArgumentException(name) };

    public override bool Step(int i, float in0, float in1)
    {
        // NEST's iaf_psc_alpha order: V from the start-of-step currents (held while refractory), then the currents
        // advance, then the step's weights jump the drives; then the threshold test.
        float y = V[i] - _el;
        float vn = _el + (_p30 * (Current[i] + _ie) + _p31e * DIExc[i] + _p32e * IExc[i] + _p31i * DIInh[i] + _p32i * IInh[i]
            + _expm1M * y + y);
        if (Refractory[i] == 0) V[i] = vn;
        else Refractory[i]--;
        IExc[i] = _p21e * DIExc[i] + _p11e * IExc[i];
        DIExc[i] = DIExc[i] * _p11e + _jumpE * in0;
        IInh[i] = _p21i * DIInh[i] + _p11i * IInh[i];
        DIInh[i] = DIInh[i] * _p11i + _jumpI * in1;
        if (V[i] < _vth) return false;
        V[i] = _vreset;
        Refractory[i] = RefSteps;
        return true;
    }
}

/// <summary>
/// <c>lif_alpha_current</c> in double precision from the double propagators: the precise solution of the model's
/// discretisation, against which the float kernel's rounding is measured (not compared bit for bit).
/// </summary>
internal sealed class LifAlphaCurrentDoubleReference
{
    private readonly double _el, _expm1M, _p30, _p31e, _p32e, _p31i, _p32i, _p11e, _p21e, _p11i, _p21i, _jumpE, _jumpI, _vth, _vreset, _ie;

    public LifAlphaCurrentDoubleReference(LifAlphaCurrent p, int count, double dt)
    {
        _el = p.EL;
        _expm1M = FastMath.ExpM1(-dt / p.TauM);
        _p30 = Propagators.ConstantCurrent(dt, p.TauM, p.CM);
        (_p31e, _p32e) = Propagators.AlphaSynapseOnMembrane(dt, p.TauM, p.TauSynExc, p.CM);
        (_p31i, _p32i) = Propagators.AlphaSynapseOnMembrane(dt, p.TauM, p.TauSynInh, p.CM);
        _p11e = Propagators.Decay(dt, p.TauSynExc);
        _p21e = dt * _p11e;
        _p11i = Propagators.Decay(dt, p.TauSynInh);
        _p21i = dt * _p11i;
        _jumpE = Math.E / p.TauSynExc;
        _jumpI = Math.E / p.TauSynInh;
        _vth = p.VTh;
        _vreset = p.VReset;
        _ie = p.IE;
        RefSteps = (int)new TimeGrid(dt).Steps(p.TRef);
        V = new double[count];
        IExc = new double[count];
        IInh = new double[count];
        DIExc = new double[count];
        DIInh = new double[count];
        Refractory = new int[count];
        Current = new double[count];
    }

    public int RefSteps { get; }
    public double[] V { get; }
    public double[] IExc { get; }
    public double[] IInh { get; }
    public double[] DIExc { get; }
    public double[] DIInh { get; }
    public int[] Refractory { get; }
    public double[] Current { get; }

    /// <summary>One step of neuron <paramref name="i"/>; returns V before a reset (mV) and whether it spiked.</summary>
    public (double V, bool Spiked) Step(int i, double in0, double in1)
    {
        double y = V[i] - _el;
        double vn = _el + (_p30 * (Current[i] + _ie) + _p31e * DIExc[i] + _p32e * IExc[i] + _p31i * DIInh[i] + _p32i * IInh[i]
            + _expm1M * y + y);
        if (Refractory[i] == 0) V[i] = vn;
        else Refractory[i]--;
        IExc[i] = _p21e * DIExc[i] + _p11e * IExc[i];
        DIExc[i] = DIExc[i] * _p11e + _jumpE * in0;
        IInh[i] = _p21i * DIInh[i] + _p11i * IInh[i];
        DIInh[i] = DIInh[i] * _p11i + _jumpI * in1;
        double v = V[i];
        if (v < _vth) return (v, false);
        V[i] = _vreset;
        Refractory[i] = RefSteps;
        return (v, true);
    }
}

internal sealed class IzhikevichReference : ScalarReference
{
    private readonly float _h, _ha, _b, _c, _d, _vpeak, _ie;

    public IzhikevichReference(Izhikevich p, int count, double dt) : base(count, dt, 0)
    {
        _h = (float)dt;
        _ha = (float)(dt * p.A);
        _b = (float)p.B;
        _c = (float)p.C;
        _d = (float)p.D;
        _vpeak = (float)p.VPeak;
        _ie = (float)p.IE;
        V = new float[count];
        U = new float[count];
    }

    public float[] V { get; }
    public float[] U { get; }
    public override string[] Variables => ["v", "u"];
    public override float[] State(string name) => name == "v" ? V : U;

    public override bool Step(int i, float in0, float in1)
    {
        // Forward Euler, both updates from start-of-step values.
        float v = V[i], u = U[i];
        V[i] = v + _h * (0.04f * v * v + 5f * v + 140f - u + (Current[i] + _ie)) + in0;
        U[i] = u + _ha * (_b * v - u);
        if (V[i] < _vpeak) return false;
        V[i] = _c;
        U[i] += _d;
        return true;
    }
}

internal sealed class AdExReference : ScalarReference
{
    private readonly float _gl, _el, _vt, _invDeltaT, _glDeltaT, _capArg, _invC, _invTauW, _a, _b, _vreset, _vspike,
        _ee, _ei, _pe, _pi, _ie, _hs;
    private readonly int _substeps;

    public AdExReference(AdEx p, int count, double dt) : base(count, dt, p.TRef)
    {
        bool exp = p.DeltaT > 0;
        _gl = (float)p.GL;
        _el = (float)p.EL;
        _vt = (float)p.VT;
        _invDeltaT = exp ? (float)(1.0 / p.DeltaT) : 0f;
        _glDeltaT = exp ? (float)(p.GL * p.DeltaT) : 0f;
        _capArg = exp ? (float)((p.VPeak - p.VT) / p.DeltaT) : 0f;
        _vspike = exp ? (float)p.VPeak : (float)p.VT;
        _invC = (float)(1.0 / p.CM);
        _invTauW = (float)(1.0 / p.TauW);
        _a = (float)p.A;
        _b = (float)p.B;
        _vreset = (float)p.VReset;
        _ee = (float)p.EExc;
        _ei = (float)p.EInh;
        _pe = (float)Propagators.Decay(dt, p.TauSynExc);
        _pi = (float)Propagators.Decay(dt, p.TauSynInh);
        _ie = (float)p.IE;
        _substeps = (int)p.Substeps;
        _hs = (float)(dt / _substeps);
        V = new float[count];
        W = new float[count];
        GExc = new float[count];
        GInh = new float[count];
    }

    public float[] V { get; }
    public float[] W { get; }
    public float[] GExc { get; }
    public float[] GInh { get; }
    public override string[] Variables => ["v", "w", "g_exc", "g_inh"];

    public override float[] State(string name) => name switch { "v" => V, "w" => W, "g_exc" => GExc, _ => GInh };

    public override bool Step(int i, float in0, float in1)
    {
        float v = V[i], w = W[i], ge = GExc[i], gi = GInh[i];
        float iext = Current[i] + _ie;
        bool free = Refractory[i] == 0;
        for (int s = 0; s < _substeps; s++)
        {
            float arg = MathF.Min((v - _vt) * _invDeltaT, _capArg);
            float dv = (-(_gl * (v - _el)) + _glDeltaT * FastMath.Exp(arg) - w + ge * (_ee - v) + gi * (_ei - v) + iext) * _invC;
            float dw = (_a * (v - _el) - w) * _invTauW;
            // A neuron past V_peak, or refractory, keeps V; w always evolves.
            if (free && !(v >= _vspike)) v = v + _hs * dv;
            w = w + _hs * dw;
        }
        if (!free) Refractory[i]--;
        GExc[i] = ge * _pe + in0;
        GInh[i] = gi * _pi + in1;
        V[i] = v;
        W[i] = w;
        if (v < _vspike) return false;
        V[i] = _vreset;
        W[i] += _b;
        Refractory[i] = RefSteps;
        return true;
    }
}

internal sealed class IfSubtractReference : ScalarReference
{
    private readonly float _p20, _vth, _drop, _ie;

    public IfSubtractReference(IfSubtract p, int count, double dt) : base(count, dt, p.TRef)
    {
        _p20 = (float)(dt / p.CM);
        _vth = (float)p.VTh;
        _drop = (float)(p.VTh - p.EL);
        _ie = (float)p.IE;
        V = new float[count];
    }

    public float[] V { get; }
    public override string[] Variables => ["v"];
    public override float[] State(string name) => V;

    public override bool Step(int i, float in0, float in1)
    {
        // V(t+h) = V + (i_e + I) h / C + J, held while refractory; a spike subtracts v_th - e_l.
        float vn = V[i] + (Current[i] + _ie) * _p20 + in0;
        if (Refractory[i] == 0) V[i] = vn;
        else Refractory[i]--;
        if (V[i] < _vth) return false;
        V[i] -= _drop;
        Refractory[i] = RefSteps;
        return true;
    }
}
