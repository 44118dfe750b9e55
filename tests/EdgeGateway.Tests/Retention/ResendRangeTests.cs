using EdgeGateway.Commands;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using EdgeGateway.Retention;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Retention;

/// <summary>
/// resend-range in the real host's service container (not started) on a real outbox and retained-history
/// file: delivered messages are kept, a range goes back into the outbox with the original ids and bytes,
/// and what is past its age is gone and reported as not covered.
/// </summary>
public sealed class ResendRangeTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _data = new();
    private readonly FakeTimeProvider _time = new(T0);

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IHost BuildHost(params string[] extra)
    {
        var builder = GatewayHost.CreateBuilder([
            "--Gateway:DeviceId=car-1", $"--Gateway:DataDirectory={_data.Path}", "--Security:DevelopmentPlaintext=true",
            "--Outbox:FreeDiskReserveBytes=0", "--Outbox:UrgentReserveBytes=0", "--Retention:MinFreeDiskBytes=0", .. extra]);
        builder.Services.AddSingleton<TimeProvider>(_time);
        return builder.Build();
    }

    [Fact]
    public async Task ResendRange_DeliveredMessages_GoBackIntoTheOutboxWithTheirIdsAndBytes_OnlyWithinTheRange()
    {
        using var host = BuildHost();
        var sink = host.Services.GetRequiredService<IObservationSink>();
        var outbox = host.Services.GetRequiredService<IOutbox>();
        Assert.IsType<RetainingOutbox>(outbox);
        for (var minute = 0; minute < 10; minute++)
        {
            await sink.AcceptAsync(Event("alarm", minute), Ct);
            await sink.AcceptAsync(Event("other", minute), Ct);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        // Delivered: leased, acknowledged by FleetControl, deleted from the outbox.
        var delivered = await LeaseAllAsync(outbox);
        Assert.Equal(20, delivered.Count);
        await outbox.AcknowledgeAsync(delivered.Select(m => m.MessageId).ToList(), Ct);
        Assert.Empty(await LeaseAllAsync(outbox));

        var result = await ResendAsync(host, "r1", T0.AddMinutes(2), T0.AddMinutes(6), "alarm");
        Assert.Equal(CommandOutcome.Succeeded, result.Outcome);
        Assert.Equal("4", result.Details["resent"]);
        Assert.Equal("alarm", result.Details["streams"]);
        Assert.Equal("complete", result.Details["coverage"]);
        Assert.Equal("true", result.Details["complete"]);

        var again = await LeaseAllAsync(outbox);
        var expected = delivered.Where(m => m.Stream == "alarm").Skip(2).Take(4).ToList();
        Assert.Equal(expected.Select(m => m.MessageId), again.Select(m => m.MessageId).Order(StringComparer.Ordinal));
        Assert.All(again, m => Assert.Equal(expected.Single(e => e.MessageId == m.MessageId).Envelope.ToArray(), m.Envelope.ToArray()));
        await outbox.AcknowledgeAsync(again.Select(m => m.MessageId).ToList(), Ct); // kept once, not twice
        Assert.Equal(20, host.Services.GetRequiredService<RetentionService>().History!.Statistics.Messages);
    }

    [Fact]
    public async Task ResendRange_PastRetention_SaysTheRangeIsNotCovered_AndInvalidRangeFails()
    {
        using var host = BuildHost("--Retention:MaxAge=01:00:00", "--Retention:Classes:Telemetry=00:00:00");
        var sink = host.Services.GetRequiredService<IObservationSink>();
        var outbox = host.Services.GetRequiredService<IOutbox>();
        await sink.AcceptAsync(Event("alarm", 0), Ct);
        await sink.AcceptAsync(new Envelope { Stream = "health", Priority = PriorityClass.Telemetry, CapturedAt = Timestamp.FromDateTimeOffset(T0), Health = new HealthReport() }, Ct);
        var delivered = await LeaseAllAsync(outbox);
        await outbox.AcknowledgeAsync(delivered.Select(m => m.MessageId).ToList(), Ct);

        var history = host.Services.GetRequiredService<RetentionService>();
        history.Flush();
        Assert.Equal(1, history.History!.Statistics.Messages); // Telemetry is configured not to be kept

        var before = await ResendAsync(host, "r1", T0.AddHours(-1), T0.AddHours(1), string.Empty);
        Assert.Equal("1", before.Details["resent"]);
        Assert.Equal("complete", before.Details["coverage"]); // nothing was ever deleted from the history

        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, history.History.Prune(_time.GetUtcNow()));
        var after = await ResendAsync(host, "r2", T0.AddHours(-1), T0.AddHours(1), string.Empty);
        Assert.Equal(CommandOutcome.Succeeded, after.Outcome);
        Assert.Equal("0", after.Details["resent"]);
        Assert.StartsWith("partial: copies captured up to 2026-12-01T09:00:00", after.Details["coverage"], StringComparison.Ordinal);

        var invalid = await ResendAsync(host, "r3", T0, T0, string.Empty);
        Assert.Equal(CommandOutcome.Failed, invalid.Outcome);
        Assert.Contains("from < to", invalid.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResendRange_RetentionDisabled_FailsSayingSo()
    {
        using var host = BuildHost("--Retention:Enabled=false");
        var result = await ResendAsync(host, "r1", T0.AddHours(-1), T0, string.Empty);
        Assert.Equal(CommandOutcome.Failed, result.Outcome);
        Assert.Contains("Retention:Enabled is false", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivered_LessFreeDiskThanRetentionMinFreeDiskBytes_NothingIsKeptAndEachIsCounted()
    {
        // More than any disk has free: the outbox needs the space more than a convenience copy does.
        using var host = BuildHost($"--Retention:MinFreeDiskBytes={long.MaxValue}");
        var sink = host.Services.GetRequiredService<IObservationSink>();
        var outbox = host.Services.GetRequiredService<IOutbox>();
        for (var minute = 0; minute < 3; minute++)
        {
            await sink.AcceptAsync(Event("alarm", minute), Ct);
        }

        var delivered = await LeaseAllAsync(outbox);
        await outbox.AcknowledgeAsync(delivered.Select(m => m.MessageId).ToList(), Ct);
        var retention = host.Services.GetRequiredService<RetentionService>();
        retention.Flush();

        Assert.Equal(3, delivered.Count);
        Assert.Equal(3, retention.NotKept);
        Assert.Equal(0, retention.History!.Statistics.Messages);
    }

    private Envelope Event(string stream, int minute) => new()
    {
        Stream = stream,
        Priority = PriorityClass.Event,
        CapturedAt = Timestamp.FromDateTimeOffset(T0.AddMinutes(minute)),
        Event = new DeviceEvent { Type = "test", Detail = $"{stream} {minute}" },
    };

    private Task<CommandResult> ResendAsync(IHost host, string id, DateTimeOffset from, DateTimeOffset to, string stream) =>
        host.Services.GetRequiredService<CommandDispatcher>().HandleAsync(
            new Command
            {
                CommandId = id,
                DeviceId = "car-1",
                ExpiresAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddHours(1)),
                ResendRange = new ResendRangeCommand { From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(to), Stream = stream },
            },
            Ct).WaitAsync(Eventually.DefaultTimeout, Ct);

    private static async Task<List<OutboxMessage>> LeaseAllAsync(IOutbox outbox)
    {
        var all = new List<OutboxMessage>();
        while (await outbox.LeaseAsync(1000, Ct).AsTask().WaitAsync(Eventually.DefaultTimeout, Ct) is { Count: > 0 } batch)
        {
            all.AddRange(batch);
        }

        return all;
    }
}
