using DistSnn.Model;
using DistSnn.Nodes.Exchange;

namespace DistSnn.Nodes.Backends;

/// <summary>
/// A partition's position in the run on the model's time grid: <see cref="CurrentStep"/> (the next step to simulate)
/// and <see cref="DeliveredEpochs"/> (the epochs whose spikes it has been handed). Epochs are
/// <see cref="EpochSteps"/> long (the last may be shorter) and the same for every partition and backend, since they
/// come from the model alone. The clock refuses a step out of order with an <see cref="InvalidOperationException"/>;
/// which step comes next is <see cref="EpochExchange"/>'s decision.
/// </summary>
public sealed class EpochClock
{
    /// <summary>The clock of a run of <paramref name="spec"/> (epochs from its minimum delay and exchange lag).</summary>
    public EpochClock(NetworkSpec spec) : this(spec.EpochSteps(), spec.ExchangeLag(), spec.Run.Steps) { }

    /// <summary>A clock with epochs of <paramref name="epochSteps"/> steps, exchange lag <paramref name="lag"/> and <paramref name="totalSteps"/> steps.</summary>
    public EpochClock(long epochSteps, int lag, long totalSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epochSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lag, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(totalSteps);
        EpochSteps = epochSteps;
        Lag = lag;
        TotalSteps = totalSteps;
    }

    /// <summary>Steps per epoch (the network's minimum delay divided by <see cref="Lag"/>).</summary>
    public long EpochSteps { get; }
    /// <summary>Epoch e's spikes must be delivered before epoch e + Lag runs (see <see cref="NetworkSpec.ExchangeLag"/>).</summary>
    public int Lag { get; }
    /// <summary>Steps to simulate in total.</summary>
    public long TotalSteps { get; }
    /// <summary>Epochs in the run (the last one may be shorter).</summary>
    public long Epochs => (TotalSteps + EpochSteps - 1) / EpochSteps;
    /// <summary>The next step to be simulated.</summary>
    public long CurrentStep { get; private set; }
    /// <summary>Index of the next epoch to run (<see cref="Epochs"/> once finished, also after a shorter last epoch).</summary>
    public long NextEpoch => EpochAt(CurrentStep);
    /// <summary>Epochs whose spikes have been delivered (the next delivery is for this epoch).</summary>
    public long DeliveredEpochs { get; private set; }
    /// <summary>Whether every step has been simulated.</summary>
    public bool Finished => CurrentStep >= TotalSteps;
    /// <summary>The last step whose spikes are all delivered: the end of the last delivered epoch.</summary>
    public long DeliveredHorizon => Math.Min(DeliveredEpochs * EpochSteps, TotalSteps);

    private long EpochAt(long step) => step >= TotalSteps ? Epochs : step / EpochSteps;

    /// <summary>
    /// Takes the next epoch for running: returns its steps [start, end) and moves <see cref="CurrentStep"/> to its end.
    /// Throws when the epoch the lag rule says it needs is not delivered, or when the run is over.
    /// </summary>
    public (long Start, long End) TakeEpoch(int partition)
    {
        if (Finished) throw new InvalidOperationException($"partition {partition}: the run is over, no epoch is left to run");
        if (!EpochExchange.MayRun(NextEpoch, DeliveredEpochs, Lag))
            throw new InvalidOperationException($"partition {partition}: epoch {NextEpoch} cannot run before epoch {NextEpoch - Lag} is delivered");
        long start = CurrentStep, end = Math.Min(start + EpochSteps, TotalSteps);
        CurrentStep = end;
        return (start, end);
    }

    /// <summary>Takes epoch <see cref="DeliveredEpochs"/> for delivery; throws when it has not run here yet.</summary>
    public long TakeDelivery(int partition)
    {
        // An epoch not yet run here could reach ring slots that are still being read.
        if (DeliveredEpochs >= NextEpoch)
            throw new InvalidOperationException($"partition {partition}: epoch {DeliveredEpochs} delivered before it was run");
        return DeliveredEpochs++;
    }

    /// <summary>
    /// Puts the clock at a restored position; returns why it cannot be, or null. The step must be an epoch boundary
    /// (or the end) and the delivered epochs must fit it under the lag rule.
    /// </summary>
    public string? TryRestore(long step, long delivered)
    {
        if (step < 0 || step > TotalSteps || step % EpochSteps != 0 && step != TotalSteps)
            return $"step {step} is not an epoch boundary of a run of {TotalSteps} steps";
        long next = EpochAt(step);
        if (delivered < 0 || delivered > next || next - delivered > Lag)
            return $"{delivered} delivered epochs do not fit step {step} with exchange lag {Lag}";
        CurrentStep = step;
        DeliveredEpochs = delivered;
        return null;
    }
}
