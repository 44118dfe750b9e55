using EdgeGateway.Contracts.V1;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Uplink;

public sealed class LinkStateMachineTests
{
    [Theory]
    [InlineData(LinkState.Offline, "Connected", LinkState.Connected)]
    [InlineData(LinkState.Offline, "AckReceived", LinkState.Offline)]
    [InlineData(LinkState.Offline, "AcksOverdue", LinkState.Offline)]
    [InlineData(LinkState.Connected, "AcksOverdue", LinkState.Degraded)]
    [InlineData(LinkState.Connected, "PublishFailed", LinkState.Degraded)]
    [InlineData(LinkState.Connected, "AckReceived", LinkState.Connected)]
    [InlineData(LinkState.Connected, "Disconnected", LinkState.Offline)]
    [InlineData(LinkState.Degraded, "AckReceived", LinkState.Connected)]
    [InlineData(LinkState.Degraded, "AcksOverdue", LinkState.Degraded)]
    [InlineData(LinkState.Degraded, "Disconnected", LinkState.Offline)]
    public void Next_StateAndTrigger_FollowsTable(LinkState from, string trigger, LinkState expected) =>
        Assert.Equal(expected, LinkStateMachine.Next(from, Enum.Parse<LinkTrigger>(trigger)));

    [Fact]
    public async Task Fire_Transition_RaisedLoggedAndAwaitable()
    {
        var logger = new TestLogger<LinkStateMachine>();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero));
        var link = new LinkStateMachine(logger, time);
        var changes = new List<LinkStateChange>();
        link.Changed += changes.Add;
        var degraded = link.WaitForAsync(LinkState.Degraded, TestContext.Current.CancellationToken);

        Assert.True(link.Fire(LinkTrigger.Connected, "connected"));
        Assert.False(link.Fire(LinkTrigger.AckReceived, "acks"));
        Assert.True(link.Fire(LinkTrigger.AcksOverdue, "no ack within 30 s"));
        await degraded.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        Assert.Equal(
            [(LinkState.Offline, LinkState.Connected), (LinkState.Connected, LinkState.Degraded)],
            changes.Select(c => (c.From, c.To)));
        Assert.Equal(time.GetUtcNow(), changes[0].At);
        var logged = logger.Entries.Where(e => e.Id.Id == 2100).Select(e => e.Message).ToList();
        Assert.Equal(2, logged.Count);
        Assert.Contains("Connected -> Degraded", logged[1], StringComparison.Ordinal);
        Assert.Contains("no ack within 30 s", logged[1], StringComparison.Ordinal);
    }
}
