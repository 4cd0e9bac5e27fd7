using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Akka.Actor;
using DistSnn.Cluster.Runtime;
using DistSnn.Model;
using MessagePack;

namespace DistSnn.Cluster.Serialization;

/// <summary>
/// The wire format of every DistSnn message that crosses the network. Each message is one MessagePack array of
/// fixed length whose items are its fields in declaration order (no field names, no type names: the manifest says
/// what follows). Bulky fields use the encodings of <see cref="SpikeCodec"/>; a <see cref="NetworkSpec"/> travels
/// as its model file (<see cref="ModelWriter"/> YAML, read back with <see cref="ModelLoader"/>, which validates it);
/// an <see cref="IActorRef"/> as its serialized actor path. Decoding checks every length, range and invariant.
/// </summary>
internal static partial class MessageCodec
{
    /// <summary>Every bound message type and its manifest. Manifests are part of the wire format: never reuse one.</summary>
    public static readonly IReadOnlyList<(Type Type, string Manifest)> Bindings =
    [
        (typeof(BuildPartition), "bp"),
        (typeof(PartitionBuilt), "pb"),
        (typeof(PartitionFailed), "pf"),
        (typeof(OutRoute), "or"),
        (typeof(StartRun), "sr"),
        (typeof(SpikePacket), "sp"),
        (typeof(SpikePacketPart), "spp"),
        (typeof(PartitionProgress), "pp"),
        (typeof(PartitionFinished), "pfn"),
        (typeof(PartitionResult), "pr"),
        (typeof(RecordedSpikes), "rsp"),
        (typeof(RecordedState), "rst"),
        (typeof(PartitionHandOff), "pho"),
        (typeof(EndJob), "ej"),
        (typeof(SubmitJob), "sj"),
        (typeof(JobAccepted), "ja"),
        (typeof(JobRejected), "jr"),
        (typeof(GetJobStatus), "gjs"),
        (typeof(JobStatus), "js"),
        (typeof(ListJobs), "lj"),
        (typeof(JobList), "jl"),
        (typeof(GetJobResult), "gjr"),
        (typeof(GetJobPartitions), "gjp"),
        (typeof(PartitionLocation), "pl"),
        (typeof(JobPartitions), "jp"),
        (typeof(CancelJob), "cj"),
        (typeof(JobResult), "jres"),
        (typeof(Checkpoints.PartitionCheckpointed), "pck"),
        .. TrainingBindings,
    ];

    /// <summary>
    /// Types bound to the serializer only so that they can never fall back to a general-purpose serializer: they
    /// hold in-process objects and are refused with a clear error if they are ever sent to another node.
    /// </summary>
    public static readonly IReadOnlyList<Type> LocalOnly = [typeof(RunJob)];

    private static readonly Dictionary<Type, string> ManifestByType = Bindings.ToDictionary(b => b.Type, b => b.Manifest);
    private static readonly Dictionary<string, string> NameByManifest = Bindings.ToDictionary(b => b.Manifest, b => b.Type.Name, StringComparer.Ordinal);

    public static string ManifestOf(object message)
    {
        if (ManifestByType.TryGetValue(message.GetType(), out var manifest)) return manifest;
        throw NotWire(message);
    }

    private static WireFormatException NotWire(object message) => message is RunJob
        ? new WireFormatException(nameof(RunJob), "(type)",
            "is local-only: it carries a TaskCompletionSource and a progress callback, which exist in one process; send SubmitJob to a remote coordinator")
        : new WireFormatException(message.GetType().Name, "(type)", "is not a DistSnn wire message");

