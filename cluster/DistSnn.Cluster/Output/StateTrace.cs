namespace DistSnn.Cluster.Output;

/// <summary>
/// Sampled state of a set of neurons of one population. <see cref="Values"/> is time-major:
/// sample k of neuron <c>LocalIds[j]</c> is <c>Values[k * LocalIds.Length + j]</c>, taken at step
/// <c>FirstStep + k * IntervalSteps</c>.
/// </summary>
public sealed record StateTrace(
    string Population,
    string Variable,
    string Unit,
    int[] LocalIds,
    long FirstStep,
    long IntervalSteps,
    float[] Values)
{
    public int SampleCount => LocalIds is { Length: > 0 } ? Values.Length / LocalIds.Length : 0;

    public void Validate()
    {
        if (string.IsNullOrEmpty(Population) || string.IsNullOrEmpty(Variable))
        {
            throw new ArgumentException("State trace population and variable names must not be empty.");
        }
        string where = $"State trace '{Population}/{Variable}'";
        if (LocalIds is null || Values is null || Unit is null)
        {
            throw new ArgumentException($"{where}: LocalIds, Values and Unit must not be null.");
        }
        if (IntervalSteps <= 0)
        {
            throw new ArgumentException($"{where}: interval {IntervalSteps} steps must be positive.");
        }
        if (FirstStep < 0)
        {
            throw new ArgumentException($"{where}: first step {FirstStep} is negative.");
        }
        if (LocalIds.Length == 0 ? Values.Length != 0 : Values.Length % LocalIds.Length != 0)
        {
            throw new ArgumentException(
                $"{where}: {Values.Length} values is not a whole number of samples of {LocalIds.Length} neurons.");
        }
        foreach (int id in LocalIds)
        {
            if (id < 0)
            {
                throw new ArgumentException($"{where}: local id {id} is negative.");
            }
        }
    }
}
