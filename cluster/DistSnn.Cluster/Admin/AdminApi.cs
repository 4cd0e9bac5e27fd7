using DistSnn.Nodes.Backends;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using DistSnn.Cluster.Checkpoints;
using DistSnn.Cluster.Hosting;
using DistSnn.Cluster.Output;
using DistSnn.Cluster.Runtime;
using DistSnn.Cluster.Serialization;
using DistSnn.Model;
using DistSnn.Partitioner;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DistSnn.Cluster.Admin;

/// <summary>Settings of a node's admin endpoint (section <c>DistSnn:Admin</c>).</summary>
public sealed record AdminOptions
{
    /// <summary>URL to listen on. Loopback by default: exposing it is a deliberate choice and needs a token.</summary>
    public string Url { get; init; } = "http://127.0.0.1:9100";
    /// <summary>Bearer token required on every call except health checks; null for none (loopback only). Never logged.</summary>
    public string? Token { get; init; }
    /// <summary>File whose content (a trailing line break ignored) is the token, e.g. a mounted Kubernetes Secret.</summary>
    public string? TokenFile { get; init; }

    /// <summary>
    /// Reads <see cref="TokenFile"/> into <see cref="Token"/> and checks the rule that a URL other than loopback
    /// needs a token. Throws <see cref="ArgumentException"/> naming the setting (never the token).
    /// </summary>
    public AdminOptions Resolve()
    {
        var resolved = this;
        if (TokenFile is { Length: > 0 } file)
        {
            if (Token is not null) throw new ArgumentException("DistSnn:Admin: set Token or TokenFile, not both");
            string text;
            try
            {
                text = File.ReadAllText(file).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"DistSnn:Admin:TokenFile: cannot read '{file}': {e.Message}", e);
            }
            if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException($"DistSnn:Admin:TokenFile: '{file}' is empty");
            // Resolved once: the file is read at startup, and resolving again is a no-op.
            resolved = this with { Token = text, TokenFile = null };
        }
        if (resolved.Token is { } token && string.IsNullOrWhiteSpace(token))
            throw new ArgumentException("DistSnn:Admin:Token: the token is empty");
        if (resolved.Token is null && !IsLoopback(Url))
            throw new ArgumentException($"DistSnn:Admin:Url: '{Url}' is reachable from other machines, so the admin endpoint needs a token: " +
                "set DistSnn:Admin:TokenFile (or --admin-token-file, DistSnn__Admin__TokenFile), DistSnn:Admin:Token " +
                "(--admin-token, DistSnn__Admin__Token), or bind it to 127.0.0.1");
        return resolved;
    }

    /// <summary>Whether every address in a (semicolon-separated) listen URL list is a loopback address.</summary>
    public static bool IsLoopback(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(url =>
    {
        // "http://*:9100" and "http://+:9100" (all addresses) are not URIs; they are not loopback either.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return false;
        if (uri.IsLoopback) return true;
        return System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip);
    });

    // The generated ToString would print the token.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Url = ").Append(Url).Append(", Token = ").Append(Token is null ? "null" : "***").Append(", TokenFile = ").Append(TokenFile);
        return true;
    }
}

