using System.Numerics;
using DistSnn.Model;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// <c>adex</c> (NEST <c>aeif_cond_exp</c> parameters). Scheme: dt is split into <c>substeps</c> forward-Euler
/// sub-steps for (V, w) with the conductances held at their start-of-step values;
/// C dV/dt = -g_L (V - E_L) + g_L Δ_T exp((V - V_T)/Δ_T) - w + g_e (E_e - V) + g_i (E_i - V) + i_e + I and
/// τ_w dw/dt = a (V - E_L) - w. The exponential's argument is capped at (V_peak - V_T)/Δ_T so it never overflows,
/// and a neuron that reaches V_peak within a step stops integrating until the step ends. Then conductances decay
/// exactly and take this step's input. Spike when V &gt;= V_peak (V_T if Δ_T = 0): V = V_reset, w += b, and V is
/// clamped at V_reset for t_ref while w keeps evolving.
/// </summary>
public sealed class AdExGroup : NeuronGroup
{
    private readonly float _gl, _el, _vt, _invDeltaT, _glDeltaT, _capArg, _invC, _invTauW, _a, _b, _vreset, _vspike,
        _ee, _ei, _pe, _pi, _ie, _hs;
    private readonly int _substeps, _refSteps;

    /// <summary>Membrane potential (mV).</summary>
    public float[] V { get; }
    /// <summary>Adaptation current (pA).</summary>
    public float[] W { get; }
    /// <summary>Excitatory conductance (nS).</summary>
    public float[] GExc { get; }
    /// <summary>Inhibitory conductance (nS).</summary>
    public float[] GInh { get; }
    /// <summary>Remaining refractory steps.</summary>
    public int[] Refractory { get; }

    /// <summary>Builds the group.</summary>
    public AdExGroup(AdEx p, int count, int slots, double dt) : base(count, 2, slots)
    {
        _gl = (float)p.GL;
        _el = (float)p.EL;
        _vt = (float)p.VT;
        bool exp = p.DeltaT > 0;
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
        _refSteps = (int)new TimeGrid(dt).Steps(p.TRef);
        V = Filled(_el);
        W = new float[Padded];
        GExc = new float[Padded];
        GInh = new float[Padded];
        Refractory = new int[Padded];
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables { get; } = ["v", "w", "g_exc", "g_inh"];

    /// <inheritdoc />
    public override float[] State(string name) => name switch
    {
        "v" => V,
        "w" => W,
        "g_exc" => GExc,
        "g_inh" => GInh,
        _ => throw UnknownVariable(name),
    };

    /// <inheritdoc />
    public override void VisitState(Checkpoints.StateVisitor visitor)
    {
        base.VisitState(visitor);
        visitor.Array("v", V);
        visitor.Array("w", W);
        visitor.Array("g_exc", GExc);
        visitor.Array("g_inh", GInh);
        visitor.Array("refractory", Refractory);
    }

    /// <inheritdoc />
    public override int Update(long step)
    {
        var v = Vec(V);
        var w = Vec(W);
        var ge = Vec(GExc);
        var gi = Vec(GInh);
        var r = Vec(Refractory);
        var cur = Vec(CurrentPa);
        var inE = SlotVec(0, step);
        var inI = SlotVec(1, step);
        var gl = new Vector<float>(_gl);
        var el = new Vector<float>(_el);
        var vt = new Vector<float>(_vt);
        var invDeltaT = new Vector<float>(_invDeltaT);
        var glDeltaT = new Vector<float>(_glDeltaT);
        var capArg = new Vector<float>(_capArg);
        var invC = new Vector<float>(_invC);
        var invTauW = new Vector<float>(_invTauW);
        var a = new Vector<float>(_a);
        var ee = new Vector<float>(_ee);
        var ei = new Vector<float>(_ei);
        var ie = new Vector<float>(_ie);
        var hs = new Vector<float>(_hs);
        var vspike = new Vector<float>(_vspike);
        var pe = new Vector<float>(_pe);
        var pi = new Vector<float>(_pi);
        int spiked = 0;
        for (int k = 0; k < v.Length; k++)
        {
            var vk = v[k];
            var wk = w[k];
            var gek = ge[k];
            var gik = gi[k];
            var rk = r[k];
            var iext = cur[k] + ie;
            var free = Vector.AsVectorSingle(Vector.Equals(rk, Vector<int>.Zero));
            for (int s = 0; s < _substeps; s++)
            {
                var arg = Vector.Min((vk - vt) * invDeltaT, capArg);
                var dv = (-(gl * (vk - el)) + glDeltaT * FastMath.Exp(arg) - wk + gek * (ee - vk) + gik * (ei - vk) + iext) * invC;
                var dw = (a * (vk - el) - wk) * invTauW;
                var integrate = Vector.AndNot(free, Vector.AsVectorSingle(Vector.GreaterThanOrEqual(vk, vspike)));
                vk = Vector.ConditionalSelect(integrate, vk + hs * dv, vk);
                wk = wk + hs * dw;
            }
            rk -= Vector.AndNot(Vector<int>.One, Vector.AsVectorInt32(free));
            ge[k] = gek * pe + inE[k];
            gi[k] = gik * pi + inI[k];
            inE[k] = Vector<float>.Zero;
            inI[k] = Vector<float>.Zero;
            v[k] = vk;
            w[k] = wk;
            r[k] = rk;
            if (Vector.GreaterThanOrEqualAny(vk, vspike))
                spiked = Fire(k, spiked);
        }
        return spiked;
    }

    private int Fire(int k, int spiked)
    {
        int lanes = Vector<float>.Count;
        for (int i = k * lanes; i < k * lanes + lanes; i++)
        {
            if (V[i] < _vspike) continue;
            V[i] = _vreset;
            if (i < Count)
            {
                W[i] += _b;
                Refractory[i] = _refSteps;
                Spiked[spiked++] = i;
            }
        }
        return spiked;
    }
}
