using DistSnn.Nodes.Backends;
using Akka.Actor;
using DistSnn.Cluster.Runtime;
using MessagePack;

namespace DistSnn.Cluster.Serialization;

/// <summary>Messages between the coordinator and partitions, and between partitions.</summary>
internal static partial class MessageCodec
{
    // [Job, Spec, Partition, Owned, Checkpointing or nil, Restore or nil, Backend]
    private static void WriteBuildPartition(ref MessagePackWriter w, BuildPartition m)
    {
        const string name = nameof(BuildPartition);
        Record(ref w, 7);
        PutId(ref w, m.Job, name, "Job");
        WriteSpec(ref w, m.Spec, name);
        PutIndex(ref w, m.Partition, name, "Partition", WireLimits.MaxPartitions - 1);
        if (m.Owned is null) throw new WireFormatException(name, "Owned", "is null");
        SpikeCodec.WriteOwned(ref w, m.Owned, name);
        WritePartitionCheckpointing(ref w, m.Checkpointing, name);
        WritePartitionRestore(ref w, m.Restore, name);
        PutId(ref w, m.Backend, name, "Backend");
    }

    private static BuildPartition ReadBuildPartition(ref FrameReader r)
    {
        r.Record(r.Message, 7);
        var job = ReadId(ref r, "Job");
        var spec = ReadSpec(ref r);
        int partition = ReadIndex(ref r, "Partition", WireLimits.MaxPartitions - 1);
        // Checked against the model just read: every index must lie in its population.
        var owned = SpikeCodec.ReadOwned(ref r, spec.Populations.Select(p => p.Size).ToArray());
        return new BuildPartition(job, spec, partition, owned)
        {
            Checkpointing = ReadPartitionCheckpointing(ref r),
            Restore = ReadPartitionRestore(ref r),
            Backend = ReadId(ref r, "Backend"),
        };
    }

    // [Job, Partition, Neurons, Synapses, SynapseBytes, BuildSeconds, words, runs]
    private static void WritePartitionBuilt(ref MessagePackWriter w, PartitionBuilt m)
    {
        const string name = nameof(PartitionBuilt);
        Record(ref w, 8);
        PutId(ref w, m.Job, name, "Job");
        PutIndex(ref w, m.Partition, name, "Partition", WireLimits.MaxPartitions - 1);
        PutCount(ref w, m.Neurons, name, "Neurons");
        PutCount(ref w, m.Synapses, name, "Synapses");
        PutCount(ref w, m.SynapseBytes, name, "SynapseBytes");
        w.Write(m.BuildSeconds);
        SpikeCodec.WriteBitSet(ref w, m.ReceivesFrom ?? throw new WireFormatException(name, "ReceivesFrom", "is null"), name, "ReceivesFrom");
    }

    private static PartitionBuilt ReadPartitionBuilt(ref FrameReader r)
    {
        r.Record(r.Message, 8);
        return new PartitionBuilt(ReadId(ref r, "Job"), ReadIndex(ref r, "Partition", WireLimits.MaxPartitions - 1),
            r.Long("Neurons"), r.Long("Synapses"), r.Long("SynapseBytes"), r.Double("BuildSeconds"),
            SpikeCodec.ReadBitSet(ref r, "ReceivesFrom"));
    }

    private static PartitionFailed ReadPartitionFailed(ref FrameReader r)
    {
        r.Record(r.Message, 3);
        return new PartitionFailed(ReadId(ref r, "Job"), ReadIndex(ref r, "Partition"), ReadText(ref r, "Reason"));
    }

    // [Partition, Target, words, runs]
    private static void WriteOutRoute(ref MessagePackWriter w, OutRoute m, string name)
    {
        Record(ref w, 4);
        PutIndex(ref w, m.Partition, name, "Partition", WireLimits.MaxPartitions - 1);
        PutRef(ref w, m.Target, name, "Target");
        SpikeCodec.WriteBitSet(ref w, m.Filter ?? throw new WireFormatException(name, "Filter", "is null"), name, "Filter");
    }

