using System.Globalization;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using FleetControl.Evidence;

namespace FleetControl.Tests.Evidence;

public sealed class EvidenceIndexTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static EvidenceRecord Record(int i)
    {
        var sidecar = i % 10 == 9
            ? string.Empty
            : JsonSerializer.Serialize(new
            {
                cameraSerial = "BWV" + (i % 7),
                officerId = "PC" + (i % 13),
                startUtc = T0.AddMinutes(i * 3 % 1000),
                trigger = i % 4 == 0 ? "emergency" : "manual",
                category = i % 5 == 0 ? "Arrest" : null,
            });
        var item = new EvidenceItem
        {
            EvidenceId = string.Create(CultureInfo.InvariantCulture, $"ev-{i:D6}"),
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

    private static List<EvidenceSummary> All(EvidenceIndex index, EvidenceQuery query)
    {
        var all = new List<EvidenceSummary>();
        string? cursor = null;
        do
        {
            var page = index.Search(query with { Cursor = cursor });
            Assert.True(page.Items.Count <= query.Limit);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return all;
    }

    [Fact]
    public void Search_EveryFilterAndTimeRange_PagesMatchAFullScanExactlyNewestFirst()
    {
        var index = new EvidenceIndex();
        var summaries = Enumerable.Range(0, 2000).Select(i => EvidenceIndex.Summarise(Record(i))).ToList();
        foreach (var s in summaries)
        {
            index.Upsert(s);
        }

        index.Upsert(summaries[5]); // a repeated commit replaces, never duplicates
        Assert.Equal(2000, index.Count);
        EvidenceQuery[] queries =
        [
            new(Limit: 37),
            new(DeviceId: "dock-1", Limit: 50),
            new(CameraSerial: "bwv3", OfficerId: "PC4", Limit: 7),
            new(Category: "arrest", Trigger: "emergency", Limit: 11),
            new(DeviceId: "dock-2", From: T0.AddMinutes(100), To: T0.AddMinutes(400), Limit: 13),
            new(From: T0.AddMinutes(999), Limit: 5),
            new(OfficerId: "nobody"),
        ];
        foreach (var q in queries)
        {
            var expected = summaries
                .Where(s => q.DeviceId is null || string.Equals(s.DeviceId, q.DeviceId, StringComparison.OrdinalIgnoreCase))
                .Where(s => q.CameraSerial is null || string.Equals(s.CameraSerial, q.CameraSerial, StringComparison.OrdinalIgnoreCase))
                .Where(s => q.OfficerId is null || string.Equals(s.OfficerId, q.OfficerId, StringComparison.OrdinalIgnoreCase))
                .Where(s => q.Category is null || string.Equals(s.Category, q.Category, StringComparison.OrdinalIgnoreCase))
                .Where(s => q.Trigger is null || string.Equals(s.Trigger, q.Trigger, StringComparison.OrdinalIgnoreCase))
                .Where(s => q.From is null || s.RecordedAt >= q.From)
                .Where(s => q.To is null || s.RecordedAt < q.To)
                .OrderByDescending(s => s.RecordedAt).ThenBy(s => s.EvidenceId, StringComparer.Ordinal)
                .Select(s => s.EvidenceId).ToList();

            Assert.Equal(expected, All(index, q).Select(s => s.EvidenceId).ToList());
        }
    }

    [Fact]
    public void Summarise_MissingSidecar_UsesTheDocksRecordedTimeAndStatus()
    {
        var s = EvidenceIndex.Summarise(Record(9));

        Assert.Equal("missing", s.SidecarStatus);
        Assert.Null(s.OfficerId);
        Assert.Equal(T0.AddMinutes(9), s.RecordedAt);
    }

    [Fact]
    public void Search_CursorNotFromTheApi_Refused()
    {
        Assert.Throws<ArgumentException>(() => new EvidenceIndex().Search(new EvidenceQuery(Cursor: "nonsense")));
    }
}
