using Npgsql;

namespace FleetControl.Store.PostgreSql;

/// <summary>Brings the PostgreSQL schema to the latest version before anything else starts (see <see cref="PostgreSqlMigrations"/>).</summary>
internal sealed class PostgreSqlMigrationService(NpgsqlDataSource dataSource, ILogger<PostgreSqlMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await PostgreSqlMigrations.MigrateAsync(dataSource, cancellationToken);
        Log.SchemaReady(logger, PostgreSqlMigrations.Latest, applied.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
