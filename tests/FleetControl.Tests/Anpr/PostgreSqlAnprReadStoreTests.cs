using FleetControl.Anpr;
using FleetControl.Anpr.PostgreSql;
using FleetControl.Tests.Store.PostgreSql;
using Npgsql;

namespace FleetControl.Tests.Anpr;

/// <summary>The ANPR read store contract on PostgreSQL (a database per test on the assembly's cluster; images in a temp vault).</summary>
public sealed class PostgreSqlAnprReadStoreTests(PostgreSqlCluster cluster) : AnprReadStoreContractTests
{
    private readonly TempDirectory _vault = new();
    private NpgsqlDataSource? _dataSource;

    private string ImageFolder => Path.Combine(_vault.Path, AnprRegistration.ImageFolderName);

    private protected override async Task<IAnprReadStore> CreateStoreAsync()
    {
        _dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        return new PostgreSqlAnprReadStore(_dataSource, ImageFolder);
    }

    // Another instance on the same database and vault: nothing is remembered in the process.
    private protected override Task<IAnprReadStore> ReopenAsync(IAnprReadStore store) =>
        Task.FromResult<IAnprReadStore>(new PostgreSqlAnprReadStore(_dataSource!, ImageFolder));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        _vault.Dispose();
    }
}
