using FleetControl.Identity;
using FleetControl.Tests.Store.PostgreSql;
using Npgsql;

namespace FleetControl.Tests.Identity;

/// <summary>
/// The registry contract on the shared database, every "instance" with its own connection pool; plus what only the
/// shared database must withstand: a long-running instance seeing another's revocation, and instances redeeming one
/// token at once.
/// </summary>
public sealed class PostgreSqlEnrolmentRegistryTests(PostgreSqlCluster cluster) : EnrolmentRegistryContractTests
{
    private readonly List<NpgsqlDataSource> _sources = [];
    private string _connectionString = string.Empty;

    private protected override async Task CreateAsync()
    {
        var first = await PostgreSqlTestDatabase.CreateAsync(cluster);
        _connectionString = first.ConnectionString;
        _sources.Add(first);
    }

    private protected override EnrolmentRegistry OpenInstance()
    {
        var source = NpgsqlDataSource.Create(_connectionString);
        _sources.Add(source);
        return new PostgreSqlEnrolmentRegistry(source, Clock);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
        {
            await source.DisposeAsync();
        }
    }

    [Fact]
    public void Revocation_ThroughB_SeenAtOnceByARunningA()
    {
        var a = OpenInstance();
        var b = OpenInstance();
        a.RecordIssued("car-1", "0A1B2C", Clock.GetUtcNow().AddDays(30));
        Assert.False(a.IsRevoked("0A1B2C"));
        var revoked = new List<string>();
        a.DeviceRevoked += revoked.Add;

        Assert.Equal(1, b.Revoke("car-1"));

        Assert.True(a.IsRevoked("0A1B2C"));
        Assert.Equal(["0A1B2C"], a.RevokedSerials().Select(r => r.Serial));
        Assert.Empty(revoked); // the event is the revoking instance's; the others see the revocation on the next check
    }

    [Fact]
    public async Task Token_RedeemedByThreeInstancesAtOnceWithThreeKeys_UsedOnce()
    {
        var (token, _) = OpenInstance().CreateToken("car-1", TimeSpan.FromHours(1));
        var instances = Enumerable.Range(0, 3).Select(_ => OpenInstance()).ToList();

        var outcomes = await Task.WhenAll(instances.Select((registry, i) => Task.Run(() => registry.TryRedeem("car-1", token, "KEY" + i, out _), TestContext.Current.CancellationToken)))
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Single(outcomes, redeemed => redeemed);
    }

    [Fact]
    public async Task EveryQuery_UsesAnIndex()
    {
        (string Sql, string Parameter, object Value)[] queries =
        [
            (PostgreSqlEnrolmentRegistry.IsRevokedSql, "serial", "0A1B2C"),
            (PostgreSqlEnrolmentRegistry.RevokedSql, "unused", 0),
            (PostgreSqlEnrolmentRegistry.FindSql, "id", "car-1"),
        ];
        await using var connection = await _sources[0].OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        foreach (var (sql, parameter, value) in queries)
        {
            await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
            if (sql.Contains('@' + parameter, StringComparison.Ordinal))
            {
                explain.Parameters.AddWithValue(parameter, value);
            }

            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync(TestContext.Current.CancellationToken))
            {
                while (await reader.ReadAsync(TestContext.Current.CancellationToken))
                {
                    plan.Add(reader.GetString(0));
                }
            }

            var text = string.Join('\n', plan);
            Assert.True(text.Contains("Index", StringComparison.Ordinal) && !text.Contains("Seq Scan", StringComparison.Ordinal), $"{sql}: no index in\n{text}");
        }
    }

    [Fact]
    public void Import_DevicesJsonOfAnInstanceMovingToTheSharedDatabase_RevocationsKept_FileSetAside()
    {
        using var dir = new TempDirectory();
        var file = new FileEnrolmentRegistry(dir.Path, Clock);
        var notAfter = Clock.GetUtcNow().AddDays(30);
        file.RecordIssued("car-1", "0A1B2C", notAfter);
        file.Revoke("car-1");
        file.RecordIssued("car-2", "3D4E5F", notAfter);
        var (token, _) = file.CreateToken("car-3", TimeSpan.FromHours(1));
        var shared = (PostgreSqlEnrolmentRegistry)OpenInstance();
        shared.RecordIssued("car-2", "6A7B8C", notAfter);

        Assert.Equal(3, shared.Import(new FileEnrolmentRegistry(dir.Path, Clock)));
        Assert.Equal(0, shared.Import(new FileEnrolmentRegistry(dir.Path, Clock))); // once

        var other = OpenInstance();
        Assert.True(other.IsRevoked("0A1B2C"));
        Assert.Equal(new DeviceIdentityDto("car-2", false, null, 2, notAfter, 0), other.Describe("car-2"));
        Assert.True(other.TryRedeem("car-3", token, "KEY1", out var reason), reason);
        Assert.False(File.Exists(Path.Combine(dir.Path, "devices.json")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "devices.json.imported")));
    }
}
