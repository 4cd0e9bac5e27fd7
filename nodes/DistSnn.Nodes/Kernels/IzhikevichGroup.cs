using System.Numerics;
using DistSnn.Model;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// <c>izhikevich</c>, with NEST's scheme: forward Euler over dt with both updates using start-of-step values,
/// v += h (0.04 v^2 + 5 v + 140 - u + i_e + I) + J and u += h a (b v - u), where J is the sum of the weights (mV)
/// consumed this step; spike when v &gt;= v_peak, then v = c and u += d. Forward Euler is what NEST and
/// Izhikevich's own code use; it needs dt &lt;= ~0.1 ms for the quadratic upstroke to stay accurate.
/// </summary>
public sealed class IzhikevichGroup : NeuronGroup
{
    private readonly float _h, _vpeak;
    private readonly double _dt;
    // Per neuron (padded): Izhikevich's networks give each neuron its own a, b, c, d.
    private readonly float[] _ha, _b, _c, _d, _ie;

    /// <summary>Membrane potential (mV).</summary>
    public float[] V { get; }
    /// <summary>Recovery variable.</summary>
    public float[] U { get; }

    /// <summary>Builds the group.</summary>
    public IzhikevichGroup(Izhikevich p, int count, int slots, double dt) : base(count, 1, slots)
    {
        _h = (float)dt;
        _dt = dt;
        _ha = Filled((float)(dt * p.A));
        _b = Filled((float)p.B);
        _c = Filled((float)p.C);
        _d = Filled((float)p.D);
        _vpeak = (float)p.VPeak;
        _ie = Filled((float)p.IE);
        V = Filled((float)p.C);
        U = Filled((float)p.B * (float)p.C);
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables { get; } = ["v", "u"];

    /// <inheritdoc />
    public override float[] State(string name) => name switch
    {
        "v" => V,
        "u" => U,
        _ => throw UnknownVariable(name),
    };

    /// <summary>Recovery sensitivity b per neuron (padded).</summary>
    public ReadOnlySpan<float> B => _b;

    /// <inheritdoc />
    public override void SetParameter(string name, ReadOnlySpan<float> values)
    {
        CheckParameterLength(name, values);
        switch (name)
        {
            case "a":
                for (int i = 0; i < values.Length; i++) _ha[i] = (float)(_dt * values[i]);
                return;
            case "b": values.CopyTo(_b); break;
            case "c": values.CopyTo(_c); break;
            case "d": values.CopyTo(_d); return;
            case "i_e": values.CopyTo(_ie); return;
            default: base.SetParameter(name, values); return;
        }
        // v starts at c and u at b c, as for population-wide values.
        for (int i = 0; i < values.Length; i++)
        {
            V[i] = _c[i];
            U[i] = _b[i] * _c[i];
        }
    }

    /// <inheritdoc />
    public override void VisitState(Checkpoints.StateVisitor visitor)
    {
        base.VisitState(visitor);
        visitor.Array("v", V);
        visitor.Array("u", U);
    }

    /// <inheritdoc />
    public override int Update(long step)
    {
        var v = Vec(V);
        var u = Vec(U);
        var cur = Vec(CurrentPa);
        var input = SlotVec(0, step);
        var h = new Vector<float>(_h);
        var ha = Vec(_ha);
        var b = Vec(_b);
        var ie = Vec(_ie);
        var vpeak = new Vector<float>(_vpeak);
        var c004 = new Vector<float>(0.04f);
        var c5 = new Vector<float>(5f);
        var c140 = new Vector<float>(140f);
        int spiked = 0;
        for (int k = 0; k < v.Length; k++)
        {
            var vk = v[k];
            var uk = u[k];
            var vn = vk + h * (c004 * vk * vk + c5 * vk + c140 - uk + (cur[k] + ie[k])) + input[k];
            var un = uk + ha[k] * (b[k] * vk - uk);
            input[k] = Vector<float>.Zero;
            v[k] = vn;
            u[k] = un;
            if (Vector.GreaterThanOrEqualAny(vn, vpeak))
                spiked = Fire(k, spiked);
        }
        return spiked;
    }

    private int Fire(int k, int spiked)
    {
        int w = Vector<float>.Count;
        for (int i = k * w; i < k * w + w; i++)
        {
            if (V[i] < _vpeak) continue;
            V[i] = _c[i];
            U[i] += _d[i];
            if (i < Count) Spiked[spiked++] = i;
            else U[i] = _b[i] * _c[i]; // padding lanes go back to rest instead of drifting
        }
        return spiked;
    }
}
