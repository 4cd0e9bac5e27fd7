using Akka.Cluster.Sharding;
using DistSnn.Cluster.Runtime;

namespace DistSnn.Cluster.Hosting;

/// <summary>
/// Maps partition messages to sharded entities. Entity id <c>job/partition</c>; shard id from a stable hash
/// (FNV-1a over the UTF-8 bytes, never <c>string.GetHashCode</c>, which differs per process) of the job plus the
/// partition index, so the partitions of one job fall into different shards and spread over the nodes.
/// Only <see cref="BuildPartition"/> travels through the shard region; once built, partitions talk to each
/// other and to the coordinator through direct references (no region hop per spike packet).
/// </summary>
public sealed class PartitionMessageExtractor(int shards) : IMessageExtractor
{
    /// <summary>Number of shards.</summary>
    public int Shards { get; } = shards > 0 ? shards : throw new ArgumentOutOfRangeException(nameof(shards));

    /// <summary>The entity id of a job's partition.</summary>
    public static string EntityIdOf(string job, int partition) => $"{job}/{partition}";

    /// <inheritdoc />
    public string? EntityId(object message) => message switch
    {
        BuildPartition b => EntityIdOf(b.Job, b.Partition),
        _ => null,
    };

    /// <inheritdoc />
    public object? EntityMessage(object message) => message;

    /// <inheritdoc />
    public string? ShardId(object message) => EntityId(message) is { } id ? ShardId(id, message) : null;

    /// <inheritdoc />
    public string ShardId(string entityId, object? messageHint = null)
    {
        int slash = entityId.LastIndexOf('/');
        string job = slash >= 0 ? entityId[..slash] : entityId;
        int partition = slash >= 0 && int.TryParse(entityId.AsSpan(slash + 1), out var p) ? p : 0;
        ulong h = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(job)) h = (h ^ b) * 1099511628211UL;
        return ((h + (ulong)partition) % (ulong)Shards).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
