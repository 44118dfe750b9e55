using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;
using Grpc.Net.Client;

namespace FleetControl.Tests.Registry;

/// <summary>DeviceRegistry.Register over a real HTTP/2 cleartext channel.</summary>
public sealed class DeviceRegistryTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() => _fleet = await FleetControlInstance.StartAsync(_data.Path, FreePort.Next());

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Register_ValidDevice_AcceptedAndListed()
    {
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcUri);
        var client = new DeviceRegistry.DeviceRegistryClient(channel);

        var response = await client.RegisterAsync(
            new RegisterRequest { DeviceId = "dock-7", Role = DeviceRole.Dock, SoftwareVersion = "0.1.0", Hostname = "depot-7", Capabilities = { "bwv-dock" } },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);

        Assert.True(response.Accepted);
        Assert.Equal("fleet/v1/dock-7", response.TopicPrefix);
        Assert.True(response.ServerTime.Seconds > 0);
        var device = (await _fleet.FindDeviceAsync("dock-7"))!.Value;
        Assert.Equal("Dock", device.GetProperty("role").GetString());
        Assert.Equal("0.1.0", device.GetProperty("softwareVersion").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, device.GetProperty("registeredAt").ValueKind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("car/1")]
    [InlineData("car+1")]
    [InlineData("..")]
    public async Task Register_InvalidDeviceId_NotAccepted(string deviceId)
    {
        using var channel = GrpcChannel.ForAddress(_fleet.GrpcUri);
        var client = new DeviceRegistry.DeviceRegistryClient(channel);

        var response = await client.RegisterAsync(new RegisterRequest { DeviceId = deviceId, Role = DeviceRole.Vehicle }, cancellationToken: TestContext.Current.CancellationToken)
            .ResponseAsync.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);

        Assert.False(response.Accepted);
        Assert.NotEmpty(response.Reason);
        Assert.Equal(0, (await _fleet.GetJsonAsync("/api/devices")).GetArrayLength());
    }
}
