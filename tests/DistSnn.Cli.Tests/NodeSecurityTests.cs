using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace DistSnn.Cli.Tests;

/// <summary>
/// <c>distsnn node</c> with secure settings, as a process: an exposed admin endpoint without a token and a certificate
/// that does not open stop it at startup with the setting's name; with a token file and a TLS password in the
/// environment it runs, demands the token, and prints neither secret, even with debug logging.
/// </summary>
public sealed class NodeSecurityTests : IDisposable
{
    private const string Password = "node-Pfx-Pw-5a8e2";
    private const string Token = "node-Admin-Tk-77f10";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-node-sec-" + Guid.NewGuid().ToString("N"));
    private Process? _node;

    public NodeSecurityTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public void AnExposedAdminEndpointWithoutATokenDoesNotStart()
    {
        var (code, stdout, stderr) = CliProcess.Run("node", "--port", TestProcesses.FreePort().ToString(), "--admin-url", $"http://0.0.0.0:{TestProcesses.FreePort()}");
        Assert.Equal(2, code);
        Assert.Contains("DistSnn:Admin:Url: 'http://0.0.0.0:", stderr);
        Assert.Contains("needs a token", stderr);
        Assert.DoesNotContain("started", stdout);
    }

    [Fact]
    public void ACertificateThatDoesNotOpenStopsTheNodeWithoutShowingThePassword()
    {
        string pfx = WritePfx();
        string wrong = Path.Combine(_dir, "wrong-password");
        File.WriteAllText(wrong, "x" + Password);
        var (code, _, stderr) = CliProcess.Run("node", "--port", TestProcesses.FreePort().ToString(), "--admin-url", $"http://127.0.0.1:{TestProcesses.FreePort()}",
            "--tls-certificate", pfx, "--tls-password-file", wrong);
        Assert.Equal(2, code);
        Assert.Contains($"error: DistSnn:Node:Tls:CertificatePath: '{pfx}' is not a PKCS#12 (PFX) file that opens with the password from DistSnn:Node:Tls:PasswordFile", stderr);
        Assert.DoesNotContain(Password, stderr);
    }

    [Fact]
    public async Task ANodeWithTlsAndATokenRunsAndNeverPrintsEitherSecret()
    {
        string pfx = WritePfx();
        string tokenFile = Path.Combine(_dir, "token");
        File.WriteAllText(tokenFile, Token + "\n");
        int port = TestProcesses.FreePort(), admin = TestProcesses.FreePort();
        var lines = new ConcurrentQueue<string>();
        _node = TestProcesses.StartCli(
            ["node", "--port", port.ToString(), "--admin-url", $"http://0.0.0.0:{admin}", "--admin-token-file", tokenFile, "--tls-certificate", pfx],
            new Dictionary<string, string>
            {
                ["DistSnn__Node__Tls__Password"] = Password,
                ["Logging__LogLevel__Default"] = "Debug", // as much logging as the host gives
            },
            lines.Enqueue, _dir);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(_node.HasExited, "the node exited: " + string.Join('\n', lines));
            Assert.True(DateTime.UtcNow < deadline, "the node did not answer within 60 s: " + string.Join('\n', lines));
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{admin}/health/ready")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(300);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"http://127.0.0.1:{admin}/members")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{admin}/members");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var members = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, members.StatusCode);
        var member = JsonDocument.Parse(await members.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Single();
        Assert.StartsWith("akka.ssl.tcp://distsnn@127.0.0.1:", member.GetProperty("address").GetString());

        using (var term = Process.Start("kill", ["-TERM", _node.Id.ToString()])) term.WaitForExit();
        Assert.True(_node.WaitForExit(30_000), "the node did not stop within 30 s of SIGTERM");
        _node.WaitForExit(); // drains the output readers
        string output = string.Join('\n', lines);
        Assert.Contains("(token required); remoting TLS", output);
        Assert.DoesNotContain(Password, output);
        Assert.DoesNotContain(Token, output);
    }

    private string WritePfx()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=distsnn-test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        string path = Path.Combine(_dir, "node.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }


    public void Dispose()
    {
        TestProcesses.Stop(_node);
        TestProcesses.DeleteDirectory(_dir);
    }
}
