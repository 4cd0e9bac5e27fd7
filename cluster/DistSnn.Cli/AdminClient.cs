using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DistSnn.Cli;

/// <summary>An error answer from the admin endpoint, with the exit code it maps to.</summary>
public sealed class AdminException(string message, int exitCode) : Exception(message)
{
    /// <summary>Process exit code for this failure.</summary>
    public int ExitCode { get; } = exitCode;
}

/// <summary>Thin HTTP client for a node's admin endpoint.</summary>
public sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>Connects to <paramref name="endpoint"/>, sending <paramref name="token"/> as a bearer token if given.</summary>
    public AdminClient(string endpoint, string? token)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new AdminException($"--endpoint: '{endpoint}' is not an http(s) URL", ExitCodes.BadInput);
        _http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromMinutes(5) };
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Endpoint = endpoint;
    }

    /// <summary>The endpoint URL.</summary>
    public string Endpoint { get; }

    /// <summary>Sends a request and returns the body as JSON; maps HTTP errors to exit codes.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, HttpContent? content = null, CancellationToken cancel = default)
    {
        using var response = await Send(method, path, content, cancel);
        var body = await response.Content.ReadAsStringAsync(cancel);
        if (!response.IsSuccessStatusCode) throw Failure(response.StatusCode, body);
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Downloads a binary answer.</summary>
    public async Task<byte[]> DownloadAsync(string path, CancellationToken cancel = default)
    {
        using var response = await Send(HttpMethod.Get, path, null, cancel);
        if (!response.IsSuccessStatusCode) throw Failure(response.StatusCode, await response.Content.ReadAsStringAsync(cancel));
        return await response.Content.ReadAsByteArrayAsync(cancel);
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content, CancellationToken cancel)
    {
        try
        {
            return await _http.SendAsync(new HttpRequestMessage(method, path) { Content = content }, cancel);
        }
        catch (HttpRequestException e)
        {
            throw new AdminException($"cannot reach the admin endpoint {Endpoint}: {e.Message}", ExitCodes.Unreachable);
        }
    }

    private static AdminException Failure(HttpStatusCode code, string body)
    {
        string detail = body;
        try
        {
            var json = JsonDocument.Parse(body).RootElement;
            if (json.TryGetProperty("errors", out var errs) && errs.ValueKind == JsonValueKind.Array)
                detail = string.Join(Environment.NewLine, errs.EnumerateArray().Select(e => e.GetString()));
            else if (json.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.String)
                detail = err.GetString() ?? body;
            else if (json.TryGetProperty("state", out var st))
                detail = $"job is {st.GetString()}" + (json.TryGetProperty("error", out var e2) && e2.ValueKind == JsonValueKind.String ? $": {e2.GetString()}" : "");
        }
        catch (JsonException)
        {
        }
        int exit = code switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict => ExitCodes.BadInput,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.BadInput,
            _ => ExitCodes.Failed,
        };
        return new AdminException($"{(int)code} {code}: {detail}", exit);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>JSON content for a request.</summary>
    public static HttpContent Json<T>(T value) => JsonContent.Create(value);
}
