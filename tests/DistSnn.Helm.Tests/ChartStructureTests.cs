using YamlDotNet.RepresentationModel;

namespace DistSnn.Helm.Tests;

/// <summary>
/// The chart's templates agree with each other: labels and selectors, ports and their names, probes, names of the
/// objects that refer to each other, and the security settings the pods run with.
/// </summary>
public class ChartStructureTests
{
    private static readonly RenderedChart Chart = RenderedChart.Load();

    private static YamlMappingNode StatefulSet => Chart.Single("StatefulSet");
    private static YamlMappingNode PodSpec => StatefulSet.Map("spec").Map("template").Map("spec");
    private static YamlMappingNode Container => PodSpec.Seq("containers").Named("node");
    private static Dictionary<string, string> PodLabels => StatefulSet.Map("spec").Map("template").Map("metadata").Map("labels").Labels();
    private static Dictionary<string, string> Selector => StatefulSet.Map("spec").Map("selector").Map("matchLabels").Labels();
    private static Dictionary<string, string> Settings => Assert.Single(Chart.ByFile["configmap.yaml"]).Map("data").Labels();
    private static int ValuePort(string name) => int.Parse(Chart.Values.Map("ports").Str(name), System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void EveryTemplateParsesIntoNamedObjects()
    {
        var templates = Directory.GetFiles(ChartFiles.TemplatesDir, "*.yaml").Select(Path.GetFileName).ToList();
        Assert.Equal(12, templates.Count);
        Assert.Equal(templates.Count, Chart.ByFile.Count);
        foreach (var (file, docs) in Chart.ByFile)
        {
            Assert.True(docs.Count == 1, $"{file}: {docs.Count} documents");
            Assert.False(string.IsNullOrWhiteSpace(docs[0].Str("apiVersion")), file);
            Assert.False(string.IsNullOrWhiteSpace(docs[0].Map("metadata").Str("name")), file);
        }
        var kinds = Chart.All.Select(d => d.Str("kind")).Order(StringComparer.Ordinal);
        Assert.Equal(["ConfigMap", "ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "Role", "RoleBinding", "Secret", "Service",
            "Service", "ServiceAccount", "ServiceMonitor", "StatefulSet"], kinds);
    }

    [Fact]
    public void EveryObjectCarriesTheReleaseLabels()
    {
        foreach (var doc in Chart.All)
        {
            var labels = doc.Map("metadata").Map("labels").Labels();
            foreach (var (k, v) in Selector) Assert.Equal(v, labels[k]);
            Assert.Equal("distsnn", labels["app.kubernetes.io/part-of"]);
        }
    }

    [Fact]
    public void SelectorsMatchThePodLabels()
    {
        Assert.Equal(["app.kubernetes.io/instance", "app.kubernetes.io/name"], Selector.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Chart.Placeholder(".Release.Name"), Selector["app.kubernetes.io/instance"]);
        foreach (var (k, v) in Selector) Assert.Equal(v, PodLabels[k]);
        Assert.Equal("node", PodLabels["app.kubernetes.io/component"]);

        Assert.Equal(Selector, Chart.Single("Service", "cluster").Map("spec").Map("selector").Labels());
        Assert.Equal(Selector, Chart.Single("Service", "admin").Map("spec").Map("selector").Labels());
        Assert.Equal(Selector, Chart.Single("PodDisruptionBudget").Map("spec").Map("selector").Map("matchLabels").Labels());

        var policy = Chart.Single("NetworkPolicy").Map("spec");
        Assert.Equal(Selector, policy.Map("podSelector").Map("matchLabels").Labels());
        var peers = policy.Seq("ingress").Maps().First().Seq("from").Maps().ToList();
        Assert.Equal(Selector, Assert.Single(peers).Map("podSelector").Map("matchLabels").Labels());

        // Kubernetes API discovery looks for the pods with exactly these labels.
        var discovery = Settings["DistSnn__Node__PodLabelSelector"].Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(Selector, discovery);
    }

    [Fact]
    public void ContainerPortsAreTheConfiguredOnes()
    {
        var ports = Container.Seq("ports").Maps().ToDictionary(p => p.Str("name"), p => int.Parse(p.Str("containerPort"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(new Dictionary<string, int> { ["remoting"] = 4053, ["management"] = 8558, ["admin"] = 9100 }, ports);
        Assert.All(ports, p => Assert.Equal(ValuePort(p.Key), p.Value));

        // What the node is told to listen on is what the pod declares.
        Assert.Equal(ports["remoting"].ToString(System.Globalization.CultureInfo.InvariantCulture), Settings["DistSnn__Node__Port"]);
        Assert.Equal(ports["management"].ToString(System.Globalization.CultureInfo.InvariantCulture), Settings["DistSnn__Node__ManagementPort"]);
        Assert.Equal($"http://0.0.0.0:{ports["admin"]}", Settings["DistSnn__Admin__Url"]);
        Assert.Equal("0.0.0.0", Settings["DistSnn__Node__Hostname"]);
        Assert.Equal("kubernetes", Settings["DistSnn__Node__Discovery"]);
        Assert.Equal(("33554432", "100", "distsnn"), (Settings["DistSnn__Node__MaxFrameBytes"], Settings["DistSnn__Node__Shards"], Settings["DistSnn__Node__SystemName"]));
    }

    [Fact]
    public void ServicesExposeTheContainerPorts()
    {
        var headless = Chart.Single("Service", "cluster");
        Assert.Equal("None", headless.Map("spec").Str("clusterIP"));
        Assert.Equal("true", headless.Map("spec").Str("publishNotReadyAddresses"));
        var cluster = headless.Map("spec").Seq("ports").Maps().ToList();
        Assert.Equal(["remoting", "management"], cluster.Select(p => p.Str("name")));
        foreach (var p in cluster)
        {
            Assert.Equal(p.Str("name"), p.Str("targetPort"));
            Assert.Equal(ValuePort(p.Str("name")).ToString(System.Globalization.CultureInfo.InvariantCulture), p.Str("port"));
        }
        var admin = Assert.Single(Chart.Single("Service", "admin").Map("spec").Seq("ports").Maps());
        Assert.Equal(("admin", "admin", "9100"), (admin.Str("name"), admin.Str("targetPort"), admin.Str("port")));
    }

    [Fact]
    public void NetworkPolicyOpensTheClusterPortsOnlyBetweenNodes()
    {
        var policy = Chart.Single("NetworkPolicy").Map("spec");
        Assert.Equal(["Ingress"], policy.Seq("policyTypes").Children.Select(c => ((YamlScalarNode)c).Value));
        var rules = policy.Seq("ingress").Maps().ToList();
        Assert.Equal(2, rules.Count);
        var containerPorts = Container.Seq("ports").Maps().Select(p => p.Str("name")).ToHashSet();
        var nodePorts = rules[0].Seq("ports").Maps().Select(p => p.Str("port")).ToList();
        Assert.Equal(["remoting", "management", "admin"], nodePorts);
        Assert.All(nodePorts, p => Assert.Contains(p, containerPorts));
        // The rule for networkPolicy.adminFrom opens the admin port and nothing else.
        Assert.Equal(["admin"], rules[1].Seq("ports").Maps().Select(p => p.Str("port")));
    }

    [Fact]
    public void ProbesCallTheHealthChecksOnTheAdminPort()
    {
        var live = Container.Map("livenessProbe").Map("httpGet");
        var ready = Container.Map("readinessProbe").Map("httpGet");
        Assert.Equal(("/health/live", "admin"), (live.Str("path"), live.Str("port")));
        Assert.Equal(("/health/ready", "admin"), (ready.Str("path"), ready.Str("port")));
        Assert.Equal("6", Container.Map("livenessProbe").Str("failureThreshold"));
    }

    [Fact]
    public void StatefulSetNamesItsHeadlessServiceAndStartsNodesTogether()
    {
        var spec = StatefulSet.Map("spec");
        var headless = Chart.Single("Service", "cluster").Map("metadata").Str("name");
        Assert.Equal(headless, spec.Str("serviceName"));
        Assert.Equal(Chart.Placeholder("include \"distsnn.computedFullname\" . | trunc 55 | trimSuffix \"-\"") + "-headless", headless);
        Assert.Equal(headless, Settings["DistSnn__Node__ServiceName"]);
        Assert.Equal("Parallel", spec.Str("podManagementPolicy"));
        Assert.Equal("3", spec.Str("replicas"));
        Assert.Equal(["node"], Container.Seq("args").Children.Select(c => ((YamlScalarNode)c).Value));
    }

    [Fact]
    public void PodsRunNonRootWithReadOnlyRootAndNoEscalation()
    {
        var pod = PodSpec.Map("securityContext");
        Assert.Equal("true", pod.Str("runAsNonRoot"));
        Assert.Equal("10001", pod.Str("runAsUser"));
        Assert.Equal("RuntimeDefault", pod.Map("seccompProfile").Str("type"));
        var container = Container.Map("securityContext");
        Assert.Equal("true", container.Str("runAsNonRoot"));
        Assert.Equal("true", container.Str("readOnlyRootFilesystem"));
        Assert.Equal("false", container.Str("allowPrivilegeEscalation"));
        Assert.Equal(["ALL"], container.Map("capabilities").Seq("drop").Children.Select(c => ((YamlScalarNode)c).Value));
        // A read-only root needs a writable /tmp for the results archives.
        var mounts = Container.Seq("volumeMounts").Maps().ToDictionary(m => m.Str("mountPath"), m => m.Str("name"));
        Assert.Equal("tmp", mounts["/tmp"]);
        Assert.True(PodSpec.Seq("volumes").Named("tmp").Has("emptyDir"));
    }

    [Fact]
    public void ResourcesComeFromTheValues()
    {
        var resources = Container.Map("resources");
        Assert.Equal(("1", "2Gi"), (resources.Map("requests").Str("cpu"), resources.Map("requests").Str("memory")));
        Assert.Equal(("2", "4Gi"), (resources.Map("limits").Str("cpu"), resources.Map("limits").Str("memory")));
    }

    [Fact]
    public void DataVolumeIsAClaimPerNodeMountedAsWorkingDirectory()
    {
        var claim = Assert.Single(StatefulSet.Map("spec").Seq("volumeClaimTemplates").Maps());
        Assert.Equal("data", claim.Map("metadata").Str("name"));
        Assert.Equal("10Gi", claim.Map("spec").Map("resources").Map("requests").Str("storage"));
        Assert.Equal(["ReadWriteOnce"], claim.Map("spec").Seq("accessModes").Children.Select(c => ((YamlScalarNode)c).Value));
        var mount = Container.Seq("volumeMounts").Named("data");
        Assert.Equal("/data", mount.Str("mountPath"));
        Assert.Equal("/data", Container.Str("workingDir"));
    }

    [Fact]
    public void DisruptionBudgetAllowsOneNodeAway()
    {
        Assert.Equal("1", Chart.Single("PodDisruptionBudget").Map("spec").Str("maxUnavailable"));
    }

    [Fact]
    public void NodesMayListPodsThroughTheirServiceAccount()
    {
        var role = Chart.Single("Role");
        var rule = Assert.Single(role.Seq("rules").Maps());
        Assert.Equal(["pods"], rule.Seq("resources").Children.Select(c => ((YamlScalarNode)c).Value));
        Assert.Equal(["get", "list", "watch"], rule.Seq("verbs").Children.Select(c => ((YamlScalarNode)c).Value));
        var binding = Chart.Single("RoleBinding");
        Assert.Equal(role.Map("metadata").Str("name"), binding.Map("roleRef").Str("name"));
        var account = Chart.Single("ServiceAccount").Map("metadata").Str("name");
        Assert.Equal(account, Assert.Single(binding.Seq("subjects").Maps()).Str("name"));
        Assert.Equal(account, PodSpec.Str("serviceAccountName"));
        Assert.Equal("true", PodSpec.Str("automountServiceAccountToken"));
    }

    [Fact]
    public void AdminTokenAndPodAddressReachTheNode()
    {
        var env = Container.Seq("env");
        Assert.Equal("status.podIP", env.Named("DistSnn__Node__PublicHostname").Map("valueFrom").Map("fieldRef").Str("fieldPath"));
        var tokenRef = env.Named("DistSnn__Admin__Token").Map("valueFrom").Map("secretKeyRef");
        var secret = Chart.Single("Secret");
        Assert.Equal(secret.Map("metadata").Str("name"), tokenRef.Str("name"));
        Assert.Equal(Assert.Single(secret.Map("data").Labels()).Key, tokenRef.Str("key"));
        Assert.Equal(Assert.Single(Chart.ByFile["configmap.yaml"]).Map("metadata").Str("name"),
            Assert.Single(Container.Seq("envFrom").Maps()).Map("configMapRef").Str("name"));
    }

    [Fact]
    public void ServiceMonitorScrapesMetricsOnTheAdminServiceWithTheToken()
    {
        var spec = Chart.Single("ServiceMonitor").Map("spec");
        var adminLabels = Chart.Single("Service", "admin").Map("metadata").Map("labels").Labels();
        var selector = spec.Map("selector").Map("matchLabels").Labels();
        Assert.Equal("admin", selector["app.kubernetes.io/component"]);
        Assert.All(selector, kv => Assert.Equal(kv.Value, adminLabels[kv.Key]));
        var endpoint = Assert.Single(spec.Seq("endpoints").Maps());
        Assert.Equal(("admin", "/metrics"), (endpoint.Str("port"), endpoint.Str("path")));
        var credentials = endpoint.Map("authorization").Map("credentials");
        Assert.Equal(Chart.Single("Secret").Map("metadata").Str("name"), credentials.Str("name"));
        Assert.Equal("token", credentials.Str("key"));
    }

    [Fact]
    public void DashboardConfigMapIsLabelledForTheGrafanaSidecar()
    {
        var dashboards = Assert.Single(Chart.ByFile["dashboards-configmap.yaml"]);
        Assert.Equal("1", dashboards.Map("metadata").Map("labels").Labels()["grafana_dashboard"]);
        // Helm renders nothing for an empty dashboards/ folder: the object is guarded by the glob being non-empty.
        string template = File.ReadAllText(Path.Combine(ChartFiles.TemplatesDir, "dashboards-configmap.yaml"));
        Assert.Contains("{{- $dashboards := .Files.Glob \"dashboards/*.json\" }}\n{{- if $dashboards }}", template, StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(ChartFiles.ChartDir, "dashboards"), "*.json"))
            Assert.True(System.Text.Json.JsonDocument.Parse(File.ReadAllText(file)).RootElement.TryGetProperty("title", out _), file);
    }

    [Fact]
    public void ProductionNodesTalkTlsWithTheCertificateFromTheirSecret()
    {
        var production = RenderedChart.Load("values-production.yaml");
        var pod = production.Single("StatefulSet").Map("spec").Map("template").Map("spec");
        var container = pod.Seq("containers").Named("node");
        var env = container.Seq("env");
        Assert.Equal("true", env.Named("DistSnn__Node__Tls__Enabled").Str("value"));
        Assert.Equal("/etc/distsnn/tls/distsnn.pfx", env.Named("DistSnn__Node__Tls__CertificatePath").Str("value"));
        Assert.Equal("/etc/distsnn/tls/password", env.Named("DistSnn__Node__Tls__PasswordFile").Str("value"));
        var mount = container.Seq("volumeMounts").Named("tls");
        Assert.Equal(("/etc/distsnn/tls", "true"), (mount.Str("mountPath"), mount.Str("readOnly")));
        Assert.Equal("distsnn-tls", pod.Seq("volumes").Named("tls").Map("secret").Str("secretName"));
        Assert.Equal("4", Assert.Single(production.ByFile["configmap.yaml"]).Map("data").Labels()["DistSnn__Node__MaxConcurrentJobs"]);
        // The static reading keeps both branches, so the guard itself is checked: nothing of it without tls.enabled.
        string template = File.ReadAllText(Path.Combine(ChartFiles.TemplatesDir, "statefulset.yaml"));
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(template, @"\{\{- if \.Values\.tls\.enabled \}\}").Count);
    }

    [Fact]
    public void ProductionValuesOpenTheAdminPortToMonitoringAndUseTheirSecret()
    {
        var production = RenderedChart.Load("values-production.yaml");
        var rules = production.Single("NetworkPolicy").Map("spec").Seq("ingress").Maps().ToList();
        var peer = Assert.Single(rules[1].Seq("from").Maps());
        Assert.Equal("monitoring", peer.Map("namespaceSelector").Map("matchLabels").Labels()["kubernetes.io/metadata.name"]);
        var container = production.Single("StatefulSet").Map("spec").Map("template").Map("spec").Seq("containers").Named("node");
        Assert.Equal(("8", "16Gi"), (container.Map("resources").Map("limits").Str("cpu"), container.Map("resources").Map("limits").Str("memory")));
        Assert.Equal("5", production.Single("StatefulSet").Map("spec").Str("replicas"));
    }
}
