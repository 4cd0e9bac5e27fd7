namespace DistSnn.Model;

/// <summary>
/// The simulation's time grid: steps of <see cref="Dt"/> ms, and the one rule by which a time in ms becomes a whole
/// number of steps. As in NEST, a time is first taken to integer tics of 1 µs (<see cref="TicsPerMs"/>), rounding half
/// a tic up; a number of tics then becomes steps by rounding half a step up (<see cref="Steps"/>) or up to the next
/// step (<see cref="StepsAtOrAfter"/>). Integer tics make the rule exact where a floating quotient is not:
/// 0.35 ms / 0.1 ms is 3.4999… in binary floating point, but 350 tics are exactly 3.5 steps of 100 tics, so
/// 0.35 ms is step 4, as a reader of the model file expects. <see cref="Dt"/> itself must be a whole number of tics.
/// </summary>
public readonly record struct TimeGrid
{
    /// <summary>Tics per ms: a tic is 1 µs, the finest time the grid can tell apart.</summary>
    public const long TicsPerMs = 1000;

    /// <summary>The largest time (ms) the grid converts: its tics stay exact integers in a double.</summary>
    public const double MaxMs = 1e12;

    /// <summary>A grid of steps of <paramref name="dt"/> ms, a positive whole number of tics.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dt"/> is not a positive whole number of µs.</exception>
    public TimeGrid(double dt)
    {
        if (!IsValidDt(dt))
            throw new ArgumentOutOfRangeException(nameof(dt), dt, $"dt must be a positive whole number of µs up to {MaxMs} ms");
        Dt = dt;
        TicsPerStep = Tics(dt);
    }

    /// <summary>Step length (ms).</summary>
    public double Dt { get; }

    /// <summary>Tics per step.</summary>
    public long TicsPerStep { get; }

    /// <summary>Whether <paramref name="dt"/> can be a grid's step: finite, positive and a whole number of tics.</summary>
    public static bool IsValidDt(double dt) =>
        dt > 0 && dt <= MaxMs && Math.Abs(dt * TicsPerMs - Tics(dt)) <= 1e-6 * dt * TicsPerMs && Tics(dt) >= 1;

    /// <summary>A time (ms) in whole tics, half a tic rounding up. Times beyond ±<see cref="MaxMs"/> are refused.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ms"/> is not finite or beyond ±<see cref="MaxMs"/>.</exception>
    public static long Tics(double ms)
    {
        if (!(Math.Abs(ms) <= MaxMs)) throw new ArgumentOutOfRangeException(nameof(ms), ms, $"a time must be finite and within ±{MaxMs} ms");
        return (long)Math.Floor(ms * TicsPerMs + 0.5);
    }

    /// <summary>The whole number of steps nearest to <paramref name="ms"/>; half a step rounds up (0.35 ms is 4 steps of 0.1 ms).</summary>
    public long Steps(double ms) => FloorDiv(2 * Tics(ms) + TicsPerStep, 2 * TicsPerStep);

    /// <summary>The first step boundary at or after <paramref name="ms"/> (a start time: 0.31 ms is step 4 of 0.1 ms).</summary>
    public long StepsAtOrAfter(double ms) => -FloorDiv(-Tics(ms), TicsPerStep);

    /// <summary>Whether <paramref name="ms"/> is a whole number of steps (to the tic).</summary>
    public bool IsWholeSteps(double ms) => Tics(ms) % TicsPerStep == 0;

    /// <summary>The time (ms) of step boundary <paramref name="steps"/>.</summary>
    public double Ms(long steps) => steps * Dt;

    private static long FloorDiv(long a, long b)
    {
        long q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
    }
}
