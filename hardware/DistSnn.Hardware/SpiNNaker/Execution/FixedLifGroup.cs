using DistSnn.Model;
using DistSnn.Nodes.Checkpoints;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// <c>lif_delta</c> and <c>lif_exp_current</c> neurons as a SpiNNaker core computes them: state in s16.15
/// (<see cref="FixedPoint"/>), input from 16-bit ring buffers (one per synapse type, excitatory and inhibitory) whose
/// words become s16.15 by a left shift chosen per population and synapse type. The machine's rings are 16 ticks deep and
/// a delay extension re-sends long-delayed spikes when they come within reach; the model writes a delayed spike's words
/// when its stage is routed, so its rings are as deep as the longest delay onto the population (at least 16).
/// <para>The update of tick t, per neuron (sPyNNaker 7's order and roundings):</para>
/// <list type="number">
/// <item>Ring words of slot t: in_e = word_e &lt;&lt; shift_e, in_i = word_i &lt;&lt; shift_i (s16.15 bits); the slot is cleared.</item>
/// <item><c>lif_exp_current</c> only: I_e += decay(in_e, init_e), I_i += decay(in_i, init_i), with
/// init = τ_syn/h (1 − e^(−h/τ_syn)) as u0.32: the current is held constant over a tick, and a weight's charge is kept.</item>
/// <item>Not refractory: I = I_e − I_i + I_offset (<c>lif_delta</c>: I = I_offset); α = mul(I, R) + V_rest;
/// V = α − mul(e^(−h/τ_m), α − V) (closed form, both multiplies rounded to nearest);
/// <c>lif_delta</c> then adds the jump: V = V + in_e − in_i, and clamps at V_min. Refractory: the counter counts down
/// and the tick's input is dropped (<c>lif_delta</c>).</item>
/// <item>V ≥ V_th: spike; V = V_reset; refractory for t_ref steps.</item>
/// <item><c>lif_exp_current</c> only: I_e = decay(I_e, e^(−h/τ_e)), I_i = decay(I_i, e^(−h/τ_i)) (truncated).</item>
/// </list>
/// Currents are in nA (weights of <c>lif_exp_current</c> become nA by dividing their mV-scaled value by R = τ_m/C_m),
/// potentials in mV. Float mirrors of v (and i_exc, i_inh in mV, as the CPU records them) serve state recording.
/// </summary>
public sealed class FixedLifGroup : NeuronGroup
{
    /// <summary>Ticks a core's ring buffers hold on the machine: its delay range.</summary>
    public const int CoreRingTicks = 16;

    private readonly bool _exponential;
    private readonly int _vRest, _vReset, _vTh, _vMin, _r, _expTc, _iE;
    private readonly uint _decayExc, _decayInh, _initExc, _initInh;
    private readonly int _refSteps;
    private readonly float[] _vf, _iExcF, _iInhF;
    private readonly float[] _lastCurrent;

    /// <summary>Membrane potential, s16.15 mV.</summary>
    public int[] VFixed { get; }
    /// <summary>Excitatory synaptic current, s16.15 nA (<c>lif_exp_current</c>).</summary>
    public int[] ExcFixed { get; }
    /// <summary>Inhibitory synaptic current, s16.15 nA (<c>lif_exp_current</c>).</summary>
    public int[] InhFixed { get; }
    /// <summary>Remaining refractory steps.</summary>
    public int[] RefractoryTimer { get; }
    /// <summary>Offset current i_e plus injected current, s16.15 nA.</summary>
    public int[] OffsetFixed { get; }
    /// <summary>Steps the rings hold (at least <see cref="CoreRingTicks"/>, and more than the longest delay onto the population).</summary>
    public int RingTicks { get; }
    /// <summary>Ring buffers: word of type k (0 excitatory, 1 inhibitory), slot s, neuron i at <c>(k × RingTicks + s) × Count + i</c>.</summary>
    public ushort[] Ring { get; }
    /// <summary>Left shift of each neuron's excitatory ring words.</summary>
    public byte[] ShiftExc { get; }
    /// <summary>Left shift of each neuron's inhibitory ring words.</summary>
    public byte[] ShiftInh { get; }
    /// <summary>Ring-buffer additions that saturated at 65535 so far.</summary>
    public long Saturations { get; set; }

