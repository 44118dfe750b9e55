using System.CommandLine;
using EdgeGateway.Cli;

namespace EdgeGateway.Devices.Gnss;

/// <summary><c>nmea decode FILE</c>: see <see cref="NmeaDecodeCommand"/>.</summary>
internal sealed class NmeaDecodeVerb : CliVerb
{
    public override string Path => "nmea decode";

    public override string GroupDescription => "NMEA 0183 tools";

    public override string Description => "Decode an NMEA 0183 capture into one gpsd-style TPV JSON line per fix";

    public override void Define(Command command) =>
        command.Arguments.Add(new Argument<string>("FILE") { Description = "The capture; lines starting with '#' are comments" });

    public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken) =>
        NmeaDecodeCommand.RunAsync([.. call.Arguments], call.Output, call.Error, cancellationToken);
}
