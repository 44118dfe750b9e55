using System.Security.Cryptography;
using EdgeGateway.Commands;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Commands;

/// <summary>The gateway's command dispatcher and handlers in the real host's service container (not started).</summary>
public sealed class CommandDispatcherTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IHost BuildHost()
    {
        var builder = GatewayHost.CreateBuilder(["--Gateway:DeviceId=car-1", $"--Gateway:DataDirectory={_data.Path}", "--Security:DevelopmentPlaintext=true"]);
        builder.Services.AddSingleton<TimeProvider>(_time);
        return builder.Build();
    }

    private Command NewCommand(string id, Action<Command> body)
    {
        var command = new Command
        {
            CommandId = id,
            DeviceId = "car-1",
            IssuedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()),
            ExpiresAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddHours(1)),
        };
        body(command);
        return command;
    }

    [Fact]
    public async Task Ping_Succeeds_AndARepeatedIdIsAnsweredFromTheLogEvenAfterARestart()
    {
        var ping = NewCommand("c1", c => c.Ping = new PingCommand { Payload = "hello" });
        CommandResult first;
        using (var host = BuildHost())
        {
            var dispatcher = host.Services.GetRequiredService<CommandDispatcher>();
            Assert.Equal(CommandOutcome.Accepted, dispatcher.Accepted(ping).Outcome);
            first = await dispatcher.HandleAsync(ping, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        }

        Assert.Equal(CommandOutcome.Succeeded, first.Outcome);
        Assert.Equal("hello", first.Details["payload"]);

        _time.Advance(TimeSpan.FromMinutes(5));
        using var restarted = BuildHost();
        var again = await restarted.Services.GetRequiredService<CommandDispatcher>().HandleAsync(ping, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        Assert.Equal(first, again); // same time stamp: not run a second time
    }

    [Fact]
    public async Task Expired_And_Unsupported_AreAnsweredWithoutRunning()
    {
        using var host = BuildHost();
        var dispatcher = host.Services.GetRequiredService<CommandDispatcher>();
        var late = NewCommand("c2", c => c.Ping = new PingCommand());
        _time.Advance(TimeSpan.FromHours(2));

        var expired = await dispatcher.HandleAsync(late, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        var unsupported = await dispatcher.HandleAsync(NewCommand("c3", _ => { }), Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        var badId = await dispatcher.HandleAsync(NewCommand("../etc", c => c.Ping = new PingCommand()), Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.Equal(CommandOutcome.Expired, expired.Outcome);
        Assert.Equal(CommandOutcome.Failed, unsupported.Outcome);
        Assert.Contains("does not support 'None'", unsupported.Reason, StringComparison.Ordinal);
        Assert.Equal(CommandOutcome.Failed, badId.Outcome);
        Assert.False(Directory.Exists(Path.Combine(_data.Path, "etc")));
    }

    [Fact]
    public async Task BadConfiguration_RejectedWithTheStartupValidatorsMessage_NothingWritten_BufferUntouched()
    {
        var outbox = Path.Combine(_data.Path, "outbox.db");
        await File.WriteAllBytesAsync(outbox, RandomNumberGenerator.GetBytes(64 * 1024), Ct);
        var before = SHA256.HashData(await File.ReadAllBytesAsync(outbox, Ct));
        using var host = BuildHost();
        var dispatcher = host.Services.GetRequiredService<CommandDispatcher>();

        var result = await dispatcher.HandleAsync(
            NewCommand("cfg1", c => c.ApplyConfiguration = new ApplyConfigurationCommand { Version = 1, Json = """{"Outbox":{"LeaseTimeout":"00:00:00"}}""" }),
            Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.Equal(CommandOutcome.Failed, result.Outcome);
        Assert.Contains("Outbox:LeaseTimeout must be between 1 s and 1 day.", result.Reason, StringComparison.Ordinal);
        Assert.Contains("rolled back", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, result.ReportedConfigurationVersion);
        Assert.False(File.Exists(Path.Combine(_data.Path, ConfigurationApplier.FileName)));
        Assert.Equal(before, SHA256.HashData(await File.ReadAllBytesAsync(outbox, Ct)));
        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    [Fact]
    public async Task ProtectedKeysAndOldVersions_AreRejected()
    {
        using var host = BuildHost();
        var applier = host.Services.GetRequiredService<ConfigurationApplier>();

        var identity = await applier.ApplyAsync(1, """{"Gateway":{"DeviceId":"someone-else"}}""", Ct);
        var notObject = await applier.ApplyAsync(1, "[1]", Ct);
        var applied = await applier.ApplyAsync(1, """{"Logging":{"LogLevel":{"Default":"Debug"}}}""", Ct);
        var stale = await applier.ApplyAsync(1, """{"Logging":{"LogLevel":{"Default":"Warning"}}}""", Ct);

        Assert.False(identity.Applied);
        Assert.Contains("Gateway:DeviceId", identity.Reason, StringComparison.Ordinal);
        Assert.False(notObject.Applied);
        Assert.True(applied.Applied);
        Assert.False(applied.RestartRequired);
        Assert.False(stale.Applied);
        Assert.Equal(1, applier.CurrentVersion);
    }

    [Fact]
    public async Task GoodConfiguration_Written_ReportsItsVersion_AndRestartsCleanlyWhenNeeded()
    {
        using var host = BuildHost();
        var dispatcher = host.Services.GetRequiredService<CommandDispatcher>();
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

        var result = await dispatcher.HandleAsync(
            NewCommand("cfg2", c => c.ApplyConfiguration = new ApplyConfigurationCommand { Version = 3, Json = """{"Health":{"ReportInterval":"00:01:00"}}""" }),
            Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal(3, result.ReportedConfigurationVersion);
        var written = await File.ReadAllTextAsync(Path.Combine(_data.Path, ConfigurationApplier.FileName), Ct);
        Assert.Contains("00:01:00", written, StringComparison.Ordinal);
        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested, "Health is read at start-up: a clean restart follows the recorded answer");
    }
}
