using DistSnn.Model;
using DistSnn.Nodes.Backends;
using DistSnn.Partitioner;

namespace DistSnn.Cluster.Runtime;

/// <summary>The checks every runtime makes before it builds a job, and the plan it builds from; plain logic.</summary>
internal static class JobAdmission
{
    /// <summary>Why <paramref name="job"/> cannot be a job id, or null.</summary>
    public static string? CheckId(string? job)
    {
        if (string.IsNullOrWhiteSpace(job) || job.Length > 200) return "a job id must be 1 to 200 characters";
        if (job.Contains(JobIncarnation.Separator, StringComparison.Ordinal))
            return $"a job id must not contain '{JobIncarnation.Separator}' (it names a job's incarnations after a recovery)";
        return null;
    }

    /// <summary>
    /// The partition plan of <paramref name="s"/>, or why it cannot run: too few partitions, a model error, a backend
    /// that <paramref name="backends"/> lacks or that cannot host a population (named with what it lacks).
    /// </summary>
    public static (PartitionPlan? Plan, string? Refused) Plan(SubmitJob s, BackendRegistry backends)
    {
        if (s.Partitions < 1) return (null, $"partitions must be >= 1, got {s.Partitions}");
        var errors = NetworkValidator.Validate(s.Spec);
        if (errors.Count == 0) errors = backends.Check(s.Spec);
        if (errors.Count > 0) return (null, string.Join("; ", errors.Select(e => e.ToString())));
        try
        {
            return (PartitionPlan.Create(s.Spec, s.Partitions, s.Strategy), null);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }
}
