using System.ComponentModel.DataAnnotations;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Uplink.Routing;

namespace EdgeGateway.Tests.Uplink.Routing;

/// <summary>Which classes go over TETRA, and when.</summary>
public sealed class BearerRoutingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(PriorityClass.Emergency, true, false)]
    [InlineData(PriorityClass.Emergency, false, true)]
    [InlineData(PriorityClass.Alert, true, false)]
    [InlineData(PriorityClass.Alert, false, true)]
    [InlineData(PriorityClass.Event, false, true)]
    [InlineData(PriorityClass.Read, false, false)]
    [InlineData(PriorityClass.Telemetry, false, true)]
    [InlineData(PriorityClass.Telemetry, true, false)]
    [InlineData(PriorityClass.Bulk, false, false)]
    public void Defaults_FollowTheRoutingTable(PriorityClass priority, bool ipLinkUp, bool expected)
    {
        var policy = new BearerRoutingPolicy(new RoutingOptions());

        Assert.Equal(expected, policy.UseTetra(priority, ipLinkUp, tetraAvailable: true));
        Assert.False(policy.UseTetra(priority, ipLinkUp, tetraAvailable: false));
    }

    [Theory]
    [InlineData(PriorityClass.Bulk)]
    [InlineData(PriorityClass.Read)]
    public void Options_BulkOrReadOverTetra_AreRefusedNamingTheSetting(PriorityClass priority)
    {
        var options = new RoutingOptions();
        options.Tetra[priority] = TetraRoute.WhenLteDown;

        var errors = options.Validate(new ValidationContext(options)).ToList();

        var error = Assert.Single(errors);
        Assert.Contains($"Routing:Tetra:{priority}", error.ErrorMessage, StringComparison.Ordinal);
    }
}