    /// <summary>A group of <paramref name="count"/> neurons of <paramref name="model"/> (lif_delta or lif_exp_current) with delays up to <paramref name="maxDelay"/> steps.</summary>
    public FixedLifGroup(NeuronModel model, int count, double dt, int maxDelay = CoreRingTicks) : base(count, 2, 1)
    {
        RingTicks = Math.Max(CoreRingTicks, maxDelay + 1);
        double tauM, cM, el, vReset, vTh, tRef, ie, vMin = double.NegativeInfinity;
        switch (model)
        {
            case LifDelta d:
                (tauM, cM, el, vReset, vTh, tRef, ie, vMin) = (d.TauM, d.CM, d.EL, d.VReset, d.VTh, d.TRef, d.IE, d.VMin);
                break;
            case LifExpCurrent e:
                (tauM, cM, el, vReset, vTh, tRef, ie) = (e.TauM, e.CM, e.EL, e.VReset, e.VTh, e.TRef, e.IE);
                _exponential = true;
                _decayExc = FixedPoint.FractionFromDouble(Math.Exp(-dt / e.TauSynExc));
                _decayInh = FixedPoint.FractionFromDouble(Math.Exp(-dt / e.TauSynInh));
                _initExc = FixedPoint.FractionFromDouble(InitFactor(dt, e.TauSynExc));
                _initInh = FixedPoint.FractionFromDouble(InitFactor(dt, e.TauSynInh));
                break;
            default:
                throw new ArgumentException($"the SpiNNaker kernels run lif_delta and lif_exp_current, not {model.Kind}", nameof(model));
        }
        _vRest = FixedPoint.FromDouble(el);
        _vReset = FixedPoint.FromDouble(vReset);
        _vTh = FixedPoint.FromDouble(vTh);
        _vMin = double.IsNegativeInfinity(vMin) ? int.MinValue : FixedPoint.FromDouble(vMin);
        _r = FixedPoint.FromDouble(Resistance(tauM, cM));
        _expTc = FixedPoint.FromDouble(Math.Exp(-dt / tauM));
        _iE = FixedPoint.FromDouble(ie / 1000.0);
        _refSteps = (int)new TimeGrid(dt).Steps(tRef);
        VFixed = new int[count];
        ExcFixed = new int[count];
        InhFixed = new int[count];
        RefractoryTimer = new int[count];
        OffsetFixed = new int[count];
        Array.Fill(OffsetFixed, _iE);
        _lastCurrent = new float[count];
        Ring = new ushort[2 * RingTicks * count];
        ShiftExc = new byte[count];
        ShiftInh = new byte[count];
        _vf = Filled((float)el);
        _iExcF = new float[Padded];
        _iInhF = new float[Padded];
        Array.Fill(VFixed, _vRest);
    }

    /// <summary>R = τ_m / C_m in MΩ (ms / nF), from C_m in pF.</summary>
    public static double Resistance(double tauMs, double cmPf) => tauMs / (cmPf / 1000.0);

    /// <summary>The exponential synapse's arrival factor τ/h (1 − e^(−h/τ)) (sPyNNaker's <c>init</c>).</summary>
    public static double InitFactor(double dt, double tau) => tau / dt * (1 - Math.Exp(-dt / tau));

    /// <summary>Whether this is <c>lif_exp_current</c>.</summary>
    public bool Exponential => _exponential;

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables => _exponential ? ["v", "i_exc", "i_inh"] : ["v"];

    /// <inheritdoc />
    public override float[] State(string name) => name switch
    {
        "v" => _vf,
        "i_exc" when _exponential => _iExcF,
        "i_inh" when _exponential => _iInhF,
        _ => throw UnknownVariable(name),
    };

    /// <inheritdoc />
    public override void Initialised()
    {
        double r = FixedPoint.ToDouble(_r);
        for (int i = 0; i < Count; i++)
        {
            VFixed[i] = FixedPoint.FromDouble(_vf[i]);
            // Recorded in mV as on the CPU; held in nA.
            ExcFixed[i] = FixedPoint.FromDouble(_iExcF[i] / r);
            InhFixed[i] = FixedPoint.FromDouble(-_iInhF[i] / r);
        }
        Mirror();
    }

    /// <summary>Adds a weight word to the ring of type <paramref name="type"/> for the update of <paramref name="step"/>, saturating at 65535.</summary>
    public void AddWeight(int type, long step, int neuron, int word)
    {
        int at = (type * RingTicks + (int)(step % RingTicks)) * Count + neuron;
        int sum = Ring[at] + word;
        if (sum > ushort.MaxValue)
        {
            sum = ushort.MaxValue;
            Saturations++;
        }
        Ring[at] = (ushort)sum;
    }

