using System.Net.Http.Headers;

namespace EdgeGateway.Testing;

/// <summary>HTTP clients for FleetControl's REST API as a signed-in engineer (an API token) or as nobody.</summary>
public static class BearerHttpClient
{
    /// <summary>A client for <paramref name="baseAddress"/> that sends <paramref name="token"/> as a bearer token (none when null).</summary>
    public static HttpClient Create(Uri baseAddress, string? token, TimeSpan? timeout = null)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = timeout ?? Eventually.DefaultTimeout };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}
