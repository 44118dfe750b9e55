using EdgeGateway.Cli;

namespace EdgeGateway.Hosting;

/// <summary><c>run [--Section:Key=value ...]</c>, the default verb: runs the gateway service until SIGTERM / Ctrl+C.</summary>
internal sealed class RunVerb : CliVerb
{
    public override string Path => "run";

    public override string Description =>
        "Run the gateway service (the default when no command is named). Settings override the configuration files, e.g. --Gateway:DeviceId=vehicle-07";

    public override bool AcceptsSettings => true;

    public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken) =>
        GatewayProgram.RunServiceAsync([.. call.Settings], call.Error);
}
