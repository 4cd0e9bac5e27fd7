using System.Globalization;
using DistSnn.Nodes.Kernels;

namespace DistSnn.Learning.Gradient;

/// <summary>What a trained layer's units are.</summary>
public enum UnitKind
{
    /// <summary><c>lif_delta</c>: a spike's weight jumps the membrane.</summary>
    LifDelta,
    /// <summary><c>lif_exp_current</c>: a spike's weight jumps an exponentially decaying current.</summary>
    LifExpCurrent,
    /// <summary><c>if_subtract</c>: no leak, reset by subtracting the threshold.</summary>
    IfSubtract,
    /// <summary>Rectified linear (the analog network of a conversion).</summary>
    Relu,
}

/// <summary>
/// The neurons of a trained spiking network, in the simulator's units and discretisation: membrane in mV, time in ms,
/// the step <see cref="Dt"/>, exact propagators as the simulator computes them. The trainer works with
/// u = V − E_L; a layer's input in a step is the weighted sum of the spikes of the layer below in the step before,
/// exactly as a projection with a one-step delay delivers it.
/// </summary>
public sealed record NeuronSpec
{
    /// <summary>The model.</summary>
    public UnitKind Kind { get; init; } = UnitKind.LifDelta;
    /// <summary>Simulation step (ms).</summary>
    public double Dt { get; init; } = 1.0;
    /// <summary>Membrane time constant (ms; ignored by <see cref="UnitKind.IfSubtract"/>).</summary>
    public double TauM { get; init; } = 10.0;
    /// <summary>Synaptic time constant of <see cref="UnitKind.LifExpCurrent"/> (ms).</summary>
    public double TauSyn { get; init; } = 5.0;
    /// <summary>Membrane capacitance (pF): converts bias and weights to the simulator's currents.</summary>
    public double CM { get; init; } = 250.0;
    /// <summary>Resting potential (mV).</summary>
    public double EL { get; init; }
    /// <summary>Threshold (mV).</summary>
    public double VTh { get; init; } = 1.0;
    /// <summary>Reset potential (mV; ignored by <see cref="UnitKind.IfSubtract"/>).</summary>
    public double VReset { get; init; }
    /// <summary>Refractory period (ms); 0 for none.</summary>
    public double TRef { get; init; }

    /// <summary>The simulator's model name.</summary>
    public string ModelName => Kind switch
    {
        UnitKind.LifDelta => "lif_delta",
        UnitKind.LifExpCurrent => "lif_exp_current",
        UnitKind.IfSubtract => "if_subtract",
        _ => "relu",
    };

    /// <summary>Parses a model name of <see cref="ModelName"/>.</summary>
    public static UnitKind ParseKind(string text, string option = "--neuron") => text switch
    {
        "lif_delta" => UnitKind.LifDelta,
        "lif_exp_current" => UnitKind.LifExpCurrent,
        "if_subtract" => UnitKind.IfSubtract,
        _ => throw new FormatException($"{option} '{text}': expected lif_delta, lif_exp_current or if_subtract"),
    };

    /// <summary>Threshold above rest, θ = V_th − E_L (mV).</summary>
    public double Theta => VTh - EL;
    /// <summary>Reset above rest (mV).</summary>
    public double UReset => VReset - EL;
    /// <summary>Membrane decay per step (1 without leak).</summary>
    public double P22 => Kind == UnitKind.IfSubtract ? 1.0 : Propagators.Decay(Dt, TauM);
    /// <summary>Membrane gain per step of the synaptic variable (lif_exp_current).</summary>
    public double P21 => Propagators.ExpSynapseOnMembrane(Dt, TauM, TauSyn);
    /// <summary>Synaptic decay per step (lif_exp_current).</summary>
    public double P11 => Propagators.Decay(Dt, TauSyn);
    /// <summary>Membrane gain (mV) per pA of constant current over one step: bias (mV per step) = i_e · P20.</summary>
    public double P20 => Kind == UnitKind.IfSubtract ? Dt / CM : Propagators.ConstantCurrent(Dt, TauM, CM);
    /// <summary>Refractory steps, as the simulator rounds them.</summary>
    public int RefractorySteps => (int)new DistSnn.Model.TimeGrid(Dt).Steps(TRef);

    /// <summary>Checks the values; errors name the option.</summary>
    public void Validate(string option = "--neuron")
    {
        if (Kind == UnitKind.Relu) return;
        if (!(Dt > 0)) throw new ArgumentException($"{option}: dt must be positive, got {Dt.ToString(CultureInfo.InvariantCulture)} ms");
        if (!(Theta > 0)) throw new ArgumentException($"{option}: v_th must lie above e_l");
        if (Kind != UnitKind.IfSubtract && !(TauM > 0)) throw new ArgumentException($"{option}: tau_m must be positive");
        if (Kind == UnitKind.LifExpCurrent && !(TauSyn > 0)) throw new ArgumentException($"{option}: tau_syn must be positive");
        if (Kind != UnitKind.IfSubtract && !(VReset < VTh)) throw new ArgumentException($"{option}: v_reset must lie below v_th");
        if (TRef < 0) throw new ArgumentException($"{option}: t_ref must not be negative");
    }
}