    private static OutRoute ReadOutRoute(ref FrameReader r, ExtendedActorSystem system)
    {
        r.Record("Route", 4);
        return new OutRoute(ReadIndex(ref r, "Route.Partition", WireLimits.MaxPartitions - 1), ReadRef(ref r, "Route.Target", system),
            SpikeCodec.ReadBitSet(ref r, "Route.Filter"));
    }

    // [Job, [route, ...], [source, ...], Coordinator]
    private static void WriteStartRun(ref MessagePackWriter w, StartRun m)
    {
        const string name = nameof(StartRun);
        Record(ref w, 4);
        PutId(ref w, m.Job, name, "Job");
        var routes = m.Routes ?? throw new WireFormatException(name, "Routes", "is null");
        if (routes.Count > WireLimits.MaxPartitions)
            throw new WireFormatException(name, "Routes", $"{routes.Count} routes is over the limit of {WireLimits.MaxPartitions}");
        w.WriteArrayHeader(routes.Count);
        foreach (var route in routes) WriteOutRoute(ref w, route ?? throw new WireFormatException(name, "Routes", "holds null"), name);
        var sources = m.Sources ?? throw new WireFormatException(name, "Sources", "is null");
        if (sources.Count > WireLimits.MaxPartitions)
            throw new WireFormatException(name, "Sources", $"{sources.Count} sources is over the limit of {WireLimits.MaxPartitions}");
        w.WriteArrayHeader(sources.Count);
        foreach (var source in sources) PutIndex(ref w, source, name, "Sources", WireLimits.MaxPartitions - 1);
        PutRef(ref w, m.Coordinator, name, "Coordinator");
    }

    private static StartRun ReadStartRun(ref FrameReader r, ExtendedActorSystem system)
    {
        r.Record(r.Message, 4);
        var job = ReadId(ref r, "Job");
        var routes = new OutRoute[r.Array("Routes", WireLimits.MaxPartitions)];
        for (int i = 0; i < routes.Length; i++) routes[i] = ReadOutRoute(ref r, system);
        var sources = new int[r.Array("Sources", WireLimits.MaxPartitions)];
        for (int i = 0; i < sources.Length; i++) sources[i] = ReadIndex(ref r, "Sources", WireLimits.MaxPartitions - 1);
        return new StartRun(job, routes, sources, ReadRef(ref r, "Coordinator", system));
    }

    // [Job, Epoch, Source, count, runs]
    private static void WriteSpikePacket(ref MessagePackWriter w, SpikePacket m)
    {
        const string name = nameof(SpikePacket);
        WriteSpikePacketHeader(ref w, m);
        SpikeCodec.Write(ref w, Required(m.Stamps, name, "Stamps"), Required(m.Gids, name, "Gids"), name, "Stamps", "Gids");
    }

    /// <summary>A spike packet's fields before its spikes: what <see cref="SpikeCodec.Length"/> does not count.</summary>
    internal static void WriteSpikePacketHeader(ref MessagePackWriter w, SpikePacket m)
    {
        const string name = nameof(SpikePacket);
        Record(ref w, 5);
        PutId(ref w, m.Job, name, "Job");
        PutCount(ref w, m.Epoch, name, "Epoch");
        PutIndex(ref w, m.Source, name, "Source", WireLimits.MaxPartitions - 1);
    }

    private static SpikePacket ReadSpikePacket(ref FrameReader r)
    {
        r.Record(r.Message, 5);
        var job = ReadId(ref r, "Job");
        long epoch = r.Long("Epoch");
        int source = ReadIndex(ref r, "Source", WireLimits.MaxPartitions - 1);
        var (stamps, gids) = SpikeCodec.Read(ref r, "Stamps", "Gids", long.MaxValue);
        return new SpikePacket(job, epoch, source, stamps, gids);
    }

    // [Job, Epoch, Source, Part, Parts, count, runs]
    private static void WriteSpikePacketPart(ref MessagePackWriter w, SpikePacketPart m)
    {
        const string name = nameof(SpikePacketPart);
        if (m.Parts < 1 || m.Parts > WireLimits.MaxParts || m.Part < 0 || m.Part >= m.Parts)
            throw new WireFormatException(name, "Part", $"part {m.Part} of {m.Parts} is not a valid part number");
        Record(ref w, 7);
        PutId(ref w, m.Job, name, "Job");
        PutCount(ref w, m.Epoch, name, "Epoch");
        PutIndex(ref w, m.Source, name, "Source", WireLimits.MaxPartitions - 1);
        PutIndex(ref w, m.Part, name, "Part");
        PutIndex(ref w, m.Parts, name, "Parts");
        SpikeCodec.Write(ref w, Required(m.Stamps, name, "Stamps"), Required(m.Gids, name, "Gids"), name, "Stamps", "Gids");
    }

