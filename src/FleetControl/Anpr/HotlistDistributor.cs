using System.Threading.Channels;
using EdgeGateway.Contracts.V1;
using FleetControl.Commands;
using Microsoft.Extensions.Options;

namespace FleetControl.Anpr;

/// <summary>
/// Keeps every ANPR vehicle on the current hotlist. A vehicle is known once it reports its version (at its
/// start-up and after each swap). For each one behind, the distributor sends what it misses through the command
/// channel (durable, redelivered when the vehicle comes back online): one combined delta when every delta since its
/// version is kept, else a full snapshot in parts. At most one update is on its way to a vehicle at a time; its
/// result (the version the vehicle then holds, or a gap) decides the next. One loop handles every event, so the
/// decisions need no locks; it sleeps when nothing happens.
/// </summary>
internal sealed class HotlistDistributor : BackgroundService
{
    private readonly IHotlistStore _store;
    private readonly CommandService _commands;
    private readonly AnprServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<HotlistDistributor> _logger;
    private readonly Channel<Func<CancellationToken, Task>> _work = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new() { SingleReader = true });

    public HotlistDistributor(IHotlistStore store, CommandService commands, IOptions<AnprServerOptions> options, TimeProvider time, ILogger<HotlistDistributor> logger)
    {
        _store = store;
        _commands = commands;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _commands.Changed += OnCommandChanged;
    }

    /// <summary>A vehicle reported the version it holds.</summary>
    public void Reported(string deviceId, long version) => _work.Writer.TryWrite(ct =>
    {
        var device = _store.Device(deviceId);
        Log.DeviceVersion(_logger, deviceId, version);
        _store.SaveDevice(new HotlistDeviceRecord(deviceId, version, _time.GetUtcNow(), device?.PendingCommands ?? [], device?.PendingVersion ?? 0));
        return ReconcileAsync(deviceId, ct);
    });

    /// <summary>The hotlist changed: bring every known vehicle up to date.</summary>
    public void Changed() => _work.Writer.TryWrite(async ct =>
    {
        foreach (var device in _store.DevicesHoldingHotlists())
        {
            await ReconcileAsync(device.DeviceId, ct).ConfigureAwait(false);
        }
    });

    private void OnCommandChanged(CommandRecord record)
    {
        if (record.Kind != AnprCommandKind.HotlistUpdate || !record.IsFinal)
        {
            return;
        }

        _work.Writer.TryWrite(ct =>
        {
            if (_store.Device(record.DeviceId) is not { } device || !device.PendingCommands.Contains(record.CommandId))
            {
                return Task.CompletedTask;
            }

            var version = device.Version;
            if (record.Details.TryGetValue("hotlistVersion", out var text) && long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var held))
            {
                version = held;
            }

            var gap = record.State == CommandState.Failed && record.Details.GetValueOrDefault("outcome") == "Gap";
            var pending = device.PendingCommands.Where(c => c != record.CommandId).ToList();
            if (gap)
            {
                version = 0; // unknown base: the next update is a snapshot
            }

            if (version != device.Version)
            {
                Log.DeviceVersion(_logger, device.DeviceId, version);
            }

            _store.SaveDevice(device with { Version = version, ReportedAt = _time.GetUtcNow(), PendingCommands = pending });
            return pending.Count == 0 ? ReconcileAsync(device.DeviceId, ct) : Task.CompletedTask;
        });
    }

    private async Task ReconcileAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (_store.Device(deviceId) is not { } device || device.PendingCommands.Count > 0)
        {
            return;
        }

        var current = _store.HotlistVersion;
        if (device.Version == current)
        {
            return;
        }

        var updates = new List<HotlistUpdate>();
        string kind;
        if (_store.DeltaSince(device.Version) is { } delta)
        {
            updates.Add(delta);
            kind = "delta";
        }
        else
        {
            kind = "snapshot";
            var entries = _store.HotlistEntries();
            var parts = Math.Max(1, (entries.Count + _options.SnapshotPartEntries - 1) / _options.SnapshotPartEntries);
            for (var p = 0; p < parts; p++)
            {
                var part = new HotlistUpdate { Version = current, BaseVersion = 0, Part = (uint)p + 1, Parts = (uint)parts };
                part.Upserts.AddRange(entries.Skip(p * _options.SnapshotPartEntries).Take(_options.SnapshotPartEntries));
                updates.Add(part);
            }
        }

        // Recorded as pending before any can be answered, so a fast result finds its command. Read again for each
        // part: with a shared store another instance may already have applied the answer to an earlier part, and
        // writing back the state read above would put that answered command back as pending for good.
        foreach (var update in updates)
        {
            await _commands.SendAsync(deviceId, new Command { HotlistUpdate = update }, _options.UpdateTimeToLive, cancellationToken, onQueued: record =>
            {
                var latest = _store.Device(deviceId) ?? device;
                _store.SaveDevice(latest with { PendingCommands = [.. latest.PendingCommands, record.CommandId], PendingVersion = current });
            }).ConfigureAwait(false);
        }

        Log.HotlistSent(_logger, deviceId, kind, device.Version, current, updates.Count);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // After a restart: vehicles with nothing on its way but an old version are brought up to date.
        Changed();
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await work(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.DistributionFailed(_logger, e, "(hotlist)");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _commands.Changed -= OnCommandChanged;
        base.Dispose();
    }
}
