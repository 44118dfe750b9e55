using System.CommandLine;
using EdgeGateway.Cli;

namespace EdgeGateway.Devices.Modem;

/// <summary><c>at decode FILE</c>: see <see cref="AtDecodeCommand"/>.</summary>
internal sealed class AtDecodeVerb : CliVerb
{
    public override string Path => "at decode";

    public override string GroupDescription => "AT command (modem, TETRA PEI) tools";

    public override string Description => "Decode a captured AT exchange into one JSON line per reply line";

    public override void Define(Command command) =>
        command.Arguments.Add(new Argument<string>("FILE") { Description = "The capture: echoes, replies, result codes" });

    public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken) =>
        AtDecodeCommand.RunAsync([.. call.Arguments], call.Output, call.Error, cancellationToken);
}
