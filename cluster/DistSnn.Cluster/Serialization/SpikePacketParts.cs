using System.Text;
using DistSnn.Cluster.Runtime;

namespace DistSnn.Cluster.Serialization;

/// <summary>
/// Part <see cref="Part"/> of <see cref="Parts"/> of one <see cref="SpikePacket"/> (same job, epoch and source):
/// a packet too large for one remoting frame travels as several parts, each a consecutive slice of its spikes,
/// and is put back together by <see cref="SpikePacketAssembler"/>. A packet is split, never dropped.
/// </summary>
public sealed record SpikePacketPart(string Job, long Epoch, int Source, int Part, int Parts, long[] Stamps, long[] Gids);

/// <summary>Cuts spike packets into parts that fit a frame.</summary>
public static class SpikePacketSplitter
{
    /// <summary>
    /// Most bytes one spike can take on the wire: a 9-byte id plus, if it is alone in its stamp run, a 5-byte run
    /// header and a 9-byte stamp delta. Real packets take 1–3 bytes per spike.
    /// </summary>
    public const int WorstCaseBytesPerSpike = 23;

    /// <summary>Room left in a frame for the fixed fields and Akka's envelope (recipient and sender paths, manifest).</summary>
    public const int FrameReserveBytes = 8 * 1024;

    /// <summary>
    /// The most spikes a part of a <paramref name="job"/>'s packet may hold so that it fits in a frame of
    /// <paramref name="maxFrameBytes"/> bytes whatever its contents (at least 1).
    /// </summary>
    public static int MaxSpikesPerPart(int maxFrameBytes, string job)
    {
        ArgumentNullException.ThrowIfNull(job);
        long room = (long)maxFrameBytes - FrameReserveBytes - Encoding.UTF8.GetByteCount(job);
        return (int)Math.Clamp(room / WorstCaseBytesPerSpike, 1, WireLimits.MaxSpikes);
    }

    /// <summary>
    /// Splits <paramref name="packet"/> into consecutive slices of at most <paramref name="maxSpikesPerPart"/>
    /// spikes, in order. A packet that fits, an empty one included, becomes a single part (Part 0 of 1).
    /// </summary>
    public static IReadOnlyList<SpikePacketPart> Split(SpikePacket packet, int maxSpikesPerPart)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSpikesPerPart, 1);
        if (packet.Stamps.Length != packet.Gids.Length)
            throw new ArgumentException($"packet has {packet.Stamps.Length} stamps but {packet.Gids.Length} gids", nameof(packet));
        int n = packet.Stamps.Length;
        long parts = Math.Max(1, (n + (long)maxSpikesPerPart - 1) / maxSpikesPerPart);
        if (parts > WireLimits.MaxParts)
            throw new ArgumentException($"{n} spikes at {maxSpikesPerPart} per part need {parts} parts, more than {WireLimits.MaxParts}", nameof(maxSpikesPerPart));
        var result = new SpikePacketPart[parts];
        for (int k = 0; k < parts; k++)
        {
            int from = (int)Math.Min(n, (long)k * maxSpikesPerPart);
            int to = (int)Math.Min(n, (long)(k + 1) * maxSpikesPerPart);
            result[k] = new SpikePacketPart(packet.Job, packet.Epoch, packet.Source, k, (int)parts,
                packet.Stamps[from..to], packet.Gids[from..to]);
        }
        return result;
    }
}

/// <summary>
/// Puts split packets back together. Parts may arrive in any order; a part that arrives twice is ignored (and
/// counted), also after its packet is complete, until <see cref="DiscardBefore"/> forgets that epoch. Not
/// thread-safe: one per receiving actor.
/// </summary>
public sealed class SpikePacketAssembler
{
    private readonly Dictionary<(string Job, long Epoch, int Source), SpikePacketPart?[]> _pending = new();
    private readonly Dictionary<(string Job, long Epoch, int Source), int> _received = new();
    private readonly HashSet<(string Job, long Epoch, int Source)> _completed = new();

    /// <summary>Parts ignored because the same part had already arrived.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Packets of which some, but not all, parts have arrived.</summary>
    public int Incomplete => _pending.Count;

    /// <summary>
    /// Takes one part; returns the whole packet when this part completes it, otherwise null. A single-part packet
    /// is returned at once (duplicates of whole packets are the receiver's business, as without splitting).
    /// Throws <see cref="ArgumentException"/> for a part that contradicts the others of its packet.
    /// </summary>
    public SpikePacket? Add(SpikePacketPart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (part.Parts < 1 || part.Parts > WireLimits.MaxParts || part.Part < 0 || part.Part >= part.Parts)
            throw new ArgumentException($"part {part.Part} of {part.Parts} is not a valid part number", nameof(part));
        if (part.Stamps.Length != part.Gids.Length)
            throw new ArgumentException($"part has {part.Stamps.Length} stamps but {part.Gids.Length} gids", nameof(part));
        if (part.Parts == 1) return new SpikePacket(part.Job, part.Epoch, part.Source, part.Stamps, part.Gids);
        var key = (part.Job, part.Epoch, part.Source);
        if (_completed.Contains(key))
        {
            Duplicates++;
            return null;
        }
        if (!_pending.TryGetValue(key, out var slots))
        {
            _pending[key] = slots = new SpikePacketPart?[part.Parts];
            _received[key] = 0;
        }
        if (slots.Length != part.Parts)
            throw new ArgumentException(
                $"part {part.Part} of packet (job {part.Job}, epoch {part.Epoch}, source {part.Source}) says {part.Parts} parts; earlier parts said {slots.Length}",
                nameof(part));
        if (slots[part.Part] is not null)
        {
            Duplicates++;
            return null;
        }
        slots[part.Part] = part;
        int received = _received[key] += 1;
        if (received < slots.Length) return null;
        _pending.Remove(key);
        _received.Remove(key);
        _completed.Add(key);
        return Join(slots!);
    }

    /// <summary>Forgets every packet, complete or not, of epochs before <paramref name="epoch"/> of <paramref name="job"/>.</summary>
    public void DiscardBefore(string job, long epoch)
    {
        foreach (var key in _pending.Keys.Where(k => k.Job == job && k.Epoch < epoch).ToList())
        {
            _pending.Remove(key);
            _received.Remove(key);
        }
        _completed.RemoveWhere(k => k.Job == job && k.Epoch < epoch);
    }

    private static SpikePacket Join(SpikePacketPart[] parts)
    {
        int n = parts.Sum(p => p.Stamps.Length);
        var stamps = new long[n];
        var gids = new long[n];
        int at = 0;
        foreach (var p in parts)
        {
            p.Stamps.CopyTo(stamps, at);
            p.Gids.CopyTo(gids, at);
            at += p.Stamps.Length;
        }
        var first = parts[0];
        return new SpikePacket(first.Job, first.Epoch, first.Source, stamps, gids);
    }
}
