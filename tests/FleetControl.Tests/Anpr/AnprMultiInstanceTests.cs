using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using FleetControl.Auth;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Anpr;

/// <summary>
/// Two FleetControl instances on one PostgreSQL database and one vault directory (each with its own embedded broker and
/// data directory): a read ingested by one is found, with its images, by the other, and both hand out one hotlist.
/// </summary>
public sealed class AnprMultiInstanceTests(PostgreSqlCluster cluster) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadIngestedByOneInstance_FoundAndItsImageServedByTheOther_HotlistShared()
    {
        var connectionString = await cluster.CreateDatabaseAsync("anpr");
        var vault = _dir.Sub("shared-vault");
        var portA = FreePort.Next();
        var portB = FreePort.Next();
        string[] Shared(string name) =>
        [
            "--Store:Provider=PostgreSql",
            $"--Store:ConnectionString={connectionString}",
            "--Store:MaxPoolSize=5",
            $"--Evidence:VaultDirectory={vault}",
            $"--Mqtt:ClientId=fleet-{name}",
        ];
        await using var a = await FleetControlInstance.StartAsync(_dir.Sub("fleet-a"), portA, Shared("a"));
        await using var b = await FleetControlInstance.StartAsync(_dir.Sub("fleet-b"), portB, Shared("b"));

        var cameraTime = DateTimeOffset.UtcNow.AddMinutes(-5);
        var (read, images) = AnprEnvelopes.Read("car-1", 1, "AB12 CDE", cameraTime, 51.796, -0.078);
        var hit = AnprEnvelopes.Hit("car-1", 2, "LM70 ABC", cameraTime.AddMinutes(1), 51.5, -0.1);
        await using (var device = await TestDevice.ConnectAsync(portA, "car-1"))
        {
            await device.PublishBatchAsync([read, .. images, hit]);
            await device.NextAckAsync();
        }

        // The same read redelivered through the other instance (a gateway reconnecting elsewhere) is stored once.
        await using (var device = await TestDevice.ConnectAsync(portB, "car-1"))
        {
            await device.PublishBatchAsync(read);
            await device.NextAckAsync();
        }

        foreach (var fleet in new[] { b, a })
        {
            var officer = fleet.ClientFor(Roles.EvidenceOfficer);
            var found = await officer.GetFromJsonAsync<JsonElement>("/api/anpr/reads?vrm=ab12cde", Ct);
            Assert.Equal(1, found.GetProperty("count").GetInt32());
            var stored = found.GetProperty("reads")[0];
            Assert.Equal(read.AnprRead.ReadId, stored.GetProperty("readId").GetString());
            Assert.All(stored.GetProperty("images").EnumerateArray(), i => Assert.Equal("verified", i.GetProperty("stored").GetString()));

            using var image = await officer.GetAsync($"/api/anpr/reads/{read.AnprRead.ReadId}/overview.jpg", Ct);
            Assert.Equal(HttpStatusCode.OK, image.StatusCode);
            Assert.Equal(read.AnprRead.Images[1].Sha256, Convert.ToHexStringLower(SHA256.HashData(await image.Content.ReadAsByteArrayAsync(Ct))));

            var hits = await officer.GetFromJsonAsync<JsonElement>("/api/anpr/hits", Ct);
            Assert.Equal(hit.MessageId, Assert.Single(hits.EnumerateArray()).GetProperty("messageId").GetString());
        }

        var day = cameraTime.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(File.Exists(Path.Combine(vault, "anpr-images", day, $"{read.AnprRead.ReadId}-plate.jpg")), "the image is in the shared vault");
        Assert.False(Directory.Exists(Path.Combine(_dir.Sub("fleet-a"), "anpr-images")), "nothing in the instance's own data directory");

        // One hotlist: a change made through A is version 1 at B; B's change follows it as version 2.
        using (var changed = await a.ClientFor(Roles.Engineer).PostAsJsonAsync("/api/anpr/hotlist", new { upserts = new[] { new { vrm = "AB12CDE", list = "stolen", reason = "Stolen" } } }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        }

        Assert.Equal(1, (await b.GetJsonAsync("/api/anpr/hotlist")).GetProperty("version").GetInt64());
        using (var changed = await b.ClientFor(Roles.Engineer).PostAsJsonAsync("/api/anpr/hotlist", new { removals = new[] { "AB12CDE" }, upserts = new[] { new { vrm = "XY05ZZZ", list = "wanted", reason = "Wanted" } } }, Ct))
        {
            Assert.Equal(2, (await changed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("version").GetInt64());
        }

        var entries = await a.GetJsonAsync("/api/anpr/hotlist/entries");
        Assert.Equal(["XY05ZZZ"], entries.EnumerateArray().Select(e => e.GetProperty("vrm").GetString()));
    }
}
