using DistSnn.Cluster.Checkpoints;

namespace DistSnn.Cluster.Runtime;

/// <summary>The bookkeeping of a job that lost a partition and goes back to its last checkpoint.</summary>
public sealed partial class JobRun
{
    /// <summary>Which incarnation of the job runs now (0 until the first recovery; see <see cref="JobIncarnation"/>).</summary>
    public int Generation { get; private set; }

    /// <summary>The name the current incarnation's partitions run under.</summary>
    public string PartitionJob => JobIncarnation.Name(Submit.Job, Generation);

    /// <summary>The checkpoint the current incarnation was restored from, or null (from the start).</summary>
    public ResumeFrom? RestoredFrom { get; private set; }

    /// <summary>
    /// Starts a new incarnation after a partition was lost: forgets every partition of the current one (their actors are
    /// released by the caller) and goes back to building, from <paramref name="checkpoint"/> or, when null, from the
    /// start; the new incarnation number is at least <paramref name="atLeastGeneration"/> (a coordinator taking a job
    /// over goes past every incarnation its predecessor started). Progress falls back to the checkpoint's step; wall, build and simulate clocks keep counting. Returns the
    /// new incarnation's name.
    /// </summary>
    public string RollBack(ResumeFrom? checkpoint, int atLeastGeneration = 0)
    {
        if (State is not (JobState.Building or JobState.Running or JobState.Recovering))
            throw new InvalidOperationException($"job '{Submit.Job}' is {State}; only a building or running job can roll back");
        Generation = Math.Max(Generation + 1, atLeastGeneration);
        RestoredFrom = checkpoint;
        Array.Clear(_built);
        Array.Clear(_refs);
        Array.Clear(_results);
        Array.Fill(_progress, checkpoint?.Manifest.Step ?? 0);
        _run.Stop();
        _build.Start();
        State = JobState.Recovering;
        return PartitionJob;
    }

    /// <summary>The partitions of the current incarnation that have not answered their build yet.</summary>
    public IEnumerable<int> Unbuilt() => Enumerable.Range(0, _built.Length).Where(q => _built[q] is null);

    /// <summary>The index of a partition actor of the current incarnation, or -1.</summary>
    public int IndexOf(Akka.Actor.IActorRef partition) => Array.IndexOf(_refs, partition);
}
