using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Hosting;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Training;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Builder;

namespace DistSnn.Cluster.Admin;

/// <summary>A training job's status as the admin endpoint reports it (JSON, snake_case; numbers not yet known are null).</summary>
public sealed record TrainingStatusDto(
    [property: JsonPropertyName("job")] string Job,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("epochs")] int Epochs,
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("total_steps")] long TotalSteps,
    [property: JsonPropertyName("loss")] double? Loss,
    [property: JsonPropertyName("accuracy")] double? Accuracy,
    [property: JsonPropertyName("validation_accuracy")] double? ValidationAccuracy,
    [property: JsonPropertyName("samples_per_s")] double SamplesPerSecond,
    [property: JsonPropertyName("replicas")] int Replicas,
    [property: JsonPropertyName("wall_seconds")] double WallSeconds,
    [property: JsonPropertyName("parameters_checksum")] string Checksum,
    [property: JsonPropertyName("error")] string? Error)
{
    /// <summary>Converts a coordinator status.</summary>
    public static TrainingStatusDto From(TrainingStatus s) => new(s.Job, "training", s.State, s.Epoch, s.Epochs, s.Step, s.TotalSteps, Finite(s.Loss),
        Finite(s.Accuracy), Finite(s.ValidationAccuracy), s.SamplesPerSecond, s.Replicas, s.WallSeconds, s.Checksum, s.Error);

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}

/// <summary>The routes of gradient-training jobs: <c>/train</c>.</summary>
public static partial class AdminApi
{
    private static void MapTraining(IEndpointRouteBuilder app)
    {
        // The body is the job's settings as TrainingSpec JSON; where the replicas run and what they read are queries.
        app.MapPost("/train", async (HttpRequest req, ActorRegistry registry, string? job, int? replicas, string? role, string? data,
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "checkpoint_every")] int? checkpointEvery,
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "checkpoint_dir")] string? checkpointDir) =>
        {
            using var reader = new StreamReader(req.Body);
            string spec = await reader.ReadToEndAsync();
            string id = string.IsNullOrWhiteSpace(job) ? $"train-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}" : job;
            // Checked here as well as by the coordinator: a message the serializer refuses would never reach it.
            if (checkpointDir is not null && checkpointEvery is null)
                return Results.BadRequest(new SubmitResultDto(id, false, ["checkpoint_dir: needs checkpoint_every"]));
            if (replicas is < 1)
                return Results.BadRequest(new SubmitResultDto(id, false, [$"replicas: must be at least 1, got {replicas}"]));
            if (checkpointEvery is < 0)
                return Results.BadRequest(new SubmitResultDto(id, false, [$"checkpoint_every: must not be negative, got {checkpointEvery}"]));
            if (System.Text.Encoding.UTF8.GetByteCount(id) > 200)
                return Results.BadRequest(new SubmitResultDto(id[..50], false, ["job: longer than 200 bytes"]));
            if (System.Text.Encoding.UTF8.GetByteCount(spec) > Serialization.WireLimits.MaxTextBytes)
                return Results.BadRequest(new SubmitResultDto(id, false, [$"the settings take more than {Serialization.WireLimits.MaxTextBytes} bytes"]));
            var submit = new SubmitTraining(id, spec, string.IsNullOrWhiteSpace(data) ? null : data, replicas ?? 1, role, checkpointEvery ?? 0, checkpointDir);
            var answer = await Training(registry).Ask<object>(submit, AskTimeout);
            return answer switch
            {
                JobAccepted a => Results.Accepted($"/train/{a.Job}", new SubmitResultDto(a.Job, true, [])),
                JobRejected r => Results.BadRequest(new SubmitResultDto(r.Job, false, [r.Reason])),
                _ => Results.Problem("unexpected answer from the training coordinator"),
            };
        });
        app.MapGet("/train", async (ActorRegistry registry) =>
        {
            var list = await Training(registry).Ask<TrainingList>(ListTraining.Instance, AskTimeout);
            return Results.Ok(list.Jobs.Select(TrainingStatusDto.From).ToArray());
        });
        app.MapGet("/train/{id}", async (ActorRegistry registry, string id) =>
            TrainingStatusResult(await Training(registry).Ask<TrainingStatus>(new GetTrainingStatus(id), AskTimeout)));
        app.MapDelete("/train/{id}", async (ActorRegistry registry, string id) =>
            TrainingStatusResult(await Training(registry).Ask<TrainingStatus>(new CancelTraining(id), AskTimeout)));
        app.MapGet("/train/{id}/result", async (ActorRegistry registry, string id) =>
        {
            var answer = await Training(registry).Ask<object>(new GetTrainingResult(id), AskTimeout);
            if (answer is TrainingStatus s)
                return s.State == "unknown" ? Results.NotFound(TrainingStatusDto.From(s)) : Results.Conflict(TrainingStatusDto.From(s));
            var result = (TrainingResult)answer;
            var bytes = new byte[result.Parameters.Length * sizeof(float)];
            for (int i = 0; i < result.Parameters.Length; i++)
                System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), result.Parameters[i]);
            return Results.Ok(new
            {
                job = result.Job,
                parameters_checksum = result.Checksum,
                train_seconds = result.TrainSeconds,
                replicas = result.Replicas,
                reports = System.Text.Json.Nodes.JsonNode.Parse(result.ReportsJson),
                // Little-endian float32, bit for bit.
                parameters = Convert.ToBase64String(bytes),
            });
        });
    }

    private static IResult TrainingStatusResult(TrainingStatus s) =>
        s.State == "unknown" ? Results.NotFound(TrainingStatusDto.From(s)) : Results.Ok(TrainingStatusDto.From(s));

    private static IActorRef Training(ActorRegistry registry) => registry.Get<TrainingCoordinatorProxy>();
}
