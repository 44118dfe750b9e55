using EdgeGateway.Cli;

namespace FleetControl.Auth;

/// <summary><c>audit verify</c>: checks the audit log's hash chain; see <see cref="AccountsCommand"/>.</summary>
internal sealed class AuditVerifyVerb : CliVerb
{
    public override string Path => "audit verify";

    public override string GroupDescription => "The audit log";

    public override string Description => "Check the audit log's hash chain end to end. Exit 0 intact, 2 broken";

    public override bool AcceptsSettings => true;

    public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken) =>
        AccountsCommand.RunAsync("audit", ["verify", .. call.Settings], call.Input, call.Output, call.Error, cancellationToken);
}
