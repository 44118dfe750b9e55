using System.CommandLine;
using EdgeGateway.Cli;

namespace FleetControl.Auth;

/// <summary><c>accounts list|add|set-password|set-role|remove|token|revoke-token</c>: see <see cref="AccountsCommand"/>.</summary>
internal sealed class AccountsVerb : CliVerb
{
    public override string Path => "accounts";

    public override string Description => "Local engineer accounts and API tokens (a running server applies changes at once)";

    public override bool AcceptsSettings => true;

    public override void Define(Command command)
    {
        static Argument<string> Name() => new("NAME") { Description = "Account name (1-64 of a-z, 0-9, '.', '_', '@', '-')" };
        static Option<string> Role() => new("--role") { Description = $"One of {string.Join(", ", Roles.All)}", Required = true };
        static Option<string> PasswordFile() => new("--password-file") { Description = "Read the password from the first line of FILE (default: standard input)", HelpName = "FILE" };

        command.Subcommands.Add(new Command("list", "Every account: role, password set, token ids"));
        command.Subcommands.Add(new Command("add", "Add an account; the password comes from standard input or --password-file")
        {
            Name(), Role(), PasswordFile(), new Option<bool>("--no-password") { Description = "An account that uses API tokens only" },
        });
        command.Subcommands.Add(new Command("set-password", "Change an account's password") { Name(), PasswordFile() });
        command.Subcommands.Add(new Command("set-role", "Change an account's role") { Name(), Role() });
        command.Subcommands.Add(new Command("remove", "Remove an account and its tokens") { Name() });
        command.Subcommands.Add(new Command("token", "Issue an API token, shown once (or written to a 0600 file)")
        {
            Name(),
            new Option<string>("--expires-days") { Description = "Lifetime in days, 1-3650", HelpName = "N" },
            new Option<string>("--out") { Description = "Write the token to FILE (mode 0600) instead of printing it", HelpName = "FILE" },
        });
        command.Subcommands.Add(new Command("revoke-token", "Revoke one API token") { Name(), new Argument<string>("TOKEN_ID") { Description = "The token's id (accounts list)" } });
    }

    public override Task<int> RunAsync(CliCall call, CancellationToken cancellationToken) =>
        AccountsCommand.RunAsync("accounts", [.. call.Arguments, .. call.Settings], call.Input, call.Output, call.Error, cancellationToken);
}
