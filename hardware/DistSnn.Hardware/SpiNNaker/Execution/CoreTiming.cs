using DistSnn.Nodes.Checkpoints;

namespace DistSnn.Hardware.SpiNNaker.Execution;

/// <summary>
/// The time a neuron core has in each tick, and what it does with it. A tick lasts
/// <see cref="SpiNNakerParameters.ClockHz"/> × dt × <see cref="SpiNNakerParameters.TimeScaleFactor"/> cycles. In each tick
/// the core first updates its neurons (<see cref="NeuronCycles"/>), then handles the packets of its Poisson drive, which
/// arrive at the start of the tick (those that do not fit are late for their one-tick delay and lost), and the
/// delay-extension packets of the tick (served on arrival), then serves its input buffer first in, first out: packets
/// left from earlier ticks, then this tick's spikes in order of global id. A packet costs <see cref="SpiNNakerParameters.CyclesPerPacket"/> plus
/// <see cref="SpiNNakerParameters.CyclesPerSynapse"/> per synaptic word of its row. A packet that finds
/// <see cref="SpiNNakerParameters.InputBufferPackets"/> packets still waiting past its tick is dropped; a packet served
/// in a later tick than it arrived delivers only the synapses whose slot is still ahead (the others are late). A tick
/// whose work does not end within it is a timer overrun.
/// </summary>
public sealed class CoreTiming
{
    private readonly double _capacity;
    private readonly int _bufferPackets;
    private long _serverTick = long.MinValue;
    private double _serverUsed;
    private long[] _waiting = new long[16];
    private int _waitHead, _waitCount;

    /// <summary>Timing of a core of <paramref name="atoms"/> neurons.</summary>
    public CoreTiming(SpiNNakerParameters p, double dtMs, int atoms)
    {
        Budget = p.ClockHz * dtMs * 1e-3 * p.TimeScaleFactor;
        NeuronCycles = p.CyclesPerTick + p.CyclesPerNeuron * atoms;
        _capacity = Budget - NeuronCycles;
        _bufferPackets = p.InputBufferPackets;
    }

    /// <summary>Cycles in a tick.</summary>
    public double Budget { get; }
    /// <summary>Cycles of the neuron update in every tick.</summary>
    public double NeuronCycles { get; }
    /// <summary>Cycles left for packets after the neuron update (0 when the update alone overruns).</summary>
    public double PacketCapacity => Math.Max(0, _capacity);

    /// <summary>
    /// Serves a packet that arrived in tick <paramref name="tick"/> and costs <paramref name="cycles"/>, after every
    /// packet served before it; <paramref name="priorityCycles"/>(t) are the cycles taken first in tick t (the Poisson
    /// drive's and the delay-extension packets').
    /// Returns the tick in which it is done, or −1 when it was dropped (the input buffer was full).
    /// </summary>
    public long Serve(long tick, double cycles, Func<long, double> priorityCycles)
    {
        // Forget packets done before this tick; the rest are still in the buffer when this one arrives.
        while (_waitCount > 0 && _waiting[_waitHead] < tick)
        {
            _waitHead = (_waitHead + 1) % _waiting.Length;
            _waitCount--;
        }
        if (CountBeyond(tick) >= _bufferPackets || _capacity <= 0) return -1;
        if (_serverTick < tick)
        {
            _serverTick = tick;
            _serverUsed = 0;
        }
        double left = cycles;
        for (int guard = 0; ; guard++)
        {
            double room = Math.Max(0, _capacity - priorityCycles(_serverTick)) - _serverUsed;
            if (left <= room)
            {
                _serverUsed += left;
                break;
            }
            left -= Math.Max(0, room);
            _serverTick++;
            _serverUsed = 0;
            if (guard > 1_000_000) throw new InvalidOperationException("a packet would wait more than a million ticks");
        }
        Push(_serverTick);
        return _serverTick;
    }

    /// <summary>Whether the core is still busy past the end of <paramref name="tick"/> with packets that arrived by then.</summary>
    public bool BusyAfter(long tick) => _capacity <= 0 || _serverTick > tick;

    private int CountBeyond(long tick)
    {
        // Completion ticks are non-decreasing in the buffer: count those after tick from the back.
        int n = 0;
        for (int k = _waitCount - 1; k >= 0 && _waiting[(_waitHead + k) % _waiting.Length] > tick; k--) n++;
        return n;
    }

    private void Push(long done)
    {
        if (_waitCount == _waiting.Length)
        {
            var grown = new long[_waiting.Length * 2];
            for (int k = 0; k < _waitCount; k++) grown[k] = _waiting[(_waitHead + k) % _waiting.Length];
            _waiting = grown;
            _waitHead = 0;
        }
        _waiting[(_waitHead + _waitCount) % _waiting.Length] = done;
        _waitCount++;
    }

    /// <summary>Saves or restores the server's position and the buffer.</summary>
    public void VisitState(StateVisitor v)
    {
        v.Value("server_tick", ref _serverTick);
        v.Value("server_used", ref _serverUsed);
        var waiting = Enumerable.Range(0, _waitCount).Select(k => _waiting[(_waitHead + k) % _waiting.Length]).ToArray();
        int count = waiting.Length;
        v.Prefix("waiting", ref waiting, ref count);
        if (!v.Restoring) return;
        _waiting = new long[Math.Max(16, waiting.Length)];
        Array.Copy(waiting, _waiting, count);
        _waitHead = 0;
        _waitCount = count;
    }
}
