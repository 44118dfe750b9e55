using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FleetCtl;

/// <summary>FleetControl's REST API. Every call returns the JSON body or throws <see cref="FleetCtlException"/> with the exit code.</summary>
internal sealed class FleetClient(HttpClient http)
{
    public Task<JsonElement> GetAsync(string path, CancellationToken ct) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);

    public Task<JsonElement> PostAsync(string path, object body, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) }, ct);

    public Task<JsonElement> PutAsync(string path, object body, CancellationToken ct) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) }, ct);

    /// <summary>
    /// Saves the body of <paramref name="path"/> to <paramref name="destination"/> (through a temporary file beside
    /// it) and returns the SHA-256 of what was written and the one the server declared in <paramref name="shaHeader"/>.
    /// </summary>
    public async Task<(string Actual, string? Declared, long Size)> DownloadAsync(string path, string destination, string shaHeader, CancellationToken ct)
    {
        using var response = await RawSendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            await ThrowAsync(response, ct).ConfigureAwait(false);
        }

        var temporary = destination + ".part";
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        long size = 0;
        await using (var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false))
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                size += read;
            }
        }

        File.Move(temporary, destination, overwrite: true);
        var declared = response.Headers.TryGetValues(shaHeader, out var values) ? values.FirstOrDefault() : null;
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), declared, size);
    }

    private async Task<HttpResponseMessage> RawSendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        try
        {
            return await http.SendAsync(request, completion, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new FleetCtlException(ExitCodes.Unavailable, $"FleetControl at {http.BaseAddress} is unreachable: {ex.Message}");
        }
    }

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await RawSendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
        }

        await ThrowAsync(response, ct).ConfigureAwait(false);
        return default;
    }

    private static async Task ThrowAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        var detail = text;
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            detail = problem.TryGetProperty("detail", out var d) ? d.GetString() ?? text
                : problem.TryGetProperty("error", out var e) ? e.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            // Not JSON: the text itself.
        }

        var code = response.StatusCode switch
        {
            HttpStatusCode.NotFound => ExitCodes.NotFound,
            HttpStatusCode.BadRequest => ExitCodes.Usage,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.NotAllowed,
            _ => ExitCodes.Unavailable,
        };
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            detail = $"not signed in: give an API token with --token-file or ${FleetCtlApp.TokenFileVariable} (FleetControl accounts token NAME makes one)";
        }
        else if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            detail = "the token's account does not have a role that allows this";
        }

        throw new FleetCtlException(code, $"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
    }
}
