using FleetControl.Alerts;
using FleetControl.Auth;
using FleetControl.Commands;

namespace FleetControl.Tests.Store;

/// <summary>The instance-state contract on the single-machine default: LiteDB files and the JSON accounts and audit files.</summary>
public sealed class LiteDbInstanceStateTests : InstanceStateContractTests
{
    private readonly TempDirectory _dir = new();
    private LiteDbCommandStore? _commands;
    private LiteDbAlertStore? _alerts;

    private protected override Task CreateAsync()
    {
        _commands = new LiteDbCommandStore(Path.Combine(_dir.Path, CommandStore.FileName));
        _alerts = new LiteDbAlertStore(Path.Combine(_dir.Path, AlertStore.FileName));
        return Task.CompletedTask;
    }

    // One machine has one instance, and LiteDB holds its file exclusively: every "instance" shares the open
    // stores; the accounts and audit files are opened afresh (the accounts command does so beside the server).
    private protected override (CommandStore Commands, AlertStore Alerts, AccountStore Accounts, AuditLog Audit) OpenInstance() =>
        (_commands!, _alerts!, new FileAccountStore(Path.Combine(_dir.Path, "accounts.json")), new FileAuditLog(Path.Combine(_dir.Path, "audit.jsonl"), TimeProvider.System));

    public override ValueTask DisposeAsync()
    {
        _commands?.Dispose();
        _alerts?.Dispose();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}
