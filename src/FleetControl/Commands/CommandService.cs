using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace FleetControl.Commands;

/// <summary>
/// The command queue's owner. A new command is stored first, then published at once if its device is
/// online; otherwise (or if publishing fails) it waits in the store and is published when the device's
/// online status arrives. Results move the command through its states; commands not started by their
/// expiry become Expired. The background loop sleeps until a device event or the next expiry, so an idle
/// FleetControl does not poll.
/// </summary>
internal sealed class CommandService(
    CommandStore store,
    IFleetStore fleet,
    ICommandPublisher publisher,
    CommandInbox inbox,
    TimeProvider time,
    IOptions<CommandOptions> options,
    ILogger<CommandService> logger) : BackgroundService
{
    /// <summary>How often a waiter re-reads the store for an answer another instance applied.</summary>
    internal static readonly TimeSpan SharedStorePollInterval = TimeSpan.FromSeconds(1);

    private readonly CommandOptions _options = options.Value;
    private readonly Lock _waitersLock = new();
    private readonly Dictionary<string, List<TaskCompletionSource<CommandRecord>>> _waiters = new(StringComparer.Ordinal);

    /// <summary>Raised after every state change (alerts, live console).</summary>
    public event Action<CommandRecord>? Changed;

    /// <summary>
    /// Queues <paramref name="command"/> (its body set; id, device and times are filled here) and publishes it
    /// when the device is online. Returns the stored record. <paramref name="onQueued"/> runs after the command
    /// is stored and before it can reach the device, so state that its answer updates is in place first.
    /// </summary>
    public async Task<CommandRecord> SendAsync(string deviceId, Command command, TimeSpan? timeToLive, CancellationToken cancellationToken, Action<CommandRecord>? onQueued = null)
    {
        var now = time.GetUtcNow();
        command.CommandId = Guid.CreateVersion7(now).ToString("N");
        command.DeviceId = deviceId;
        command.IssuedAt = Timestamp.FromDateTimeOffset(now);
        var expires = now + (timeToLive ?? _options.DefaultTimeToLive);
        command.ExpiresAt = Timestamp.FromDateTimeOffset(expires);
        var record = new CommandRecord
        {
            CommandId = command.CommandId,
            DeviceId = deviceId,
            Kind = CommandKinds.Of(command),
            Payload = command.ToByteArray(),
            CreatedAt = now,
            ExpiresAt = expires,
            State = CommandState.Queued,
            History = [new CommandTransition(now, CommandState.Queued, string.Empty)],
        };
        store.Add(record);
        Log.Queued(logger, record.CommandId, record.Kind, deviceId, expires);
        onQueued?.Invoke(record);
        inbox.Wake();

        var device = await fleet.GetDeviceAsync(deviceId, cancellationToken).ConfigureAwait(false);
        if (device is { Online: true })
        {
            record = await DeliverAsync(record, cancellationToken).ConfigureAwait(false);
        }

        return record;
    }

    /// <summary>Completes when the command is final (or at once if it already is); bounded by the caller's token.</summary>
    public async Task<CommandRecord?> WaitFinalAsync(string commandId, CancellationToken cancellationToken)
    {
        var tcs = new TaskCompletionSource<CommandRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersLock)
        {
            if (!_waiters.TryGetValue(commandId, out var list))
            {
                _waiters[commandId] = list = [];
            }

            list.Add(tcs);
        }

        try
        {
            while (true)
            {
                // Checked after registering, so a change in between is not missed. Checked again every
                // SharedStorePollInterval: with a shared store the answer may be applied by another instance,
                // whose change raises no waiter here.
                var current = store.Get(commandId);
                if (current is null || current.IsFinal)
                {
                    return current;
                }

                var poll = Task.Delay(SharedStorePollInterval, time, cancellationToken);
                if (await Task.WhenAny(tcs.Task, poll).ConfigureAwait(false) == tcs.Task)
                {
                    return await tcs.Task.ConfigureAwait(false);
                }

                await poll.ConfigureAwait(false); // throws when the caller gave up
            }
        }
        finally
        {
            lock (_waitersLock)
            {
                if (_waiters.TryGetValue(commandId, out var list) && list.Remove(tcs) && list.Count == 0)
                {
                    _waiters.Remove(commandId);
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            ExpireDue();
            while (!stoppingToken.IsCancellationRequested)
            {
                var delay = _options.MaxSweepInterval;
                if (store.NextExpiry() is { } next)
                {
                    var untilNext = next - time.GetUtcNow();
                    delay = untilNext < TimeSpan.Zero ? TimeSpan.Zero : untilNext < delay ? untilNext : delay;
                }

                using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var wake = inbox.Reader.WaitToReadAsync(sleep.Token).AsTask();
                var timer = Task.Delay(delay, time, sleep.Token);
                await Task.WhenAny(wake, timer).ConfigureAwait(false);
                await sleep.CancelAsync().ConfigureAwait(false);
                stoppingToken.ThrowIfCancellationRequested();

                while (inbox.Reader.TryRead(out var item))
                {
                    await HandleAsync(item, stoppingToken).ConfigureAwait(false);
                }

                ExpireDue();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; queued commands stay in the store.
        }
    }

    private async Task HandleAsync(object item, CancellationToken cancellationToken)
    {
        switch (item)
        {
            case CommandInbox.DeviceCameOnline online:
                foreach (var record in store.Undelivered(online.DeviceId))
                {
                    // An accepted command is asked again past its expiry: the device has its answer.
                    if (record.ExpiresAt > time.GetUtcNow() || record.State == CommandState.Accepted)
                    {
                        await DeliverAsync(record, cancellationToken).ConfigureAwait(false);
                    }
                }

                break;
            case CommandResult result:
                ApplyResult(result);
                break;
        }
    }

    private async Task<CommandRecord> DeliverAsync(CommandRecord record, CancellationToken cancellationToken)
    {
        var command = Command.Parser.ParseFrom(record.Payload);
        if (!await publisher.PublishCommandAsync(command, cancellationToken).ConfigureAwait(false))
        {
            Log.PublishFailed(logger, record.CommandId, record.DeviceId);
            return record;
        }

        return record.State == CommandState.Queued
            ? Move(record.CommandId, CommandState.Sent, string.Empty, null) ?? store.Get(record.CommandId) ?? record
            : record;
    }

    private void ApplyResult(CommandResult result)
    {
        var record = store.Get(result.CommandId);
        if (record is null || record.DeviceId != result.DeviceId)
        {
            Log.UnknownResult(logger, result.CommandId, result.DeviceId);
            return;
        }

        var state = result.Outcome switch
        {
            CommandOutcome.Accepted => CommandState.Accepted,
            CommandOutcome.Succeeded => CommandState.Succeeded,
            CommandOutcome.Failed => CommandState.Failed,
            CommandOutcome.Expired => CommandState.Expired,
            _ => (CommandState?)null,
        };
        if (state is null)
        {
            Log.UnknownResult(logger, result.CommandId, result.DeviceId);
            return;
        }

        var updated = Move(result.CommandId, state.Value, result.Reason, result.Details);
        if (updated is not null && record.Kind == CommandKinds.ApplyConfiguration)
        {
            RecordConfigurationResult(updated, result);
        }
    }

    private void RecordConfigurationResult(CommandRecord record, CommandResult result)
    {
        var configuration = store.GetConfiguration(record.DeviceId);
        var reported = result.ReportedConfigurationVersion;
        var status = record.State switch
        {
            CommandState.Succeeded => "applied",
            CommandState.Failed => "rejected: " + record.Reason,
            CommandState.Expired => "expired",
            _ => "applying",
        };
        if (configuration.CommandId != record.CommandId)
        {
            // An older rollout's answer: the reported version is still news, the status is not.
            status = configuration.Status;
        }

        store.PutConfiguration(configuration with { ReportedVersion = reported, Status = status });
    }

    private void ExpireDue()
    {
        foreach (var record in store.DueForExpiry(time.GetUtcNow()))
        {
            Move(record.CommandId, CommandState.Expired, "not delivered before expiry", null);
        }
    }

    private CommandRecord? Move(string commandId, CommandState state, string reason, IReadOnlyDictionary<string, string>? details)
    {
        var updated = store.Transition(commandId, state, reason, time.GetUtcNow(), details);
        if (updated is null)
        {
            return null;
        }

        Log.StateChanged(logger, commandId, updated.DeviceId, state, reason);
        Changed?.Invoke(updated);
        if (updated.IsFinal)
        {
            List<TaskCompletionSource<CommandRecord>>? waiters;
            lock (_waitersLock)
            {
                _waiters.Remove(commandId, out waiters);
            }

            foreach (var waiter in waiters ?? [])
            {
                waiter.TrySetResult(updated);
            }
        }

        return updated;
    }
}
