using System.Numerics;
using DistSnn.Model;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// <c>lif_exp_cond</c> (NEST <c>iaf_cond_exp</c>, COBA). Per step, unless refractory, the membrane is advanced by
/// exponential Euler with the conductances held at their start-of-step values: with g = g_L + g_e + g_i and
/// V_inf = (g_L E_L + g_e E_e + g_i E_i + i_e + I) / g, V = V_inf + (V - V_inf) exp(-h g / C_m) — exact for
/// constant conductances. Conductances then decay exactly and take this step's input (nS), and theta decays
/// (<see cref="AdaptiveThreshold"/>). Spike when V &gt;= V_th + theta, then V = V_reset for t_ref and theta grows by
/// theta_plus.
/// </summary>
public sealed class LifExpCondGroup : NeuronGroup
{
    /// <summary>Smallest total conductance magnitude used (nS); keeps V_inf finite if conductances cancel.</summary>
    private const float MinConductance = 1e-3f;
    private readonly float _gl, _ee, _ei, _negHOverC, _pe, _pi;
    private readonly double _glDouble;
    // Per neuron (padded), so that e_l (through g_L E_L), v_th, v_reset and i_e may differ between neurons.
    private readonly float[] _glEl, _vth, _vreset, _ie;
    private double _thetaDecay, _thetaPlus;
    private readonly double _learnedThetaDecay, _learnedThetaPlus;
    private readonly int _refSteps;

    /// <summary>Membrane potential (mV).</summary>
    public float[] V { get; }
    /// <summary>Excitatory conductance (nS).</summary>
    public float[] GExc { get; }
    /// <summary>Inhibitory conductance (nS).</summary>
    public float[] GInh { get; }
    /// <summary>Threshold increment theta (mV): the threshold is V_th + theta (see <see cref="AdaptiveThreshold"/>).</summary>
    public float[] Theta { get; }
    /// <summary>theta - <see cref="Theta"/>: the part of theta below float resolution, carried so slow decays are not lost.</summary>
    public float[] ThetaResidual { get; }
    /// <summary>Remaining refractory steps.</summary>
    public int[] Refractory { get; }

    /// <summary>Builds the group; propagators are computed here once.</summary>
    public LifExpCondGroup(LifExpCond p, int count, int slots, double dt) : base(count, 2, slots)
    {
        _gl = (float)p.GL;
        _glDouble = p.GL;
        _glEl = Filled((float)(p.GL * p.EL));
        _ee = (float)p.EExc;
        _ei = (float)p.EInh;
        _negHOverC = (float)(-dt / p.CM);
        _pe = (float)Propagators.Decay(dt, p.TauSynExc);
        _pi = (float)Propagators.Decay(dt, p.TauSynInh);
        _vth = Filled((float)p.VTh);
        _vreset = Filled((float)p.VReset);
        _ie = Filled((float)p.IE);
        _thetaDecay = _learnedThetaDecay = Propagators.Decay(dt, p.TauTheta);
        _thetaPlus = _learnedThetaPlus = p.ThetaPlus;
        _refSteps = (int)new TimeGrid(dt).Steps(p.TRef);
        V = Filled((float)p.EL);
        GExc = new float[Padded];
        GInh = new float[Padded];
        Theta = new float[Padded];
        ThetaResidual = new float[Padded];
        Refractory = new int[Padded];
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables { get; } = ["v", "g_exc", "g_inh", "theta"];

    /// <inheritdoc />
    public override float[] State(string name) => name switch
    {
        "v" => V,
        "g_exc" => GExc,
        "g_inh" => GInh,
        "theta" => Theta,
        _ => throw UnknownVariable(name),
    };

    /// <inheritdoc />
    public override void SetParameter(string name, ReadOnlySpan<float> values)
    {
        CheckParameterLength(name, values);
        switch (name)
        {
            case "e_l":
                // g_L E_L in double then rounded once, as for a population-wide e_l.
                for (int i = 0; i < values.Length; i++) _glEl[i] = (float)(_glDouble * values[i]);
                values.CopyTo(V);
                break;
            case "v_th": values.CopyTo(_vth); break;
            case "v_reset": values.CopyTo(_vreset); break;
            case "i_e": values.CopyTo(_ie); break;
            default: base.SetParameter(name, values); break;
        }
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
        visitor.Array("g_exc", GExc);
        visitor.Array("g_inh", GInh);
        visitor.Array("theta", Theta);
        visitor.Array("theta_residual", ThetaResidual);
        visitor.Array("refractory", Refractory);
    }

    /// <inheritdoc />
    public override int Update(long step)
    {
        var v = Vec(V);
        var ge = Vec(GExc);
        var gi = Vec(GInh);
        var r = Vec(Refractory);
        var theta = Vec(Theta);
        var residual = Vec(ThetaResidual);
        var thetaDecay = new Vector<double>(_thetaDecay);
        var cur = Vec(CurrentPa);
        var inE = SlotVec(0, step);
        var inI = SlotVec(1, step);
        var gl = new Vector<float>(_gl);
        var glEl = Vec(_glEl);
        var ee = new Vector<float>(_ee);
        var ei = new Vector<float>(_ei);
        var negHOverC = new Vector<float>(_negHOverC);
        var pe = new Vector<float>(_pe);
        var pi = new Vector<float>(_pi);
        var ie = Vec(_ie);
        var vth = Vec(_vth);
        var gmin = new Vector<float>(MinConductance);
        int spiked = 0;
        for (int k = 0; k < v.Length; k++)
        {
            var vk = v[k];
            var rk = r[k];
            var gek = ge[k];
            var gik = gi[k];
            var g = gl + gek + gik;
            g = Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(g), gmin), gmin, g);
            var vinf = (glEl[k] + gek * ee + gik * ei + (cur[k] + ie[k])) / g;
            var vn = vinf + (vk - vinf) * FastMath.Exp(g * negHOverC);
            var active = Vector.Equals(rk, Vector<int>.Zero);
            vk = Vector.ConditionalSelect(Vector.AsVectorSingle(active), vn, vk);
            rk -= Vector.AndNot(Vector<int>.One, active);
            ge[k] = gek * pe + inE[k];
            gi[k] = gik * pi + inI[k];
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
