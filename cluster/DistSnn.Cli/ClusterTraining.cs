using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DistSnn.Learning.Gradient;

namespace DistSnn.Cli;

/// <summary>Where a gradient-training job runs when it runs on a cluster (<c>distsnn train … --endpoint URL</c>).</summary>
public sealed record TrainingRemote(string Endpoint, string? Token, string? Job, string? Role, string? DataDirectory);

/// <summary>
/// Runs a gradient-training job on a cluster: submits the settings to the training coordinator, follows its
/// progress, and brings the trained weights and epoch reports back into the local trainer, which then tests and
/// writes the results folder as a local run does. When the coordinator's node is lost the job is unknown to its
/// successor; with checkpoints it is submitted again under the same id and goes on from the last one.
/// </summary>
public static class ClusterTraining
{
    /// <summary>How long the endpoint may fail to answer (a coordinator moving to another node) before the job is given up.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Trains <paramref name="trainer"/>'s network on the cluster; on success the trainer holds the trained weights and
    /// the return value is null, else it is the exit code (the reason printed).
    /// </summary>
    public static async Task<int?> TrainAsync(TrainingRemote remote, GradientTrainer trainer, string verb, int checkpointEvery,
        List<EpochReport> reports, Action<double> trainSeconds, CancellationToken cancel)
    {
        var options = trainer.Options;
        using var client = new AdminClient(remote.Endpoint, remote.Token);
        string spec = TrainingSpec.ToJson(options);
        string Query(string? job, int replicas)
        {
            var q = new StringBuilder($"/train?replicas={replicas}");
            if (job is not null) q.Append("&job=").Append(Uri.EscapeDataString(job));
            if (remote.Role is { } role) q.Append("&role=").Append(Uri.EscapeDataString(role));
            if (remote.DataDirectory is { } data) q.Append("&data=").Append(Uri.EscapeDataString(data));
            if (checkpointEvery > 0) q.Append("&checkpoint_every=").Append(checkpointEvery);
            return q.ToString();
        }
        string jobId;
        try
        {
            var accepted = await client.SendAsync(HttpMethod.Post, Query(remote.Job, options.Replicas), new StringContent(spec, Encoding.UTF8, "application/json"), cancel);
            jobId = accepted.GetProperty("job").GetString()!;
        }
        catch (AdminException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        Console.Error.WriteLine($"{verb}: job {jobId} on {remote.Endpoint}: {options.Architecture.Text}, {options.Replicas} replicas, " +
            $"{options.Epochs} epochs of {trainer.BatchesPerEpoch} minibatches");

        var silentSince = (Stopwatch?)null;
        var shown = Stopwatch.StartNew();
        int resubmits = 0;
        string path = $"/train/{Uri.EscapeDataString(jobId)}";
        while (true)
        {
            JsonElement status;
            try
            {
                status = await client.SendAsync(HttpMethod.Get, path, null, cancel);
                silentSince = null;
            }
            catch (AdminException e) when (e.ExitCode != ExitCodes.BadInput || e.Message.StartsWith("404", StringComparison.Ordinal))
            {
                bool unknown = e.Message.StartsWith("404", StringComparison.Ordinal);
                if (unknown && checkpointEvery > 0 && resubmits < 5)
                {
                    // The coordinator that ran the job is gone, and with its node a replica's host: the successor goes on
                    // from the job's last checkpoint with the members left (the weights do not depend on the replicas).
                    try
                    {
                        var members = await client.SendAsync(HttpMethod.Get, "/members", null, cancel);
                        int hosts = members.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up"
                            && (remote.Role is null || m.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == remote.Role)));
                        int replicas = Math.Clamp(hosts, 1, options.Replicas);
                        await client.SendAsync(HttpMethod.Post, Query(jobId, replicas), new StringContent(spec, Encoding.UTF8, "application/json"), cancel);
                        resubmits++;
                        Console.Error.WriteLine($"\n{verb}: job {jobId} was lost with its coordinator; submitted again with {replicas} replicas, it goes on from its last checkpoint");
                        continue;
                    }
                    catch (AdminException again)
                    {
                        e = again;
                    }
                }
                else if (unknown)
                {
                    Console.Error.WriteLine(checkpointEvery > 0
                        ? $"\nerror: job {jobId} was lost with its coordinator {resubmits} times; given up (its checkpoint is in the nodes' checkpoint directory, under {jobId})"
                        : $"\nerror: job {jobId} was lost with its coordinator's node; with --checkpoint-every it would go on from its last checkpoint");
                    return ExitCodes.Failed;
                }
                silentSince ??= Stopwatch.StartNew();
                if (silentSince.Elapsed > Patience)
                {
                    Console.Error.WriteLine($"\nerror: job {jobId}: {e.Message} (for {Patience.TotalSeconds:F0} s)");
                    return e.ExitCode;
                }
                await Task.Delay(500, cancel);
                continue;
            }
            string state = status.GetProperty("state").GetString()!;
            if (state is "failed" or "cancelled")
            {
                Console.Error.WriteLine($"\nerror: job {jobId} {state}: {status.GetProperty("error")}");
                return ExitCodes.Failed;
            }
            if (state == "finished") break;
            if (shown.Elapsed.TotalSeconds >= 2)
            {
                shown.Restart();
                Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                    $"\r{jobId}: {state}, epoch {Math.Min(status.GetProperty("epoch").GetInt32() + 1, status.GetProperty("epochs").GetInt32())}/{status.GetProperty("epochs").GetInt32()}, " +
                    $"step {status.GetProperty("step").GetInt64()}/{status.GetProperty("total_steps").GetInt64()}, loss {Number(status, "loss", "F3")}, " +
                    $"accuracy {Number(status, "accuracy", "P1")}, validation {Number(status, "validation_accuracy", "P2")}, " +
                    $"{status.GetProperty("samples_per_s").GetDouble():F0} samples/s, {status.GetProperty("replicas").GetInt32()} replicas   "));
            }
            await Task.Delay(300, cancel);
        }
        Console.Error.WriteLine();
        JsonElement result;
        try
        {
            result = await client.SendAsync(HttpMethod.Get, path + "/result", null, cancel);
        }
        catch (AdminException e)
        {
            Console.Error.WriteLine($"error: job {jobId}: {e.Message}");
            return e.ExitCode;
        }
        var bytes = Convert.FromBase64String(result.GetProperty("parameters").GetString()!);
        int n = trainer.Parameters.Length;
        if (bytes.Length != n * sizeof(float))
        {
            Console.Error.WriteLine($"error: job {jobId} returned {bytes.Length / sizeof(float)} parameters, the network has {n}");
            return ExitCodes.Failed;
        }
        var parameters = new float[n];
        for (int i = 0; i < n; i++) parameters[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)));
        // The optimizer's moments stay on the cluster (and in its checkpoints): testing and export need the weights only.
        trainer.Restore(parameters, new double[n], new double[n], (long)trainer.BatchesPerEpoch * options.Epochs, options.Epochs, 0);
        reports.AddRange(TrainingCheckpoint.ReportsFromJson(result.GetProperty("reports").GetRawText()));
        foreach (var report in reports)
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {report.Epoch + 1}: loss {report.TrainLoss:F4}, training {100 * report.TrainAccuracy:F2}%, validation {100 * report.ValidationAccuracy:F2}%, " +
                $"{report.Seconds:F0} s ({report.SamplesPerSecond:F0} samples/s)"));
        trainSeconds(result.GetProperty("train_seconds").GetDouble());
        string checksum = result.GetProperty("parameters_checksum").GetString()!;
        if (checksum != GradientTrainer.Checksum(trainer.Parameters))
        {
            Console.Error.WriteLine($"error: job {jobId}: the weights arrived with checksum {GradientTrainer.Checksum(trainer.Parameters)}, the cluster sent {checksum}");
            return ExitCodes.Failed;
        }
        return null;
    }

    private static string Number(JsonElement status, string field, string format) =>
        status.GetProperty(field).ValueKind == JsonValueKind.Number
            ? status.GetProperty(field).GetDouble().ToString(format, CultureInfo.InvariantCulture)
            : "-";
}
