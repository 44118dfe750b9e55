
using System.Text.Json;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// The first vertical slice, as a user runs it: GPS simulator -> real pty -> gateway (System.IO.Ports,
/// LiteDB outbox) -> MQTT -> FleetControl's store, each a separate process.
/// </summary>
public sealed class VehicleFlowTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Positions_FromSimulatedReceiverOnPty_AreStoredInFleetControl()
    {
        await using var system = await SystemUnderTest.StartAsync();
        await system.StartVehicleAsync("car-flow");

        var positions = await Eventually.WaitAsync(
            ct => system.PositionsAsync("car-flow", ct), p => p.Count >= 20, Patience, "FleetControl holds 20 positions of car-flow");

        // The simulated route loops through Hertford: every stored fix must be there, with a 3D fix.
        Assert.All(positions, p =>
        {
            Assert.InRange(p.Lat, 51.77, 51.82);
            Assert.InRange(p.Lon, -0.11, -0.05);
        });
        Assert.Contains(positions, p => p.Mode.Contains('3', StringComparison.Ordinal));
        Assert.Equal(positions.Count, positions.Select(p => p.MessageId).Distinct().Count());

        var device = await system.Fleet.GetJsonAsync("/api/devices/car-flow", TestContext.Current.CancellationToken);
        Assert.True(device.GetProperty("online").GetBoolean());
        Assert.Equal(JsonValueKind.String, device.GetProperty("registeredAt").ValueKind); // the gRPC registration happened
        Assert.Equal(JsonValueKind.Object, device.GetProperty("lastPosition").ValueKind);

        // The launcher signed in with the administrator token it created; without one the same API refuses.
        using var anonymous = BearerHttpClient.Create(system.Fleet.Http.BaseAddress!, token: null, trustedRoot: System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(system.Fleet.CaCertificateFile));
        var refused = await anonymous.GetAsync("/api/devices/car-flow", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.True(File.Exists(system.Fleet.AdminPasswordFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(system.Fleet.AdminTokenFile));
        }
    }
}
