using System.Text.Json;
using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;
using FleetCtl;

namespace FleetControl.Tests.Commands;

/// <summary>fleetctl against a real FleetControl and a device answering over the embedded broker.</summary>
public sealed class FleetCtlTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly int _mqttPort = FreePort.Next();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() => _fleet = await FleetControlInstance.StartAsync(_data.Path, _mqttPort);

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunAsAsync(FleetControl.Auth.Roles.Administrator, args);

    /// <summary>fleetctl with <paramref name="role"/>'s API token in a --token-file (none when null).</summary>
    private async Task<(int Code, string Out, string Err)> RunAsAsync(string? role, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var token = role is null ? [] : _fleet.TokenFileArguments(role, _data.Path);

        var code = await FleetCtlApp.RunAsync([.. args, "--url", _fleet.RestUri.ToString(), .. token], stdout, stderr, cancellationToken: TestContext.Current.CancellationToken)
            .WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task CommandSendWait_ExitCodeFollowsTheOutcome()
    {
        await using var device = await CommandDevice.ConnectAsync(_mqttPort, "car-1");
        await Eventually.UntilAsync(async () => (await _fleet.FindDeviceAsync("car-1"))?.GetProperty("online").GetBoolean() == true, "car-1 is online");

        var answering = Task.Run(async () =>
        {
            var ping = await device.NextCommandAsync();
            await device.AnswerAsync(ping, CommandOutcome.Succeeded);
            var restart = await device.NextCommandAsync();
            await device.AnswerAsync(restart, CommandOutcome.Failed, "refused in motion");
        }, TestContext.Current.CancellationToken);

        var ok = await RunAsync("command", "send", "car-1", "ping", "--payload", "hi", "--wait", "30");
        var failed = await RunAsync("command", "send", "car-1", "restart-service", "--wait", "30", "--json");
        await answering.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);

        Assert.Equal(0, ok.Code);
        Assert.Contains("succeeded", ok.Out, StringComparison.Ordinal);
        Assert.Equal(4, failed.Code);
        Assert.Equal("refused in motion", JsonDocument.Parse(failed.Out).RootElement.GetProperty("reason").GetString());

        var list = await RunAsync("devices", "list");
        Assert.Equal(0, list.Code);
        Assert.StartsWith("deviceId", list.Out, StringComparison.Ordinal);
        Assert.Contains("car-1", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_HaveMeaningfulExitCodes()
    {
        var unknownDevice = await RunAsync("command", "send", "nobody", "ping");
        var unknownAlert = await RunAsync("alerts", "ack", "nope");
        var badArguments = await RunAsync("command", "send");
        var missingFile = await RunAsync("config", "rollout", Path.Combine(_data.Path, "missing.json"), "--group", "all");
        var unknownRollout = await RunAsync("config", "rollout-status", "nope");

        Assert.Equal(3, unknownDevice.Code);
        Assert.Contains("unknown device 'nobody'", unknownDevice.Err, StringComparison.Ordinal);
        Assert.Equal(3, unknownAlert.Code);
        Assert.Equal(1, badArguments.Code);
        Assert.Equal(2, missingFile.Code);
        Assert.Equal(3, unknownRollout.Code);
        Assert.Contains("no rollout 'nope'", unknownRollout.Err, StringComparison.Ordinal);

        var unreachable = new StringWriter();
        var code = await FleetCtlApp.RunAsync(["devices", "list", "--url", $"http://127.0.0.1:{FreePort.Next()}"], new StringWriter(), unreachable, cancellationToken: TestContext.Current.CancellationToken)
            .WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        Assert.Equal(7, code);
        Assert.Contains("unreachable", unreachable.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTokenOrWithTheWrongRole_Exits8()
    {
        var anonymous = await RunAsAsync(null, "devices", "list");
        var viewer = await RunAsAsync(FleetControl.Auth.Roles.Viewer, "command", "send", "car-1", "ping");
        var viewerReads = await RunAsAsync(FleetControl.Auth.Roles.Viewer, "devices", "list");
        var missingFile = await RunAsAsync(null, "devices", "list", "--token-file", Path.Combine(_data.Path, "missing.token"));

        Assert.Equal(8, anonymous.Code);
        Assert.Contains("not signed in", anonymous.Err, StringComparison.Ordinal);
        Assert.Equal(8, viewer.Code);
        Assert.Contains("403", viewer.Err, StringComparison.Ordinal);
        Assert.Equal(0, viewerReads.Code);
        Assert.Equal(2, missingFile.Code);
    }
}
