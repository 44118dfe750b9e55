using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using FleetControl.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace FleetControl.Tests.Auth;

/// <summary>
/// JWT bearer tokens from an OIDC authority: a test issuer on loopback (discovery document and JWKS, a
/// locally generated RSA key) stands in for Entra ID. Roles come from the "roles" claim.
/// </summary>
public sealed class OidcBearerTests : IAsyncLifetime
{
    private const string Audience = "api://fleetcontrol-test";
    private readonly TempDirectory _data = new();
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RSA _otherRsa = RSA.Create(2048);
    private WebApplication _issuer = null!;
    private string _authority = null!;
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync()
    {
        var port = FreePort.Next();
        _authority = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(_authority);
        _issuer = builder.Build();
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_rsa.ExportParameters(false)) { KeyId = "test-key" });
        _issuer.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = _authority,
            ["jwks_uri"] = _authority + "/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        _issuer.MapGet("/keys", () => Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", kid = jwk.Kid, n = jwk.N, e = jwk.E, alg = "RS256" } } }));
        await _issuer.StartAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout);

        _fleet = await FleetControlInstance.StartAsync(
            _data.Path,
            FreePort.Next(),
            $"--Auth:Oidc:Authority={_authority}",
            $"--Auth:Oidc:Audience={Audience}",
            "--Auth:Oidc:RequireHttpsMetadata=false");
    }

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        await _issuer.StopAsync(CancellationToken.None).WaitAsync(Eventually.DefaultTimeout);
        await _issuer.DisposeAsync();
        _rsa.Dispose();
        _otherRsa.Dispose();
        _data.Dispose();
    }

    private string Token(string[] roles, RSA? key = null, string audience = Audience, string? issuer = null, TimeSpan? lifetime = null)
    {
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        var expires = now + (lifetime ?? TimeSpan.FromMinutes(10));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? _authority,
            Audience = audience,
            NotBefore = expires < now ? expires.AddMinutes(-10) : now.AddMinutes(-1),
            IssuedAt = expires < now ? expires.AddMinutes(-10) : now.AddMinutes(-1),
            Expires = expires,
            Claims = new Dictionary<string, object>
            {
                ["sub"] = "00000000-aaaa-bbbb",
                ["preferred_username"] = "pc.smith@force.example",
                ["roles"] = roles,
            },
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key ?? _rsa) { KeyId = "test-key" }, SecurityAlgorithms.RsaSha256),
        });
    }

    private async Task<HttpStatusCode> GetAsync(string path, string token)
    {
        using var client = BearerHttpClient.Create(_fleet.RestUri, token);
        return (await client.GetAsync(path, TestContext.Current.CancellationToken)).StatusCode;
    }

    [Fact]
    public async Task ValidToken_RolesFromTheRolesClaim()
    {
        var engineer = Token(["engineer"]);
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/api/devices", engineer));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/evidence", engineer));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/audit", engineer));

        // Identity providers spell app roles their own way ("EvidenceOfficer"): matched ignoring case and '-'.
        var officer = Token(["EvidenceOfficer"]);
        Assert.Equal(HttpStatusCode.OK, await GetAsync("/api/evidence", officer));

        using var client = BearerHttpClient.Create(_fleet.RestUri, officer);
        var me = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/me", TestContext.Current.CancellationToken);
        Assert.Equal("pc.smith@force.example", me.GetProperty("name").GetString());

        // API tokens of local accounts still work beside the authority.
        Assert.Equal(HttpStatusCode.OK, (await _fleet.Http.GetAsync("/api/audit", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task ForgedExpiredOrMisdirectedTokens_Get401_RolelessGets403()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/api/devices", Token(["administrator"], key: _otherRsa)));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/api/devices", Token(["administrator"], lifetime: TimeSpan.FromMinutes(-30))));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/api/devices", Token(["administrator"], audience: "api://another-app")));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/api/devices", Token(["administrator"], issuer: "https://evil.example")));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/api/devices", "not.a.jwt"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/devices", Token([])));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync("/api/devices", Token(["superuser"])));

        using var unsigned = new HttpClient { BaseAddress = _fleet.RestUri };
        var parts = Token(["administrator"]).Split('.');
        unsigned.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{parts[1]}.");
        Assert.Equal(HttpStatusCode.Unauthorized, (await unsigned.GetAsync("/api/devices", TestContext.Current.CancellationToken)).StatusCode);
    }
}
