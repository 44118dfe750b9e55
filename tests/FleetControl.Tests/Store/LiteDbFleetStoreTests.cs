using FleetControl.Store;

namespace FleetControl.Tests.Store;

/// <summary>The store contract on the embedded LiteDB store.</summary>
public sealed class LiteDbFleetStoreTests : FleetStoreContractTests
{
    private readonly TempDirectory _dir = new();

    private protected override Task<IFleetStore> CreateStoreAsync() =>
        Task.FromResult<IFleetStore>(new LiteDbFleetStore(Path.Combine(_dir.Path, "fleet.db")));

    private protected override Task<IFleetStore> ReopenAsync(IFleetStore store)
    {
        var path = ((LiteDbFleetStore)store).DatabasePath;
        ((LiteDbFleetStore)store).Dispose();
        return Task.FromResult<IFleetStore>(new LiteDbFleetStore(path));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _dir.Dispose();
    }
}
