using System.Numerics;
using DistSnn.Model;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// <c>lif_delta</c> (NEST <c>iaf_psc_delta</c>): V(t+h) = E_L + (V - E_L) P22 + (i_e + I) P20 + J, where J is the
/// sum of the weights of spikes consumed in this step. While refractory the membrane stays at V_reset and
/// arriving spikes are discarded. Spike when V &gt;= V_th + theta; then V = V_reset for t_ref and theta grows by
/// theta_plus. theta decays in every step, before the test (<see cref="AdaptiveThreshold"/>).
/// </summary>
public sealed class LifDeltaGroup : NeuronGroup
{
    private readonly float _p22, _p20, _vmin;
    // Per neuron (padded), so that e_l, v_th, v_reset and i_e may differ between neurons.
    private readonly float[] _el, _vth, _vreset, _ie;
    private double _thetaDecay, _thetaPlus;
    private readonly double _learnedThetaDecay, _learnedThetaPlus;
    private readonly int _refSteps;

    /// <summary>Membrane potential (mV).</summary>
    public float[] V { get; }
    /// <summary>Threshold increment theta (mV): the threshold is V_th + theta (see <see cref="AdaptiveThreshold"/>).</summary>
    public float[] Theta { get; }
    /// <summary>theta - <see cref="Theta"/>: the part of theta below float resolution, carried so slow decays are not lost.</summary>
    public float[] ThetaResidual { get; }
    /// <summary>Remaining refractory steps.</summary>
    public int[] Refractory { get; }

    /// <summary>Builds the group; propagators are computed here once.</summary>
    public LifDeltaGroup(LifDelta p, int count, int slots, double dt) : base(count, 1, slots)
    {
        _el = Filled((float)p.EL);
        _p22 = (float)Propagators.Decay(dt, p.TauM);
        _p20 = (float)Propagators.ConstantCurrent(dt, p.TauM, p.CM);
        _vth = Filled((float)p.VTh);
        _vreset = Filled((float)p.VReset);
        _vmin = double.IsNegativeInfinity(p.VMin) ? float.NegativeInfinity : (float)p.VMin;
        _ie = Filled((float)p.IE);
        _thetaDecay = _learnedThetaDecay = Propagators.Decay(dt, p.TauTheta);
        _thetaPlus = _learnedThetaPlus = p.ThetaPlus;
        _refSteps = (int)new TimeGrid(dt).Steps(p.TRef);
        V = Filled((float)p.EL);
        Theta = new float[Padded];
        ThetaResidual = new float[Padded];
        Refractory = new int[Padded];
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables { get; } = ["v", "theta"];

    /// <inheritdoc />
    public override float[] State(string name) => name switch
    {
        "v" => V,
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
        visitor.Array("theta", Theta);
        visitor.Array("theta_residual", ThetaResidual);
        visitor.Array("refractory", Refractory);
    }

    /// <inheritdoc />
    public override int Update(long step)
    {
        var v = Vec(V);
        var r = Vec(Refractory);
        var theta = Vec(Theta);
        var residual = Vec(ThetaResidual);
        var thetaDecay = new Vector<double>(_thetaDecay);
        var cur = Vec(CurrentPa);
        var input = SlotVec(0, step);
        var el = Vec(_el);
        var p22 = new Vector<float>(_p22);
        var p20 = new Vector<float>(_p20);
        var ie = Vec(_ie);
        var vmin = new Vector<float>(_vmin);
        var vth = Vec(_vth);
        int spiked = 0;
        for (int k = 0; k < v.Length; k++)
        {
            var vk = v[k];
            var rk = r[k];
            var vn = el[k] + (vk - el[k]) * p22 + (cur[k] + ie[k]) * p20 + input[k];
            vn = Vector.Max(vn, vmin);
            var active = Vector.Equals(rk, Vector<int>.Zero);
            vk = Vector.ConditionalSelect(Vector.AsVectorSingle(active), vn, vk);
            rk -= Vector.AndNot(Vector<int>.One, active);
            input[k] = Vector<float>.Zero;
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
