using System.Numerics;
using System.Runtime.InteropServices;

namespace DistSnn.Nodes.Kernels;

/// <summary>
/// The neurons of one population that live on one partition, as structure-of-arrays state plus input ring
/// buffers. Subclasses implement one model each (NEST's split: parameters as readonly fields, state arrays,
/// input buffers here, propagators computed once in the constructor).
/// <para>
/// Every per-neuron array has <see cref="Padded"/> entries (a multiple of the vector width) so that the update
/// runs whole vectors only: every neuron goes through exactly the same instructions, which keeps results
/// independent of a neuron's position and thus of partitioning. Padding lanes hold resting values, receive no
/// input and are never reported.
/// </para>
/// </summary>
public abstract class NeuronGroup
{
    /// <summary>Creates the arrays for <paramref name="count"/> neurons.</summary>
    protected NeuronGroup(int count, int ports, int slots)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count));
        if (slots < 1) throw new ArgumentOutOfRangeException(nameof(slots));
        Count = count;
        int w = Vector<float>.Count;
        Padded = (count + w - 1) / w * w;
        Ports = ports;
        Slots = slots;
        Input = new float[(long)ports * slots * Padded];
        CurrentPa = new float[Padded];
        Spiked = new int[Math.Max(count, 1)];
    }

    /// <summary>Number of real neurons.</summary>
    public int Count { get; }
    /// <summary>Length of every per-neuron array (Count rounded up to the vector width).</summary>
    public int Padded { get; }
    /// <summary>Number of input ports (1 for voltage-jump models, 2 for exc/inh synapses, 0 for sources).</summary>
    public int Ports { get; }
    /// <summary>Ring buffer depth in steps (the largest delay onto this partition, at least 1).</summary>
    public int Slots { get; }

    /// <summary>
    /// Input ring buffers: the value for port p, delivery step s and neuron i is at
    /// <c>Input[(p * Slots + s % Slots) * Padded + i]</c>. A slot holds the summed weights of all events to be
    /// consumed by the update of step s; the update zeroes the slot after reading it.
    /// </summary>
    public float[] Input { get; }

    /// <summary>Injected current per neuron (pA), set by current sources at step boundaries.</summary>
    public float[] CurrentPa { get; }

    /// <summary>Local indices of the neurons that spiked in the last <see cref="Update"/>, ascending.</summary>
    public int[] Spiked { get; }

    /// <summary>Names of the state variables (initialisable and recordable).</summary>
    public abstract IReadOnlyList<string> Variables { get; }

    /// <summary>The padded array holding state variable <paramref name="name"/>.</summary>
    public abstract float[] State(string name);

    /// <summary>
    /// Advances every neuron from step <paramref name="step"/> to step + 1, consuming ring slot
    /// <c>step % Slots</c>; returns how many neurons spiked (their indices are in <see cref="Spiked"/>).
    /// </summary>
    public abstract int Update(long step);

    /// <summary>
    /// Sets parameter <paramref name="name"/> (one of the model's <c>PerNeuronParameters</c>, canonical units) of each
    /// neuron i to <paramref name="values"/>[i]. Called before the initial values are written; a state variable whose
    /// default follows the parameter (v starts at e_l) follows it here.
    /// </summary>
    public virtual void SetParameter(string name, ReadOnlySpan<float> values) =>
        throw new ArgumentException($"{GetType().Name} holds no per-neuron parameter '{name}'", nameof(name));

    /// <summary>Checks a per-neuron parameter's length; shared by the models.</summary>
    protected void CheckParameterLength(string name, ReadOnlySpan<float> values)
    {
        if (values.Length != Count)
            throw new ArgumentException($"{values.Length} values of '{name}' for {Count} neurons", nameof(values));
    }

    /// <summary>
    /// Called once after the initial values of the model's state variables have been written into the arrays of
    /// <see cref="State"/>; groups that keep their state in another form convert it here.
    /// </summary>
    public virtual void Initialised()
    {
    }

    /// <summary>
    /// Holds adaptive thresholds where they are (no decay, no increments) while frozen, as when a trained network is
    /// evaluated; groups without adaptation ignore it.
    /// </summary>
    public virtual void FreezeAdaptation(bool frozen)
    {
    }

    /// <summary>
    /// Saves or restores everything that changes from step to step (checkpoints): the input ring buffers, the injected
    /// currents and, in each model, its state arrays. <see cref="Spiked"/> is scratch and not included.
    /// </summary>
    public virtual void VisitState(Checkpoints.StateVisitor visitor)
    {
        ArgumentNullException.ThrowIfNull(visitor);
        visitor.Array("input", Input);
        visitor.Array("current_pa", CurrentPa);
    }

    /// <summary>One port's slice of the ring buffer for a delivery step.</summary>
    public Span<float> InputSlot(int port, long step) =>
        Input.AsSpan((int)(((long)port * Slots + step % Slots) * Padded), Padded);

    /// <summary>Reinterprets a padded array as whole vectors.</summary>
    protected static Span<Vector<float>> Vec(float[] a) => MemoryMarshal.Cast<float, Vector<float>>(a.AsSpan());

    /// <summary>Reinterprets a padded int array as whole vectors.</summary>
    protected static Span<Vector<int>> Vec(int[] a) => MemoryMarshal.Cast<int, Vector<int>>(a.AsSpan());

    /// <summary>A padded array filled with <paramref name="value"/>.</summary>
    protected float[] Filled(float value)
    {
        var a = new float[Padded];
        Array.Fill(a, value);
        return a;
    }

    /// <summary>The ring slot of one port for <paramref name="step"/> as whole vectors.</summary>
    protected Span<Vector<float>> SlotVec(int port, long step) => MemoryMarshal.Cast<float, Vector<float>>(InputSlot(port, step));

    /// <summary>Unknown-variable error shared by the models.</summary>
    protected ArgumentException UnknownVariable(string name) =>
        new($"unknown state variable '{name}' (known: {string.Join(", ", Variables)})", nameof(name));
}
