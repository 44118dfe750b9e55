using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Ingest;

public sealed class ExternalBrokerRefusalTests
{
    [Fact]
    public async Task Start_ExternalBrokerRefusesIngestClient_ServesApiAndLogsRefusal()
    {
        using var dir = new TempDirectory();
        await using var mosquitto = await MosquittoBroker.StartAsync(allowAnonymous: false);

        await using var fleet = await FleetControlInstance.StartAsync(
            Path.Combine(dir.Path, "fleet"), mosquitto.Port, waitForIngest: false, "--Mqtt:Mode=External", "--Mqtt:Username=nobody", "--Mqtt:Password=wrong");
        await Eventually.UntilAsync(() => Task.FromResult(fleet.Logs.Entries.Any(e => e.Contains("[5002]", StringComparison.Ordinal))), "the refusal is logged");

        var stats = await fleet.GetJsonAsync("/api/stats");
        Assert.False(stats.GetProperty("ingestConnected").GetBoolean());
        Assert.Contains(fleet.Logs.Entries, e => e.Contains("refused the connection", StringComparison.Ordinal));
    }
}