    private static SpikePacketPart ReadSpikePacketPart(ref FrameReader r)
    {
        r.Record(r.Message, 7);
        var job = ReadId(ref r, "Job");
        long epoch = r.Long("Epoch");
        int source = ReadIndex(ref r, "Source", WireLimits.MaxPartitions - 1);
        int part = ReadIndex(ref r, "Part", WireLimits.MaxParts - 1);
        int parts = r.Int("Parts", 1, WireLimits.MaxParts);
        if (part >= parts) throw r.Fail($"part {part} of {parts} is not a valid part number");
        var (stamps, gids) = SpikeCodec.Read(ref r, "Stamps", "Gids", long.MaxValue);
        return new SpikePacketPart(job, epoch, source, part, parts, stamps, gids);
    }

    private static PartitionProgress ReadPartitionProgress(ref FrameReader r)
    {
        r.Record(r.Message, 3);
        return new PartitionProgress(ReadId(ref r, "Job"), ReadIndex(ref r, "Partition"), r.Long("Step"));
    }

    // [Job, Partition, Result]
    private static void WritePartitionFinished(ref MessagePackWriter w, PartitionFinished m)
    {
        const string name = nameof(PartitionFinished);
        Record(ref w, 3);
        PutId(ref w, m.Job, name, "Job");
        PutIndex(ref w, m.Partition, name, "Partition");
        WritePartitionResult(ref w, m.Result ?? throw new WireFormatException(name, "Result", "is null"), name);
    }

    private static PartitionFinished ReadPartitionFinished(ref FrameReader r)
    {
        r.Record(r.Message, 3);
        return new PartitionFinished(ReadId(ref r, "Job"), ReadIndex(ref r, "Partition"), ReadPartitionResult(ref r));
    }

    // [Partition, Neurons, Synapses, SynapseBytes, SynapticEvents, Spikes, BuildSeconds, SimulateSeconds,
    //  WaitSeconds, [RecordedSpikes...], [RecordedState...], LatePackets, DuplicatePackets, PlasticSynapses,
    //  WeightsChecksum, Report or nil]
    private static void WritePartitionResult(ref MessagePackWriter w, PartitionResult m, string name)
    {
        Record(ref w, 16);
        PutIndex(ref w, m.Partition, name, "Result.Partition");
        PutCount(ref w, m.Neurons, name, "Result.Neurons");
        PutCount(ref w, m.Synapses, name, "Result.Synapses");
        PutCount(ref w, m.SynapseBytes, name, "Result.SynapseBytes");
        PutCount(ref w, m.SynapticEvents, name, "Result.SynapticEvents");
        PutCount(ref w, m.Spikes, name, "Result.Spikes");
        w.Write(m.BuildSeconds);
        w.Write(m.SimulateSeconds);
        w.Write(m.WaitSeconds);
        var spikes = m.RecordedSpikes ?? throw new WireFormatException(name, "Result.RecordedSpikes", "is null");
        var state = m.RecordedState ?? throw new WireFormatException(name, "Result.RecordedState", "is null");
        if (spikes.Count > WireLimits.MaxEntries || state.Count > WireLimits.MaxEntries)
            throw new WireFormatException(name, "Result", $"more than {WireLimits.MaxEntries} recordings");
        w.WriteArrayHeader(spikes.Count);
        foreach (var s in spikes) WriteRecordedSpikes(ref w, s ?? throw new WireFormatException(name, "Result.RecordedSpikes", "holds null"), name);
        w.WriteArrayHeader(state.Count);
        foreach (var s in state) WriteRecordedState(ref w, s ?? throw new WireFormatException(name, "Result.RecordedState", "holds null"), name);
        PutCount(ref w, m.LatePackets, name, "Result.LatePackets");
        PutCount(ref w, m.DuplicatePackets, name, "Result.DuplicatePackets");
        PutCount(ref w, m.PlasticSynapses, name, "Result.PlasticSynapses");
        w.Write(m.WeightsChecksum);
        if (m.Report is { } report) WriteBackendReport(ref w, report, name);
        else w.WriteNil();
    }

