using System.Diagnostics;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using DistSnn.Learning.Gradient;
using DistSnn.Monitoring;
using DistSnn.Model.Datasets;
using DistSnn.Learning.Datasets;

namespace DistSnn.Cluster.Training;

/// <summary>
/// The coordinator of one training job (a child of <see cref="TrainingCoordinator"/>): owns the weights, Adam's
/// moments and the place in the run (a <see cref="GradientTrainer"/>), starts one replica on each of R members,
/// and runs the steps. Each step sends the weights and the minibatch to every replica with its micro-batches
/// (<see cref="MicroBatchLedger{T}"/>), takes the M micro-batch gradients back, adds them by the fixed tree and
/// applies Adam — so the weights are those of a run in one process with any number of threads. A replica whose
/// node is lost has its undelivered micro-batches computed by the survivors, and the job goes on with them.
/// </summary>
internal sealed class TrainingJob : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SubmitTraining _submit;
    private readonly string _checkpointRoot;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly Dictionary<string, IActorRef> _replicas = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _names = [];
    private readonly List<string> _live = [];
    private GradientTrainer? _trainer;
    private List<EpochReport> _reports = [];
    private string? _checkpoint;
    private MicroBatchLedger<float>? _ledger;
    private int[] _batch = [];
    private ulong _epoch;
    private double[] _loss = [];
    private int[] _correct = [];
    private double[][] _rates = [];
    private Stopwatch _stepClock = new();
    private string _state = "starting";
    private double _lastLoss = double.NaN, _lastAccuracy = double.NaN, _samplesPerSecond;

    public ITimerScheduler Timers { get; set; } = null!;

    public TrainingJob(SubmitTraining submit, string checkpointRoot)
    {
        _submit = submit;
        _checkpointRoot = checkpointRoot;
        Receive<ReplicaReady>(r => r.Job == submit.Job, OnReady);
        Receive<ReplicaFailed>(f => f.Job == submit.Job,
            f => Fail(_state == "starting" ? $"replica {f.Replica} could not start: {f.Reason}" : $"replica {f.Replica} failed: {f.Reason}"));
        Receive<StartTimedOut>(_ =>
        {
            if (_state == "starting")
                Fail($"replicas {string.Join(", ", Enumerable.Range(0, submit.Replicas).Where(r => !_replicas.ContainsKey(Name(r))))} did not start within {StartTimeout.TotalSeconds:F0} s");
        });
        Receive<Advance>(_ => NextStep());
        Receive<MicroBatchGradient>(g => g.Job == submit.Job, OnGradient);
        Receive<Terminated>(OnTerminated);
        Receive<CancelTraining>(_ =>
        {
            if (_state is "starting" or "running") End("cancelled", "cancelled");
        });
    }

    protected override void PreStart()
    {
        GradientTrainingOptions options;
        try
        {
            options = TrainingSpec.FromJson(_submit.Spec, $"training job {_submit.Job}") with { Replicas = _submit.Replicas };
            _trainer = new GradientTrainer(options, TrainingData.Train(_submit.DataDirectory));
            if (_submit.CheckpointEvery > 0)
            {
                string dir = Path.Combine(_submit.CheckpointDirectory ?? _checkpointRoot, _submit.Job);
                Directory.CreateDirectory(dir);
                _checkpoint = Path.Combine(dir, "checkpoint.bin");
                if (File.Exists(_checkpoint))
                {
                    _reports = TrainingCheckpoint.Load(_checkpoint, _trainer);
                    _log.Warning("training job {0}: going on from {1} at epoch {2}, minibatch {3} (step {4})", _submit.Job, _checkpoint,
                        _trainer.Epoch + 1, _trainer.BatchInEpoch, _trainer.Optimizer.StepCount);
                }
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException or DatasetMissingException or IdxFormatException or IOException
                                       or UnauthorizedAccessException or InvalidDataException)
        {
            Fail($"on the coordinator's node {ReplicaActor.NodeName(Context.System)}: {e.Message}");
            return;
        }
        var hosts = TrainingCoordinator.Hosts(Akka.Cluster.Cluster.Get(Context.System), _submit.Role);
        if (hosts.Count < _submit.Replicas)
        {
            Fail(TrainingCoordinator.TooFewHosts(_submit.Replicas, hosts.Count, _submit.Role));
            return;
        }
        string fingerprint = TrainingData.Fingerprint(_submit.DataDirectory);
        for (int r = 0; r < _submit.Replicas; r++)
            Context.ActorSelection(new RootActorPath(hosts[r].Address) / "user" / TrainingWorker.Name)
                .Tell(new StartReplica(_submit.Job, _submit.Spec, _submit.DataDirectory, r, fingerprint, TrainingPlatform.Signature), Self);
        Timers.StartSingleTimer("start", StartTimedOut.Instance, StartTimeout);
        Report();
    }

    private static string Name(int replica) => replica.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void OnReady(ReplicaReady ready)
    {
        if (_state != "starting" || ready.Replica < 0 || ready.Replica >= _submit.Replicas) return;
        _replicas[Name(ready.Replica)] = Sender;
        _names[Sender] = Name(ready.Replica);
        Context.Watch(Sender);
        if (_replicas.Count < _submit.Replicas) return;
        Timers.Cancel("start");
        _live.AddRange(Enumerable.Range(0, _submit.Replicas).Select(Name));
        _state = "running";
        _log.Info("training job {0}: {1} replicas on {2}", _submit.Job, _live.Count, string.Join(", ", _replicas.Values.Select(r => r.Path.Address)));
        Self.Tell(Advance.Instance);
    }

    /// <summary>Ends the epoch when its minibatches are done, the run when its epochs are; else sends out the next step.</summary>
    private void NextStep()
    {
        var trainer = _trainer!;
        if (_state != "running" || _ledger is not null) return;
        // Also where a checkpoint taken after an epoch's last minibatch was resumed.
        if (trainer.Epoch < trainer.Options.Epochs && trainer.BatchInEpoch >= trainer.BatchesPerEpoch)
        {
            var report = trainer.EndEpoch();
            _reports.Add(report);
            _log.Info("training job {0}: epoch {1}: loss {2:F4}, training {3:P2}, validation {4:P2}", _submit.Job, report.Epoch + 1,
                report.TrainLoss, report.TrainAccuracy, report.ValidationAccuracy);
            if (!TrySave(_checkpoint is not null)) return;
            Report();
        }
        if (trainer.Epoch >= trainer.Options.Epochs)
        {
            Finish();
            return;
        }
        var (batch, epoch) = trainer.PlanStep();
        int m = trainer.Options.MicroBatches;
        (_batch, _epoch) = (batch, epoch);
        _loss = new double[m];
        _correct = new int[m];
        _rates = new double[m][];
        _ledger = new MicroBatchLedger<float>(trainer.Optimizer.StepCount, m, _live);
        _stepClock = Stopwatch.StartNew();
        // One copy per step: replicas in this process read it while the optimizer may already change the trainer's.
        var parameters = (float[])trainer.Parameters.Clone();
        foreach (var name in _live)
            Send(name, parameters, _ledger.Assigned(name));
    }

    private void Send(string replica, float[] parameters, IReadOnlyList<int> microBatches)
    {
        if (microBatches.Count == 0) return;
        _replicas[replica].Tell(new ComputeMicroBatches(_submit.Job, _ledger!.Step, (long)_epoch, parameters, _batch, microBatches.ToArray()), Self);
    }

    private void OnGradient(MicroBatchGradient g)
    {
        var trainer = _trainer!;
        int layers = trainer.Network.Stages.Count, m = trainer.Options.MicroBatches;
        var node = new Subtree(g.Start, g.Level);
        int covered = g.Start < m && g.Level <= MicroBatches.RootLevel(m) ? node.End(m) - g.Start : -1;
        if (_ledger is not { } ledger || _names.GetValueOrDefault(Sender) is not { } replica || !_live.Contains(replica)) return;
        if (covered < 1 || g.Gradient.Length != trainer.Parameters.Length || g.Loss.Length != covered || g.Correct.Length != covered
            || g.Rates.Length != covered * layers)
        {
            // A replica the job counts on sent something it cannot use; waiting for a better answer would wait forever.
            Fail($"replica {replica} sent a gradient that does not fit step {g.Step}: tree node ({g.Start}, {g.Level}), {g.Gradient.Length} values " +
                 $"for {trainer.Parameters.Length} parameters, {g.Loss.Length} losses and {g.Rates.Length} rates");
            return;
        }
        // Late answers for a step already reduced, and repeats, are expected after a replica's loss; they are dropped.
        if (!ledger.Deliver(g.Step, replica, node, g.Gradient)) return;
        for (int k = 0; k < covered; k++)
            (_loss[g.Start + k], _correct[g.Start + k], _rates[g.Start + k]) = (g.Loss[k], g.Correct[k], g.Rates.AsSpan(k * layers, layers).ToArray());
        if (!ledger.Complete) return;
        trainer.ApplyGradient(ledger.Reduce(), _batch.Length);
        _ledger = null;
        // Summed in micro-batch order, as the in-process step does: the reports do not depend on R either.
        var rates = new double[trainer.Network.Stages.Count];
        for (int k = 0; k < _rates.Length; k++)
            for (int l = 0; l < rates.Length; l++) rates[l] += _rates[k][l];
        var batch = trainer.CompleteStep(_batch.Length, _loss.Sum(), _correct.Sum(), rates, _stepClock.Elapsed.TotalSeconds);
        (_lastLoss, _lastAccuracy, _samplesPerSecond) = (batch.Loss, batch.Accuracy, batch.SamplesPerSecond);
        var tags = Telemetry.JobTags(_submit.Job, Runtime.TelemetryNode.Of(Context.System));
        Telemetry.TrainLoss.Record(batch.Loss, tags);
        Telemetry.TrainAccuracy.Record(batch.Accuracy, tags);
        Telemetry.TrainSamples.Add(batch.Size, tags);
        if (!TrySave(_checkpoint is not null && trainer.Optimizer.StepCount % _submit.CheckpointEvery == 0)) return;
        Report();
        Self.Tell(Advance.Instance);
    }

    private bool TrySave(bool due)
    {
        if (!due) return true;
        try
        {
            TrainingCheckpoint.Save(_checkpoint!, _trainer!, _reports);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail($"cannot write the checkpoint {_checkpoint}: {e.Message}");
            return false;
        }
    }

    private void OnTerminated(Terminated t)
    {
        var lost = _names.GetValueOrDefault(t.ActorRef);
        if (lost is null) return;
        // A replica lost before every replica is ready has no work to hand on: the job cannot start as asked.
        if (_state == "starting")
        {
            Fail($"replica {lost} on {t.ActorRef.Path.Address} was lost while starting");
            return;
        }
        if (!_live.Remove(lost) || _state != "running") return;
        if (_live.Count == 0)
        {
            Fail($"every replica is lost (the last, {lost}, on {t.ActorRef.Path.Address})");
            return;
        }
        string moved = "";
        if (_ledger is { } ledger)
        {
            var handed = ledger.Lost(lost);
            var parameters = (float[])_trainer!.Parameters.Clone();
            foreach (var group in handed.GroupBy(h => h.Replica))
                Send(group.Key, parameters, group.Select(h => h.MicroBatch).ToList());
            moved = handed.Count == 0 ? "" : $"; micro-batches {string.Join(", ", handed.Select(h => h.MicroBatch))} of step {ledger.Step} go to replicas {string.Join(", ", handed.Select(h => h.Replica).Distinct())}";
        }
        _log.Warning("training job {0}: replica {1} on {2} is lost; {3} replicas go on{4}", _submit.Job, lost, t.ActorRef.Path.Address, _live.Count, moved);
        Report();
    }

    private void Finish()
    {
        var trainer = _trainer!;
        Context.Parent.Tell(new TrainingResult(_submit.Job, (float[])trainer.Parameters.Clone(), TrainingCheckpoint.ReportsToJson(_reports),
            _reports.Sum(r => r.Seconds) + trainer.Totals.Seconds, _live.Count, GradientTrainer.Checksum(trainer.Parameters)));
        End("finished", null);
    }

    private void Fail(string reason)
    {
        _log.Error("training job {0} failed: {1}", _submit.Job, reason);
        End("failed", reason);
    }

    private void End(string state, string? error)
    {
        _state = state;
        _ledger = null;
        foreach (var replica in _replicas.Values) replica.Tell(new StopReplica(_submit.Job));
        Report(error);
        Context.Stop(Self);
    }

    private void Report(string? error = null)
    {
        var t = _trainer;
        long steps = t is null ? 0 : (long)t.BatchesPerEpoch * t.Options.Epochs;
        Context.Parent.Tell(new TrainingStatus(_submit.Job, _state, t?.Epoch ?? 0, t?.Options.Epochs ?? 0, t?.Optimizer.StepCount ?? 0, steps,
            _lastLoss, _lastAccuracy, _reports.Count > 0 ? _reports[^1].ValidationAccuracy : double.NaN, _samplesPerSecond,
            _state == "starting" ? _submit.Replicas : _live.Count, _wall.Elapsed.TotalSeconds,
            t is null ? "" : GradientTrainer.Checksum(t.Parameters), error));
    }

    private sealed class Advance
    {
        public static readonly Advance Instance = new();
    }

    private sealed class StartTimedOut
    {
        public static readonly StartTimedOut Instance = new();
    }
}
