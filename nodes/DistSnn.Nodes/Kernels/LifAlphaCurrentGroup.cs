using System.Numerics;
using DistSnn.Model;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// <c>lif_alpha_current</c> (NEST <c>iaf_psc_alpha</c>), integrated exactly. Each receptor has the state (dI, I):
/// I in pA, dI its drive in pA/ms. Per step, in NEST's order:
/// V = E_L + (P30 (I_stim + i_e) + P31e dI_e + P32e I_e + P31i dI_i + P32i I_i + expm1(−h/tau_m) y + y), y = V − E_L,
/// unless refractory (the leak written with expm1, as NEST does: 1 − P33 taken from a float P33 = exp(−h/tau_m) would
/// be off by a few 1e-6 of itself, and so would the level V settles at under a constant current);
/// then per receptor I = P21 dI + P11 I, dI = dI P11 + (e / tau_syn) J, with P11 = exp(−h/tau_syn), P21 = h P11 and
/// J the weights (pA) consumed this step;
/// spike when V &gt;= V_th, then V = V_reset for t_ref. The currents keep evolving and accumulating while refractory.
/// </summary>
public sealed class LifAlphaCurrentGroup : NeuronGroup
{
    private readonly float _expm1M, _p30, _p31e, _p32e, _p31i, _p32i, _p11e, _p21e, _p11i, _p21i, _jumpE, _jumpI;
    // Per neuron (padded), so that e_l, v_th, v_reset and i_e may differ between neurons.
    private readonly float[] _el, _vth, _vreset, _ie;
    private readonly int _refSteps;

    /// <summary>Membrane potential (mV).</summary>
    public float[] V { get; }
    /// <summary>Excitatory synaptic current I_e (pA).</summary>
    public float[] IExc { get; }
    /// <summary>Inhibitory synaptic current I_i (pA).</summary>
    public float[] IInh { get; }
    /// <summary>Drive dI_e of the excitatory current (pA/ms): an input of weight w adds w e / tau_syn_exc.</summary>
    public float[] DIExc { get; }
    /// <summary>Drive dI_i of the inhibitory current (pA/ms): an input of weight w adds w e / tau_syn_inh.</summary>
    public float[] DIInh { get; }
    /// <summary>Remaining refractory steps.</summary>
    public int[] Refractory { get; }

