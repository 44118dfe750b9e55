using System.Net;
using System.Net.Http.Json;
using FleetControl.Auth;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Auth;

/// <summary>
/// Every REST endpoint group as an attacker would try it: no credentials (401), a token nobody issued (401),
/// a role that is not allowed (403), and the roles that are (not refused).
/// </summary>
public sealed class AuthorizationTests : IAsyncLifetime
{
    private static readonly string[] Everyone = [.. Roles.All];
    private static readonly string[] Operators = [Roles.Engineer, Roles.Administrator];
    private static readonly string[] EvidenceRoles = [Roles.EvidenceOfficer, Roles.Administrator];
    private static readonly string[] Administrators = [Roles.Administrator];

    private readonly TempDirectory _data = new();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() =>
        _fleet = await FleetControlInstance.StartAsync(_data.Path, FreePort.Next(), $"--Evidence:VaultDirectory={_data.Sub("vault")}");

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    public static TheoryData<string, string, string> Endpoints() => new()
    {
        // method, path, allowed roles (a key of Allowed)
        { "GET", "/api/devices", "everyone" },
        { "GET", "/api/devices/car-1", "everyone" },
        { "GET", "/api/devices/car-1/positions", "everyone" },
        { "GET", "/api/devices/car-1/track", "everyone" },
        { "GET", "/api/stats", "everyone" },
        { "GET", "/api/alerts", "everyone" },
        { "GET", "/api/devices/car-1/commands", "everyone" },
        { "GET", "/api/devices/car-1/configuration", "everyone" },
        { "GET", "/api/rollouts", "everyone" },
        { "GET", "/api/me", "everyone" },
        { "GET", "/openapi/v1.json", "everyone" },
        { "POST", "/api/devices/car-1/commands", "operators" },
        { "PUT", "/api/devices/car-1/configuration", "operators" },
        { "POST", "/api/rollouts", "operators" },
        { "POST", "/api/alerts/none/ack", "operators" },
        { "GET", "/api/evidence", "evidence" },
        { "GET", "/api/evidence/ev-none", "evidence" },
        { "GET", "/api/evidence/ev-none?verify=true", "evidence" },
        { "GET", "/api/evidence/ev-none/export", "evidence" },
        { "GET", "/api/audit", "administrators" },
        { "GET", "/api/audit/verify", "administrators" },
        { "GET", "/api/accounts", "administrators" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Endpoint_AnswersOnlyTheRolesAllowed(string method, string path, string allowed)
    {
        var roles = allowed switch
        {
            "everyone" => Everyone,
            "operators" => Operators,
            "evidence" => EvidenceRoles,
            _ => Administrators,
        };

        using (var anonymous = _fleet.ClientFor(null))
        {
            var response = await SendAsync(anonymous, method, path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        }

        using (var forged = BearerHttpClient.Create(_fleet.RestUri, "fct_0123456789ab_not-a-token-anyone-issued"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(forged, method, path)).StatusCode);
        }

        foreach (var role in Roles.All)
        {
            using var client = _fleet.ClientFor(role);
            var status = (await SendAsync(client, method, path)).StatusCode;
            if (roles.Contains(role))
            {
                // Allowed: whatever the endpoint says about the request itself (200, 202, 400 or 404), never 401/403.
                Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{role} {method} {path}: {status}");
            }
            else
            {
                Assert.True(status == HttpStatusCode.Forbidden, $"{role} {method} {path}: {status}, expected 403");
            }
        }
    }

    [Fact]
    public async Task ReadEndpoints_TheRightRole_Gets200()
    {
        foreach (var (role, path) in new[]
        {
            (Roles.Viewer, "/api/devices"), (Roles.Viewer, "/api/stats"), (Roles.Viewer, "/api/alerts"), (Roles.Viewer, "/openapi/v1.json"),
            (Roles.EvidenceOfficer, "/api/evidence"), (Roles.Administrator, "/api/audit"), (Roles.Administrator, "/api/accounts"),
        })
        {
            using var client = _fleet.ClientFor(role);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path, TestContext.Current.CancellationToken)).StatusCode);
        }

        using var viewer = _fleet.ClientFor(Roles.Viewer);
        var me = await viewer.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/me", TestContext.Current.CancellationToken);
        Assert.Equal(TestAccounts.NameFor(Roles.Viewer), me.GetProperty("name").GetString());
        Assert.Equal(Roles.Viewer, me.GetProperty("roles")[0].GetString());
    }

    [Fact]
    public async Task HealthAndSignInPage_AreOpen_UnknownPathsAreNot()
    {
        using var anonymous = _fleet.ClientFor(null);
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/console/login", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/no-such-thing", ct)).StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = JsonContent.Create(new { type = "ping", user = "x", configuration = new { }, group = "all" });
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
