using EdgeGateway.Commands;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.InCarVideo;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Tests.Devices.InCarVideo;

public sealed class StartRecordingCommandTests
{
    [Fact]
    public async Task StartRecording_FromFleetControl_BecomesAnOperatorTriggerWithTheCommandId()
    {
        await using var harness = await TriggerHarness.StartAsync(new Dictionary<string, string?>());
        var handler = Assert.Single(harness.Services.GetServices<ICommandHandler>(), h => h.Kind == Command.BodyOneofCase.StartRecording);

        var result = await handler.HandleAsync(
            new Command { CommandId = "cmd-42", StartRecording = new StartRecordingCommand { Reason = "control room: pursuit" } },
            TestContext.Current.CancellationToken).WaitAsync(TriggerHarness.Timeout, TestContext.Current.CancellationToken);

        var trigger = Assert.Single(await harness.TriggersAsync(TriggerSources.Operator, 1));
        Assert.Equal("pulse", trigger.Attributes["state"]);
        Assert.Equal("cmd-42", trigger.Attributes["command_id"]);
        Assert.Equal("control room: pursuit", trigger.Attributes["reason"]);
        Assert.True(result.Succeeded);
        Assert.Equal("operator", result.Details!["trigger"]);
    }
}
