using System.Globalization;

namespace DistSnn.Cli;

/// <summary>
/// Turns "the slowest partition reached step s" reports into biological time, real-time factor and ETA. Rates are
/// measured from the last report before the step first advanced, so that build time does not inflate the
/// real-time factor of the simulation itself.
/// </summary>
public sealed class SimulationProgress(long totalSteps, double dtMs)
{
    private double _startWall = double.NaN;
    private long _startStep;

    /// <summary>Steps of the whole run (at least 1).</summary>
    public long TotalSteps { get; } = Math.Max(1, totalSteps);

    /// <summary>Describes step <paramref name="step"/> reached after <paramref name="wallSeconds"/> (any fixed origin).</summary>
    /// <param name="step">Step reached.</param>
    /// <param name="wallSeconds">Wall-clock time of the report.</param>
    /// <param name="eta">Whether to add the estimated time left (a progress bar has its own column for it).</param>
    public string Describe(long step, double wallSeconds, bool eta = true)
    {
        // The origin moves with every report that has not advanced yet (a cluster job is polled while it builds).
        if (double.IsNaN(_startWall) || step == _startStep)
        {
            _startWall = wallSeconds;
            _startStep = step;
        }
        var ci = CultureInfo.InvariantCulture;
        double bioMs = step * dtMs;
        double doneSteps = step - _startStep, elapsed = wallSeconds - _startWall;
        string text = string.Create(ci, $"{bioMs:F0} / {TotalSteps * dtMs:F0} ms biological");
        if (doneSteps <= 0 || elapsed <= 0) return text + ", real-time factor -";
        double rtf = elapsed / (doneSteps * dtMs / 1000.0);
        text += string.Create(ci, $", real-time factor {rtf:F2}");
        if (eta && step < TotalSteps) text += string.Create(ci, $", ETA {elapsed * (TotalSteps - step) / doneSteps:F0} s");
        return text;
    }
}
