using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DistSnn.Cluster.Output;
using DistSnn.Model;
using Spectre.Console;

namespace DistSnn.Cli;

/// <summary>
/// Commands that talk to a running cluster through a node's admin endpoint (<c>--endpoint</c>, default
/// <c>$DISTSNN_ENDPOINT</c> or http://127.0.0.1:9100; <c>--token</c> or <c>$DISTSNN_TOKEN</c>).
/// </summary>
public static class AdminCommands
{
    private static readonly Option<string> Endpoint = new("--endpoint", "-e")
    {
        Description = "Admin endpoint of any cluster node",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DISTSNN_ENDPOINT") ?? "http://127.0.0.1:9100",
        Recursive = true,
    };
    private static readonly Option<string?> Token = new("--token")
    {
        Description = "Bearer token of the admin endpoint (default $DISTSNN_TOKEN)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DISTSNN_TOKEN"),
        Recursive = true,
    };
    private static readonly Option<bool> Json = new("--json") { Description = "Print JSON for scripts" };
    private static readonly Option<bool> NoPlots = new("--no-plots") { Description = "Do not draw the fetched results' plots and report.html" };

    /// <summary>All admin commands.</summary>
    public static IEnumerable<Command> Create() =>
        [Submit(), Jobs(), Status(), Cancel(), Results(), Members(), Partitions(), MemberCommand("leave", "Ask a node to leave the cluster gracefully"),
            MemberCommand("down", "Mark an unreachable node as down")];

    private static Command WithClient(Command cmd, Func<ParseResult, AdminClient, CancellationToken, Task<int>> action)
    {
        cmd.Options.Add(Endpoint);
        cmd.Options.Add(Token);
        cmd.SetAction(async (parse, cancel) =>
        {
            try
            {
                using var client = new AdminClient(parse.GetValue(Endpoint)!, parse.GetValue(Token));
                return await action(parse, client, cancel);
            }
            catch (AdminException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return e.ExitCode;
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Cancelled;
            }
            catch (ModelException e)
            {
                // A SONATA network is read here, before anything is sent.
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.BadInput;
            }
        });
        return cmd;
    }

    private static Command Submit()
    {
        var model = new Argument<FileInfo>("MODEL") { Description = "Model file (YAML or JSON), or a SONATA simulation or circuit config" };
        var partitions = new Option<int>("--partitions", "-p") { Description = "Number of partitions", DefaultValueFactory = _ => 1 };
        var strategy = new Option<string>("--strategy") { Description = "contiguous, round_robin or graph", DefaultValueFactory = _ => "contiguous" };
        var job = new Option<string?>("--job") { Description = "Job id (default: model name, time and a random suffix)" };
        var duration = new Option<string?>("--duration", "-t") { Description = "Biological time, e.g. '200 ms'" };
        var seed = new Option<ulong?>("--seed", "-s") { Description = "Master seed" };
        var scale = new Option<double?>("--scale") { Description = "Resize the network, keeping in-degrees (see distsnn run --scale)" };
        var wait = new Option<bool>("--wait") { Description = "Wait for the job, showing progress" };
        var outDir = new Option<DirectoryInfo?>("--out", "-o") { Description = "With --wait: fetch the results into this folder" };
        var every = new Option<string?>("--checkpoint-every")
        {
            Description = "Write a checkpoint every T of biological time, e.g. '100 ms'; the job then survives the loss of a node",
        };
        var ckptDir = new Option<string?>("--checkpoint-dir")
        {
            Description = "Checkpoint directory as the nodes see it, on a volume every node shares (default: checkpoints in each node's working directory)",
        };
        var cmd = new Command("submit", "Submit a model to the cluster as a job.\n" + ExitCodes.Help)
        {
            model, partitions, strategy, job, duration, seed, scale, wait, outDir, every, ckptDir, Json, NoPlots,
        };
        return WithClient(cmd, async (parse, client, cancel) =>
        {
            var file = parse.GetValue(model)!;
            if (!file.Exists)
            {
                Console.Error.WriteLine($"error: {file.FullName}: file not found");
                return ExitCodes.BadInput;
            }
            var query = new StringBuilder($"/jobs?partitions={parse.GetValue(partitions)}&strategy={Uri.EscapeDataString(parse.GetValue(strategy)!)}&file={Uri.EscapeDataString(file.Name)}");
            if (parse.GetValue(job) is { } id) query.Append("&job=").Append(Uri.EscapeDataString(id));
            if (parse.GetValue(duration) is { } d)
            {
                if (!CliApp.TryParseDuration(d, out var ms, out var why) || !(ms >= 0))
                {
                    Console.Error.WriteLine($"error: --duration: {(why.Length > 0 ? why : "must be >= 0")}");
                    return ExitCodes.BadInput;
                }
                query.Append("&duration=").Append(ms.ToString("R", CultureInfo.InvariantCulture));
            }
            if (parse.GetValue(seed) is { } s) query.Append("&seed=").Append(s);
            if (parse.GetValue(scale) is { } f) query.Append("&scale=").Append(f.ToString("R", CultureInfo.InvariantCulture));
            if (parse.GetValue(every) is { } e)
            {
                if (!CliApp.TryParseDuration(e, out var everyMs, out var why) || !(everyMs > 0) || !double.IsFinite(everyMs))
                {
                    Console.Error.WriteLine($"error: --checkpoint-every: {(why.Length > 0 ? why : $"must be a positive time, got '{e}'")}");
                    return ExitCodes.BadInput;
                }
                query.Append("&checkpoint_every=").Append(everyMs.ToString("R", CultureInfo.InvariantCulture));
            }
            if (parse.GetValue(ckptDir) is { } cd)
            {
                if (parse.GetValue(every) is null)
                {
                    Console.Error.WriteLine("error: --checkpoint-dir: needs --checkpoint-every");
                    return ExitCodes.BadInput;
                }
                query.Append("&checkpoint_dir=").Append(Uri.EscapeDataString(cd));
            }
            var answer = await client.SendAsync(HttpMethod.Post, query.ToString(),
                new StringContent(await ModelText(file.FullName, cancel), Encoding.UTF8, "application/yaml"), cancel);
            string jobId = answer.GetProperty("job").GetString()!;
            if (!parse.GetValue(wait))
            {
                Console.WriteLine(parse.GetValue(Json) ? answer.GetRawText() : $"submitted {jobId}");
                return ExitCodes.Ok;
            }
            var status = await WaitFor(client, jobId, quiet: parse.GetValue(Json), cancel);
            string state = status.GetProperty("state").GetString()!;
            if (state != "finished")
            {
                Console.Error.WriteLine($"error: job {jobId} {state}: {status.GetProperty("error")}");
                return ExitCodes.Failed;
            }
            if (parse.GetValue(outDir) is { } dir) return await Fetch(client, jobId, dir.FullName, csv: false, parse.GetValue(Json), !parse.GetValue(NoPlots), cancel);
            Console.WriteLine(parse.GetValue(Json) ? status.GetRawText() : $"job {jobId} finished");
            return ExitCodes.Ok;
        });
    }

    private static async Task<JsonElement> WaitFor(AdminClient client, string job, bool quiet, CancellationToken cancel)
    {
        // Polled often so that a short job's results come back promptly; plain progress lines come about once a second.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        SimulationProgress? progress = null;
        string Describe(JsonElement s, bool eta = true)
        {
            progress ??= new SimulationProgress(s.GetProperty("total_steps").GetInt64(), s.GetProperty("total_ms").GetDouble() /
                Math.Max(1, s.GetProperty("total_steps").GetInt64()));
            return progress.Describe(s.GetProperty("step").GetInt64(), clock.Elapsed.TotalSeconds, eta);
        }
        async Task<JsonElement> Poll(Action<JsonElement> show)
        {
            while (true)
            {
                var s = await client.SendAsync(HttpMethod.Get, $"/jobs/{Uri.EscapeDataString(job)}", null, cancel);
                string state = s.GetProperty("state").GetString()!;
                if (state is not ("queued" or "building" or "running" or "recovering")) return s;
                show(s);
                await Task.Delay(100, cancel);
            }
        }

        if (quiet) return await Poll(_ => { });
        if (!RunCommandHandler.ShowProgressBar)
        {
            long polls = 0;
            return await Poll(s =>
            {
                if (polls++ % 10 != 0) return;
                Console.Error.WriteLine($"{job}: {s.GetProperty("state").GetString()}, {Describe(s)}");
            });
        }
        JsonElement last = default;
        await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"{Markup.Escape(job)}: submitted");
                last = await Poll(s =>
                {
                    task.MaxValue = Math.Max(1, s.GetProperty("total_steps").GetInt64());
                    task.Value = s.GetProperty("step").GetInt64();
                    task.Description = Markup.Escape($"{s.GetProperty("state").GetString()}: {Describe(s, eta: false)}");
                });
                task.Value = task.MaxValue;
            });
        return last;
    }

    private static Command Jobs()
    {
        var cmd = new Command("jobs", "List the cluster's jobs.") { Json };
        return WithClient(cmd, async (parse, client, cancel) =>
        {
            var jobs = await client.SendAsync(HttpMethod.Get, "/jobs", null, cancel);
            JsonElement training;
            try
            {
                training = await client.SendAsync(HttpMethod.Get, "/train", null, cancel);
            }
            catch (AdminException e) when (e.Message.StartsWith("404", StringComparison.Ordinal))
            {
                // A node of a version without training jobs.
                training = JsonDocument.Parse("[]").RootElement.Clone();
            }
            if (parse.GetValue(Json)) Console.WriteLine($"[{string.Join(",", jobs.EnumerateArray().Concat(training.EnumerateArray()).Select(j => j.GetRawText()))}]");
            else
            {
                StatusTable(jobs.EnumerateArray());
                if (training.GetArrayLength() > 0) TrainingTable(training.EnumerateArray());
            }
            return ExitCodes.Ok;
        });
    }

    private static Command Status()
    {
        var job = new Argument<string>("JOB");
        var cmd = new Command("status", "Show a job's progress: biological time and real-time factor of a simulation; epoch, step, loss and accuracy of a training job.") { job, Json };
        return WithClient(cmd, async (parse, client, cancel) =>
        {
            var (s, training) = await SimulationOrTraining(client, HttpMethod.Get, parse.GetValue(job)!, cancel);
            if (parse.GetValue(Json)) Console.WriteLine(s.GetRawText());
            else if (training) TrainingTable([s]);
            else StatusTable([s]);
            return ExitCodes.Ok;
        });
    }

    private static Command Cancel()
    {
        var job = new Argument<string>("JOB");
        var cmd = new Command("cancel", "Cancel a job.") { job, Json };
        return WithClient(cmd, async (parse, client, cancel) =>
        {
            var (s, _) = await SimulationOrTraining(client, HttpMethod.Delete, parse.GetValue(job)!, cancel);
            Console.WriteLine(parse.GetValue(Json) ? s.GetRawText() : $"{s.GetProperty("job").GetString()}: {s.GetProperty("state").GetString()}");
            return ExitCodes.Ok;
        });
    }

    private static Command Results()
    {
        var job = new Argument<string>("JOB");
        var outDir = new Option<DirectoryInfo>("--out", "-o") { Description = "Results folder", Required = true };
        var csv = new Option<bool>("--csv") { Description = "Also write spikes.csv" };
        var cmd = new Command("results", "Fetch a finished job's results folder (same layout as distsnn run).") { job, outDir, csv, Json, NoPlots };
        return WithClient(cmd, (parse, client, cancel) =>
            Fetch(client, parse.GetValue(job)!, parse.GetValue(outDir)!.FullName, parse.GetValue(csv), parse.GetValue(Json), !parse.GetValue(NoPlots), cancel));
    }

    private static async Task<int> Fetch(AdminClient client, string job, string dir, bool csv, bool json, bool plots, CancellationToken cancel)
    {
        var zip = await client.DownloadAsync($"/jobs/{Uri.EscapeDataString(job)}/results?csv={(csv ? "true" : "false")}", cancel);
        Directory.CreateDirectory(dir);
        using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
            archive.ExtractToDirectory(dir, overwriteFiles: true);
        var summaryPath = Path.Combine(dir, "summary.json");
        if (json) Console.WriteLine(await File.ReadAllTextAsync(summaryPath, cancel));
        else RunCommandHandler.PrintSummary(SummaryWriter.Read(summaryPath), dir);
        // Results that came back from the cluster but cannot be plotted are a failed job, not bad user input.
        if (plots && PlotCommand.Execute(dir, new Reports.ReportOptions(), json, listFiles: false) != ExitCodes.Ok) return ExitCodes.Failed;
        return ExitCodes.Ok;
    }

    private static Command Members()
    {
        var cmd = new Command("members", "List the cluster's members.") { Json };
        return WithClient(cmd, async (parse, client, cancel) =>
        {
            var members = await client.SendAsync(HttpMethod.Get, "/members", null, cancel);
            if (parse.GetValue(Json))
            {
                Console.WriteLine(members.GetRawText());
                return ExitCodes.Ok;
            }
            var t = new Table().Border(TableBorder.Rounded);
            t.AddColumns("address", "status", "roles", "version", "leader", "this endpoint");
            foreach (var m in members.EnumerateArray())
                t.AddRow(Markup.Escape(m.GetProperty("address").GetString()!), m.GetProperty("status").GetString()!,
                    Markup.Escape(string.Join(",", m.GetProperty("roles").EnumerateArray().Select(r => r.GetString()))),
                    m.GetProperty("app_version").GetString()!, m.GetProperty("is_leader").GetBoolean() ? "yes" : "",
                    m.GetProperty("is_self").GetBoolean() ? "yes" : "");
            AnsiConsole.Write(t);
            return ExitCodes.Ok;
        });
    }

    private static Command Partitions()
    {
        var job = new Argument<string>("JOB");
        var cmd = new Command("partitions", "Show where each partition of a job lives.") { job, Json };
        return WithClient(cmd, async (parse, client, cancel) =>
        {
            var parts = await client.SendAsync(HttpMethod.Get, $"/jobs/{Uri.EscapeDataString(parse.GetValue(job)!)}/partitions", null, cancel);
            if (parse.GetValue(Json))
            {
                Console.WriteLine(parts.GetRawText());
                return ExitCodes.Ok;
            }
            var t = new Table().Border(TableBorder.Rounded);
            t.AddColumns("partition", "node", "backend", "neurons", "synapses");
            foreach (var p in parts.EnumerateArray())
                t.AddRow(p.GetProperty("partition").GetInt32().ToString(CultureInfo.InvariantCulture), Markup.Escape(p.GetProperty("node").GetString()!),
                    Markup.Escape(p.GetProperty("backend").GetString()!),
                    p.GetProperty("neurons").GetInt64().ToString("N0", CultureInfo.InvariantCulture),
                    p.GetProperty("synapses").GetInt64().ToString("N0", CultureInfo.InvariantCulture));
            AnsiConsole.Write(t);
            return ExitCodes.Ok;
        });
    }

    private static Command MemberCommand(string verb, string description)
    {
        var node = new Argument<string>("NODE") { Description = "host:port or full address (see 'distsnn members')" };
        var cmd = new Command(verb, description) { node, Json };
        return WithClient(cmd, async (parse, client, cancel) =>
        {
            var r = await client.SendAsync(HttpMethod.Post, $"/members/{verb}?address={Uri.EscapeDataString(parse.GetValue(node)!)}", null, cancel);
            Console.WriteLine(parse.GetValue(Json) ? r.GetRawText() : $"{verb}: {r.GetProperty("address").GetString()}");
            return ExitCodes.Ok;
        });
    }

    /// <summary>Asks about a simulation job, or about a training job of that id when there is no simulation of it.</summary>
    private static async Task<(JsonElement Status, bool Training)> SimulationOrTraining(AdminClient client, HttpMethod method, string job, CancellationToken cancel)
    {
        try
        {
            return (await client.SendAsync(method, $"/jobs/{Uri.EscapeDataString(job)}", null, cancel), false);
        }
        catch (AdminException e) when (e.Message.StartsWith("404", StringComparison.Ordinal))
        {
            return (await client.SendAsync(method, $"/train/{Uri.EscapeDataString(job)}", null, cancel), true);
        }
    }

    private static void TrainingTable(IEnumerable<JsonElement> jobs)
    {
        var t = new Table().Border(TableBorder.Rounded);
        t.AddColumns("training job", "state", "replicas", "epoch", "step", "loss", "accuracy", "validation", "samples/s", "wall", "error");
        var ci = CultureInfo.InvariantCulture;
        string Number(JsonElement s, string field, string format) =>
            s.GetProperty(field).ValueKind == JsonValueKind.Number ? s.GetProperty(field).GetDouble().ToString(format, ci) : "-";
        foreach (var s in jobs)
            t.AddRow(Markup.Escape(s.GetProperty("job").GetString()!), s.GetProperty("state").GetString()!,
                s.GetProperty("replicas").GetInt32().ToString(ci),
                $"{Math.Min(s.GetProperty("epoch").GetInt32() + 1, s.GetProperty("epochs").GetInt32())} / {s.GetProperty("epochs").GetInt32()}",
                $"{s.GetProperty("step").GetInt64()} / {s.GetProperty("total_steps").GetInt64()}",
                Number(s, "loss", "F3"), Number(s, "accuracy", "P1"), Number(s, "validation_accuracy", "P2"), Number(s, "samples_per_s", "F0"),
                $"{s.GetProperty("wall_seconds").GetDouble().ToString("F1", ci)} s",
                Markup.Escape(s.GetProperty("error").ValueKind == JsonValueKind.String ? s.GetProperty("error").GetString()! : ""));
        AnsiConsole.Write(t);
    }

    private static void StatusTable(IEnumerable<JsonElement> jobs)
    {
        var t = new Table().Border(TableBorder.Rounded);
        t.AddColumns("job", "state", "partitions", "biological time", "real-time factor", "wall", "error");
        var ci = CultureInfo.InvariantCulture;
        foreach (var s in jobs)
            t.AddRow(Markup.Escape(s.GetProperty("job").GetString()!), s.GetProperty("state").GetString()!,
                s.GetProperty("partitions").GetInt32().ToString(ci),
                $"{s.GetProperty("biological_ms").GetDouble().ToString("F0", ci)} / {s.GetProperty("total_ms").GetDouble().ToString("F0", ci)} ms",
                s.GetProperty("realtime_factor").ValueKind == JsonValueKind.Number ? s.GetProperty("realtime_factor").GetDouble().ToString("F2", ci) : "-",
                $"{s.GetProperty("wall_seconds").GetDouble().ToString("F1", ci)} s",
                Markup.Escape(s.GetProperty("error").ValueKind == JsonValueKind.String ? s.GetProperty("error").GetString()! : ""));
        AnsiConsole.Write(t);
    }

    /// <summary>
    /// The model to send: the file's text, or for a SONATA config the network it describes written as a DistSnn model
    /// (the nodes cannot read files on this machine). A SONATA network that cannot be read throws <see cref="ModelException"/>.
    /// </summary>
    private static async Task<string> ModelText(string path, CancellationToken cancel)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancel);
        return Model.Sonata.SonataImporter.IsSonataConfig(path, bytes)
            ? ModelWriter.ToYaml(Model.Sonata.SonataImporter.Load(path))
            : Encoding.UTF8.GetString(bytes);
    }
}
