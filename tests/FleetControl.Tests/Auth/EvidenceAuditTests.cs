using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleetControl.Auth;
using FleetControl.Tests.Evidence;
using FleetControl.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FleetControl.Tests.Auth;

/// <summary>Viewing, verifying and exporting an evidence item each leave an audit record naming who did it.</summary>
public sealed class EvidenceAuditTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() =>
        _fleet = await FleetControlInstance.StartAsync(_data.Path, FreePort.Next(), $"--Evidence:VaultDirectory={_data.Sub("vault")}");

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task ViewVerifyExport_AreAudited_AndTheChainVerifies()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = VaultClient.RandomBytes(100_000, 7);
        var item = VaultClient.Item("ev-audit-1", data);
        using (var vault = new VaultClient(_fleet.GrpcUri.ToString()))
        {
            await vault.UploadAsync(item, data, VaultClient.DockChain(item.EvidenceId, item.Sha256));
        }

        using var officer = _fleet.ClientFor(Roles.EvidenceOfficer);
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync("/api/evidence/ev-audit-1", ct)).StatusCode);
        var verified = await officer.GetFromJsonAsync<JsonElement>("/api/evidence/ev-audit-1?verify=true", ct);
        Assert.True(verified.GetProperty("verification").GetProperty("ok").GetBoolean());
        var export = await officer.GetAsync("/api/evidence/ev-audit-1/export", ct);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        var exported = await export.Content.ReadFromJsonAsync<JsonElement>(ct);
        // The dock's four links plus FleetControl's own, in order.
        Assert.True(exported.GetProperty("custody").GetArrayLength() > 4);
        Assert.Contains("captured", exported.GetProperty("custody")[0].GetRawText(), StringComparison.Ordinal);
        Assert.Equal(TestAccounts.NameFor(Roles.EvidenceOfficer), exported.GetProperty("exportedBy").GetString());

        // A viewer is refused, and the refusal shows nothing.
        using var viewer = _fleet.ClientFor(Roles.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/evidence/ev-audit-1", ct)).StatusCode);

        var records = await _fleet.GetJsonAsync("/api/audit?action=evidence.");
        var actions = records.EnumerateArray().Select(r => (r.GetProperty("action").GetString(), r.GetProperty("actor").GetString(), r.GetProperty("target").GetString(), r.GetProperty("outcome").GetString())).Reverse().ToList();
        var officerName = TestAccounts.NameFor(Roles.EvidenceOfficer);
        Assert.Equal(
            [
                ("evidence.viewed", officerName, "ev-audit-1", "ok"),
                ("evidence.viewed", officerName, "ev-audit-1", "ok"),
                ("evidence.verified", officerName, "ev-audit-1", "ok"),
                ("evidence.exported", officerName, "ev-audit-1", "ok"),
            ],
            actions);

        var chain = await _fleet.GetJsonAsync("/api/audit/verify");
        Assert.True(chain.GetProperty("ok").GetBoolean());
        Assert.Equal(4, chain.GetProperty("entries").GetInt64());
        Assert.Equal(_fleet.Services.GetRequiredService<AuditLog>().Path, Path.Combine(_data.Path, "audit.jsonl"));
    }
}
