using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace DistSnn.Helm.Tests;

/// <summary>
/// The chart read as Helm would render it for one values file (simple <c>if</c>/<c>with</c> conditions evaluated):
/// what the switches — remoting TLS, the admin token as a file, the shared checkpoint claim — add to the nodes, and
/// that the defaults add none of it.
/// </summary>
public class ChartSwitchTests
{
    private static readonly RenderedChart Production = RenderedChart.Load("values-production.yaml", evaluateConditions: true);
    private static readonly RenderedChart Defaults = RenderedChart.Load(evaluateConditions: true);

    private static YamlMappingNode Pod(RenderedChart chart) => chart.Single("StatefulSet").Map("spec").Map("template").Map("spec");
    private static YamlMappingNode Node(RenderedChart chart) => Pod(chart).Seq("containers").Named("node");
    private static List<string> EnvNames(RenderedChart chart) => Node(chart).Seq("env").Maps().Select(e => e.Str("name")).ToList();
    private static List<string> VolumeNames(RenderedChart chart) => Pod(chart).Seq("volumes").Maps().Select(v => v.Str("name")).ToList();
    private static List<string> MountPaths(RenderedChart chart) => Node(chart).Seq("volumeMounts").Maps().Select(m => m.Str("mountPath")).ToList();
    private static Dictionary<string, string> Settings(RenderedChart chart) => Assert.Single(chart.ByFile["configmap.yaml"]).Map("data").Labels();

    [Fact]
    public void ProductionNodesGetTheTlsSettingsAndTheSecretMountedReadOnly()
    {
        var env = Node(Production).Seq("env");
        Assert.Equal("true", env.Named("DistSnn__Node__Tls__Enabled").Str("value"));
        Assert.Equal("/etc/distsnn/tls/distsnn.pfx", env.Named("DistSnn__Node__Tls__CertificatePath").Str("value"));
        Assert.Equal("/etc/distsnn/tls/password", env.Named("DistSnn__Node__Tls__PasswordFile").Str("value"));
        var mount = Node(Production).Seq("volumeMounts").Named("tls");
        Assert.Equal(("/etc/distsnn/tls", "true"), (mount.Str("mountPath"), mount.Str("readOnly")));
        var secret = Pod(Production).Seq("volumes").Named("tls").Map("secret");
        Assert.Equal(("distsnn-tls", "0440"), (secret.Str("secretName"), secret.Str("defaultMode")));
    }

    [Fact]
    public void DefaultNodesHaveNoTlsSettingsNorItsVolume()
    {
        Assert.DoesNotContain(EnvNames(Defaults), n => n.StartsWith("DistSnn__Node__Tls__", StringComparison.Ordinal));
        Assert.DoesNotContain("tls", VolumeNames(Defaults));
        Assert.DoesNotContain(MountPaths(Defaults), p => p.StartsWith("/etc/distsnn", StringComparison.Ordinal));
        Assert.DoesNotContain(Settings(Defaults).Keys, k => k.StartsWith("DistSnn__Node__Tls__", StringComparison.Ordinal));
        // What the defaults do mount: the data volume (a claim template, not an emptyDir) and /tmp.
        Assert.Equal(["/data", "/tmp"], MountPaths(Defaults));
        Assert.Equal(["tmp"], VolumeNames(Defaults));
        Assert.True(Defaults.Single("StatefulSet").Map("spec").Has("volumeClaimTemplates"));
    }

    [Fact]
    public void ProductionAdminTokenIsAMountedFileAndNeverAlsoAnEnvironmentVariable()
    {
        var env = Node(Production).Seq("env");
        Assert.Equal("/etc/distsnn/admin/token", env.Named("DistSnn__Admin__TokenFile").Str("value"));
        Assert.DoesNotContain("DistSnn__Admin__Token", EnvNames(Production));
        var mount = Node(Production).Seq("volumeMounts").Named("admin-token");
        Assert.Equal(("/etc/distsnn/admin", "true"), (mount.Str("mountPath"), mount.Str("readOnly")));
        var secret = Pod(Production).Seq("volumes").Named("admin-token").Map("secret");
        // The same Secret as the ServiceMonitor's (the chart's helper picks admin.auth.existingSecret, here distsnn-admin-token).
        var monitorCredentials = Production.Single("ServiceMonitor").Map("spec").Seq("endpoints").Maps().Single().Map("authorization").Map("credentials");
        Assert.Equal(monitorCredentials.Str("name"), secret.Str("secretName"));
        var item = Assert.Single(secret.Seq("items").Maps());
        Assert.Equal(("token", "token"), (item.Str("key"), item.Str("path")));
    }

