using FleetControl.Store.PostgreSql;
using Npgsql;

namespace FleetControl.Tests.Store.PostgreSql;

/// <summary>A fresh database on the assembly's cluster, migrated to the latest schema.</summary>
internal static class PostgreSqlTestDatabase
{
    public static async Task<NpgsqlDataSource> CreateAsync(PostgreSqlCluster cluster, bool migrate = true)
    {
        var dataSource = NpgsqlDataSource.Create(await cluster.CreateDatabaseAsync());
        if (migrate)
        {
            await PostgreSqlMigrations.MigrateAsync(dataSource, TestContext.Current.CancellationToken);
        }

        return dataSource;
    }
}