    public static void Write(ref MessagePackWriter w, object message)
    {
        switch (message)
        {
            case BuildPartition m: WriteBuildPartition(ref w, m); break;
            case PartitionBuilt m: WritePartitionBuilt(ref w, m); break;
            case PartitionFailed m:
                Record(ref w, 3);
                PutId(ref w, m.Job, nameof(PartitionFailed), "Job");
                PutIndex(ref w, m.Partition, nameof(PartitionFailed), "Partition");
                PutText(ref w, m.Reason, nameof(PartitionFailed), "Reason");
                break;
            case OutRoute m: WriteOutRoute(ref w, m, "OutRoute"); break;
            case StartRun m: WriteStartRun(ref w, m); break;
            case SpikePacket m: WriteSpikePacket(ref w, m); break;
            case SpikePacketPart m: WriteSpikePacketPart(ref w, m); break;
            case PartitionProgress m:
                Record(ref w, 3);
                PutId(ref w, m.Job, nameof(PartitionProgress), "Job");
                PutIndex(ref w, m.Partition, nameof(PartitionProgress), "Partition");
                PutCount(ref w, m.Step, nameof(PartitionProgress), "Step");
                break;
            case PartitionFinished m: WritePartitionFinished(ref w, m); break;
            case PartitionResult m: WritePartitionResult(ref w, m, "PartitionResult"); break;
            case RecordedSpikes m: WriteRecordedSpikes(ref w, m, "RecordedSpikes"); break;
            case RecordedState m: WriteRecordedState(ref w, m, "RecordedState"); break;
            case PartitionHandOff: w.WriteArrayHeader(0); break;
            case EndJob m: WriteJobOnly(ref w, m.Job, nameof(EndJob)); break;
            case Checkpoints.PartitionCheckpointed m: WritePartitionCheckpointed(ref w, m); break;
            default:
                if (!TryWriteTraining(ref w, message)) WriteJobMessage(ref w, message);
                break;
        }
    }

    /// <summary>
    /// Decodes a frame. Every failure, wherever it happens (a limit, an invariant, truncation, a wrong type code, a
    /// model that does not validate), becomes a <see cref="WireFormatException"/> naming the message and field.
    /// </summary>
    public static object Read(byte[] bytes, string manifest, ExtendedActorSystem system)
    {
        if (!NameByManifest.TryGetValue(manifest, out var name))
            throw new WireFormatException("(unknown)", "(manifest)", $"'{Shorten(manifest)}' is not a DistSnn message manifest",
                kind: WireRejection.Manifest);
        var r = new FrameReader(bytes, name);
        try
        {
            object message = manifest switch
            {
                "bp" => ReadBuildPartition(ref r),
                "pb" => ReadPartitionBuilt(ref r),
                "pf" => ReadPartitionFailed(ref r),
                "or" => ReadOutRoute(ref r, system),
                "sr" => ReadStartRun(ref r, system),
                "sp" => ReadSpikePacket(ref r),
                "spp" => ReadSpikePacketPart(ref r),
                "pp" => ReadPartitionProgress(ref r),
                "pfn" => ReadPartitionFinished(ref r),
                "pr" => ReadPartitionResult(ref r),
                "rsp" => ReadRecordedSpikes(ref r),
                "rst" => ReadRecordedState(ref r),
                "pho" => ReadEmpty(ref r, PartitionHandOff.Instance),
                "ej" => ReadJobOnly(ref r, job => new EndJob(job)),
                "pck" => ReadPartitionCheckpointed(ref r),
                _ => ReadTraining(ref r, manifest) ?? ReadJobMessage(ref r, manifest),
            };
            r.End();
            return message;
        }
        catch (Exception e) when (e is not WireFormatException and not OutOfMemoryException)
        {
            // MessagePack's reader throws EndOfStreamException when a value, or a declared length, runs past the end.
            throw r.Fail(e.Message, e, e is EndOfStreamException ? WireRejection.Truncated : WireRejection.Malformed);
        }
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..37] + "...";

    // ----- writing helpers -----

    // The Put helpers apply the checks the reader will apply, so that a bad message fails at its sender.

    /// <summary>Starts a record of <paramref name="fields"/> fields.</summary>
    private static void Record(ref MessagePackWriter w, int fields) => w.WriteArrayHeader(fields);

    private static void WriteJobOnly(ref MessagePackWriter w, string job, string message)
    {
        Record(ref w, 1);
        PutId(ref w, job, message, "Job");
    }

    private static void PutId(ref MessagePackWriter w, string? s, string message, string field) =>
        PutStr(ref w, s, WireLimits.MaxIdBytes, message, field, nullable: false);

    private static void PutText(ref MessagePackWriter w, string? s, string message, string field) =>
        PutStr(ref w, s, WireLimits.MaxTextBytes, message, field, nullable: false);

    private static void PutNullableText(ref MessagePackWriter w, string? s, string message, string field) =>
        PutStr(ref w, s, WireLimits.MaxTextBytes, message, field, nullable: true);

    private static void PutStr(ref MessagePackWriter w, string? s, int maxBytes, string message, string field, bool nullable)
    {
        if (s is null)
        {
            if (!nullable) throw new WireFormatException(message, field, "is null");
            w.WriteNil();
            return;
        }
        int bytes = Encoding.UTF8.GetByteCount(s);
        if (bytes > maxBytes) throw new WireFormatException(message, field, $"{bytes} bytes is over the limit of {maxBytes}");
        w.Write(s);
    }

