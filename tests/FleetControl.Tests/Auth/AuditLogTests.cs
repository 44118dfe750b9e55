using System.Text;
using FleetControl.Auth;
using Microsoft.Extensions.Time.Testing;

namespace FleetControl.Tests.Auth;

/// <summary>The audit log is a hash chain: any edit, deletion or reordering is found.</summary>
public sealed class AuditLogTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private async Task<AuditLog> WriteThreeAsync()
    {
        var log = new FileAuditLog(Path.Combine(_dir.Path, "audit.jsonl"), _time);
        foreach (var id in new[] { "ev-1", "ev-2", "ev-3" })
        {
            await log.AppendAsync(new AuditEvent("officer", "evidence.viewed", id, "ok", "127.0.0.1"), TestContext.Current.CancellationToken);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        return log;
    }

    [Fact]
    public async Task Appends_LinkAndVerify_AndReadNewestFirst()
    {
        var log = await WriteThreeAsync();

        // A second writer (another process: the accounts command) continues the same chain.
        var other = new FileAuditLog(log.Path, _time);
        await other.AppendAsync(new AuditEvent("local:root", "account.added", "bob", "ok", "local"), TestContext.Current.CancellationToken);

        Assert.Equal(new AuditVerification(true, 4, null), log.Verify());
        var newest = log.ReadNewest(10, null);
        Assert.Equal([4L, 3, 2, 1], newest.Select(e => e.Sequence));
        Assert.Equal(AuditLog.Genesis, newest[^1].Previous);
        Assert.Equal(["ev-3", "ev-2", "ev-1"], log.ReadNewest(10, "evidence.").Select(e => e.Target));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(log.Path));
        }
    }

    [Fact]
    public async Task EditedLine_FailsVerification()
    {
        var log = await WriteThreeAsync();
        var text = await File.ReadAllTextAsync(log.Path, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(log.Path, text.Replace("\"ev-2\"", "\"ev-9\"", StringComparison.Ordinal), TestContext.Current.CancellationToken);

        var result = log.Verify();
        Assert.False(result.Ok);
        Assert.Contains("line 2", result.Problem, StringComparison.Ordinal);
        Assert.Contains("edited", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemovedLine_FailsVerification()
    {
        var log = await WriteThreeAsync();
        var lines = await File.ReadAllLinesAsync(log.Path, TestContext.Current.CancellationToken);
        await File.WriteAllLinesAsync(log.Path, [lines[0], lines[2]], Encoding.UTF8, TestContext.Current.CancellationToken);

        var result = log.Verify();
        Assert.False(result.Ok);
        Assert.Contains("does not link", result.Problem, StringComparison.Ordinal);
    }
}
