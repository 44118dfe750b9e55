using EdgeGateway.Devices.Bwv;
using EdgeGateway.Evidence;

namespace EdgeGateway.Tests.Evidence;

public sealed class OffloadSchedulerTests
{
    private static PendingRecording Item(int bay, string name, bool critical = false, int minute = 0)
    {
        var sidecar = new RecordingSidecar("BWV" + bay, "PC1", new DateTimeOffset(2026, 1, 1, 0, minute, 0, TimeSpan.Zero), default, "manual", null, null);
        var rec = new DockedRecording(bay, "/bays/" + bay, new CameraMarker("BWV" + bay, 50), "/bays/" + name, 10, sidecar.StartUtc, "f", "/bays/x.json", SidecarStatus.Ok, sidecar, "{}", null);
        return new PendingRecording(rec, name, critical);
    }

    [Fact]
    public void Pick_CriticalInAnyBay_GoesFirst()
    {
        var scheduler = new OffloadScheduler();
        var pick = scheduler.Pick([Item(1, "a", minute: 0), Item(2, "b", minute: 1), Item(3, "c", critical: true, minute: 9)], new Dictionary<int, int>());
        Assert.Equal("c", pick!.EvidenceId);
    }

    [Fact]
    public void Pick_BayAlreadyTransferring_OtherBaysServedFirst()
    {
        var scheduler = new OffloadScheduler();
        // Bay 1 is busy with its 2 GiB recording and has more waiting; bay 2 must not starve.
        var pick = scheduler.Pick([Item(1, "a2"), Item(1, "a3"), Item(2, "b1")], new Dictionary<int, int> { [1] = 1 });
        Assert.Equal("b1", pick!.EvidenceId);
    }

    [Fact]
    public void Pick_EqualLoad_RoundRobinsAcrossBays()
    {
        var scheduler = new OffloadScheduler();
        var items = new List<PendingRecording> { Item(1, "a1"), Item(1, "a2"), Item(2, "b1"), Item(2, "b2"), Item(3, "c1") };
        var order = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var pick = scheduler.Pick(items, new Dictionary<int, int>())!;
            items.Remove(pick);
            order.Add(pick.Bay);
        }

        Assert.Equal([1, 2, 3, 1, 2], order);
    }
}
