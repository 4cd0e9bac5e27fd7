using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace DistSnn.Helm.Tests;

/// <summary>values.schema.json accepts the chart's values files and rejects wrong ones, naming the field.</summary>
public class ValuesSchemaTests
{
    [Fact]
    public void SchemaIsValidDraft07()
    {
        var schema = ValuesSchema.Text();
        Assert.Equal("http://json-schema.org/draft-07/schema#", schema.GetProperty("$schema").GetString());
        Assert.Empty(ValuesSchema.Evaluate(MetaSchemas.Draft7, schema));
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
    }

    [Fact]
    public void SchemaCoversEveryTopLevelValue()
    {
        var properties = ValuesSchema.Text().GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet();
        var keys = ValuesSchema.Values()!.AsObject().Select(kv => kv.Key).ToList();
        Assert.Equal(29, keys.Count);
        Assert.All(keys, k => Assert.Contains(k, properties));
        Assert.Equal(keys.Count, properties.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("values-production.yaml")]
    public void ChartValuesAreValid(string? overrideFile)
    {
        var errors = ValuesSchema.Values(overrideFile);
        Assert.Empty(ValuesSchema.Errors(errors));
    }

    [Fact]
    public void ProductionValuesOverrideTheDefaults()
    {
        var merged = ValuesSchema.Values("values-production.yaml")!;
        Assert.Equal(5, merged["replicaCount"]!.GetValue<long>());
        Assert.Equal("distsnn-admin-token", merged["admin"]!["auth"]!["existingSecret"]!.GetValue<string>());
        Assert.True(merged["metrics"]!["serviceMonitor"]!["enabled"]!.GetValue<bool>());
        Assert.True(merged["tls"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("distsnn-tls", merged["tls"]!["existingSecret"]!.GetValue<string>());
        Assert.True(merged["admin"]!["auth"]!["mountAsFile"]!.GetValue<bool>());
        Assert.Equal("distsnn-checkpoints", merged["checkpoints"]!["sharedClaim"]!.GetValue<string>());
        Assert.False(ValuesSchema.Values()!["admin"]!["auth"]!["mountAsFile"]!.GetValue<bool>());
        Assert.Equal("", ValuesSchema.Values()!["checkpoints"]!["sharedClaim"]!.GetValue<string>());
        Assert.False(ValuesSchema.Values()!["tls"]!["enabled"]!.GetValue<bool>()); // off unless asked
        // Kept from values.yaml: production does not repeat the ports.
        Assert.Equal(4053, merged["ports"]!["remoting"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("ports.remoting", "70000", "/ports/remoting")]
    [InlineData("ports.admin", "\"9100\"", "/ports/admin")]
    [InlineData("replicaCount", "0", "/replicaCount")]
    [InlineData("securityContext.runAsUser", "0", "/securityContext/runAsUser")]
    [InlineData("image.pullPolicy", "\"Sometimes\"", "/image/pullPolicy")]
    [InlineData("resources.limits.memory", "\"4 gigabytes\"", "/resources/limits/memory")]
    [InlineData("admin.auth.token", "\"short\"", "/admin/auth/token")]
    [InlineData("persistence.mountPath", "\"data\"", "/persistence/mountPath")]
    [InlineData("metrics.serviceMonitor.interval", "\"often\"", "/metrics/serviceMonitor/interval")]
    [InlineData("tls.enabled", "\"yes\"", "/tls/enabled")]
    [InlineData("tls.mountPath", "\"etc/tls\"", "/tls/mountPath")]
    [InlineData("jobs.maxConcurrent", "-1", "/jobs/maxConcurrent")]
    [InlineData("jobs.maxConcurrent", "\"4\"", "/jobs/maxConcurrent")]
    [InlineData("tls.existingSecret", "7", "/tls/existingSecret")]
    [InlineData("tls.certificateKey", "\"\"", "/tls/certificateKey")]
    [InlineData("admin.auth.mountAsFile", "\"true\"", "/admin/auth/mountAsFile")]
    [InlineData("checkpoints.sharedClaim", "true", "/checkpoints/sharedClaim")]
    [InlineData("checkpoints.sharedClaim", "\"Shared_Claim\"", "/checkpoints/sharedClaim")]
    public void WrongValueIsRejectedNamingTheField(string path, string json, string location)
    {
        var values = ValuesSchema.Values()!;
        Set(values, path, JsonNode.Parse(json));
        var errors = ValuesSchema.Errors(values);
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.StartsWith(location + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void TlsWithoutItsSecretIsRejected()
    {
        var values = ValuesSchema.Values()!;
        Set(values, "tls.enabled", JsonValue.Create(true));
        Assert.Contains(ValuesSchema.Errors(values), e => e.StartsWith("/tls/existingSecret:", StringComparison.Ordinal));
        Set(values, "tls.existingSecret", JsonValue.Create("distsnn-tls"));
        Assert.Empty(ValuesSchema.Errors(values));
    }

    [Theory]
    [InlineData("replicas", "/replicas")]
    [InlineData("ports.metrics", "/ports/metrics")]
    [InlineData("persistence.sizeGi", "/persistence/sizeGi")]
    public void MisspelledKeyIsRejectedNamingIt(string path, string location)
    {
        var values = ValuesSchema.Values()!;
        Set(values, path, JsonValue.Create(3));
        var errors = ValuesSchema.Errors(values);
        Assert.Contains(errors, e => e.StartsWith(location + ":", StringComparison.Ordinal));
    }

    [Fact]
    public void MissingRequiredSectionIsRejected()
    {
        var values = ValuesSchema.Values()!.AsObject();
        values.Remove("ports");
        var errors = ValuesSchema.Errors(values);
        Assert.Contains(errors, e => e.StartsWith("/:", StringComparison.Ordinal) && e.Contains("ports", StringComparison.Ordinal));
    }

    [Fact]
    public void WrongValuesFileIsRejected()
    {
        // A whole document as a user would write it, with a port given as text and a typo in a key.
        var wrong = YamlJson.Merge(ValuesSchema.Values(), YamlJson.ToJson(ChartFiles.ParseMapping("""
            ports:
              remoting: "4053"
            persistance:
              enabled: false
            """, "wrong-values.yaml")));
        var errors = ValuesSchema.Errors(wrong);
        Assert.Contains(errors, e => e.StartsWith("/ports/remoting:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("/persistance:", StringComparison.Ordinal));
    }

    private static void Set(JsonNode root, string dottedPath, JsonNode? value)
    {
        var keys = dottedPath.Split('.');
        var node = root;
        foreach (var key in keys[..^1]) node = node[key] ?? throw new KeyNotFoundException($"values have no {key} in {dottedPath}");
        node[keys[^1]] = value;
    }
}
