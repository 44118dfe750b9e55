using EdgeGateway.Cli;

namespace FleetControl.Hosting;

/// <summary><c>run [--Section:Key=value ...]</c>, the default verb: runs the FleetControl server until SIGTERM / Ctrl+C.</summary>
internal sealed class RunVerb : CliVerb
{
    public override string Path => "run";

    public override string Description =>
        "Run the FleetControl server (the default when no command is named). Settings override the configuration files, e.g. --FleetControl:HttpPort=5080";

    public override bool AcceptsSettings => true;

    public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken) =>
        FleetControlProgram.RunServerAsync([.. call.Settings], call.Error);
}
