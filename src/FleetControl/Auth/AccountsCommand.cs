using System.Globalization;
using FleetControl.Hosting;
using FleetControl.Store;
using FleetControl.Store.PostgreSql;
using Npgsql;

namespace FleetControl.Auth;

/// <summary>
/// <c>FleetControl accounts ...</c> and <c>FleetControl audit verify</c>: local accounts and API tokens, managed
/// on the server's machine (a running server picks changes up at once). Passwords are read from a file or
/// standard input, never from the command line (where <c>ps</c> would show them); tokens are printed once or
/// written to a 0600 file. Every change is written to the audit log. Settings (<c>--FleetControl:DataDirectory=...</c>,
/// <c>Auth:AccountsFile</c>, environment variables, <c>/etc/fleetcontrol</c>) resolve as for the server.
/// </summary>
internal static class AccountsCommand
{
    public const int ExitOk = 0;
    public const int ExitUsage = 1;
    public const int ExitRefused = 2;

    public const string Usage = """
        usage: FleetControl accounts list
               FleetControl accounts add NAME --role ROLE [--password-file FILE | --no-password]
               FleetControl accounts set-password NAME [--password-file FILE]
               FleetControl accounts set-role NAME --role ROLE
               FleetControl accounts remove NAME
               FleetControl accounts token NAME [--expires-days N] [--out FILE]
               FleetControl accounts revoke-token NAME TOKEN_ID
               FleetControl audit verify
          ROLE is viewer, engineer, evidence-officer or administrator.
          The password is the first line of FILE, or of standard input without --password-file (at least 12 characters).
          --no-password makes an account that uses API tokens only. A token is printed once, or written to FILE (mode 0600).
          Server settings may follow, e.g. --FleetControl:DataDirectory=/var/lib/fleetcontrol/data.
        """;

    /// <summary>Runs one command; <paramref name="args"/> starts after "accounts" (or is ["verify"] for "audit").</summary>
    public static async Task<int> RunAsync(string area, string[] args, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var settings = args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains(':', StringComparison.Ordinal)).ToArray();
        var words = args.Where(a => !settings.Contains(a)).ToList();
        var configuration = FleetControlHost.CreateBuilder(settings).Configuration;
        var fleet = configuration.GetSection(FleetControlOptions.SectionName).Get<FleetControlOptions>() ?? new FleetControlOptions();
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        // With Store:Provider=PostgreSql the accounts and the audit chain are the shared database's, as for the server.
        var store = configuration.GetSection(StoreOptions.SectionName).Get<StoreOptions>() ?? new StoreOptions();
        await using var dataSource = store.Provider == StoreProvider.PostgreSql && store.ConnectionString is { Length: > 0 } connectionString
            ? NpgsqlDataSource.Create(connectionString)
            : null;
        if (dataSource is not null)
        {
            await PostgreSqlMigrations.MigrateAsync(dataSource, cancellationToken).ConfigureAwait(false);
        }

        AccountStore accounts = dataSource is null ? new FileAccountStore(AuthRegistration.AccountsPath(fleet, auth)) : new PostgreSqlAccountStore(dataSource);
        AuditLog audit = dataSource is null ? new FileAuditLog(AuthRegistration.AuditPath(fleet, auth), TimeProvider.System) : new PostgreSqlAuditLog(dataSource, TimeProvider.System);
        var actor = "local:" + Environment.UserName;

        try
        {
            switch (area, words)
            {
                case ("audit", ["verify"]):
                    var verification = audit.Verify();
                    await output.WriteLineAsync(verification.Ok
                        ? $"OK: {verification.Entries} audit record(s), chain intact ({audit.Path})"
                        : $"BROKEN: {verification.Problem} ({audit.Path})").ConfigureAwait(false);
                    return verification.Ok ? ExitOk : ExitRefused;

                case ("accounts", ["list"]):
                    await output.WriteLineAsync("name\trole\tpassword\ttokens").ConfigureAwait(false);
                    foreach (var a in accounts.List())
                    {
                        await output.WriteLineAsync($"{a.Name}\t{a.Role}\t{(a.PasswordHash is null ? "no" : "yes")}\t{string.Join(',', a.Tokens.Select(t => t.Id))}").ConfigureAwait(false);
                    }

                    return ExitOk;

                case ("accounts", ["add", var name, .. var rest]):
                {
                    var role = RequireRole(rest);
                    var hash = Has(rest, "--no-password") ? null : PasswordHasher.Hash(await ReadPasswordAsync(rest, input, cancellationToken).ConfigureAwait(false));
                    if (!AccountStore.IsValidName(name))
                    {
                        throw new CommandException(ExitUsage, $"'{name}' is not a valid account name (1-64 of a-z, 0-9, '.', '_', '@', '-').");
                    }

                    await accounts.UpdateAsync(d =>
                    {
                        if (d.Accounts.Exists(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)))
                        {
                            throw new CommandException(ExitRefused, $"account '{name}' already exists.");
                        }

                        d.Accounts.Add(new AccountRecord { Name = name, Role = role, PasswordHash = hash, CreatedAt = TimeProvider.System.GetUtcNow() });
                        return true;
                    }, cancellationToken).ConfigureAwait(false);
                    await RecordAsync(audit, actor, "account.added", name, $"role {role}{(hash is null ? ", tokens only" : string.Empty)}", cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"added {name} ({role}) to {accounts.Path}").ConfigureAwait(false);
                    return ExitOk;
                }

                case ("accounts", ["set-password", var name, .. var rest]):
                {
                    var hash = PasswordHasher.Hash(await ReadPasswordAsync(rest, input, cancellationToken).ConfigureAwait(false));
                    await ChangeAsync(accounts, name, a => a.PasswordHash = hash, cancellationToken).ConfigureAwait(false);
                    await RecordAsync(audit, actor, "account.password-changed", name, null, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"password of {name} changed").ConfigureAwait(false);
                    return ExitOk;
                }

                case ("accounts", ["set-role", var name, .. var rest]):
                {
                    var role = RequireRole(rest);
                    await ChangeAsync(accounts, name, a => a.Role = role, cancellationToken).ConfigureAwait(false);
                    await RecordAsync(audit, actor, "account.role-changed", name, $"role {role}", cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"{name} is now {role}").ConfigureAwait(false);
                    return ExitOk;
                }

                case ("accounts", ["remove", var name]):
                    await accounts.UpdateAsync(d => d.Accounts.RemoveAll(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)) > 0
                        ? true
                        : throw new CommandException(ExitRefused, $"no account '{name}'."), cancellationToken).ConfigureAwait(false);
                    await RecordAsync(audit, actor, "account.removed", name, null, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"removed {name}").ConfigureAwait(false);
                    return ExitOk;

