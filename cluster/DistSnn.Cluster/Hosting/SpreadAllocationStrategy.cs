using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster.Sharding;

namespace DistSnn.Cluster.Hosting;

/// <summary>
/// Places shard <c>k</c> on the <c>k mod R</c>-th of the R registered partition regions, ordered by node address.
/// <see cref="PartitionMessageExtractor"/> gives a job's partitions consecutive shard numbers, so its partitions go
/// round-robin over the nodes — one per node when there are as many partitions as nodes — instead of wherever the
/// fewest shards happen to be (Akka's default strategy counts shards of finished jobs too, and can put two
/// partitions of one job on one node). Shards are never rebalanced: partitions move only between jobs.
/// </summary>
public sealed class SpreadAllocationStrategy : IShardAllocationStrategy, IActorSystemDependentAllocationStrategy
{
    private Address _self = Address.AllSystems;

    /// <inheritdoc />
    public void Start(ActorSystem system) => _self = Akka.Cluster.Cluster.Get(system).SelfAddress;

    /// <inheritdoc />
    public Task<IActorRef> AllocateShard(IActorRef requester, string shardId,
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations)
    {
        if (currentShardAllocations.Count == 0) return Task.FromResult(requester);
        var regions = currentShardAllocations.Keys.OrderBy(AddressOf, StringComparer.Ordinal).ToArray();
        if (!int.TryParse(shardId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int k))
            return Task.FromResult(currentShardAllocations.MinBy(kv => kv.Value.Count).Key);
        return Task.FromResult(regions[k % regions.Length]);
    }

    /// <inheritdoc />
    public Task<IImmutableSet<string>> Rebalance(IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations,
        IImmutableSet<string> rebalanceInProgress) => Task.FromResult<IImmutableSet<string>>(ImmutableHashSet<string>.Empty);

    // A region on this node has a local path without host and port; order every region by its full address.
    private string AddressOf(IActorRef region)
    {
        var address = region.Path.Address;
        return (address.HasLocalScope ? _self : address).ToString();
    }
}
