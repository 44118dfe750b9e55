using FleetControl.Mqtt;

namespace FleetControl.Tests.Mqtt;

public sealed class BrokerAclTests
{
    private const string Ingest = "fleetcontrol-ingest";
    private const string IngestEvents = "fleetcontrol-ingest-events";
    private static readonly MqttOptions Options = new() { ClientId = Ingest };

    [Theory]
    [InlineData("car-1", "fleet/v1/car-1/telemetry/gnss", true)]
    [InlineData("car-1", "fleet/v1/car-1/status", true)]
    [InlineData("car-1", "fleet/v1/car-2/telemetry/gnss", false)]
    [InlineData("car-1", "fleet/v1/car-10/telemetry/gnss", false)]
    [InlineData("car-1", "fleet/v1/car-1", false)]
    [InlineData("car-1", "fleet/v1/car-1/", false)]
    [InlineData("car-1", "other/topic", false)]
    [InlineData(Ingest, "fleet/v1/car-1/acks", true)]
    [InlineData(IngestEvents, "fleet/v1/car-1/acks", true)]
    [InlineData("", "fleet/v1/car-1/acks", true)]
    public void MayPublish_Topic_OnlyOwnPrefix(string clientId, string topic, bool expected) =>
        Assert.Equal(expected, BrokerAcl.MayPublish(clientId, topic, Options));

    [Theory]
    [InlineData("car-1", "fleet/v1/car-1/acks", true)]
    [InlineData("car-1", "fleet/v1/car-1/commands/+", true)]
    [InlineData("car-1", "fleet/v1/+/acks", false)]
    [InlineData("car-1", "fleet/v1/#", false)]
    [InlineData("car-1", "fleet/v1/car-1/#", false)]
    [InlineData("car-1", "fleet/v1/car-1/status", false)]
    [InlineData("car-1", "fleet/v1/car-1/telemetry/gnss", false)]
    [InlineData("car-1", "fleet/v1/car-1/commands/#", true)]
    [InlineData("car-1", "fleet/v1/car-1/commands/0190-abc", true)]
    [InlineData("car-1", "fleet/v1/car-1/commands/+/x", false)]
    [InlineData("car-1", "fleet/v1/car-2/commands/+", false)]
    [InlineData("car-1", "fleet/v1/car-10/acks", false)]
    [InlineData(Ingest, "fleet/v1/+/status", true)]
    [InlineData(IngestEvents, "fleet/v1/+/events/#", true)]
    [InlineData("fleetcontrol-ingest-other", "fleet/v1/+/events/#", false)]
    public void MaySubscribe_Filter_OnlyOwnAcksAndCommands(string clientId, string filter, bool expected) =>
        Assert.Equal(expected, BrokerAcl.MaySubscribe(clientId, filter, Options));

    [Theory]
    [InlineData("car-1", null, true)]
    [InlineData("car/1", null, false)]
    [InlineData("", null, false)]
    [InlineData(Ingest, null, false)]
    [InlineData(Ingest, "wrong", false)]
    [InlineData(Ingest, "secret", true)]
    [InlineData(IngestEvents, null, false)]
    [InlineData(IngestEvents, "wrong", false)]
    [InlineData(IngestEvents, "secret", true)]
    public void MayConnect_ClientId_DevicesAndAuthenticatedIngestOnly(string clientId, string? password, bool expected) =>
        Assert.Equal(expected, BrokerAcl.MayConnect(clientId, password, Options, "secret"));
}
