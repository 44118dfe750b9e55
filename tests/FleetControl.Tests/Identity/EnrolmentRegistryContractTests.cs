using FleetControl.Identity;
using Microsoft.Extensions.Time.Testing;

namespace FleetControl.Tests.Identity;

/// <summary>
/// What the enrolment registry must do on each backend (<see cref="FileEnrolmentRegistryTests"/>,
/// <see cref="PostgreSqlEnrolmentRegistryTests"/>). "Another instance" opens the same data again: after a restart on
/// one machine, or beside the first on the shared database.
/// </summary>
public abstract class EnrolmentRegistryContractTests : IAsyncLifetime
{
    private protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero));

    /// <summary>A registry over the same data as every other call.</summary>
    private protected abstract EnrolmentRegistry OpenInstance();

    /// <summary>Prepares empty data.</summary>
    private protected abstract Task CreateAsync();

    public async ValueTask InitializeAsync() => await CreateAsync();

    public abstract ValueTask DisposeAsync();

    [Fact]
    public void Token_IssuedOnOneInstance_RedeemedOnceOnAnother_OnlyTheSameKeyMayAskAgain()
    {
        var (token, expires) = OpenInstance().CreateToken("car-1", TimeSpan.FromHours(1));
        Assert.Equal(Clock.GetUtcNow().AddHours(1), expires);
        Assert.True(OpenInstance().Describe("car-1")!.EnrolmentPending);

        var b = OpenInstance();
        Assert.False(b.TryRedeem("car-1", "not-the-token", "KEY1", out var wrong));
        Assert.Equal("the enrolment token is not the one issued to this device", wrong);
        Assert.False(b.TryRedeem("car-2", token, "KEY1", out _));
        Assert.True(b.TryRedeem("car-1", token, "KEY1", out var reason), reason);

        var c = OpenInstance();
        Assert.False(c.TryRedeem("car-1", token, "KEY2", out var replay));
        Assert.StartsWith("no enrolment token is pending", replay, StringComparison.Ordinal);
        Assert.True(c.TryRedeem("car-1", token, "KEY1", out _)); // the same key after a crash
        Assert.False(c.Describe("car-1")!.EnrolmentPending);
        Assert.Null(c.Describe("car-2")); // asking about a stranger stores nothing
    }

    [Fact]
    public void Token_Expired_RefusedAndSpent()
    {
        var (token, _) = OpenInstance().CreateToken("car-1", TimeSpan.FromMinutes(5));
        Clock.Advance(TimeSpan.FromMinutes(6));

        var b = OpenInstance();
        Assert.False(b.TryRedeem("car-1", token, "KEY1", out var reason));
        Assert.Equal("the enrolment token has expired", reason);
        Assert.False(OpenInstance().TryRedeem("car-1", token, "KEY1", out _));
    }

    [Fact]
    public void Revocation_ThroughAnotherInstance_CoversEveryCertificate_SeenByAThird()
    {
        var a = OpenInstance();
        var notAfter = Clock.GetUtcNow().AddDays(30);
        a.RecordIssued("car-1", "0A1B2C", notAfter);
        a.RecordIssued("car-1", "3D4E5F", notAfter);
        a.RecordIssued("car-2", "6A7B8C", notAfter);
        var (token, _) = a.CreateToken("car-1", TimeSpan.FromHours(1));

        Assert.Equal(2, OpenInstance().Revoke("car-1"));
        Assert.Equal(0, OpenInstance().Revoke("never-heard-of"));

        var c = OpenInstance();
        Assert.True(c.IsRevoked("0A1B2C"));
        Assert.True(c.IsRevoked("3d4e5f")); // hex in either case
        Assert.False(c.IsRevoked("6A7B8C"));
        Assert.Equal(["0A1B2C", "3D4E5F"], c.RevokedSerials().Select(r => r.Serial).Order());
        Assert.All(c.RevokedSerials(), r => Assert.Equal(Clock.GetUtcNow(), r.RevokedAt));
        Assert.Equal(new DeviceIdentityDto("car-1", false, null, 0, null, 2), c.Describe("car-1"));
        Assert.Equal(new DeviceIdentityDto("car-2", false, null, 1, notAfter, 0), c.Describe("car-2"));
        Assert.False(c.TryRedeem("car-1", token, "KEY1", out _)); // the pending token went with the revocation
        Assert.Null(c.Describe("never-heard-of"));
    }

    [Fact]
    public void Certificates_ExpiredForADay_Dropped()
    {
        var a = OpenInstance();
        a.RecordIssued("car-1", "0A", Clock.GetUtcNow().AddHours(1));
        a.Revoke("car-1");
        Clock.Advance(TimeSpan.FromDays(2));
        OpenInstance().RecordIssued("car-1", "0B", Clock.GetUtcNow().AddDays(30));

        var c = OpenInstance();
        Assert.Empty(c.RevokedSerials());
        Assert.Equal(new DeviceIdentityDto("car-1", false, null, 1, Clock.GetUtcNow().AddDays(30), 0), c.Describe("car-1"));
    }
}

/// <summary>The registry contract on the single-instance default, <c>identity/devices.json</c>.</summary>
public sealed class FileEnrolmentRegistryTests : EnrolmentRegistryContractTests
{
    private readonly TempDirectory _dir = new();

    private protected override EnrolmentRegistry OpenInstance() => new FileEnrolmentRegistry(_dir.Path, Clock);

    private protected override Task CreateAsync() => Task.CompletedTask;

    public override ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