/// <summary>
/// The admin endpoint of a node: HTTP + JSON, used by the <c>distsnn</c> CLI (submit, jobs, status, cancel,
/// results, members, partitions, leave, down) and by Kubernetes probes (<c>/health/live</c>,
/// <c>/health/ready</c>). Jobs are handed to the coordinator singleton through this node's proxy.
/// </summary>
public static partial class AdminApi
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Maps every admin route onto <paramref name="app"/>.</summary>
    public static void MapDistSnnAdmin(this WebApplication app, AdminOptions options)
    {
        options = options.Resolve();
        if (options.Token is { } token)
        {
            byte[] expected = System.Text.Encoding.UTF8.GetBytes($"Bearer {token}");
            // A scraper on the same machine may read /metrics without the token when the endpoint is loopback only.
            bool openMetrics = AdminOptions.IsLoopback(options.Url);
            app.Use(async (ctx, next) =>
            {
                // Compared in constant time: how long a refusal takes says nothing about how much of the token matched.
                if (!ctx.Request.Path.StartsWithSegments("/health") &&
                    !(openMetrics && ctx.Request.Path.StartsWithSegments("/metrics")) &&
                    !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                        System.Text.Encoding.UTF8.GetBytes(ctx.Request.Headers.Authorization.ToString()), expected))
                {
                    ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    await ctx.Response.WriteAsJsonAsync(new { error = "missing or wrong bearer token" });
                    return;
                }
                await next();
            });
        }

        app.MapGet("/health/live", () => Results.Ok(new { status = "live" }));
        // Ready = warmed up (NodeWarmUp), a cluster member that is up and whose partition region the shard
        // coordinator knows, so that a job submitted now can place partitions on this node.
        app.MapGet("/health/ready", async (ActorSystem system, ActorRegistry registry, NodeWarmUp warmUp) =>
        {
            if (!warmUp.Finished) return Results.Json(new { status = "warming up" }, statusCode: 503);
            var cluster = Akka.Cluster.Cluster.Get(system);
            var self = cluster.SelfMember;
            if (self.Status != MemberStatus.Up)
                return Results.Json(new { status = self.Status.ToString().ToLowerInvariant() }, statusCode: 503);
            try
            {
                var regions = await registry.Get<PartitionRegion>().Ask<CurrentRegions>(GetCurrentRegions.Instance, TimeSpan.FromSeconds(2));
                if (!regions.Regions.Contains(cluster.SelfAddress))
                    return Results.Json(new { status = "registering" }, statusCode: 503);
            }
            catch (AskTimeoutException)
            {
                return Results.Json(new { status = "no shard coordinator" }, statusCode: 503);
            }
            return Results.Ok(new { status = "ready" });
        });
        // What this node's serializer has put on the network since it started, per message type: for measuring
        // bytes per spike and packets per epoch (the benchmark reads it). Then one row of type "rejected" per kind of
        // input this node refused (bad frames, packets for unknown jobs or wrong epochs), with its count and bytes.
        app.MapGet("/wire", () => Results.Ok(WireCounters.Snapshot().OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (object)new { type = kv.Key, messages = kv.Value.Messages, bytes = kv.Value.Bytes, spikes = kv.Value.Spikes })
            .Concat(WireRejections.Snapshot().OrderBy(kv => kv.Key)
                .Select(kv => new { type = "rejected", kind = WireRejections.Tag(kv.Key), messages = kv.Value.Count, bytes = kv.Value.Bytes, spikes = 0L }))
            .ToArray()));
        MapMembers(app);
        MapJobs(app);
        MapTraining(app);
    }

    private static void MapMembers(IEndpointRouteBuilder app)
    {
        app.MapGet("/members", (ActorSystem system) =>
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var state = cluster.State;
            return Results.Ok(state.Members.OrderBy(m => m.Address.ToString(), StringComparer.Ordinal).Select(m => new MemberDto(
                m.Address.ToString(), m.Status.ToString().ToLowerInvariant(), m.Roles.ToArray(), m.AppVersion.ToString(),
                state.Leader == m.Address, m.Address == cluster.SelfAddress)).ToArray());
        });
        app.MapPost("/members/leave", (ActorSystem system, string address) =>
            MemberAction(system, address, (c, a) => c.Leave(a)));
        app.MapPost("/members/down", (ActorSystem system, string address) =>
            MemberAction(system, address, (c, a) => c.Down(a)));
    }

    private static IResult MemberAction(ActorSystem system, string address, Action<Akka.Cluster.Cluster, Address> act)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var member = cluster.State.Members.FirstOrDefault(m => m.Address.ToString() == address ||
            $"{m.Address.Host}:{m.Address.Port}" == address);
        if (member is null) return Results.NotFound(new { error = $"no member '{address}'" });
        act(cluster, member.Address);
        return Results.Ok(new { address = member.Address.ToString() });
    }

    private static void MapJobs(IEndpointRouteBuilder app)
    {
        app.MapPost("/jobs", async (HttpRequest req, ActorRegistry registry, string? job, int? partitions, string? strategy,
            double? duration, ulong? seed, double? scale, string? file,
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "checkpoint_every")] double? checkpointEvery,
            [Microsoft.AspNetCore.Mvc.FromQuery(Name = "checkpoint_dir")] string? checkpointDir) =>
        {
            using var reader = new StreamReader(req.Body);
            string text = await reader.ReadToEndAsync();
            NetworkSpec spec;
            try
            {
                spec = ModelLoader.Parse(text, file ?? "submitted model");
                if (duration is { } d) spec = spec with { Run = spec.Run with { Duration = d } };
                if (seed is { } s) spec = spec with { Run = spec.Run with { Seed = s } };
                if (scale is { } f) spec = NetworkScaling.Scale(spec, f);
            }
            catch (ModelException e)
            {
                return Results.BadRequest(new SubmitResultDto(job ?? "", false, e.Errors.Select(x => x.ToString()).ToArray()));
            }
            catch (ArgumentException e)
            {
                return Results.BadRequest(new SubmitResultDto(job ?? "", false, [$"scale: {e.Message}"]));
            }
            if (!TryStrategy(strategy, out var strat))
                return Results.BadRequest(new SubmitResultDto(job ?? "", false, [$"strategy: unknown '{strategy}' ({string.Join(", ", PartitionStrategyNames.All)})"]));
            string id = string.IsNullOrWhiteSpace(job) ? $"{spec.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}" : job;
            var (checkpoints, refused) = CheckpointRequestOf(checkpointEvery, checkpointDir, spec.Run.Dt);
            if (refused is not null) return Results.BadRequest(new SubmitResultDto(id, false, [refused]));
            var submit = new SubmitJob(id, spec, partitions ?? 1, strat) { Checkpoints = checkpoints };
            var answer = await Coordinator(registry).Ask<object>(submit, AskTimeout);
            return answer switch
            {
                JobAccepted a => Results.Accepted($"/jobs/{a.Job}", new SubmitResultDto(a.Job, true, [])),
                JobRejected r => Results.Conflict(new SubmitResultDto(r.Job, false, [r.Reason])),
                _ => Results.Problem("unexpected answer from the coordinator"),
            };
        });
        app.MapGet("/jobs", async (ActorRegistry registry) =>
        {
            var list = await Coordinator(registry).Ask<JobList>(ListJobs.Instance, AskTimeout);
            return Results.Ok(list.Jobs.Select(JobStatusDto.From).ToArray());
        });
        app.MapGet("/jobs/{id}", async (ActorRegistry registry, string id) => StatusResult(
            await Coordinator(registry).Ask<JobStatus>(new GetJobStatus(id), AskTimeout)));
        app.MapDelete("/jobs/{id}", async (ActorRegistry registry, string id) => StatusResult(
            await Coordinator(registry).Ask<JobStatus>(new CancelJob(id), AskTimeout)));
        app.MapGet("/jobs/{id}/partitions", async (ActorRegistry registry, string id) =>
        {
            var p = await Coordinator(registry).Ask<JobPartitions>(new GetJobPartitions(id), AskTimeout);
            return Results.Ok(p.Partitions.Select(x => new PartitionDto(x.Partition, NodeOf(x.Path), x.Path, x.Neurons, x.Synapses, x.Backend)).ToArray());
        });
        app.MapGet("/jobs/{id}/results", async (ActorRegistry registry, ActorSystem system, BackendRegistry backends, string id, bool? csv) =>
        {
            var answer = await Coordinator(registry).Ask<object>(new GetJobResult(id), AskTimeout);
            if (answer is JobStatus s)
                return s.Error == "unknown job" ? Results.NotFound(JobStatusDto.From(s)) : Results.Conflict(JobStatusDto.From(s));
            var result = (JobResult)answer;
            return Results.File(ResultsArchive.Create(result, csv ?? false, backends), "application/zip", $"{id}.zip");
        });
    }

    private static IResult StatusResult(JobStatus s) =>
        s.Error == "unknown job" ? Results.NotFound(JobStatusDto.From(s)) : Results.Ok(JobStatusDto.From(s));

    private static IActorRef Coordinator(ActorRegistry registry) => registry.Get<CoordinatorProxy>();

    private static string NodeOf(string path)
    {
        // akka.tcp://distsnn@127.0.0.1:4053/system/... -> 127.0.0.1:4053; local paths belong to this node.
        int at = path.IndexOf('@');
        if (at < 0) return "local";
        int slash = path.IndexOf('/', at);
        return slash < 0 ? path[(at + 1)..] : path[(at + 1)..slash];
    }

    /// <summary>
    /// The checkpoint request of a submission: every <paramref name="everyMs"/> of biological time (rounded to whole steps
    /// of <paramref name="dt"/>) into <paramref name="directory"/> (default <c>checkpoints</c>, relative to the
    /// coordinator's working directory). Returns why the query is refused instead, naming the parameter.
    /// </summary>
    internal static (CheckpointRequest? Request, string? Refused) CheckpointRequestOf(double? everyMs, string? directory, double dt)
    {
        if (everyMs is not { } ms) return directory is null ? (null, null) : (null, "checkpoint_dir: needs checkpoint_every");
        long steps = Math.Abs(ms) <= TimeGrid.MaxMs ? new TimeGrid(dt).Steps(ms) : 0;
        if (steps < 1) return (null, $"checkpoint_every: must be at least one step ({dt.ToString(System.Globalization.CultureInfo.InvariantCulture)} ms), got {ms.ToString(System.Globalization.CultureInfo.InvariantCulture)} ms");
        if (directory is not null && directory.Trim().Length == 0) return (null, "checkpoint_dir: is empty");
        return (new CheckpointRequest(directory ?? "checkpoints", steps), null);
    }

    private static bool TryStrategy(string? text, out PartitionStrategy strategy)
    {
        strategy = PartitionStrategy.Contiguous;
        return string.IsNullOrEmpty(text) || PartitionStrategyNames.TryParse(text, out strategy);
    }
}
