using System.CommandLine;
using EdgeGateway.Cli;

namespace EdgeGateway.Health;

/// <summary><c>health [--data DIR] [--json] [--stale-after hh:mm:ss]</c>: see <see cref="HealthCommand"/> for the exit codes.</summary>
internal sealed class HealthVerb : CliVerb
{
    public override string Path => "health";

    public override string Description =>
        "Print the running gateway's health (link, durability, backlog per class, GNSS, last contact). Exit 0 healthy, 1 no report, 3 stale, 4 degraded";

    public override bool AcceptsSettings => true;

    public override void Define(Command command)
    {
        command.Options.Add(new Option<string>("--data") { Description = "The gateway's data directory (default Gateway:DataDirectory from the configuration)", HelpName = "DIR" });
        command.Options.Add(new Option<bool>("--json") { Description = "Print the health file itself" });
        command.Options.Add(new Option<string>("--stale-after") { Description = "Report age that counts as stale (default three rewrite intervals)", HelpName = "hh:mm:ss" });
    }

    public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken) =>
        HealthCommand.RunAsync([.. call.Arguments, .. call.Settings], call.Output, call.Error, cancellationToken);
}
