using System.Diagnostics;
using Npgsql;
using Xunit;

namespace EdgeGateway.Testing;

/// <summary>
/// A private PostgreSQL cluster (Debian's package, binaries from /usr/lib/postgresql/N/bin) in a temp
/// directory on a free loopback port, started once per test assembly (an xunit assembly fixture) and
/// stopped at the end; each test takes a fresh database from <see cref="CreateDatabaseAsync"/>. No
/// service, no root: as root (CI) the server runs as the package's <c>postgres</c> user through
/// <c>runuser</c>, since PostgreSQL refuses to run as root. fsync is off: the tests kill FleetControl
/// processes, never the database.
/// </summary>
public sealed class PostgreSqlCluster : IAsyncLifetime
{
    private const string SuperUser = "fleet";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "eg-postgres-" + Guid.NewGuid().ToString("N")[..12]);
    private string _bin = string.Empty;
    private int _databases;

    public int Port { get; private set; }

    /// <summary>fsync on (benchmarks measure a durable database); off by default for tests. Set before start.</summary>
    public bool Durable { get; init; }

    /// <summary>The postmaster's process id (its children are the server's other processes).</summary>
    public int PostmasterPid => int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    private string DataDirectory => Path.Combine(_root, "data");

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>The server's own connection string for database <paramref name="database"/>.</summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={SuperUser};Database={database};Pooling=true;Timeout=30;Command Timeout=60";

    public async ValueTask InitializeAsync()
    {
        _bin = FindBinaries();
        Port = FreePort.Next();
        Directory.CreateDirectory(_root);
        if (IsRoot)
        {
            await RunAsync("/usr/bin/chown", ["postgres:postgres", _root], asServer: false);
        }

        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", DataDirectory, "-U", SuperUser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asServer: true);
        await RunAsync(
            Path.Combine(_bin, "pg_ctl"),
            [
                "-D", DataDirectory, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "120",
                "-o", $"-k {_root} -p {Port} -c listen_addresses=127.0.0.1 -c max_connections=300" + (Durable ? string.Empty : " -c fsync=off -c full_page_writes=off"),
                "start",
            ],
            asServer: true);
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid().ToString("N")[..8]}";
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await cmd.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_bin.Length > 0 && Directory.Exists(DataDirectory))
        {
            try
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "60", "stop"], asServer: true);
            }
            catch (InvalidOperationException)
            {
                // Already stopped; the directory goes anyway.
            }
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort.
        }
    }

    private static string FindBinaries()
    {
        const string Root = "/usr/lib/postgresql";
        var bin = Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            $"No PostgreSQL server binaries under {Root}; install the Debian package 'postgresql' (eng/install-prerequisites.sh does).");
    }

    private static async Task RunAsync(string executable, IReadOnlyList<string> arguments, bool asServer)
    {
        var info = new ProcessStartInfo(asServer && IsRoot ? "/usr/sbin/runuser" : executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asServer && IsRoot)
        {
            info.ArgumentList.Add("-u");
            info.ArgumentList.Add("postgres");
            info.ArgumentList.Add("--");
            info.ArgumentList.Add(executable);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{executable} did not start");
        // pg_ctl's server inherits the pipes: read until the process exits, not to the end of the stream.
        var stdout = process.StandardOutput.ReadLineAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        if (process.ExitCode != 0)
        {
            var error = stderr.IsCompleted ? await stderr : string.Empty;
            throw new InvalidOperationException($"{Path.GetFileName(executable)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error}");
        }

        _ = stdout;
    }
}
