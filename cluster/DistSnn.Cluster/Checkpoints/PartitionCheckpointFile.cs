using System.Text;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using DistSnn.Nodes.Backends;
using DistSnn.Nodes.Checkpoints;

namespace DistSnn.Cluster.Checkpoints;

/// <summary>
/// One partition's checkpoint file: a header (magic <c>DSNNCKPT</c>, format version, job, partition, partition count,
/// backend name (from version 2 on; version 1 files are <c>cpu</c> partitions), step, model hash), the backend's state
/// (<see cref="IPartitionBackend.SaveState"/>), then this partition's own spike packets of the epochs it has run
/// whose spikes are not delivered yet (epoch, source, stamps, gids), all little-endian. Together with the backend's
/// delay buffers these hold every spike in flight at the checkpoint, however far a partition may run ahead of its
/// packets. Integrity is checked with the SHA-256 in the manifest.
/// </summary>
public static class PartitionCheckpointFile
{
    private const string Magic = "DSNNCKPT";

    /// <summary>
    /// Encodes partition <paramref name="partition"/>'s state and its own packets of the epochs it has run whose
    /// spikes are not delivered yet (with exchange lag k, up to k - 1 epochs).
    /// </summary>
    public static byte[] Write(string job, int partition, PartitionCheckpointing settings, IPartitionBackend backend,
        IReadOnlyList<SpikePacket> undelivered)
    {
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Encoding.ASCII.GetBytes(Magic));
            w.Write(CheckpointManifest.CurrentFormatVersion);
            w.Write(job);
            w.Write(partition);
            w.Write(settings.Partitions);
            w.Write(backend.BackendName);
            w.Write(backend.Clock.CurrentStep);
            w.Write(settings.ModelHash);
            w.Flush();
            backend.SaveState(ms);
            w.Write(undelivered.Count);
            foreach (var p in undelivered)
            {
                w.Write(p.Epoch);
                w.Write(p.Source);
                w.Write(p.Stamps.Length);
                foreach (var s in p.Stamps) w.Write(s);
                foreach (var g in p.Gids) w.Write(g);
            }
        }
        return ms.ToArray();
    }

    /// <summary>
    /// Verifies <paramref name="restore"/>'s file (SHA-256, header) and restores <paramref name="backend"/> from it;
    /// returns the partition's own undelivered packets it held, to be sent again. Throws <see cref="CheckpointException"/>
    /// naming the file and the fault, also for a format version this program does not read.
    /// </summary>
    public static IReadOnlyList<SpikePacket> Restore(PartitionRestore restore, string job, int partition, IPartitionBackend backend)
    {
        string path = restore.File;
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot be read: {e.Message}", e);
        }
        CheckpointStore.VerifyContent(path, data, -1, restore.Sha256);
        try
        {
            using var r = new BinaryReader(new MemoryStream(data), Encoding.UTF8);
            if (Encoding.ASCII.GetString(r.ReadBytes(Magic.Length)) != Magic) throw new CheckpointException($"{path}: not a DistSnn partition checkpoint");
            int version = r.ReadInt32();
            if (!CheckpointManifest.Readable(version))
                throw new CheckpointException($"{path}: format version {version}, this program reads versions {CheckpointManifest.ReadableVersions}");
            string savedJob = r.ReadString();
            int savedPartition = r.ReadInt32();
            r.ReadInt32(); // partition count, checked by the coordinator against the manifest
            // Version 1 files come from before backends had names: every partition was a CPU partition.
            string savedBackend = version >= 2 ? r.ReadString() : PopulationSpec.DefaultBackend;
            long step = r.ReadInt64();
            string hash = r.ReadString();
            if (savedPartition != partition) throw new CheckpointException($"{path}: holds partition {savedPartition}, not {partition}");
            if (hash != restore.ModelHash) throw new CheckpointException($"{path}: taken with model {hash}, not {restore.ModelHash}");
            _ = savedJob; // a job may be resumed under another id
            if (savedBackend != backend.BackendName)
                throw new CheckpointException($"{path}: holds a partition of backend '{savedBackend}', not '{backend.BackendName}'");
            backend.RestoreState(r.BaseStream);
            if (backend.Clock.CurrentStep != step) throw new CheckpointException($"{path}: header says step {step}, the state step {backend.Clock.CurrentStep}");
            int n = r.ReadInt32();
            var packets = new List<SpikePacket>(n);
            for (int k = 0; k < n; k++)
            {
                long epoch = r.ReadInt64();
                int source = r.ReadInt32();
                int count = r.ReadInt32();
                var stamps = new long[count];
                var gids = new long[count];
                for (int i = 0; i < count; i++) stamps[i] = r.ReadInt64();
                for (int i = 0; i < count; i++) gids[i] = r.ReadInt64();
                packets.Add(new SpikePacket(job, epoch, source, stamps, gids));
            }
            return packets;
        }
        catch (Exception e) when (e is EndOfStreamException or CheckpointFormatException or ArgumentException or OverflowException)
        {
            throw new CheckpointException($"{path}: {e.Message}", e);
        }
    }
}