    // [Backend, [[Name, [Column...], [[Key, [Value...]]...]]...]]
    private static void WriteBackendReport(ref MessagePackWriter w, BackendReport m, string name)
    {
        Record(ref w, 2);
        w.Write(m.Backend ?? throw new WireFormatException(name, "Result.Report.Backend", "is null"));
        var tables = m.Tables ?? throw new WireFormatException(name, "Result.Report.Tables", "is null");
        if (tables.Count > WireLimits.MaxEntries) throw new WireFormatException(name, "Result.Report.Tables", $"more than {WireLimits.MaxEntries} tables");
        w.WriteArrayHeader(tables.Count);
        foreach (var t in tables)
        {
            Record(ref w, 3);
            w.Write(t.Name);
            w.WriteArrayHeader(t.Columns.Count);
            foreach (var c in t.Columns) w.Write(c);
            if (t.Rows.Count > WireLimits.MaxEntries) throw new WireFormatException(name, "Result.Report.Rows", $"more than {WireLimits.MaxEntries} rows in table '{t.Name}'");
            w.WriteArrayHeader(t.Rows.Count);
            foreach (var row in t.Rows)
            {
                if (row.Values.Length != t.Columns.Count)
                    throw new WireFormatException(name, "Result.Report.Rows", $"a row of table '{t.Name}' has {row.Values.Length} values for {t.Columns.Count} columns");
                Record(ref w, 2);
                w.Write(row.Key);
                w.WriteArrayHeader(row.Values.Length);
                foreach (var v in row.Values) w.Write(v);
            }
        }
    }

    private static BackendReport ReadBackendReport(ref FrameReader r)
    {
        r.Record("Result.Report", 2);
        string backend = r.String("Result.Report.Backend", WireLimits.MaxIdBytes);
        var tables = new ReportTable[r.Array("Result.Report.Tables", WireLimits.MaxEntries)];
        for (int i = 0; i < tables.Length; i++)
        {
            r.Record("Result.Report.Table", 3);
            string table = r.String("Result.Report.Table.Name", WireLimits.MaxIdBytes);
            var columns = new string[r.Array("Result.Report.Table.Columns", WireLimits.MaxEntries)];
            for (int c = 0; c < columns.Length; c++) columns[c] = r.String("Result.Report.Table.Columns", WireLimits.MaxIdBytes);
            var rows = new ReportRow[r.Array("Result.Report.Table.Rows", WireLimits.MaxEntries)];
            for (int k = 0; k < rows.Length; k++)
            {
                r.Record("Result.Report.Row", 2);
                string key = r.String("Result.Report.Row.Key", WireLimits.MaxIdBytes);
                var values = new double[r.Array("Result.Report.Row.Values", columns.Length)];
                if (values.Length != columns.Length) throw new WireFormatException("PartitionResult", "Result.Report.Row.Values", $"{values.Length} values for {columns.Length} columns");
                for (int v = 0; v < values.Length; v++) values[v] = r.Double("Result.Report.Row.Values");
                rows[k] = new ReportRow(key, values);
            }
            tables[i] = new ReportTable(table, columns, rows);
        }
        return new BackendReport(backend, tables);
    }

