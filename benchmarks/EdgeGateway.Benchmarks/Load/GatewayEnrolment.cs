using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeGateway.Contracts.Security;
using FleetControl.Auth;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>
/// Enrols the load harness's gateway the way a vehicle is enrolled: an engineer (a local account with an API token,
/// as <c>fleetcontrol accounts add</c> / <c>token</c> make it) asks FleetControl's REST API for a one-time token;
/// the gateway starts with it in <c>Security:EnrolmentTokenFile</c>, makes its key, sends a CSR with the token over
/// gRPC (TLS) and stores the certificate in its data directory. FleetControl is stopped again afterwards, so the
/// measured run starts, as always, with the link down; both keep their identity directories.
/// </summary>
internal static class GatewayEnrolment
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Enrols <see cref="GatewayUnderTest.DeviceId"/>; returns the gateway settings for mutual TLS from then on.</summary>
    public static async Task<Dictionary<string, string?>> EnrolAsync(string fleetDirectory, string gatewayDirectory, int mqttPort, IReadOnlyDictionary<string, string?> overrides)
    {
        Directory.CreateDirectory(fleetDirectory);
        Directory.CreateDirectory(gatewayDirectory);
        var apiToken = await AddEngineerAsync(fleetDirectory).ConfigureAwait(false);
        await using var fleet = await FleetControlUnderTest.StartAsync(fleetDirectory, mqttPort, new AckObserver(), tls: true).ConfigureAwait(false);
        var root = fleet.CaCertificate;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) => ServerCertificateCheck.IsTrusted(presented, errors, root);
        using var http = new HttpClient(handler) { BaseAddress = fleet.Endpoints.RestUri, Timeout = Timeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiToken);
        using var response = await http.PostAsync($"/api/devices/{GatewayUnderTest.DeviceId}/enrolment", null).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"FleetControl refused to enrol {GatewayUnderTest.DeviceId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }

        var answer = await response.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
        var tokenFile = Path.Combine(gatewayDirectory, "enrolment-token");
        PrivateFile.WriteAllText(tokenFile, answer.GetProperty("token").GetString() + "\n");

        var security = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Security:DevelopmentPlaintext"] = "false",
            ["Security:CaCertificateFile"] = fleet.CaCertificateFile,
            ["Gateway:FleetControlUrl"] = fleet.Endpoints.GrpcUri.ToString(),
        };
        var first = new Dictionary<string, string?>(overrides, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in security)
        {
            first[key] = value;
        }

        first["Security:EnrolmentTokenFile"] = tokenFile;
        var certificate = Path.Combine(gatewayDirectory, "identity", "device.crt");
        await using (await GatewayUnderTest.StartAsync(gatewayDirectory, mqttPort, new AckObserver(), first).ConfigureAwait(false))
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            while (!File.Exists(certificate))
            {
                if (started.Elapsed > Timeout)
                {
                    throw new TimeoutException($"the gateway did not enrol within {Timeout} (no {certificate})");
                }

                await Task.Delay(50).ConfigureAwait(false);
            }
        }

        File.Delete(tokenFile); // spent
        Console.WriteLine($"enrolled {GatewayUnderTest.DeviceId}: token over REST, CSR over gRPC (mutual TLS from now on), certificate {certificate}");
        return security;
    }

    /// <summary>An engineer account with an API token in FleetControl's accounts file, before it starts; the token.</summary>
    private static async Task<string> AddEngineerAsync(string fleetDirectory)
    {
        var store = new FileAccountStore(Path.Combine(fleetDirectory, "accounts.json"));
        var (token, record) = ApiTokens.Create(TimeProvider.System.GetUtcNow(), expiresAt: null);
        await store.UpdateAsync(document =>
        {
            document.Accounts.Add(new AccountRecord { Name = "load-engineer", Role = Roles.Engineer, Tokens = [record] });
            return true;
        }, CancellationToken.None).ConfigureAwait(false);
        return token;
    }
}
