namespace FleetControl.Auth;

/// <summary>The accounts file's content (<c>accounts.json</c>).</summary>
internal sealed class AccountsDocument
{
    public int Version { get; set; } = 1;

    public List<AccountRecord> Accounts { get; set; } = [];
}
