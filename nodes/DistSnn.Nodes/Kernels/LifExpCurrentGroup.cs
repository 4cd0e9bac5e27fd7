using System.Numerics;
using DistSnn.Model;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// <c>lif_exp_current</c> (NEST <c>iaf_psc_exp</c>, CUBA), integrated exactly. Synaptic variables y_e, y_i are in
/// voltage units (current times membrane resistance). Per step, in NEST's order:
/// V = E_L + (V - E_L) P22 + y_e P21e + y_i P21i + (i_e + I) P20 unless refractory;
/// y = y P11 + (weights consumed this step); theta decays (<see cref="AdaptiveThreshold"/>); spike when
/// V &gt;= V_th + theta, then V = V_reset for t_ref and theta grows by theta_plus.
/// Synaptic variables and theta keep decaying (and the former accumulating) while refractory.
/// </summary>
public sealed class LifExpCurrentGroup : NeuronGroup
{
    private readonly float _p22, _p20, _p21e, _p21i, _p11e, _p11i;
    // Per neuron (padded), so that e_l, v_th, v_reset and i_e may differ between neurons.
    private readonly float[] _el, _vth, _vreset, _ie;
    private double _thetaDecay, _thetaPlus;
    private readonly double _learnedThetaDecay, _learnedThetaPlus;
    private readonly int _refSteps;

    /// <summary>Membrane potential (mV).</summary>
    public float[] V { get; }
    /// <summary>Excitatory synaptic variable (mV).</summary>
    public float[] IExc { get; }
    /// <summary>Inhibitory synaptic variable (mV).</summary>
    public float[] IInh { get; }
    /// <summary>Threshold increment theta (mV): the threshold is V_th + theta (see <see cref="AdaptiveThreshold"/>).</summary>
    public float[] Theta { get; }
    /// <summary>theta - <see cref="Theta"/>: the part of theta below float resolution, carried so slow decays are not lost.</summary>
    public float[] ThetaResidual { get; }
    /// <summary>Remaining refractory steps.</summary>
    public int[] Refractory { get; }

    /// <summary>Builds the group; propagators are computed here once.</summary>
    public LifExpCurrentGroup(LifExpCurrent p, int count, int slots, double dt) : base(count, 2, slots)
    {
        _el = Filled((float)p.EL);
        _p22 = (float)Propagators.Decay(dt, p.TauM);
        _p20 = (float)Propagators.ConstantCurrent(dt, p.TauM, p.CM);
        _p21e = (float)Propagators.ExpSynapseOnMembrane(dt, p.TauM, p.TauSynExc);
        _p21i = (float)Propagators.ExpSynapseOnMembrane(dt, p.TauM, p.TauSynInh);
        _p11e = (float)Propagators.Decay(dt, p.TauSynExc);
        _p11i = (float)Propagators.Decay(dt, p.TauSynInh);
        _vth = Filled((float)p.VTh);
        _vreset = Filled((float)p.VReset);
        _ie = Filled((float)p.IE);
        _thetaDecay = _learnedThetaDecay = Propagators.Decay(dt, p.TauTheta);
        _thetaPlus = _learnedThetaPlus = p.ThetaPlus;
        _refSteps = (int)new TimeGrid(dt).Steps(p.TRef);
        V = Filled((float)p.EL);
        IExc = new float[Padded];
        IInh = new float[Padded];
        Theta = new float[Padded];
        ThetaResidual = new float[Padded];
        Refractory = new int[Padded];
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables { get; } = ["v", "i_exc", "i_inh", "theta"];

    /// <inheritdoc />
    public override float[] State(string name) => name switch
    {
        "v" => V,
        "i_exc" => IExc,
        "i_inh" => IInh,
        "theta" => Theta,
        _ => throw UnknownVariable(name),
    };

    /// <inheritdoc />
    public override void SetParameter(string name, ReadOnlySpan<float> values)
    {
        CheckParameterLength(name, values);
        if (!LifParameters.Set(name, values, _el, _vth, _vreset, _ie, V)) base.SetParameter(name, values);
    }

    /// <inheritdoc />
    public override void FreezeAdaptation(bool frozen)
    {
        _thetaDecay = frozen ? 1.0 : _learnedThetaDecay;
        _thetaPlus = frozen ? 0.0 : _learnedThetaPlus;
    }

    /// <inheritdoc />
    public override void VisitState(Checkpoints.StateVisitor visitor)
    {
        base.VisitState(visitor);
        visitor.Array("v", V);
        visitor.Array("i_exc", IExc);
        visitor.Array("i_inh", IInh);
        visitor.Array("theta", Theta);
        visitor.Array("theta_residual", ThetaResidual);
        visitor.Array("refractory", Refractory);
    }

    /// <inheritdoc />
    public override int Update(long step)
    {
        var v = Vec(V);
        var ye = Vec(IExc);
        var yi = Vec(IInh);
        var r = Vec(Refractory);
        var theta = Vec(Theta);
        var residual = Vec(ThetaResidual);
        var thetaDecay = new Vector<double>(_thetaDecay);
        var cur = Vec(CurrentPa);
        var inE = SlotVec(0, step);
        var inI = SlotVec(1, step);
        var el = Vec(_el);
        var p22 = new Vector<float>(_p22);
        var p20 = new Vector<float>(_p20);
        var p21e = new Vector<float>(_p21e);
        var p21i = new Vector<float>(_p21i);
        var p11e = new Vector<float>(_p11e);
        var p11i = new Vector<float>(_p11i);
        var ie = Vec(_ie);
        var vth = Vec(_vth);
        int spiked = 0;
        for (int k = 0; k < v.Length; k++)
        {
            var vk = v[k];
            var rk = r[k];
            var yek = ye[k];
            var yik = yi[k];
            var vn = el[k] + (vk - el[k]) * p22 + yek * p21e + yik * p21i + (cur[k] + ie[k]) * p20;
            var active = Vector.Equals(rk, Vector<int>.Zero);
            vk = Vector.ConditionalSelect(Vector.AsVectorSingle(active), vn, vk);
            rk -= Vector.AndNot(Vector<int>.One, active);
            ye[k] = yek * p11e + inE[k];
            yi[k] = yik * p11i + inI[k];
            inE[k] = Vector<float>.Zero;
            inI[k] = Vector<float>.Zero;
            v[k] = vk;
            r[k] = rk;
            var threshold = AdaptiveThreshold.DecayAndThreshold(ref theta[k], ref residual[k], thetaDecay, vth[k]);
            if (Vector.GreaterThanOrEqualAny(vk, threshold))
                spiked = Fire(k, spiked);
        }
        return spiked;
    }

    private int Fire(int k, int spiked)
    {
        int w = Vector<float>.Count;
        for (int i = k * w; i < k * w + w; i++)
        {
            if (V[i] < _vth[i] + Theta[i]) continue;
            V[i] = _vreset[i];
            Refractory[i] = _refSteps;
            AdaptiveThreshold.AddIncrement(ref Theta[i], ref ThetaResidual[i], _thetaPlus);
            if (i < Count) Spiked[spiked++] = i;
        }
        return spiked;
    }
}