    /// <summary>A ring word as s16.15 input: word &lt;&lt; shift, saturated.</summary>
    public static int RingInput(int word, int shift) => FixedPoint.Saturate((long)word << shift);

    /// <inheritdoc />
    public override int Update(long step)
    {
        int n = Count;
        int slot = (int)(step % RingTicks);
        int excAt = slot * n, inhAt = (RingTicks + slot) * n;
        UpdateOffsets();
        int spiked = 0;
        for (int i = 0; i < n; i++)
        {
            int inE = RingInput(Ring[excAt + i], ShiftExc[i]);
            int inI = RingInput(Ring[inhAt + i], ShiftInh[i]);
            Ring[excAt + i] = 0;
            Ring[inhAt + i] = 0;
            int v = VFixed[i];
            if (_exponential)
            {
                int ie = FixedPoint.Add(ExcFixed[i], FixedPoint.Decay(inE, _initExc));
                int ii = FixedPoint.Add(InhFixed[i], FixedPoint.Decay(inI, _initInh));
                if (RefractoryTimer[i] <= 0)
                    v = Membrane(v, FixedPoint.Add(FixedPoint.Subtract(ie, ii), OffsetFixed[i]));
                else RefractoryTimer[i]--;
                ExcFixed[i] = ie;
                InhFixed[i] = ii;
            }
            else if (RefractoryTimer[i] <= 0)
            {
                v = FixedPoint.Subtract(FixedPoint.Add(Membrane(v, OffsetFixed[i]), inE), inI);
                if (v < _vMin) v = _vMin;
            }
            else RefractoryTimer[i]--;
            if (v >= _vTh)
            {
                v = _vReset;
                RefractoryTimer[i] = _refSteps;
                Spiked[spiked++] = i;
            }
            VFixed[i] = v;
            if (_exponential)
            {
                ExcFixed[i] = FixedPoint.Decay(ExcFixed[i], _decayExc);
                InhFixed[i] = FixedPoint.Decay(InhFixed[i], _decayInh);
            }
        }
        Mirror();
        return spiked;
    }

    /// <summary>The closed-form LIF step: α = mul(I, R) + V_rest; V' = α − mul(e^(−h/τ_m), α − V).</summary>
    private int Membrane(int v, int current)
    {
        int alpha = FixedPoint.Add(FixedPoint.Multiply(current, _r), _vRest);
        return FixedPoint.Subtract(alpha, FixedPoint.Multiply(_expTc, FixedPoint.Subtract(alpha, v)));
    }

    /// <summary>Injected currents (pA, set by the current schedules) become the s16.15 nA offset where they changed.</summary>
    private void UpdateOffsets()
    {
        var pa = CurrentPa;
        for (int i = 0; i < Count; i++)
        {
            if (pa[i] == _lastCurrent[i]) continue;
            _lastCurrent[i] = pa[i];
            OffsetFixed[i] = FixedPoint.Add(_iE, FixedPoint.FromDouble(pa[i] / 1000.0));
        }
    }

    private void Mirror()
    {
        double r = FixedPoint.ToDouble(_r);
        for (int i = 0; i < Count; i++) _vf[i] = (float)FixedPoint.ToDouble(VFixed[i]);
        if (!_exponential) return;
        for (int i = 0; i < Count; i++)
        {
            _iExcF[i] = (float)(FixedPoint.ToDouble(ExcFixed[i]) * r);
            _iInhF[i] = (float)(-FixedPoint.ToDouble(InhFixed[i]) * r);
        }
    }

    /// <inheritdoc />
    public override void VisitState(StateVisitor visitor)
    {
        base.VisitState(visitor);
        visitor.Array("v_fixed", VFixed);
        visitor.Array("exc_fixed", ExcFixed);
        visitor.Array("inh_fixed", InhFixed);
        visitor.Array("refractory", RefractoryTimer);
        visitor.Array("offset_fixed", OffsetFixed);
        visitor.Array("last_current", _lastCurrent);
        visitor.Array("ring", Ring);
        long saturations = Saturations;
        visitor.Value("saturations", ref saturations);
        Saturations = saturations;
        if (visitor.Restoring) Mirror();
    }
}