    [Fact]
    public void DefaultAdminTokenIsAnEnvironmentVariableFromTheChartsSecret()
    {
        var tokenRef = Node(Defaults).Seq("env").Named("DistSnn__Admin__Token").Map("valueFrom").Map("secretKeyRef");
        Assert.Equal(Defaults.Single("Secret").Map("metadata").Str("name"), tokenRef.Str("name"));
        Assert.Equal("token", tokenRef.Str("key"));
        Assert.DoesNotContain("DistSnn__Admin__TokenFile", EnvNames(Defaults));
        Assert.DoesNotContain("admin-token", VolumeNames(Defaults));
    }

    [Fact]
    public void ProductionCheckpointsGoToTheSharedClaimOnEveryNode()
    {
        Assert.Equal("/checkpoints", Settings(Production)["DistSnn__Node__CheckpointDirectory"]);
        Assert.Equal("4", Settings(Production)["DistSnn__Node__MaxConcurrentJobs"]);
        Assert.Equal("/checkpoints", Node(Production).Seq("volumeMounts").Named("checkpoints").Str("mountPath"));
        Assert.Equal("distsnn-checkpoints",
            Pod(Production).Seq("volumes").Named("checkpoints").Map("persistentVolumeClaim").Str("claimName"));
    }

    [Fact]
    public void DefaultCheckpointsStayOnEachNodesDataVolume()
    {
        Assert.Equal("/data/checkpoints", Settings(Defaults)["DistSnn__Node__CheckpointDirectory"]);
        Assert.Equal("4", Settings(Defaults)["DistSnn__Node__MaxConcurrentJobs"]);
        Assert.DoesNotContain("checkpoints", VolumeNames(Defaults));
        Assert.DoesNotContain("/checkpoints", MountPaths(Defaults));
    }

    [Fact]
    public void ThePoolOfSpiNNakerNodesIsTheFirstPodsByOrdinal()
    {
        Assert.Equal("1", Settings(Production)["DistSnn__Node__RolesByOrdinal__spinnaker"]);
        Assert.Equal("0", Settings(Defaults)["DistSnn__Node__RolesByOrdinal__spinnaker"]);
        Assert.Equal("1", Settings(Production)["DistSnn__Node__RolesByOrdinal__memristive"]);
        Assert.Equal("0", Settings(Defaults)["DistSnn__Node__RolesByOrdinal__memristive"]);
        Assert.Equal("metadata.name", Node(Production).Seq("env").Named("DistSnn__Node__PodName").Map("valueFrom").Map("fieldRef").Str("fieldPath"));
        // The settings bind to the node's options, which turn the pod's ordinal into its roles.
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DistSnn:Node:RolesByOrdinal:spinnaker"] = Settings(Production)["DistSnn__Node__RolesByOrdinal__spinnaker"],
            ["DistSnn:Node:RolesByOrdinal:memristive"] = Settings(Production)["DistSnn__Node__RolesByOrdinal__memristive"],
            ["DistSnn:Node:PodName"] = "distsnn-0",
        }).Build();
        var first = config.GetSection("DistSnn:Node").Get<DistSnn.Cluster.Hosting.NodeOptions>()!;
        Assert.Equal(["memristive", "spinnaker"], first.EffectiveRoles().Order(StringComparer.Ordinal).ToArray());
        Assert.Empty((first with { PodName = "distsnn-1" }).EffectiveRoles());
        Assert.Throws<ArgumentException>(() => (first with { PodName = "laptop" }).EffectiveRoles());
        Assert.Empty(new DistSnn.Cluster.Hosting.NodeOptions().EffectiveRoles());
    }

    [Fact]
    public void EveryEnvironmentVariableAndVolumeIsNamedOnce()
    {
        foreach (var chart in new[] { Production, Defaults })
        {
            Assert.Equal(EnvNames(chart).Count, EnvNames(chart).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(VolumeNames(chart).Count, VolumeNames(chart).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(MountPaths(chart).Count, MountPaths(chart).Distinct(StringComparer.Ordinal).Count());
            // The ConfigMap (envFrom) and the env list together must not set a key twice either.
            Assert.Empty(EnvNames(chart).Intersect(Settings(chart).Keys, StringComparer.Ordinal));
        }
    }
}
