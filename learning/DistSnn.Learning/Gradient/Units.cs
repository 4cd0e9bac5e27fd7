using System.Numerics;
using System.Runtime.InteropServices;

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
        if (surrogate.Kind is not (SurrogateKind.FastSigmoid or SurrogateKind.Arctan))
            throw new ArgumentException($"surrogate kind {surrogate.Kind}: the units know fast-sigmoid and arctan");
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
    /// Runs every step through the per-neuron loop, the reference the vector path (taken without a refractory period
    /// or smooth spikes) is checked against.
    /// </summary>
    internal bool ScalarOnly { get; init; }

    internal bool Vectorized => !ScalarOnly && !Smooth && _refSteps == 0;

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
            int from = 0;
            if (Vectorized)
            {
                from = ForwardVector(j, bias, ua, y, u, ys, s);
                active.Slice(0, from).Fill(T.One);
            }
            for (int i = from; i < n; i++)
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
            int from = Vectorized ? BackwardVector(u, s, gs, hasGu ? gU.Slice(t * n, n) : gU, gj, gBias, cu, cy) : 0;
            for (int i = from; i < n; i++)
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

    /// <summary>
    /// One step of <see cref="Forward"/> for whole vectors of neurons (no refractory period): the same operations in the
    /// same order as the per-neuron loop, so the same bits. Returns how many neurons it did; the loop does the rest.
    /// </summary>
    private int ForwardVector(ReadOnlySpan<T> j, ReadOnlySpan<T> bias, Span<T> ua, Span<T> y, Span<T> u, Span<T> ys, Span<T> s)
    {
        int lanes = Vector<T>.Count, end = j.Length - j.Length % lanes;
        var p22 = Vector.Create(_p22); var p21 = Vector.Create(_p21); var p11 = Vector.Create(_p11);
        var theta = Vector.Create(_theta); var uReset = Vector.Create(_uReset); var one = Vector.Create(T.One);
        bool hasBias = !bias.IsEmpty;
        ref T j0 = ref MemoryMarshal.GetReference(j);
        ref T b0 = ref MemoryMarshal.GetReference(bias);
        ref T ua0 = ref MemoryMarshal.GetReference(ua);
        ref T y0 = ref MemoryMarshal.GetReference(y);
        ref T u0 = ref MemoryMarshal.GetReference(u);
        ref T ys0 = ref MemoryMarshal.GetReference(ys);
        ref T s0 = ref MemoryMarshal.GetReference(s);
        for (int i = 0; i < end; i += lanes)
        {
            nuint at = (nuint)i;
            var ji = Vector.LoadUnsafe(ref j0, at);
            var ui = p22 * Vector.LoadUnsafe(ref ua0, at);
            var yi = _exp ? Vector.LoadUnsafe(ref y0, at) : default;
            ui += _exp ? p21 * yi : ji;
            if (hasBias) ui += Vector.LoadUnsafe(ref b0, at);
            if (_exp)
            {
                yi = p11 * yi + ji;
                yi.StoreUnsafe(ref y0, at);
                yi.StoreUnsafe(ref ys0, at);
            }
            ui.StoreUnsafe(ref u0, at);
            if (!Spiking)
            {
                Vector<T>.Zero.StoreUnsafe(ref s0, at);
                ui.StoreUnsafe(ref ua0, at);
                continue;
            }
            var fired = Vector.GreaterThanOrEqual(ui, theta);
            (fired & one).StoreUnsafe(ref s0, at);
            Vector.ConditionalSelect(fired, _subtract ? ui - theta : uReset, ui).StoreUnsafe(ref ua0, at);
        }
        return end;
    }

    /// <summary>
    /// One step of <see cref="Backward"/> for whole vectors of neurons (no refractory period, so every neuron
    /// integrated): the per-neuron loop's operations in its order. Returns how many neurons it did.
    /// </summary>
    private int BackwardVector(ReadOnlySpan<T> u, ReadOnlySpan<T> s, ReadOnlySpan<T> gs, ReadOnlySpan<T> gU, Span<T> gj, Span<T> gBias,
        Span<T> cu, Span<T> cy)
    {
        int lanes = Vector<T>.Count, end = u.Length - u.Length % lanes;
        var p22 = Vector.Create(_p22); var p21 = Vector.Create(_p21); var p11 = Vector.Create(_p11);
        var theta = Vector.Create(_theta); var uReset = Vector.Create(_uReset); var invScale = Vector.Create(_invScale);
        var one = Vector.Create(T.One); var negTheta = Vector.Create(-_theta);
        bool hasBias = !gBias.IsEmpty, hasGu = !gU.IsEmpty;
        ref T u0 = ref MemoryMarshal.GetReference(u);
        ref T s0 = ref MemoryMarshal.GetReference(s);
        ref T gs0 = ref MemoryMarshal.GetReference(gs);
        ref T gu0 = ref MemoryMarshal.GetReference(gU);
        ref T gj0 = ref MemoryMarshal.GetReference(gj);
        ref T gb0 = ref MemoryMarshal.GetReference(gBias);
        ref T cu0 = ref MemoryMarshal.GetReference(cu);
        ref T cy0 = ref MemoryMarshal.GetReference(cy);
        for (int i = 0; i < end; i += lanes)
        {
            nuint at = (nuint)i;
            var ui = Vector.LoadUnsafe(ref u0, at);
            var si = Vector.LoadUnsafe(ref s0, at);
            var c = Vector.LoadUnsafe(ref cu0, at);
            var sg = Spiking ? _surrogate.Derivative((ui - theta) * invScale) * invScale : Vector<T>.Zero;
            var dUaDu = _subtract ? one : one - si;
            var dUaDs = _detachReset ? Vector<T>.Zero : _subtract ? negTheta : uReset - ui;
            var g = (Vector.LoadUnsafe(ref gs0, at) + c * dUaDs) * sg + c * dUaDu;
            if (hasGu) g += Vector.LoadUnsafe(ref gu0, at);
            if (_exp)
            {
                var gy = Vector.LoadUnsafe(ref cy0, at);
                gy.StoreUnsafe(ref gj0, at);
                (p21 * g + p11 * gy).StoreUnsafe(ref cy0, at);
            }
            else g.StoreUnsafe(ref gj0, at);
            if (hasBias) (Vector.LoadUnsafe(ref gb0, at) + g).StoreUnsafe(ref gb0, at);
            (p22 * g).StoreUnsafe(ref cu0, at);
        }
        return end;
    }
}
