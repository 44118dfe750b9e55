using System.Net;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Auth;

/// <summary>The development override is named as one, only works in Development, and says so loudly.</summary>
public sealed class DevelopmentOverrideTests
{
    [Fact]
    public async Task InDevelopment_AnonymousIsAdministrator_LoggedAndMarked()
    {
        using var data = new TempDirectory();
        await using var fleet = await FleetControlInstance.StartAsync(
            data.Path, FreePort.Next(), "--environment=Development", "--Auth:InsecureDevelopmentOverride=true");

        using var anonymous = fleet.ClientFor(null);
        var response = await anonymous.GetAsync("/api/audit", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("X-FleetControl-Insecure"));
        Assert.Contains(fleet.Logs.Entries, e => e.Contains("INSECURE DEVELOPMENT OVERRIDE", StringComparison.Ordinal));
    }
}
