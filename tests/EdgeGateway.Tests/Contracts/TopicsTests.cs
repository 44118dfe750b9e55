using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Tests.Contracts;

public sealed class TopicsTests
{
    [Fact]
    public void ForEnvelope_TelemetryClass_UsesTelemetryCategory() =>
        Assert.Equal("fleet/v1/car-1/telemetry/gnss", Topics.ForEnvelope("car-1", PriorityClass.Telemetry, "gnss"));

    [Theory]
    [InlineData("fleet/v1/car-1/telemetry/gnss", true, "car-1", "telemetry/gnss")]
    [InlineData("fleet/v2/car-1/telemetry/gnss", false, "", "")]
    [InlineData("fleet/v1/car-1", false, "", "")]
    public void TryParse_Topic_SplitsDeviceAndRest(string topic, bool ok, string device, string rest)
    {
        Assert.Equal(ok, Topics.TryParse(topic, out var d, out var r));
        Assert.Equal(device, ok ? d : "");
        Assert.Equal(rest, ok ? r : "");
    }

    [Theory]
    [InlineData("car-1", true)]
    [InlineData("../etc", false)]
    [InlineData("a/b", false)]
    [InlineData("", false)]
    public void IsValidDeviceId_Input_Validates(string id, bool expected) => Assert.Equal(expected, Topics.IsValidDeviceId(id));
}
