using DistSnn.Nodes.Checkpoints;

namespace DistSnn.Nodes;

public sealed partial class PartitionEngine
{
    /// <summary>Version of the engine state layout written by <see cref="SaveState"/>; bumped whenever a field changes.</summary>
    public const int StateFormatVersion = 1;

    private static ReadOnlySpan<byte> StateMagic => "DSNNSTAT"u8;

    /// <summary>
    /// Writes everything needed to continue this partition from <see cref="CurrentStep"/>: step and counters, neuron
    /// state and adaptive thresholds, input ring buffers and the runs waiting in arrival lanes (together every
    /// delivered spike not yet consumed), current schedules, Poisson source rates set by the run, plastic weights,
    /// traces and post-spike logs, learning and reward settings, and the recordings so far. Static synapses and
    /// random-number keys are rebuilt from the model; random draws are keyed by step, so restoring the step restores
    /// every random stream.
    /// Call between <see cref="Deliver"/> and <see cref="RunEpoch"/> (an epoch boundary with every spike of the epoch
    /// just run delivered); spikes not yet delivered are the caller's to keep.
    /// </summary>
    public void SaveState(Stream stream) => StateFile.Save(stream, StateMagic, StateFormatVersion, VisitState);

    /// <summary>
    /// Restores state written by <see cref="SaveState"/> of an engine built from the same model and the same partition
    /// slice. Throws <see cref="CheckpointFormatException"/>, naming the component and field, when the data does not fit
    /// this engine; the engine must then be discarded.
    /// </summary>
    public void RestoreState(Stream stream)
    {
        StateFile.Restore(stream, StateMagic, StateFormatVersion, "DistSnn engine state", VisitState);
        Learning = _learning; // re-applies frozen adaptation to the groups
    }

    private void VisitState(StateVisitor v)
    {
        v.Section("engine");
        v.Expect("partition", Partition);
        v.Expect("epoch_steps", EpochSteps);
        v.Expect("exchange_lag", Lag);
        v.Expect("total_steps", TotalSteps);
        v.Expect("neurons", NeuronCount);
        v.Expect("synapses", SynapseCount);
        long step = CurrentStep, events = SynapticEvents, spikes = _host.SpikesEmitted;
        v.Value("step", ref step);
        v.Value("synaptic_events", ref events);
        v.Value("spikes_emitted", ref spikes);
        long delivered = DeliveredEpochs;
        v.Value("delivered_epochs", ref delivered);
        if (_clock.TryRestore(step, delivered) is { } unfit) throw v.Fail(unfit);
        SynapticEvents = events;
        _host.SpikesEmitted = spikes;
        v.Value("learning", ref _learning);
        bool hasReward = RewardOverride.HasValue;
        double reward = RewardOverride ?? 0;
        v.Value("has_reward_override", ref hasReward);
        v.Value("reward_override", ref reward);
        RewardOverride = hasReward ? reward : null;

        // Engines without arrival lanes save exactly what they saved before lanes existed, so those checkpoints stay
        // readable both ways; one with lanes says so first, which names the mismatch when the other kind is restored.
        if (_lanes.Length > 0)
        {
            v.Section("engine (arrival lanes: a checkpoint written without them resumes with DISTSNN_ARRIVAL_LANES=never)");
            v.Expect("arrival_lanes", _lanes.Length);
        }
        _host.VisitGroups(v);
        for (int l = 0; l < _lanes.Length; l++)
        {
            v.Section($"spikes on their way to {_laneNames[l]}");
            _lanes[l].VisitState(v);
        }
        for (int b = 0; b < _plastic.Length; b++)
        {
            v.Section($"plastic projections[{_plastic[b].Projection}]");
            v.Expect("synapses", _plastic[b].Count);
            _plastic[b].VisitState(v);
        }
        v.Section("plastic cursors");
        v.Array("cursors", _plasticCursor);
        for (int p = 0; p < _postLogs.Length; p++)
        {
            if (_postLogs[p] is not { } log) continue;
            v.Section($"post-spike log of '{_spec.Populations[p].Name}'");
            log.VisitState(v);
        }
        _substrate?.VisitState(v);
        _host.VisitRecords(v);
        v.Section("end");
        v.Expect("end", 0x454E44);
    }
}
