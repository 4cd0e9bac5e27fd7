using System.Numerics;

namespace DistSnn.Learning.Gradient;

/// <summary>
/// One layer's neurons over the steps of one sample: buffers written by the forward pass and read by the backward
/// pass (step-major, <c>[t · N + i]</c>).
/// </summary>
public sealed class UnitTrace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Buffers for <paramref name="steps"/> steps of <paramref name="size"/> units.</summary>
    public UnitTrace(int steps, int size)
    {
        U = new T[steps * size];
        Y = new T[steps * size];
        Active = new T[steps * size];
        Refractory = new int[size];
        CarryU = new T[size];
        CarryY = new T[size];
    }

    /// <summary>Membrane above rest after the update of each step, before any reset (mV).</summary>
    public T[] U { get; }
    /// <summary>Synaptic variable after each step (lif_exp_current).</summary>
    public T[] Y { get; }
    /// <summary>1 where the neuron integrated in the step, 0 while refractory.</summary>
    public T[] Active { get; }
    /// <summary>Remaining refractory steps (forward scratch).</summary>
    public int[] Refractory { get; }
    /// <summary>Membrane after reset (forward) or its gradient (backward), carried from step to step.</summary>
    public T[] CarryU { get; }
    /// <summary>Synaptic variable (forward) or its gradient (backward), carried from step to step.</summary>
    public T[] CarryY { get; }
}

