using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace DistSnn.Model.Tests.Fuzz;

/// <summary>
/// Feeds thousands of damaged copies of the example models to the loader. Every case must end, within its time
/// budget and without an unreasonable allocation, either with a model (which must then survive a write and re-read)
/// or with a <see cref="ModelException"/> whose every error names the file and a line or field path. Any other
/// exception, a hang, or an error that says only "cannot read the model" (the loader's last-resort catch) fails the
/// test, with the seed and the start of the input. <c>DISTSNN_FUZZ_CASES</c> and <c>DISTSNN_FUZZ_SEED</c> override
/// the number of cases and the first seed for longer runs; <c>DISTSNN_FUZZ_DUMP</c> names a folder that receives
/// the input of each failing case as <c>fuzz-SEED.yaml</c>.
/// </summary>
public partial class ModelFuzzTests(ITestOutputHelper output)
{
    private const string FileName = "fuzz.yaml";
    private const int DefaultCases = 3000;
    private const int DefaultSeed = 1_000_000;
    /// <summary>One case in this many may use the slow mutations (deep nesting, multi-megabyte strings).</summary>
    private const int SlowEvery = 500;

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private static readonly string[] Examples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.yaml")
        .Order(StringComparer.Ordinal).ToArray();

    // Each error line is "fuzz.yaml:LINE: ..." or "fuzz.yaml: field.path[2]: ...".
    [GeneratedRegex(@"^fuzz\.yaml(:\d+: |: [A-Za-z_<'][^:\s]*: )\S")]
    private static partial Regex Located();

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) && v > 0 ? v : fallback;

    private enum Outcome { Accepted, Rejected }

    [Fact]
    public void Mutated_examples_are_loaded_or_rejected_with_a_located_error()
    {
        Assert.NotEmpty(Examples);
        int cases = FromEnvironment("DISTSNN_FUZZ_CASES", DefaultCases);
        int firstSeed = FromEnvironment("DISTSNN_FUZZ_SEED", DefaultSeed);
        var texts = Examples.Select(File.ReadAllText).ToArray();
        var failures = new List<string>();
        var counts = new Dictionary<Outcome, int> { [Outcome.Accepted] = 0, [Outcome.Rejected] = 0 };
        var byKind = new Dictionary<Mutation, int>();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < cases && failures.Count < 10; i++)
        {
            int seed = firstSeed + i;
            var mutator = new ModelMutator(texts[i % texts.Length], seed);
            var bytes = mutator.Mutate(allowSlow: i % SlowEvery == SlowEvery / 2);
            foreach (var k in mutator.Applied.Distinct()) byKind[k] = byKind.GetValueOrDefault(k) + 1;
            var (outcome, problem) = Run(bytes);
            if (problem is not null && Environment.GetEnvironmentVariable("DISTSNN_FUZZ_DUMP") is { Length: > 0 } dump)
                File.WriteAllBytes(Path.Combine(dump, $"fuzz-{seed}.yaml"), bytes);
            if (problem is not null)
                failures.Add($"seed {seed} ({Path.GetFileName(Examples[i % texts.Length])}, {string.Join("+", mutator.Applied)}): {problem}\n  input: {Excerpt(bytes)}");
            else counts[outcome]++;
        }
        output.WriteLine($"{counts.Values.Sum() + failures.Count} cases from seed {firstSeed} in {clock.Elapsed.TotalSeconds:F1} s: " +
                         $"{counts[Outcome.Accepted]} accepted, {counts[Outcome.Rejected]} rejected, {failures.Count} failed");
        output.WriteLine("mutations: " + string.Join(", ", byKind.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(counts[Outcome.Rejected] > cases / 2, $"only {counts[Outcome.Rejected]} of {cases} mutated models were rejected");
        Assert.All(Enum.GetValues<Mutation>(), k => Assert.True(byKind.GetValueOrDefault(k) > 0 || cases < SlowEvery, $"no case used {k}"));
    }

    [Fact]
    public void A_100_MB_file_is_refused_before_it_is_parsed()
    {
        var bytes = new byte[100 << 20];
        Array.Fill(bytes, (byte)'a');
        "name: ".Select(c => (byte)c).ToArray().CopyTo(bytes, 0);

        var (outcome, problem) = Run(bytes);

        Assert.Null(problem);
        Assert.Equal(Outcome.Rejected, outcome);
        var e = Assert.Throws<ModelException>(() => ModelLoader.LoadBytes(bytes, FileName));
        Assert.Equal($"fuzz.yaml:1: the file is 104857600 bytes, over the limit of {ModelLoader.MaxFileBytes} bytes", e.Message);
    }

    [Fact]
    public void A_string_over_the_limit_is_refused_naming_its_line()
    {
        var text = "name: t\nrun: {dt: 0.1 ms}\npopulations:\n  - name: " + new string('x', ModelLoader.MaxScalarChars + 1) + "\n";

        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(text, FileName));

        Assert.Equal($"fuzz.yaml:4: a value of {ModelLoader.MaxScalarChars + 1} characters is over the limit of {ModelLoader.MaxScalarChars}", e.Message);
    }

    [Theory]
    [InlineData(65, "[", "]")]
    [InlineData(100_000, "[", "]")]
    [InlineData(100_000, "{a: ", "}")]
    public void Nesting_beyond_the_limit_is_refused_naming_its_line(int depth, string open, string close)
    {
        var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        var text = "name: t\nrun:\n  seed: " + nested + "\n";

        var (outcome, problem) = Run(Encoding.UTF8.GetBytes(text));
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(text, FileName));

        Assert.Null(problem);
        Assert.Equal(Outcome.Rejected, outcome);
        Assert.Contains($"fuzz.yaml:3: YAML syntax error: lists and mappings are nested more than {ModelLoader.MaxNesting} levels deep", e.Message);
    }

    // Found by the fuzzer (seeds 5009114 and 5013233): keys with spaces or line breaks made errors unreadable.
    [Theory]
    [InlineData("\"a\\nb\": 1", "fuzz.yaml:2: run.'a\\nb': unknown key (expected one of: dt, duration, seed, exchange_lag)")]
    [InlineData("\" seed\": 1", "fuzz.yaml:2: run.' seed': unknown key (expected one of: dt, duration, seed, exchange_lag)")]
    [InlineData("\"\": 1", "fuzz.yaml:2: run.'': unknown key (expected one of: dt, duration, seed, exchange_lag)")]
    public void Odd_keys_are_quoted_and_errors_stay_on_one_line(string entry, string expected)
    {
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse("name: t\nrun: {dt: 0.1 ms, " + entry + "}\n", FileName));

        var lines = e.Message.Split('\n');
        Assert.Equal(e.Errors.Count, lines.Length);
        Assert.Contains(expected, lines);
    }

    /// <summary>Five levels of 100 aliases: 10^10 nodes if anything expanded them.</summary>
    private static string AliasBomb()
    {
        var sb = new StringBuilder("[&l0 [" + string.Join(", ", Enumerable.Repeat("1 ms", 100)) + "]");
        for (int l = 1; l < 5; l++) sb.Append($", &l{l} [").Append(string.Join(", ", Enumerable.Repeat($"*l{l - 1}", 100))).Append(']');
        return sb.Append(']').ToString();
    }

    // Found by the long run (seed 7023580): a list of aliases used as a mapping key made YamlDotNet hash the
    // whole alias graph, which never ended.
    [Fact]
    public void An_alias_inside_a_mapping_key_is_refused_at_once()
    {
        var text = "name: t\nrun: {dt: 0.1 ms}\nprojections: [{? " + AliasBomb() + " : 1}]\n";

        var (outcome, problem) = Run(Encoding.UTF8.GetBytes(text));
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(text, FileName));

        Assert.Null(problem);
        Assert.Equal(Outcome.Rejected, outcome);
        Assert.Equal("fuzz.yaml:3: an alias inside a mapping key is not allowed; keys must be plain names", e.Message);
    }

    [Fact]
    public void Errors_repeated_through_aliases_stop_at_the_limit()
    {
        // Each of 100 sources gets a list of 100 lists where times belong: 10^4 errors per use of *l2.
        var text = "name: t\nrun: {dt: 0.1 ms}\nprojections: " + AliasBomb() + "\npopulations:\n" +
                   string.Concat(Enumerable.Range(0, 20).Select(i => $"  - {{name: s{i}, size: 100, model: spike_generator, parameters: {{spike_times: *l2}}}}\n"));

        var (outcome, problem) = Run(Encoding.UTF8.GetBytes(text));
        var e = Assert.Throws<ModelException>(() => ModelLoader.Parse(text, FileName));

        Assert.Null(problem);
        Assert.Equal(Outcome.Rejected, outcome);
        Assert.Equal(ModelLoader.MaxErrors + 1, e.Errors.Count);
        Assert.Contains($"more than {ModelLoader.MaxErrors} errors; reading stopped here", e.Message);
    }

    /// <summary>Runs one case on its own thread; returns the problem, or null when the loader behaved.</summary>
    private static (Outcome Outcome, string? Problem) Run(byte[] bytes)
    {
        var task = Task.Factory.StartNew(() => Check(bytes), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!task.Wait(Budget)) return (Outcome.Rejected, $"no answer within {Budget.TotalSeconds} s (a hang)");
        return task.Result;
    }

    private static (Outcome, string?) Check(byte[] bytes)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        NetworkSpec spec;
        try
        {
            spec = ModelLoader.LoadBytes(bytes, FileName);
        }
        catch (ModelException e)
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > AllocationBudget(bytes)) return (Outcome.Rejected, $"allocated {allocated >> 20} MiB to reject it");
            if (e.Errors.Count == 0) return (Outcome.Rejected, "ModelException without errors");
            foreach (var line in e.Message.Split('\n'))
                if (!Located().IsMatch(line) || line.Contains("cannot read the model"))
                    return (Outcome.Rejected, $"error names no line or field, or is the last-resort catch: {Shorten(line)}");
            return (Outcome.Rejected, null);
        }
        catch (Exception e)
        {
            return (Outcome.Rejected, $"{e.GetType().Name}: {Shorten(e.Message)}\n{e.StackTrace}");
        }
        // A model the loader accepts must be one its writer can write and the loader read back.
        try
        {
            var again = ModelLoader.Parse(ModelWriter.ToYaml(spec), "rewritten.yaml");
            return again.TotalNeurons == spec.TotalNeurons ? (Outcome.Accepted, null)
                : (Outcome.Accepted, $"re-read model has {again.TotalNeurons} neurons, not {spec.TotalNeurons}");
        }
        catch (Exception e)
        {
            return (Outcome.Accepted, $"accepted, but its rewritten form fails: {e.GetType().Name}: {Shorten(e.Message)}");
        }
    }

    /// <summary>Generous, but far below what expanding aliases or allocating declared sizes would take.</summary>
    private static long AllocationBudget(byte[] bytes) => (256L << 20) + 40L * bytes.Length;

    private static string Shorten(string s) => s.Length <= 400 ? s : s[..400] + $"... ({s.Length} characters)";

    private static string Excerpt(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, 600));
        return (bytes.Length > 600 ? text + $"... ({bytes.Length} bytes)" : text).Replace("\n", "\n         ");
    }
}
