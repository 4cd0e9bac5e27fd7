using System.Numerics;
using DistSnn.Model;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// <c>if_subtract</c>: V(t+h) = V + (i_e + I) P20 + J with P20 = h / c_m, unless refractory (then V is held and J
/// dropped); spike when V &gt;= v_th, then V -= v_th − e_l and the neuron is refractory for t_ref.
/// </summary>
public sealed class IfSubtractGroup : NeuronGroup
{
    private readonly float _p20, _vth, _drop, _ie;
    private readonly int _refSteps;

    /// <summary>Membrane potential (mV).</summary>
    public float[] V { get; }
    /// <summary>Remaining refractory steps.</summary>
    public int[] Refractory { get; }

    /// <summary>Builds the group.</summary>
    public IfSubtractGroup(IfSubtract p, int count, int slots, double dt) : base(count, 1, slots)
    {
        _p20 = (float)(dt / p.CM);
        _vth = (float)p.VTh;
        _drop = (float)(p.VTh - p.EL);
        _ie = (float)p.IE;
        _refSteps = (int)new TimeGrid(dt).Steps(p.TRef);
        V = Filled((float)p.EL);
        Refractory = new int[Padded];
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables { get; } = ["v"];

    /// <inheritdoc />
    public override float[] State(string name) => name switch
    {
        "v" => V,
        _ => throw UnknownVariable(name),
    };

    /// <inheritdoc />
    public override void VisitState(Checkpoints.StateVisitor visitor)
    {
        base.VisitState(visitor);
        visitor.Array("v", V);
        visitor.Array("refractory", Refractory);
    }

    /// <inheritdoc />
    public override int Update(long step)
    {
        var v = Vec(V);
        var r = Vec(Refractory);
        var cur = Vec(CurrentPa);
        var input = SlotVec(0, step);
        var p20 = new Vector<float>(_p20);
        var ie = new Vector<float>(_ie);
        var vth = new Vector<float>(_vth);
        int spiked = 0;
        for (int k = 0; k < v.Length; k++)
        {
            var vk = v[k];
            var rk = r[k];
            var vn = vk + (cur[k] + ie) * p20 + input[k];
            var active = Vector.Equals(rk, Vector<int>.Zero);
            vk = Vector.ConditionalSelect(Vector.AsVectorSingle(active), vn, vk);
            rk -= Vector.AndNot(Vector<int>.One, active);
            input[k] = Vector<float>.Zero;
            v[k] = vk;
            r[k] = rk;
            if (Vector.GreaterThanOrEqualAny(vk, vth))
                spiked = Fire(k, spiked);
        }
        return spiked;
    }

    private int Fire(int k, int spiked)
    {
        int w = Vector<float>.Count;
        for (int i = k * w; i < k * w + w; i++)
        {
            if (V[i] < _vth) continue;
            V[i] -= _drop;
            Refractory[i] = _refSteps;
            if (i < Count) Spiked[spiked++] = i;
        }
        return spiked;
    }
}
