using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using FleetControl.Auth;
using FleetControl.Tests.Commands;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Anpr;

/// <summary>Vehicle -> embedded broker -> ingest -> ANPR store -> REST, and hotlists back down the command channel; all real.</summary>
public sealed class AnprApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly TempDirectory _data = new();
    private readonly int _mqttPort = FreePort.Next();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() => _fleet = await FleetControlInstance.StartAsync(_data.Path, _mqttPort, "--Anpr:RetentionPeriod=30.00:00:00");

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_StoredOnceWithVerifiedImages_SearchableByVrmWindowAndArea_ExportedAsCsv_ForEvidenceRolesOnly()
    {
        await using var device = await TestDevice.ConnectAsync(_mqttPort, "car-1");
        var (hertford, hertfordImages) = AnprEnvelopes.Read("car-1", 1, "AB12 CDE", Now.AddMinutes(-10), 51.796, -0.078);
        var (london, londonImages) = AnprEnvelopes.Read("car-1", 2, "AB12 CDE", Now.AddMinutes(-5), 51.507, -0.128);
        var (other, otherImages) = AnprEnvelopes.Read("car-1", 3, "XY05 ZZZ", Now.AddMinutes(-4), 51.507, -0.128, corruptPlate: [0xFF, 0xD8, 1, 2, 3]);
        await device.PublishBatchAsync([hertford, london, other, .. hertfordImages, .. londonImages, .. otherImages]);
        await device.NextAckAsync();
        await device.PublishBatchAsync(hertford); // redelivered: stored once
        await device.NextAckAsync();

        var officer = _fleet.ClientFor(Roles.EvidenceOfficer);
        var all = await officer.GetFromJsonAsync<JsonElement>("/api/anpr/reads?vrm=ab12cde", Ct);
        Assert.Equal(2, all.GetProperty("count").GetInt32());
        var newest = all.GetProperty("reads")[0];
        Assert.Equal(london.AnprRead.ReadId, newest.GetProperty("readId").GetString());
        Assert.All(newest.GetProperty("images").EnumerateArray(), i => Assert.Equal("verified", i.GetProperty("stored").GetString()));

        var window = await officer.GetFromJsonAsync<JsonElement>($"/api/anpr/reads?vrm=AB12CDE&from={Uri.EscapeDataString(Now.AddMinutes(-7).ToString("o"))}&to={Uri.EscapeDataString(Now.ToString("o"))}", Ct);
        Assert.Equal(london.AnprRead.ReadId, Assert.Single(window.GetProperty("reads").EnumerateArray()).GetProperty("readId").GetString());

        var area = await officer.GetFromJsonAsync<JsonElement>("/api/anpr/reads?area=51.7,-0.2,51.9,0.0", Ct);
        Assert.Equal(hertford.AnprRead.ReadId, Assert.Single(area.GetProperty("reads").EnumerateArray()).GetProperty("readId").GetString());

        var mismatch = await officer.GetFromJsonAsync<JsonElement>("/api/anpr/reads?vrm=XY05ZZZ", Ct);
        Assert.Contains(mismatch.GetProperty("reads")[0].GetProperty("images").EnumerateArray(), i => i.GetProperty("stored").GetString() == "mismatch");

        var csv = await officer.GetStringAsync("/api/anpr/reads?vrm=AB12CDE&format=csv", Ct);
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.StartsWith("readId,deviceId,vrm,normalisedVrm,", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        Assert.Contains("AB12 CDE,AB12CDE,0.9,GB,cam-front,1,", lines[1], StringComparison.Ordinal);

        using var image = await officer.GetAsync($"/api/anpr/reads/{london.AnprRead.ReadId}/plate.jpg", Ct);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal(london.AnprRead.Images[0].Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await image.Content.ReadAsByteArrayAsync(Ct))));

        foreach (var role in new[] { Roles.Viewer, Roles.Engineer })
        {
            using var refused = await _fleet.ClientFor(role).GetAsync("/api/anpr/reads?vrm=AB12CDE", Ct);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        using var bad = await officer.GetAsync("/api/anpr/reads?area=north", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var audit = await _fleet.GetJsonAsync("/api/audit?limit=50");
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("action").GetString() == "anpr.exported");
    }

    [Fact]
    public async Task Hotlist_SnapshotThenDeltas_GapFallsBackToSnapshot_VersionsShown()
    {
        await using var car7 = await CommandDevice.ConnectAsync(_mqttPort, "car-7");
        var engineer = _fleet.ClientFor(Roles.Engineer);
        using (var first = await engineer.PostAsJsonAsync("/api/anpr/hotlist", new
        {
            upserts = new object[]
            {
                new { vrm = "ab12 cde", list = "stolen", reason = "Stolen", markers = new[] { "violent" } },
                new { vrm = "XY05ZZZ", list = "no-insurance", reason = "No insurance" },
            },
        }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // Nothing goes to a vehicle that has not said it runs ANPR. It reports it holds nothing: version 1 comes as a snapshot.
        Assert.False(car7.TryGetCommand(out _));
        await car7.PublishBatchAsync(AnprEnvelopes.HotlistReport("car-7", 1, 0));
        var snapshot = await car7.NextCommandAsync();
        Assert.Equal(Command.BodyOneofCase.HotlistUpdate, snapshot.BodyCase);
        Assert.Equal(0, snapshot.HotlistUpdate.BaseVersion);
        Assert.Equal(1, snapshot.HotlistUpdate.Version);
        Assert.Equal(["AB12CDE", "XY05ZZZ"], snapshot.HotlistUpdate.Upserts.Select(e => e.Vrm).Order());
        await car7.AnswerAsync(snapshot, CommandOutcome.Succeeded, details: new Dictionary<string, string> { ["hotlistVersion"] = "1", ["outcome"] = "Applied" });
        await Eventually.UntilAsync(async () => (await DeviceVersionAsync("car-7")) == 1, "car-7 holds version 1");

        // A change: the vehicle gets only the delta.
        using (await engineer.PostAsJsonAsync("/api/anpr/hotlist", new { removals = new[] { "XY05ZZZ" } }, Ct))
        {
        }

        var delta = await car7.NextCommandAsync();
        Assert.Equal(1, delta.HotlistUpdate.BaseVersion);
        Assert.Equal(2, delta.HotlistUpdate.Version);
        Assert.Equal(["XY05ZZZ"], delta.HotlistUpdate.Removals);
        Assert.Empty(delta.HotlistUpdate.Upserts);

        // The vehicle says it cannot apply it (it lost its list): a snapshot follows.
        await car7.AnswerAsync(delta, CommandOutcome.Failed, "gap", details: new Dictionary<string, string> { ["hotlistVersion"] = "0", ["outcome"] = "Gap" });
        var again = await car7.NextCommandAsync();
        Assert.Equal(0, again.HotlistUpdate.BaseVersion);
        Assert.Equal(2, again.HotlistUpdate.Version);
        Assert.Equal(["AB12CDE"], again.HotlistUpdate.Upserts.Select(e => e.Vrm));
        await car7.AnswerAsync(again, CommandOutcome.Succeeded, details: new Dictionary<string, string> { ["hotlistVersion"] = "2", ["outcome"] = "Applied" });
        await Eventually.UntilAsync(async () => (await DeviceVersionAsync("car-7")) == 2, "car-7 holds version 2");

        var status = await _fleet.GetJsonAsync("/api/anpr/hotlist");
        Assert.Equal(2, status.GetProperty("version").GetInt64());
        Assert.True(status.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("deviceId").GetString() == "car-7").GetProperty("upToDate").GetBoolean());

        using var viewer = await _fleet.ClientFor(Roles.Viewer).PostAsJsonAsync("/api/anpr/hotlist", new { removals = new[] { "AB12CDE" } }, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
        using var badVrm = await engineer.PostAsJsonAsync("/api/anpr/hotlist", new { upserts = new[] { new { vrm = "NOT A PLATE!", list = "x", reason = "y" } } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badVrm.StatusCode);
        Assert.Equal(2, (await _fleet.GetJsonAsync("/api/anpr/hotlist")).GetProperty("version").GetInt64());
    }

    private async Task<long?> DeviceVersionAsync(string deviceId)
    {
        var status = await _fleet.GetJsonAsync("/api/anpr/hotlist");
        return status.GetProperty("devices").EnumerateArray().FirstOrDefault(d => d.GetProperty("deviceId").GetString() == deviceId) is { ValueKind: JsonValueKind.Object } d
            ? d.GetProperty("version").GetInt64()
            : null;
    }
}
