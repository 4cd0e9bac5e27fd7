using System.CommandLine;
using DistSnn.Cluster.Admin;
using DistSnn.Cluster.Hosting;
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
        var adminToken = new Option<string?>("--admin-token") { Description = "Bearer token required by the admin endpoint (recommended when it is not on loopback)" };
        var checkpointDir = new Option<string?>("--checkpoint-dir")
        {
            Description = "Checkpoint directory every node shares: a coordinator starting on this node takes over the jobs still running there",
        };
        var cmd = new Command("node", "Run a cluster node with its admin endpoint until stopped.\n" + ExitCodes.Help)
        {
            hostname, port, publicHost, seeds, roles, shards, adminUrl, adminToken, checkpointDir,
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
                CheckpointDirectory = parse.GetValue(checkpointDir) ?? node.CheckpointDirectory,
            };
            admin = admin with { Url = parse.GetValue(adminUrl) ?? admin.Url, Token = parse.GetValue(adminToken) ?? admin.Token };
            if (node.SeedNodes.Count == 0 && node.Discovery == "seeds")
                node = node with { SeedNodes = [$"{node.PublicHostname ?? node.Hostname}:{node.Port}"] };
            builder.WebHost.UseUrls(admin.Url);
            builder.Services.AddDistSnnNode(node);
            await using var app = builder.Build();
            app.MapDistSnnAdmin(admin);
            try
            {
                await app.StartAsync(cancel);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException)
            {
                Console.Error.WriteLine($"error: node failed to start: {e.Message}");
                return ExitCodes.Failed;
            }
            Console.WriteLine($"node {node.PublicHostname ?? node.Hostname}:{node.Port} started; seeds {string.Join(", ", node.SeedNodes)}; admin {admin.Url}");
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
}