    /// <summary>Builds the group; propagators are computed here once.</summary>
    public LifAlphaCurrentGroup(LifAlphaCurrent p, int count, int slots, double dt) : base(count, 2, slots)
    {
        _el = Filled((float)p.EL);
        _expm1M = (float)FastMath.ExpM1(-dt / p.TauM);
        _p30 = (float)Propagators.ConstantCurrent(dt, p.TauM, p.CM);
        var (p31e, p32e) = Propagators.AlphaSynapseOnMembrane(dt, p.TauM, p.TauSynExc, p.CM);
        var (p31i, p32i) = Propagators.AlphaSynapseOnMembrane(dt, p.TauM, p.TauSynInh, p.CM);
        (_p31e, _p32e, _p31i, _p32i) = ((float)p31e, (float)p32e, (float)p31i, (float)p32i);
        double p11e = Propagators.Decay(dt, p.TauSynExc), p11i = Propagators.Decay(dt, p.TauSynInh);
        (_p11e, _p21e, _p11i, _p21i) = ((float)p11e, (float)(dt * p11e), (float)p11i, (float)(dt * p11i));
        // The alpha function w e / tau t exp(-t / tau) peaks at w when t = tau: a weight of w pA is a PSC of w pA.
        _jumpE = (float)(Math.E / p.TauSynExc);
        _jumpI = (float)(Math.E / p.TauSynInh);
        _vth = Filled((float)p.VTh);
        _vreset = Filled((float)p.VReset);
        _ie = Filled((float)p.IE);
        _refSteps = (int)new TimeGrid(dt).Steps(p.TRef);
        V = Filled((float)p.EL);
        IExc = new float[Padded];
        IInh = new float[Padded];
        DIExc = new float[Padded];
        DIInh = new float[Padded];
        Refractory = new int[Padded];
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables { get; } = ["v", "i_exc", "i_inh"];

    /// <inheritdoc />
    public override void SetParameter(string name, ReadOnlySpan<float> values)
    {
        CheckParameterLength(name, values);
        if (!LifParameters.Set(name, values, _el, _vth, _vreset, _ie, V)) base.SetParameter(name, values);
    }

    /// <inheritdoc />
    public override float[] State(string name) => name switch
    {
        "v" => V,
        "i_exc" => IExc,
        "i_inh" => IInh,
        _ => throw UnknownVariable(name),
    };

    /// <inheritdoc />
    public override void VisitState(Checkpoints.StateVisitor visitor)
    {
        base.VisitState(visitor);
        visitor.Array("v", V);
        visitor.Array("i_exc", IExc);
        visitor.Array("i_inh", IInh);
        visitor.Array("di_exc", DIExc);
        visitor.Array("di_inh", DIInh);
        visitor.Array("refractory", Refractory);
    }

    /// <inheritdoc />
    public override int Update(long step)
    {
        var v = Vec(V);
        var ie = Vec(IExc);
        var ii = Vec(IInh);
        var de = Vec(DIExc);
        var di = Vec(DIInh);
        var r = Vec(Refractory);
        var cur = Vec(CurrentPa);
        var inE = SlotVec(0, step);
        var inI = SlotVec(1, step);
        var el = Vec(_el);
        var expm1M = new Vector<float>(_expm1M);
        var p30 = new Vector<float>(_p30);
        var p31e = new Vector<float>(_p31e);
        var p32e = new Vector<float>(_p32e);
        var p31i = new Vector<float>(_p31i);
        var p32i = new Vector<float>(_p32i);
        var p11e = new Vector<float>(_p11e);
        var p21e = new Vector<float>(_p21e);
        var p11i = new Vector<float>(_p11i);
        var p21i = new Vector<float>(_p21i);
        var jumpE = new Vector<float>(_jumpE);
        var jumpI = new Vector<float>(_jumpI);
        var iConst = Vec(_ie);
        var vth = Vec(_vth);
        int spiked = 0;
        for (int k = 0; k < v.Length; k++)
        {
            var vk = v[k];
            var rk = r[k];
            var iek = ie[k];
            var iik = ii[k];
            var dek = de[k];
            var dik = di[k];
            var y = vk - el[k];
            var vn = el[k] + (p30 * (cur[k] + iConst[k]) + p31e * dek + p32e * iek + p31i * dik + p32i * iik + expm1M * y + y);
            var active = Vector.Equals(rk, Vector<int>.Zero);
            vk = Vector.ConditionalSelect(Vector.AsVectorSingle(active), vn, vk);
            rk -= Vector.AndNot(Vector<int>.One, active);
            ie[k] = p21e * dek + p11e * iek;
            de[k] = dek * p11e + jumpE * inE[k];
            ii[k] = p21i * dik + p11i * iik;
            di[k] = dik * p11i + jumpI * inI[k];
            inE[k] = Vector<float>.Zero;
            inI[k] = Vector<float>.Zero;
            v[k] = vk;
            r[k] = rk;
            if (Vector.GreaterThanOrEqualAny(vk, vth[k]))
                spiked = Fire(k, spiked);
        }
        return spiked;
    }

    private int Fire(int k, int spiked)
    {
        int w = Vector<float>.Count;
        for (int i = k * w; i < k * w + w; i++)
        {
            if (V[i] < _vth[i]) continue;
            V[i] = _vreset[i];
            Refractory[i] = _refSteps;
            if (i < Count) Spiked[spiked++] = i;
        }
        return spiked;
    }
}
