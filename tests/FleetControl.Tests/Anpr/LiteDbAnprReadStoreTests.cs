using FleetControl.Anpr;

namespace FleetControl.Tests.Anpr;

/// <summary>The ANPR read store contract on the embedded LiteDB store (<c>anpr.db</c>).</summary>
public sealed class LiteDbAnprReadStoreTests : AnprReadStoreContractTests
{
    private readonly TempDirectory _dir = new();
    private AnprLiteDatabase? _database;

    private protected override Task<IAnprReadStore> CreateStoreAsync()
    {
        _database = new AnprLiteDatabase(_dir.Path);
        return Task.FromResult<IAnprReadStore>(new LiteDbAnprReadStore(_database));
    }

    private protected override Task<IAnprReadStore> ReopenAsync(IAnprReadStore store)
    {
        _database!.Dispose();
        return CreateStoreAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _database?.Dispose();
        _dir.Dispose();
    }
}
