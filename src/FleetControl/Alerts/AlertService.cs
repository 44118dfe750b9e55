using System.Threading.Channels;

namespace FleetControl.Alerts;

/// <summary>
/// Raises, resolves and acknowledges alerts and fans every change out to live subscribers (the SSE feed).
/// Raising an active alert again changes nothing; raising a resolved one re-opens it with a history entry.
/// </summary>
internal sealed class AlertService(AlertStore store, TimeProvider time, ILogger<AlertService> logger)
{
    private readonly Lock _subscribersLock = new();
    private readonly List<Channel<AlertRecord>> _subscribers = [];

    /// <summary>Raises (or re-opens) an alert. Returns it when something changed.</summary>
    public AlertRecord? Raise(string rule, string key, string deviceId, string severity, string message)
    {
        var now = time.GetUtcNow();
        var updated = store.Update($"{rule}:{key}", current =>
        {
            if (current is { State: "active" })
            {
                return null;
            }

            var history = current?.History ?? [];
            return new AlertRecord
            {
                AlertId = $"{rule}:{key}",
                Rule = rule,
                DeviceId = deviceId,
                Severity = severity,
                Message = message,
                RaisedAt = now,
                History = [.. history, new AlertTransition(now, "raised", message)],
            };
        });
        if (updated is not null)
        {
            Log.Raised(logger, updated.AlertId, severity, deviceId, message);
            Publish(updated);
        }

        return updated;
    }

    /// <summary>Resolves an active alert (its condition cleared).</summary>
    public void Resolve(string alertId, string detail)
    {
        var updated = store.Update(alertId, current => current is { State: "active" }
            ? current with { State = "resolved", History = [.. current.History, new AlertTransition(time.GetUtcNow(), "resolved", detail)] }
            : null);
        if (updated is not null)
        {
            Log.Resolved(logger, alertId);
            Publish(updated);
        }
    }

    /// <summary>Records an engineer's acknowledgement. Null when the alert is unknown.</summary>
    public AlertRecord? Acknowledge(string alertId, string user)
    {
        var now = time.GetUtcNow();
        var updated = store.Update(alertId, current => current is null
            ? null
            : current with { AcknowledgedBy = user, AcknowledgedAt = now, History = [.. current.History, new AlertTransition(now, "acknowledged", user)] });
        if (updated is not null)
        {
            Log.Acknowledged(logger, alertId, user);
            Publish(updated);
        }

        return updated;
    }

    /// <summary>A live feed of alert changes until the token is cancelled. A slow reader loses the oldest changes, never blocks the service.</summary>
    public async IAsyncEnumerable<AlertRecord> SubscribeAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<AlertRecord>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_subscribersLock)
        {
            _subscribers.Add(channel);
        }

        try
        {
            await foreach (var alert in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return alert;
            }
        }
        finally
        {
            lock (_subscribersLock)
            {
                _subscribers.Remove(channel);
            }
        }
    }

    /// <summary>Hands a change another instance made (read back from the shared store) to this instance's live subscribers.</summary>
    internal void PublishChange(AlertRecord alert) => Publish(alert);

    private void Publish(AlertRecord alert)
    {
        lock (_subscribersLock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(alert);
            }
        }
    }
}