/// <summary>
/// Leaky or non-leaky integrate-and-fire neurons, discretised as the simulator's kernels are: per step,
/// u = P22 · u_after_reset + input + bias (lif_delta, if_subtract) or u = P22 · u + P21 · y + bias with
/// y = P11 · y + input (lif_exp_current, whose membrane sees this step's input one step later); spike when u ≥ θ;
/// reset to V_reset (lif) or subtract θ (if_subtract); while refractory u is held and a lif_delta neuron's input is
/// dropped. The backward pass runs the same recursion in reverse with the surrogate in place of the spike's
/// derivative, through the reset too; the refractory mask is held fixed.
/// </summary>
public sealed class LifUnits<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T _p22, _p21, _p11, _theta, _uReset, _invScale;
    private readonly int _refSteps;
    private readonly bool _exp, _subtract, _detachReset;
    private readonly Surrogate _surrogate;

    /// <summary>
    /// Units of <paramref name="spec"/>; a non-spiking layer (<paramref name="spiking"/> false) only integrates. With
    /// <paramref name="detachReset"/> the backward pass treats the reset as a constant (as SpyTorch and snnTorch do by
    /// default): no gradient flows through the spike into the reset.
    /// </summary>
    public LifUnits(NeuronSpec spec, Surrogate surrogate, bool spiking, bool smooth, bool detachReset = false)
    {
        _detachReset = detachReset;
        _p22 = T.CreateTruncating(spec.P22);
        _p21 = T.CreateTruncating(spec.Kind == UnitKind.LifExpCurrent ? spec.P21 : 0);
        _p11 = T.CreateTruncating(spec.Kind == UnitKind.LifExpCurrent ? spec.P11 : 0);
        _theta = T.CreateTruncating(spec.Theta);
        _uReset = T.CreateTruncating(spec.UReset);
        _invScale = T.One / _theta;
        _refSteps = spec.RefractorySteps;
        _exp = spec.Kind == UnitKind.LifExpCurrent;
        _subtract = spec.Kind == UnitKind.IfSubtract;
        _surrogate = surrogate;
        Spiking = spiking;
        Smooth = smooth;
        if (smooth && _refSteps > 0)
            throw new ArgumentException("a smooth (gradient-check) network cannot have a refractory period");
    }

    /// <summary>True when the units spike (false for a non-spiking read-out layer).</summary>
    public bool Spiking { get; }

    /// <summary>True when spikes are the surrogate's antiderivative instead of a step (gradient checks).</summary>
    public bool Smooth { get; }

    /// <summary>
    /// Runs <paramref name="steps"/> steps. <paramref name="input"/> holds each step's feed-forward input; the
    /// recurrent input (<paramref name="recurrent"/>, from this layer's spikes one step earlier) is added to it here.
    /// </summary>
    public void Forward(int steps, Span<T> input, ReadOnlySpan<T> bias, DenseConnection<T>? recurrent, ReadOnlySpan<T> wRec,
        UnitTrace<T> trace, Activity<T> spikes)
    {
        int n = spikes.Size;
        var ua = trace.CarryU.AsSpan();
        var y = trace.CarryY.AsSpan();
        ua.Clear();
        y.Clear();
        Array.Clear(trace.Refractory);
        bool hasBias = !bias.IsEmpty;
        for (int t = 0; t < steps; t++)
        {
            var j = input.Slice(t * n, n);
            if (recurrent is not null && t > 0)
                recurrent.Forward(wRec, spikes.Row(t - 1), spikes.NonZero(t - 1), j);
            var u = trace.U.AsSpan(t * n, n);
            var active = trace.Active.AsSpan(t * n, n);
            var ys = trace.Y.AsSpan(t * n, n);
            var s = spikes.Row(t);
            for (int i = 0; i < n; i++)
            {
                T ui;
                if (trace.Refractory[i] > 0)
                {
                    trace.Refractory[i]--;
                    ui = ua[i];
                    active[i] = T.Zero;
                }
                else
                {
                    ui = _p22 * ua[i] + (_exp ? _p21 * y[i] : j[i]);
                    if (hasBias) ui += bias[i];
                    active[i] = T.One;
                }
                if (_exp)
                {
                    y[i] = _p11 * y[i] + j[i];
                    ys[i] = y[i];
                }
                u[i] = ui;
                T si;
                if (!Spiking) si = T.Zero;
                else if (Smooth) si = _surrogate.Smooth((ui - _theta) * _invScale);
                else si = ui >= _theta ? T.One : T.Zero;
                s[i] = si;
                if (Smooth)
                    ua[i] = _subtract ? ui - si * _theta : ui - si * (ui - _uReset);
                else if (si == T.One)
                {
                    ua[i] = _subtract ? ui - _theta : _uReset;
                    trace.Refractory[i] = _refSteps;
                }
                else ua[i] = ui;
            }
            spikes.IndexRow(t);
        }
    }

    /// <summary>
    /// Back-propagates through the steps: <paramref name="gSpikes"/> holds dL/ds for every step (the recurrent part
    /// is added into it here, step t−1 before it is read); <paramref name="gU"/> (may be empty) adds dL/du directly
    /// (a max-membrane loss). Writes dL/d(input) into <paramref name="gInput"/> and adds to the bias and recurrent
    /// weight gradients.
    /// </summary>
    public void Backward(int steps, Span<T> gSpikes, ReadOnlySpan<T> gU, Span<T> gInput, Span<T> gBias,
        DenseConnection<T>? recurrent, ReadOnlySpan<T> wRec, Span<T> gWRec, UnitTrace<T> trace, Activity<T> spikes)
    {
        int n = spikes.Size;
        var cu = trace.CarryU.AsSpan();
        var cy = trace.CarryY.AsSpan();
        cu.Clear();
        cy.Clear();
        bool hasBias = !gBias.IsEmpty, hasGu = !gU.IsEmpty;
        for (int t = steps - 1; t >= 0; t--)
        {
            var u = trace.U.AsSpan(t * n, n);
            var active = trace.Active.AsSpan(t * n, n);
            var s = spikes.Row(t);
            var gs = gSpikes.Slice(t * n, n);
            var gj = gInput.Slice(t * n, n);
            for (int i = 0; i < n; i++)
            {
                T ui = u[i], si = s[i];
                T sg = Spiking ? _surrogate.Derivative((ui - _theta) * _invScale) * _invScale : T.Zero;
                T dUaDu = _subtract ? T.One : T.One - si;
                T dUaDs = _detachReset ? T.Zero : _subtract ? -_theta : _uReset - ui;
                T g = (gs[i] + cu[i] * dUaDs) * sg + cu[i] * dUaDu;
                if (hasGu) g += gU[t * n + i];
                bool isActive = active[i] != T.Zero;
                if (_exp)
                {
                    T gy = cy[i];
                    gj[i] = gy;
                    cy[i] = (isActive ? _p21 * g : T.Zero) + _p11 * gy;
                }
                else gj[i] = isActive ? g : T.Zero;
                if (isActive)
                {
                    if (hasBias) gBias[i] += g;
                    cu[i] = _p22 * g;
                }
                else cu[i] = g;
            }
            if (recurrent is not null && t > 0)
                recurrent.Backward(wRec, spikes.Row(t - 1), spikes.NonZero(t - 1), gj, gWRec, gSpikes.Slice((t - 1) * n, n));
        }
    }
}
