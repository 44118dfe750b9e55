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

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new FleetCtlException(ExitCodes.Unavailable, $"FleetControl at {http.BaseAddress} is unreachable: {ex.Message}");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            }

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
}