    private static PartitionResult ReadPartitionResult(ref FrameReader r)
    {
        r.Record("Result", 16);
        int partition = ReadIndex(ref r, "Result.Partition");
        long neurons = r.Long("Result.Neurons"), synapses = r.Long("Result.Synapses"), synapseBytes = r.Long("Result.SynapseBytes");
        long events = r.Long("Result.SynapticEvents"), spikeCount = r.Long("Result.Spikes");
        double build = r.Double("Result.BuildSeconds"), simulate = r.Double("Result.SimulateSeconds"), wait = r.Double("Result.WaitSeconds");
        var spikes = new RecordedSpikes[r.Array("Result.RecordedSpikes", WireLimits.MaxEntries)];
        for (int i = 0; i < spikes.Length; i++) spikes[i] = ReadRecordedSpikes(ref r);
        var state = new RecordedState[r.Array("Result.RecordedState", WireLimits.MaxEntries)];
        for (int i = 0; i < state.Length; i++) state[i] = ReadRecordedState(ref r);
        long late = r.Long("Result.LatePackets"), duplicates = r.Long("Result.DuplicatePackets");
        long plastic = r.Long("Result.PlasticSynapses");
        r.Field = "Result.WeightsChecksum";
        ulong checksum = r.ULongHere();
        var report = r.Nil("Result.Report") ? null : ReadBackendReport(ref r);
        return new PartitionResult(partition, neurons, synapses, synapseBytes, events, spikeCount, build, simulate, wait, spikes, state,
            late, duplicates) { PlasticSynapses = plastic, WeightsChecksum = checksum, Report = report };
    }

    // [Population, count, runs]: the spike encoding with population-local ids.
    private static void WriteRecordedSpikes(ref MessagePackWriter w, RecordedSpikes m, string name)
    {
        Record(ref w, 3);
        PutIndex(ref w, m.Population, name, "RecordedSpikes.Population");
        SpikeCodec.Write(ref w, Required(m.Stamps, name, "RecordedSpikes.Stamps"), Widen(Required(m.Ids, name, "RecordedSpikes.Ids")),
            name, "RecordedSpikes.Stamps", "RecordedSpikes.Ids");
    }

    private static RecordedSpikes ReadRecordedSpikes(ref FrameReader r)
    {
        r.Record("RecordedSpikes", 3);
        int population = ReadIndex(ref r, "RecordedSpikes.Population");
        var (stamps, ids) = SpikeCodec.Read(ref r, "RecordedSpikes.Stamps", "RecordedSpikes.Ids", int.MaxValue);
        return new RecordedSpikes(population, stamps, Narrow(ids));
    }

    // [Recorder, Population, Variable, [neuron, ...], IntervalSteps, float32 LE bytes]
    private static void WriteRecordedState(ref MessagePackWriter w, RecordedState m, string name)
    {
        var neurons = Required(m.Neurons, name, "RecordedState.Neurons");
        var values = Required(m.Values, name, "RecordedState.Values");
        if (values.Length > WireLimits.MaxStateValues)
            throw new WireFormatException(name, "RecordedState.Values", $"{values.Length} values is over the limit of {WireLimits.MaxStateValues}");
        Record(ref w, 6);
        PutIndex(ref w, m.Recorder, name, "RecordedState.Recorder");
        PutIndex(ref w, m.Population, name, "RecordedState.Population");
        PutId(ref w, m.Variable, name, "RecordedState.Variable");
        w.WriteArrayHeader(neurons.Length);
        foreach (var n in neurons)
        {
            if (n < 0) throw new WireFormatException(name, "RecordedState.Neurons", $"neuron {n} is negative");
            w.Write(n);
        }
        PutCount(ref w, m.IntervalSteps, name, "RecordedState.IntervalSteps");
        WriteFloats(ref w, values);
    }

    private static RecordedState ReadRecordedState(ref FrameReader r)
    {
        r.Record("RecordedState", 6);
        int recorder = ReadIndex(ref r, "RecordedState.Recorder");
        int population = ReadIndex(ref r, "RecordedState.Population");
        var variable = ReadId(ref r, "RecordedState.Variable");
        var neurons = new int[r.Array("RecordedState.Neurons", WireLimits.MaxOwnedNeurons)];
        for (int i = 0; i < neurons.Length; i++)
        {
            long n = r.LongHere();
            if (n < 0 || n > int.MaxValue) throw r.Fail($"neuron {n} at index {i} is out of range");
            neurons[i] = (int)n;
        }
        long interval = r.Long("RecordedState.IntervalSteps");
        return new RecordedState(recorder, population, variable, neurons, interval, ReadFloats(ref r, "RecordedState.Values"));
    }

    private static T Required<T>(T? value, string message, string field) where T : class =>
        value ?? throw new WireFormatException(message, field, "is null");
}
