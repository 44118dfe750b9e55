using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Evidence;

/// <summary>
/// Evidence alarms to FleetControl: a <see cref="DeviceEvent"/> (stream <see cref="Stream"/>, Alert
/// class) through the gateway's one observation path, so it is buffered durably and delivered like
/// every other message. Each condition is raised once per key (e.g. per item or per file) until it
/// is cleared, so a retry every 30 s does not flood the uplink. Raising never blocks the caller.
/// </summary>
internal sealed class EvidenceAlarms(IServiceProvider services, TimeProvider time, ILogger<EvidenceAlarms> logger) : BackgroundService
{
    /// <summary>The stream evidence alarms travel on.</summary>
    public const string Stream = "evidence";

    /// <summary>A recording offloaded without a sidecar.</summary>
    public const string SidecarMissing = "evidence.sidecar_missing";

    /// <summary>A recording offloaded with a sidecar that did not parse.</summary>
    public const string SidecarInvalid = "evidence.sidecar_invalid";

    /// <summary>The vault's receipt did not match the staged copy; nothing wiped, retried.</summary>
    public const string ReceiptMismatch = "evidence.receipt_mismatch";

    /// <summary>The vault's custody entries in a receipt are not signed by FleetControl's custody key; nothing wiped, retried.</summary>
    public const string ReceiptUnverified = "evidence.receipt_unverified";

    /// <summary>A file on a docked camera the dock will not take.</summary>
    public const string FileNotAccepted = "evidence.file_not_accepted";

    private readonly Channel<Envelope> _pending = Channel.CreateUnbounded<Envelope>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, bool> _raised = new(StringComparer.Ordinal);

    /// <summary>Alarms raised since start, by type (health counters).</summary>
    public ConcurrentDictionary<string, long> Raised { get; } = new(StringComparer.Ordinal);

    /// <summary>Raises <paramref name="type"/> for <paramref name="key"/> unless it is already raised; true when raised now.</summary>
    public bool Raise(string type, string key, string detail, IReadOnlyDictionary<string, string> attributes)
    {
        if (!_raised.TryAdd(type + "|" + key, true))
        {
            return false;
        }

        Raised.AddOrUpdate(type, 1, static (_, n) => n + 1);
        Log.AlarmRaised(logger, type, key, detail);
        var evt = new DeviceEvent { Type = type, Detail = detail };
        foreach (var (name, value) in attributes)
        {
            evt.Attributes[name] = value;
        }

        _pending.Writer.TryWrite(new Envelope
        {
            Stream = Stream,
            Priority = PriorityClass.Alert,
            CapturedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            TimeSource = TimeSource.Local,
            Event = evt,
        });
        return true;
    }

    /// <summary>The condition is over: the next <see cref="Raise"/> for it is sent again.</summary>
    public void Clear(string type, string key) => _raised.TryRemove(type + "|" + key, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sink = services.GetService<IObservationSink>();
        try
        {
            await foreach (var envelope in _pending.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (sink is not null)
                {
                    await sink.AcceptAsync(envelope, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