    /// <summary>A partition, population or recorder index: 0 to <paramref name="max"/>, as the reader expects.</summary>
    private static void PutIndex(ref MessagePackWriter w, int v, string message, string field, int max = int.MaxValue) =>
        PutCount(ref w, v, message, field, max);

    /// <summary>A count, step or size: 0 to <paramref name="max"/>, as the reader expects.</summary>
    private static void PutCount(ref MessagePackWriter w, long v, string message, string field, long max = long.MaxValue)
    {
        if (v < 0 || v > max) throw new WireFormatException(message, field, $"{v} is out of range [0, {max}]");
        w.Write(v);
    }

    private static void PutRef(ref MessagePackWriter w, IActorRef? actor, string message, string field)
    {
        if (actor is null) throw new WireFormatException(message, field, "is null");
        // Nobody has no path; it travels as the empty string.
        var path = actor is Nobody ? "" : Akka.Serialization.Serialization.SerializedActorPath(actor);
        PutText(ref w, path, message, field);
    }

    private static void WriteSpec(ref MessagePackWriter w, NetworkSpec? spec, string message)
    {
        if (spec is null) throw new WireFormatException(message, "Spec", "is null");
        string text;
        try
        {
            text = ModelWriter.ToYaml(spec);
        }
        catch (ArgumentException e)
        {
            throw new WireFormatException(message, "Spec", $"cannot be written as a model file: {e.Message}", e);
        }
        PutStr(ref w, text, WireLimits.MaxModelBytes, message, "Spec", nullable: false);
    }

    // ----- reading helpers -----

    private static string ReadId(ref FrameReader r, string field) => r.String(field, WireLimits.MaxIdBytes);

    private static string ReadText(ref FrameReader r, string field) => r.String(field, WireLimits.MaxTextBytes);

    private static int ReadIndex(ref FrameReader r, string field, int max = int.MaxValue) => r.Int(field, 0, max);

    private static IActorRef ReadRef(ref FrameReader r, string field, ExtendedActorSystem system)
    {
        var path = ReadText(ref r, field);
        return path.Length == 0 ? ActorRefs.Nobody : system.Provider.ResolveActorRef(path);
    }

    /// <summary>A model file, parsed and validated; the loader's errors name the message field.</summary>
    private static NetworkSpec ReadSpec(ref FrameReader r)
    {
        var text = r.String("Spec", WireLimits.MaxModelBytes);
        try
        {
            return ModelLoader.Parse(text, $"{r.Message}.Spec");
        }
        catch (ModelException e)
        {
            throw r.Fail($"the model does not load: {string.Join("; ", e.Errors.Take(5))}", e);
        }
    }

    private static T ReadEmpty<T>(ref FrameReader r, T instance)
    {
        r.Record(r.Message, 0);
        return instance;
    }

    private static T ReadJobOnly<T>(ref FrameReader r, Func<string, T> create)
    {
        r.Record(r.Message, 1);
        return create(ReadId(ref r, "Job"));
    }

    private static float[] ReadFloats(ref FrameReader r, string field)
    {
        var bytes = r.Bytes(field, (long)WireLimits.MaxStateValues * sizeof(float));
        if (bytes.Length % sizeof(float) != 0) throw r.Fail($"{bytes.Length} bytes is not a whole number of float32 values");
        var values = new float[bytes.Length / sizeof(float)];
        bytes.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        if (!BitConverter.IsLittleEndian)
            for (int i = 0; i < values.Length; i++)
                values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(values[i])));
        return values;
    }

    private static void WriteFloats(ref MessagePackWriter w, float[] values)
    {
        // Little-endian float32, bit for bit (NaN payloads and negative zero included).
        if (BitConverter.IsLittleEndian)
        {
            w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            return;
        }
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        w.Write(bytes);
    }

    private static ReadOnlySpan<long> Widen(int[] ids)
    {
        var wide = new long[ids.Length];
        for (int i = 0; i < ids.Length; i++) wide[i] = ids[i];
        return wide;
    }

    private static int[] Narrow(long[] ids)
    {
        var narrow = new int[ids.Length];
        for (int i = 0; i < ids.Length; i++) narrow[i] = (int)ids[i];
        return narrow;
    }
}
