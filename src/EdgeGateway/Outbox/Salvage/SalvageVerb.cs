using System.CommandLine;
using EdgeGateway.Cli;

namespace EdgeGateway.Outbox.Salvage;

/// <summary><c>salvage FILE [--data DIR] [--Section:Key=value ...]</c>: see <see cref="SalvageCommand"/>.</summary>
internal sealed class SalvageVerb : CliVerb
{
    public override string Path => "salvage";

    public override string Description => "Put every intact message of a damaged outbox file into the gateway's outbox (stop the gateway first)";

    public override bool AcceptsSettings => true;

    public override void Define(Command command)
    {
        command.Arguments.Add(new Argument<string>("FILE") { Description = "The quarantined outbox file (outbox.db.quarantined-STAMP)" });
        command.Options.Add(new Option<string>("--data") { Description = "The gateway's data directory (default Gateway:DataDirectory)", HelpName = "DIR" });
    }

    public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken) =>
        SalvageCommand.RunAsync([.. call.Arguments, .. call.Settings], call.Output, call.Error, cancellationToken);
}
