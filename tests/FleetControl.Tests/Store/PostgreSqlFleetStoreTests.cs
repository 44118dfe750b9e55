using FleetControl.Store;
using FleetControl.Store.PostgreSql;
using FleetControl.Tests.Store.PostgreSql;
using Npgsql;

namespace FleetControl.Tests.Store;

/// <summary>The store contract on PostgreSQL (a private cluster for the test assembly, a database per test).</summary>
public sealed class PostgreSqlFleetStoreTests(PostgreSqlCluster cluster) : FleetStoreContractTests
{
    private NpgsqlDataSource? _dataSource;

    private protected override async Task<IFleetStore> CreateStoreAsync()
    {
        _dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        return new PostgreSqlFleetStore(_dataSource);
    }

    // Another instance on the same database: nothing is remembered in the process.
    private protected override Task<IFleetStore> ReopenAsync(IFleetStore store) =>
        Task.FromResult<IFleetStore>(new PostgreSqlFleetStore(_dataSource!));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}
