using EdgeGateway.Contracts.V1;
using FleetControl.Commands;

namespace FleetControl.Tests.Commands;

public sealed class StartRecordingCommandTests
{
    [Fact]
    public void Build_StartRecording_CarriesTheReasonAndMapsBackToItsKind()
    {
        var (command, error) = CommandsApi.Build(new CommandRequest("start-recording", Reason: "control room: pursuit"));

        Assert.Null(error);
        Assert.Equal(Command.BodyOneofCase.StartRecording, command!.BodyCase);
        Assert.Equal("control room: pursuit", command.StartRecording.Reason);
        Assert.Equal("start-recording", CommandKinds.Of(command));
        Assert.Contains("start-recording", CommandKinds.Sendable);
    }
}
