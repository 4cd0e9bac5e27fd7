using System.CommandLine;
using System.Globalization;
using DistSnn.Cluster.Admin;
using DistSnn.Cluster.Hosting;
using DistSnn.Monitoring.Exporters;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DistSnn.Cli;

/// <summary>
/// <c>distsnn node</c>: runs one cluster member with its admin endpoint until stopped (Ctrl+C or SIGTERM, which
/// leave the cluster gracefully). Settings come from <c>appsettings.json</c> (section <c>DistSnn:Node</c> and
/// <c>DistSnn:Admin</c>), environment variables (<c>DistSnn__Node__Port=4053</c>, ...) and flags, flags winning.
/// </summary>
public static class NodeCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var hostname = new Option<string?>("--hostname") { Description = "Address to bind remoting to (default 127.0.0.1)" };
        var port = new Option<int?>("--port") { Description = "Remoting port (default 4053; 0 = any free port)" };
        var publicHost = new Option<string?>("--public-hostname") { Description = "Host name other nodes use to reach this one" };
        var seeds = new Option<string[]>("--seed") { Description = "Seed node host:port (repeat for several); none: this node starts a new cluster", AllowMultipleArgumentsPerToken = true };
        var roles = new Option<string[]>("--role") { Description = "Cluster role of this node (repeatable)" };
        var shards = new Option<int?>("--shards") { Description = "Number of partition shards (default 100)" };
        var adminUrl = new Option<string?>("--admin-url") { Description = "Admin endpoint URL (default http://127.0.0.1:9100; loopback unless set)" };
        var adminToken = new Option<string?>("--admin-token") { Description = "Bearer token required by the admin endpoint (required when it is not on loopback)" };
        var adminTokenFile = new Option<string?>("--admin-token-file") { Description = "File holding the admin bearer token (e.g. a mounted secret)" };
        var tlsCertificate = new Option<string?>("--tls-certificate") { Description = "PKCS#12 (PFX) certificate for TLS between nodes; switches TLS on" };
        var tlsPasswordFile = new Option<string?>("--tls-password-file") { Description = "File holding the certificate's password" };
        var maxJobs = new Option<int?>("--max-concurrent-jobs") { Description = "Jobs run side by side; later ones queue (default 4; 0 = no limit)" };
        var telemetry = TelemetryFlag.Create("prometheus, or DistSnn:Telemetry:Exporters");
        var checkpointDir = new Option<string?>("--checkpoint-dir")
        {
            Description = "Checkpoint directory every node shares: a coordinator starting on this node takes over the jobs still running there",
        };
        var noWarmUp = new Option<bool>("--no-warm-up")
        {
            Description = "Report ready without first running a small job to compile the node's code (the first job is then slower)",
        };
        var cmd = new Command("node", "Run a cluster node with its admin endpoint until stopped.\n" + ExitCodes.Help)
        {
            hostname, port, publicHost, seeds, roles, shards, adminUrl, adminToken, adminTokenFile, tlsCertificate, tlsPasswordFile, maxJobs, telemetry, checkpointDir, noWarmUp,
        };
        cmd.SetAction(async (parse, cancel) =>
        {
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            var node = builder.Configuration.GetSection("DistSnn:Node").Get<NodeOptions>() ?? new NodeOptions();
            var admin = builder.Configuration.GetSection("DistSnn:Admin").Get<AdminOptions>() ?? new AdminOptions();
            node = node with
            {
                Hostname = parse.GetValue(hostname) ?? node.Hostname,
                Port = parse.GetValue(port) ?? node.Port,
                PublicHostname = parse.GetValue(publicHost) ?? node.PublicHostname,
                SeedNodes = parse.GetValue(seeds) is { Length: > 0 } s ? s : node.SeedNodes,
                Roles = parse.GetValue(roles) is { Length: > 0 } r ? r : node.Roles,
                Shards = parse.GetValue(shards) ?? node.Shards,
                MaxConcurrentJobs = parse.GetValue(maxJobs) ?? node.MaxConcurrentJobs,
                CheckpointDirectory = parse.GetValue(checkpointDir) ?? node.CheckpointDirectory,
                WarmUp = node.WarmUp && !parse.GetValue(noWarmUp),
            };
            if (parse.GetValue(tlsCertificate) is { } certificate)
                node = node with { Tls = node.Tls with { Enabled = true, CertificatePath = certificate } };
            if (parse.GetValue(tlsPasswordFile) is { } passwordFile)
                node = node with { Tls = node.Tls with { PasswordFile = passwordFile } };
            admin = admin with
            {
                Url = parse.GetValue(adminUrl) ?? admin.Url,
                Token = parse.GetValue(adminToken) ?? admin.Token,
                TokenFile = parse.GetValue(adminTokenFile) ?? admin.TokenFile,
            };
            if (node.SeedNodes.Count == 0 && node.Discovery == "seeds")
                node = node with { SeedNodes = [$"{node.PublicHostname ?? node.Hostname}:{node.Port}"] };
            TelemetryOptions metrics;
            WebApplication app;
            try
            {
                // Settings are checked before anything binds: a bad certificate or an exposed endpoint without a
                // token stops the node with the setting's name.
                metrics = NodeTelemetry(builder.Configuration, parse.GetValue(telemetry));
                admin = admin.Resolve();
                builder.WebHost.UseUrls(admin.Url);
                builder.Services.AddDistSnnNode(node, backends: Backends.Registry);
                builder.Services.AddDistSnnTelemetry(metrics, $"{node.PublicHostname ?? node.Hostname}:{node.Port}");
                app = builder.Build();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadInput;
            }
            await using var appLifetime = app;
            app.MapDistSnnAdmin(admin);
            app.MapDistSnnMetrics(metrics);
            try
            {
                await app.StartAsync(cancel);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException)
            {
                // A node the cluster refuses while it starts (another DistSnn version, say) sees its actor system
                // shut down under the host's starters; the reason is in the log line of the version guard.
                var terminated = app.Services.GetService<Akka.Actor.ActorSystem>()?.WhenTerminated;
                bool downed = terminated is not null && await Task.WhenAny(terminated, Task.Delay(TimeSpan.FromSeconds(5))) == terminated;
                Console.Error.WriteLine(downed
                    ? $"error: node failed to start: the cluster removed it while it started (see the log above for why): {e.Message}"
                    : $"error: node failed to start: {e.Message}");
                return ExitCodes.Failed;
            }
            Console.WriteLine($"node {node.PublicHostname ?? node.Hostname}:{node.Port} started; seeds {string.Join(", ", node.SeedNodes)}; admin {admin.Url}" +
                $"{(admin.Token is null ? "" : " (token required)")}; remoting {(node.Tls.Enabled ? "TLS" : "plain TCP")}; " +
                $"telemetry {metrics.Exporters.ToString().ToLowerInvariant()}");
            var warmUp = app.Services.GetRequiredService<NodeWarmUp>();
            _ = warmUp.Completion.ContinueWith(t => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"node warmed up in {t.Result.TotalSeconds:F1} s")), TaskContinuationOptions.OnlyOnRanToCompletion);
            // The node runs until Ctrl+C, SIGTERM (the host's console lifetime turns it into a stop request) or
            // until its actor system ends (left or downed); the host then runs Akka's coordinated shutdown.
            var system = app.Services.GetRequiredService<Akka.Actor.ActorSystem>();
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancel, app.Lifetime.ApplicationStopping);
            await Task.WhenAny(Task.Delay(Timeout.Infinite, stopping.Token), system.WhenTerminated);
            await app.StopAsync(CancellationToken.None);
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// The node's exporters: <c>--telemetry</c>, else <c>DistSnn:Telemetry</c> from configuration, else the
    /// Prometheus scrape endpoint (pulled only when scraped; <c>--telemetry none</c> switches it off).
    /// </summary>
    private static TelemetryOptions NodeTelemetry(IConfiguration configuration, string? flag)
    {
        var options = TelemetryOptions.FromConfiguration(configuration);
        if (flag is not null) return options with { Exporters = TelemetryOptions.ParseExporters([flag], "--telemetry") };
        bool configured = configuration.GetSection(TelemetryOptions.Section).GetSection("Exporters").Exists();
        return configured ? options : options with { Exporters = TelemetryExporters.Prometheus };
    }
}