                case ("accounts", ["token", var name, .. var rest]):
                {
                    var days = Value(rest, "--expires-days") is { } d
                        ? (int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 3650 ? n : throw new CommandException(ExitUsage, "--expires-days must be 1-3650."))
                        : (int?)null;
                    var now = TimeProvider.System.GetUtcNow();
                    var (token, record) = ApiTokens.Create(now, days is { } x ? now.AddDays(x) : null);
                    await ChangeAsync(accounts, name, a => a.Tokens.Add(record), cancellationToken).ConfigureAwait(false);
                    await RecordAsync(audit, actor, "token.issued", name, $"token {record.Id}{(record.ExpiresAt is { } e ? $", expires {e:O}" : string.Empty)}", cancellationToken).ConfigureAwait(false);
                    if (Value(rest, "--out") is { } path)
                    {
                        await using (var file = OwnerOnlyFile.Open(path, FileMode.Create, FileAccess.Write))
                        await using (var writer = new StreamWriter(file))
                        {
                            await writer.WriteLineAsync(token).ConfigureAwait(false);
                        }

                        await output.WriteLineAsync($"token {record.Id} for {name} written to {Path.GetFullPath(path)}").ConfigureAwait(false);
                    }
                    else
                    {
                        await output.WriteLineAsync(token).ConfigureAwait(false);
                    }

                    return ExitOk;
                }

                case ("accounts", ["revoke-token", var name, var id]):
                    await ChangeAsync(accounts, name, a =>
                    {
                        if (a.Tokens.RemoveAll(t => t.Id == id) == 0)
                        {
                            throw new CommandException(ExitRefused, $"{name} has no token {id}.");
                        }
                    }, cancellationToken).ConfigureAwait(false);
                    await RecordAsync(audit, actor, "token.revoked", name, $"token {id}", cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"revoked token {id} of {name}").ConfigureAwait(false);
                    return ExitOk;

                default:
                    await error.WriteLineAsync(Usage).ConfigureAwait(false);
                    return ExitUsage;
            }
        }
        catch (CommandException ex)
        {
            await error.WriteLineAsync($"FleetControl {area}: {ex.Message}").ConfigureAwait(false);
            return ex.ExitCode;
        }
        catch (InvalidDataException ex)
        {
            await error.WriteLineAsync($"FleetControl {area}: {ex.Message}").ConfigureAwait(false);
            return ExitRefused;
        }
    }

    private static Task ChangeAsync(AccountStore accounts, string name, Action<AccountRecord> change, CancellationToken cancellationToken) =>
        accounts.UpdateAsync(d =>
        {
            var account = d.Accounts.Find(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new CommandException(ExitRefused, $"no account '{name}'.");
            change(account);
            return true;
        }, cancellationToken);

    private static Task RecordAsync(AuditLog audit, string actor, string action, string target, string? detail, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditEvent(actor, action, target, "ok", "local", detail), cancellationToken);

    private static string RequireRole(IReadOnlyList<string> args) =>
        Roles.Normalise(Value(args, "--role")) ?? throw new CommandException(ExitUsage, $"--role must be one of {string.Join(", ", Roles.All)}.");

    private static async Task<string> ReadPasswordAsync(IReadOnlyList<string> args, TextReader input, CancellationToken cancellationToken)
    {
        string? password;
        if (Value(args, "--password-file") is { } file)
        {
            if (!File.Exists(file))
            {
                throw new CommandException(ExitUsage, $"password file {file} does not exist.");
            }

            using var reader = new StreamReader(file);
            password = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            password = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }

        return password is { Length: >= PasswordHasher.MinimumLength }
            ? password
            : throw new CommandException(ExitUsage, $"the password must have at least {PasswordHasher.MinimumLength} characters.");
    }

    private static bool Has(IReadOnlyList<string> args, string flag) => args.Contains(flag, StringComparer.Ordinal);

    private static string? Value(IReadOnlyList<string> args, string option)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == option)
            {
                return args[i + 1];
            }
        }

        return null;
    }

    private sealed class CommandException(int exitCode, string message) : Exception(message)
    {
        public int ExitCode { get; } = exitCode;
    }
}
