using System.CommandLine;
using EdgeGateway.Cli;

namespace FleetControl.Evidence;

/// <summary><c>evidence verify EVIDENCE_ID [--vault DIR] [--identity DIR] [--accept-unsigned]</c>: see <see cref="EvidenceVerifyCommand"/>.</summary>
internal sealed class EvidenceVerifyVerb : CliVerb
{
    public override string Path => "evidence verify";

    public override string GroupDescription => "Evidence in the vault";

    public override string Description => "Verify one evidence item end to end: SHA-256 against the receipt, and the custody chain. Exit 0 OK, 1 broken";

    public override void Define(Command command)
    {
        command.Arguments.Add(new Argument<string>("EVIDENCE_ID") { Description = "The evidence id" });
        command.Options.Add(new Option<string>("--vault") { Description = "The vault directory (default Evidence:VaultDirectory)", HelpName = "DIR" });
        command.Options.Add(new Option<string>("--identity") { Description = "FleetControl's identity directory, whose CA and issued certificates check the custody signatures (default {DataDirectory}/identity)", HelpName = "DIR" });
        command.Options.Add(new Option<bool>("--accept-unsigned") { Description = "Accept unsigned custody entries (chains written before custody was signed)" });
    }

    public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken) =>
        EvidenceVerifyCommand.RunAsync([.. call.Arguments], call.Output, call.Error, cancellationToken);
}
