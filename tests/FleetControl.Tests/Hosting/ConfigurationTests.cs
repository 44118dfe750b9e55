using FleetControl.Hosting;
using FleetControl.Ingest;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Hosting;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("--FleetControl:HttpPort=abc", "FleetControl:HttpPort")]
    [InlineData("--FleetControl:GrpcPort=70000", "FleetControl:GrpcPort")]
    [InlineData("--FleetControl:CommitDurationTarget=00:00:00", "FleetControl:CommitDurationTarget")]
    [InlineData("--FleetControl:BindAddress=nowhere", "FleetControl:BindAddress")]
    [InlineData("--FleetControl:BindAddress=0.0.0.0 --Identity:DevelopmentPlaintext=true", "TLS is not configured")]
    [InlineData("--Auth:InsecureDevelopmentOverride=true", "Auth:InsecureDevelopmentOverride is refused unless the environment is Development")]
    [InlineData("--Auth:Oidc:Authority=http://idp.example", "Auth:Oidc:Authority must be https")]
    [InlineData("--Auth:MaxFailedSignIns=0", "Auth:MaxFailedSignIns")]
    [InlineData("--Mqtt:Mode=Carrier-Pigeon", "Mqtt:Mode")]
    [InlineData("--Mqtt:SessionExpiry=00:00:00", "Mqtt:SessionExpiry")]
    [InlineData("--Mqtt:SharedSubscriptionGroup=a/b", "Mqtt:SharedSubscriptionGroup")]
    [InlineData("--Store:Provider=Carrier-Pigeon", "Store:Provider")]
    [InlineData("--Store:Provider=PostgreSql", "Store:ConnectionString is required")]
    [InlineData("--Store:Retention=01:00:00", "Store:Retention")]
    public async Task Run_BadSetting_RefusesToStartNamingIt(string badArgument, string setting)
    {
        using var data = new TempDirectory();
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        int exitCode;
        try
        {
            exitCode = await FleetControlProgram.RunAsync(
                [$"--FleetControl:DataDirectory={data.Path}", $"--Mqtt:Port={FreePort.Next()}", "--Logging:LogLevel:Default=None", .. badArgument.Split(' ')])
                .WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.Equal(FleetControlProgram.ExitBadConfiguration, exitCode);
        Assert.Contains(setting, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Filters_SharedGroup_PrefixedWithShare()
    {
        var (main, events) = MqttIngestClient.BuildFilters("fleet-a", eventsSession: true);

        Assert.Equal(4, main.Count); // telemetry, bulk, status, command results
        Assert.Equal(["$share/fleet-a/fleet/v1/+/events/#"], events);
        Assert.All(main, f => Assert.StartsWith("$share/fleet-a/fleet/v1/+/", f, StringComparison.Ordinal));
    }

    [Fact]
    public void Filters_EventsSessionOff_MainConnectionTakesEverything()
    {
        var (main, events) = MqttIngestClient.BuildFilters(sharedGroup: null, eventsSession: false);

        Assert.Equal(5, main.Count); // uplink categories, status, command results
        Assert.Contains("fleet/v1/+/events/#", main);
        Assert.Empty(events);
    }
}
