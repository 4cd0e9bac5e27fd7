using DistSnn.Cluster.Admin;

namespace DistSnn.Cluster.Tests.Security;

/// <summary>The admin endpoint stays on loopback unless given a token, which may come from a file.</summary>
public sealed class AdminOptionsTests : IDisposable
{
    private const string Token = "admin-Token-0815";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "distsnn-admin-" + Guid.NewGuid().ToString("N"));

    public AdminOptionsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, true);

    [Theory]
    [InlineData("http://127.0.0.1:9100", true)]
    [InlineData("http://localhost:9100", true)]
    [InlineData("http://[::1]:9100", true)]
    [InlineData("http://127.0.0.1:9100;http://localhost:9101", true)]
    [InlineData("http://0.0.0.0:9100", false)]
    [InlineData("http://*:9100", false)]
    [InlineData("http://+:9100", false)]
    [InlineData("http://10.1.2.3:9100", false)]
    [InlineData("http://node-0.distsnn:9100", false)]
    [InlineData("http://127.0.0.1:9100;http://0.0.0.0:9101", false)]
    public void LoopbackIsRecognised(string url, bool loopback) => Assert.Equal(loopback, AdminOptions.IsLoopback(url));

    [Fact]
    public void AnExposedEndpointWithoutATokenIsRefusedNamingTheSetting()
    {
        var e = Assert.Throws<ArgumentException>(() => new AdminOptions { Url = "http://0.0.0.0:9100" }.Resolve());
        Assert.StartsWith("DistSnn:Admin:Url: 'http://0.0.0.0:9100' is reachable from other machines, so the admin endpoint needs a token", e.Message);
        Assert.Contains("DistSnn:Admin:TokenFile", e.Message);

        Assert.Null(new AdminOptions().Resolve().Token); // loopback: no token needed
        Assert.Equal(Token, new AdminOptions { Url = "http://0.0.0.0:9100", Token = Token }.Resolve().Token);
        Assert.Throws<ArgumentException>(() => new AdminOptions { Url = "http://0.0.0.0:9100", Token = "  " }.Resolve());
    }

    [Fact]
    public void TheTokenComesFromAFile()
    {
        string file = Path.Combine(_dir, "token");
        File.WriteAllText(file, Token + "\r\n");
        var resolved = new AdminOptions { Url = "http://0.0.0.0:9100", TokenFile = file }.Resolve();
        Assert.Equal(Token, resolved.Token);
        Assert.Equal(resolved, resolved.Resolve()); // resolving twice reads nothing again

        var e = Assert.Throws<ArgumentException>(() => new AdminOptions { TokenFile = Path.Combine(_dir, "none") }.Resolve());
        Assert.StartsWith($"DistSnn:Admin:TokenFile: cannot read '{Path.Combine(_dir, "none")}'", e.Message);
        File.WriteAllText(file, "\n");
        e = Assert.Throws<ArgumentException>(() => new AdminOptions { TokenFile = file }.Resolve());
        Assert.Equal($"DistSnn:Admin:TokenFile: '{file}' is empty", e.Message);
        e = Assert.Throws<ArgumentException>(() => new AdminOptions { TokenFile = file, Token = Token }.Resolve());
        Assert.Equal("DistSnn:Admin: set Token or TokenFile, not both", e.Message);
    }

    [Fact]
    public void OptionsPrintWithoutTheToken()
    {
        string text = new AdminOptions { Token = Token }.ToString();
        Assert.Contains("Token = ***", text);
        Assert.DoesNotContain(Token, text);
    }
}
