using System.Globalization;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using FleetControl.Evidence;

namespace FleetControl.Tests.Store.PostgreSql;

/// <summary>The evidence catalogue in PostgreSQL answers exactly as the in-memory index over the same items.</summary>
public sealed class PostgreSqlEvidenceCatalogTests(PostgreSqlCluster cluster) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static EvidenceRecord Record(int i)
    {
        var sidecar = i % 10 == 9
            ? string.Empty
            : JsonSerializer.Serialize(new
            {
                officerId = "PC" + (i % 13),
                startUtc = T0.AddMinutes(i * 3 % 100),
                trigger = i % 4 == 0 ? "emergency" : "manual",
                category = i % 5 == 0 ? "Arrest" : null,
            });
        var item = new EvidenceItem
        {
            EvidenceId = string.Create(CultureInfo.InvariantCulture, $"ev-{i:D4}"),
            DeviceId = "dock-" + (i % 3),
            CameraSerial = "BWV" + (i % 7),
            FileName = "a.mp4",
            Size = 10,
            SidecarJson = sidecar,
            SidecarStatus = sidecar.Length == 0 ? "missing" : "ok",
            RecordedAt = T0.AddMinutes(i % 50).ToString("O", CultureInfo.InvariantCulture),
        };
        return new EvidenceRecord(item, new EvidenceReceipt { EvidenceId = item.EvidenceId, Size = 10, Sha256 = "s", StoredAt = T0.AddDays(1).ToString("O", CultureInfo.InvariantCulture) }, item.EvidenceId + ".mp4");
    }

    private static List<string> All(IEvidenceCatalog catalog, EvidenceQuery query)
    {
        var ids = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = catalog.Search(query with { Cursor = cursor });
            Assert.True(page.Items.Count <= query.Limit);
            ids.AddRange(page.Items.Select(s => s.EvidenceId));
            cursor = page.NextCursor;
        }
        while (cursor is not null && ++pages < 1000);

        return ids;
    }

    [Fact]
    public async Task Search_EveryFilterAndPage_SameAsTheFileCatalogue()
    {
        await using var dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        var pg = new PostgreSqlEvidenceCatalog(new VaultStorage(_dir.Sub("pg-vault")), dataSource);
        var file = new FileEvidenceCatalog(new VaultStorage(_dir.Sub("file-vault")));
        var records = Enumerable.Range(0, 60).Select(Record).ToList();
        foreach (var r in records)
        {
            pg.Save(r);
            file.Save(r);
        }

        pg.Save(records[5]); // a repeated commit replaces, never duplicates

        EvidenceQuery[] queries =
        [
            new(Limit: 7),
            new(DeviceId: "DOCK-1", Limit: 4),
            new(CameraSerial: "bwv3", OfficerId: "PC4", Limit: 2),
            new(Category: "arrest", Trigger: "emergency", Limit: 3),
            new(DeviceId: "dock-2", From: T0.AddMinutes(10), To: T0.AddMinutes(40), Limit: 5),
            new(OfficerId: "nobody"),
        ];
        foreach (var q in queries)
        {
            Assert.Equal(All(file, q), All(pg, q));
        }

        Assert.Equal(60, All(pg, new EvidenceQuery(Limit: 1000)).Count);
        var found = pg.Find("ev-0007");
        Assert.Equal("dock-1", found!.Item.DeviceId);
        Assert.Equal("ev-0007.mp4", found.StoredFileName);
        Assert.True(File.Exists(Path.Combine(_dir.Path, "pg-vault", "ev-0007" + VaultStorage.RecordSuffix)), "the receipt file is still in the vault");
        Assert.Null(pg.Find("ev-9999"));
        Assert.Throws<ArgumentException>(() => pg.Search(new EvidenceQuery(Cursor: "nonsense")));
    }
}
