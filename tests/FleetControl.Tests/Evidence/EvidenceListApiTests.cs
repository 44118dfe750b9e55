using System.Globalization;
using System.Text.Json;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Evidence;

/// <summary>
/// <c>GET /api/evidence</c> on a running FleetControl: every filter the index keeps (device, camera, officer,
/// category, trigger, time), pages by cursor, newest recording first, and answers from the index, not the vault.
/// </summary>
public sealed class EvidenceListApiTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_EveryFilterAndCursorPages_NewestFirstAndAnsweredFromTheIndexWithTheReceiptsGone()
    {
        using var dir = new TempDirectory();
        var vaultDirectory = dir.Sub("vault");
        await using var fleet = await FleetControlInstance.StartAsync(dir.Sub("fc"), FreePort.Next(), $"--Evidence:VaultDirectory={vaultDirectory}");
        using var vault = new VaultClient(fleet.GrpcUri.ToString());

        // Seven recordings: device dock-(i % 2), camera BWV(i % 3), officer PC(i % 2), trigger manual/emergency,
        // item 3 categorised use-of-force, recorded an hour apart.
        for (var i = 0; i < 7; i++)
        {
            var id = Id(i);
            var data = VaultClient.RandomBytes(1000 + i, i);
            var item = VaultClient.Item(id, data);
            item.DeviceId = Invariant($"dock-{i % 2}");
            item.CameraSerial = Invariant($"BWV{i % 3}");
            item.SidecarJson = JsonSerializer.Serialize(new
            {
                cameraSerial = item.CameraSerial,
                officerId = Invariant($"PC{i % 2}"),
                startUtc = T0.AddHours(i),
                endUtc = T0.AddHours(i).AddMinutes(5),
                trigger = i % 2 == 0 ? "manual" : "emergency",
                category = i == 3 ? "use-of-force" : null,
            });
            await vault.UploadAsync(item, data, VaultClient.DockChain(id, item.Sha256));
        }

        await Eventually.UntilAsync(async () => (await Ids(fleet, "limit=1000")).Count == 7, "the seven stored items are listed");

        Assert.Equal(Ids(6, 5, 4, 3, 2, 1, 0), await Ids(fleet, "limit=1000"));
        Assert.Equal(Ids(5, 3, 1), await Ids(fleet, "deviceId=dock-1"));
        Assert.Equal(Ids(5, 2), await Ids(fleet, "cameraSerial=bwv2")); // case-insensitive
        Assert.Equal(Ids(6, 4, 2, 0), await Ids(fleet, "officerId=PC0"));
        Assert.Equal(Ids(3), await Ids(fleet, "category=use-of-force&trigger=emergency"));
        Assert.Equal(Ids(5, 3, 1), await Ids(fleet, "trigger=emergency"));
        Assert.Equal(Ids(4, 3, 2), await Ids(fleet, "from=" + Uri.EscapeDataString(T0.AddHours(2).ToString("O", CultureInfo.InvariantCulture))
            + "&to=" + Uri.EscapeDataString(T0.AddHours(5).ToString("O", CultureInfo.InvariantCulture))));
        Assert.Equal([Ids(6, 5, 4), Ids(3, 2, 1), Ids(0)], await Pages(fleet, "limit=3"));
        Assert.Equal([Ids(6, 4), Ids(2, 0)], await Pages(fleet, "deviceId=dock-0&limit=2"));

        // The list never reads the vault per request: with every receipt moved away it answers the same.
        var aside = dir.Sub("aside");
        foreach (var receipt in Directory.GetFiles(vaultDirectory, "*.receipt.json"))
        {
            File.Move(receipt, Path.Combine(aside, Path.GetFileName(receipt)));
        }

        Assert.Equal(Ids(6, 5, 4, 3, 2, 1, 0), await Ids(fleet, "limit=1000"));
        Assert.Equal([Ids(6, 4), Ids(2, 0)], await Pages(fleet, "deviceId=dock-0&limit=2"));
    }

    private static string Id(int i) => Invariant($"ev-api-{i}");

    private static List<string> Ids(params int[] items) => items.Select(Id).ToList();

    private static async Task<List<string>> Ids(FleetControlInstance fleet, string query) =>
        (await fleet.GetJsonAsync("/api/evidence?" + query)).GetProperty("items").EnumerateArray().Select(e => e.GetProperty("evidenceId").GetString()!).ToList();

    /// <summary>Every page of <paramref name="query"/>, following nextCursor until it is null.</summary>
    private static async Task<List<List<string>>> Pages(FleetControlInstance fleet, string query)
    {
        var pages = new List<List<string>>();
        string? cursor = null;
        do
        {
            var page = await fleet.GetJsonAsync("/api/evidence?" + query + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor)));
            pages.Add(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("evidenceId").GetString()!).ToList());
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.String ? page.GetProperty("nextCursor").GetString() : null;
            Assert.True(pages.Count <= 10, "paging ends");
        }
        while (cursor is not null);

        return pages;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
