using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using EdgeGateway.Retention;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Commands;

/// <summary>
/// resend-range: puts the retained copies of delivered messages captured in [from, to) (one stream, or
/// all) back into the outbox with their original message ids, so they travel by the usual rules (class
/// order, acknowledgement) and FleetControl stores each exactly once (it de-duplicates on the id).
/// Messages in the range not yet delivered are still in the outbox and go anyway. Never pushes a class
/// past half of its free quota or the disk below twice the outbox's reserve: a resend must not crowd out
/// (or thin) new data, so a large range is sent in part and the result says where to continue.
/// </summary>
internal sealed class ResendRangeHandler(RetentionService retention, LiteDbOutbox outbox, IOptions<OutboxOptions> outboxOptions, TimeProvider time) : ICommandHandler
{
    /// <summary>Messages read from the history per outbox write.</summary>
    public const int PageSize = 500;

    public Command.BodyOneofCase Kind => Command.BodyOneofCase.ResendRange;

    public async Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken)
    {
        var body = command.ResendRange;
        if (body.From is null || body.To is null || body.From.ToDateTimeOffset() >= body.To.ToDateTimeOffset())
        {
            return CommandHandlerResult.Failure("resend-range needs from < to");
        }

        if (retention.History is not { } history)
        {
            return CommandHandlerResult.Failure(retention.Enabled
                ? "the retained history is unavailable on this gateway (see its log); nothing resent"
                : "Retention:Enabled is false on this gateway: delivered messages are not kept; nothing resent");
        }

        var from = body.From.ToDateTimeOffset();
        var to = body.To.ToDateTimeOffset();
        var stream = string.IsNullOrEmpty(body.Stream) ? null : body.Stream;
        retention.Flush(); // copies of the latest acknowledgements first
        var statistics = outbox.GetStatistics();
        if (statistics.FreeDiskBytes < 2 * outboxOptions.Value.FreeDiskReserveBytes)
        {
            return CommandHandlerResult.Failure($"only {statistics.FreeDiskBytes} bytes of disk free (the outbox keeps {outboxOptions.Value.FreeDiskReserveBytes} in reserve); nothing resent");
        }

        var budget = statistics.Classes.ToDictionary(c => c.Priority, c => Math.Max(0, (c.QuotaBytes - c.Bytes) / 2));
        var resent = 0;
        var expired = 0;
        var streams = new SortedSet<string>(StringComparer.Ordinal);
        DateTimeOffset? continueFrom = null;
        string? stopReason = null;
        (long, byte[])? after = null;
        while (stopReason is null)
        {
            var page = history.Range(from, to, stream, PageSize, after);
            if (page.Count == 0)
            {
                break;
            }

            var now = time.GetUtcNow();
            var envelopes = new List<Envelope>(page.Count);
            foreach (var message in page)
            {
                if (!budget.TryGetValue(message.Priority, out var left) || left < message.Envelope.Length)
                {
                    continueFrom = message.CapturedAt;
                    stopReason = $"class {message.Priority} has no more room to spare in the outbox";
                    break;
                }

                var envelope = Envelope.Parser.ParseFrom(message.Envelope.Span);
                if (envelope.ExpiresAt is { } expires && expires.ToDateTimeOffset() <= now)
                {
                    expired++; // worth nothing now, by its own expiry
                    continue;
                }

                budget[message.Priority] = left - message.Envelope.Length;
                envelopes.Add(envelope);
                streams.Add(message.Stream);
            }

            var results = await outbox.EnqueueManyAsync(envelopes, cancellationToken).ConfigureAwait(false);
            resent += results.Count(r => r == EnqueueResult.Accepted);
            var refused = results.Where(r => r != EnqueueResult.Accepted).ToList();
            if (refused.Count > 0)
            {
                stopReason = $"the outbox refused {refused.Count} of them ({refused[0]})";
                continueFrom ??= page[^1].CapturedAt;
            }

            var last = page[^1];
            var lastId = new byte[MonotonicMessageIdGenerator.ByteLength];
            MonotonicMessageIdGenerator.TryParse(last.MessageId, lastId);
            after = (last.CapturedAt.ToUnixTimeMilliseconds(), lastId);
        }

        var oldest = history.Oldest(stream);
        var prunedThrough = history.PrunedThrough;
        var details = new Dictionary<string, string>
        {
            ["resent"] = resent.ToString(CultureInfo.InvariantCulture),
            ["expired"] = expired.ToString(CultureInfo.InvariantCulture),
            ["streams"] = string.Join(",", streams),
            ["retainedFrom"] = oldest?.ToString("O", CultureInfo.InvariantCulture) ?? string.Empty,
            ["coverage"] = prunedThrough is { } pruned && pruned >= from
                ? $"partial: copies captured up to {pruned.ToString("O", CultureInfo.InvariantCulture)} are no longer kept (Retention:MaxAge, Retention:MaxBytes)"
                : "complete",
        };
        if (retention.NotKept > 0)
        {
            // Since start-up some delivered messages were not copied (disk low, a late acknowledgement): say so.
            details["notKept"] = retention.NotKept.ToString(CultureInfo.InvariantCulture);
        }

        if (stopReason is not null)
        {
            details["complete"] = "false";
            details["continueFrom"] = continueFrom!.Value.ToString("O", CultureInfo.InvariantCulture);
            details["stoppedBecause"] = stopReason;
        }
        else
        {
            details["complete"] = "true";
        }

        return CommandHandlerResult.Success(details);
    }
}
