using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Evidence;

/// <summary>
/// Publishes the dock's status: every <see cref="EvidenceOptions.StatusInterval"/> in which something
/// changed or bytes moved, rewrites <c>{DataDirectory}/dock-status.json</c> (atomically); sends a
/// DockStatus envelope (stream "dock", Event class) through the observation sink on change. Both are
/// also refreshed at least every <see cref="EvidenceOptions.StatusReportInterval"/>. A quiet dock
/// (cameras docked, everything offloaded) builds no snapshot between those refreshes.
/// </summary>
internal sealed class DockStatusReporter(
    DockStatusTracker tracker,
    EvidenceCounters counters,
    IServiceProvider services,
    IOptions<EvidenceOptions> options,
    IOptions<GatewayOptions> gateway,
    TimeProvider time,
    ILogger<DockStatusReporter> logger) : BackgroundService
{
    public const string FileName = "dock-status.json";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sink = services.GetService<IObservationSink>();
        var sentVersion = -1L;
        var sentAt = DateTimeOffset.MinValue;
        var writtenVersion = -1L;
        var writtenAt = DateTimeOffset.MinValue;
        var writtenStagingFull = false;
        using var timer = new PeriodicTimer(options.Value.StatusInterval, time);
        do
        {
            var version = tracker.Version;
            var now = time.GetUtcNow();
            var active = tracker.HasActiveTransfers;
            var due = now - sentAt >= options.Value.StatusReportInterval || now - writtenAt >= options.Value.StatusReportInterval;
            var stagingFull = counters.StagingFull;
            if (version == writtenVersion && version == sentVersion && !active && !due && stagingFull == writtenStagingFull)
            {
                continue;
            }

            var status = tracker.Snapshot();
            try
            {
                WriteStatusFile(status, now);
                writtenVersion = version;
                writtenAt = now;
                writtenStagingFull = stagingFull;
            }
            catch (IOException e)
            {
                Log.StatusWriteFailed(logger, e);
            }

            if (sink is not null && (version != sentVersion || now - sentAt >= options.Value.StatusReportInterval))
            {
                var envelope = new Envelope
                {
                    Stream = "dock",
                    Priority = PriorityClass.Event,
                    CapturedAt = Timestamp.FromDateTimeOffset(now),
                    TimeSource = TimeSource.Local,
                    DockStatus = status,
                };
                await sink.AcceptAsync(envelope, stoppingToken).ConfigureAwait(false);
                sentVersion = version;
                sentAt = now;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private void WriteStatusFile(DockStatus status, DateTimeOffset now)
    {
        var bays = new JsonArray();
        foreach (var b in status.Bays)
        {
            var done = b.Transfers.Sum(t => (long)t.BytesDone);
            var total = b.Transfers.Sum(t => (long)t.BytesTotal);
            var rate = b.Transfers.Where(t => t.State is "copying" or "uploading").Sum(t => t.MegabytesPerSecond);
            var transfers = new JsonArray();
            foreach (var t in b.Transfers)
            {
                transfers.Add((JsonNode)new JsonObject
                {
                    ["recordingId"] = t.RecordingId,
                    ["evidenceId"] = t.EvidenceId,
                    ["state"] = t.State,
                    ["bytesDone"] = t.BytesDone,
                    ["bytesTotal"] = t.BytesTotal,
                    ["megabytesPerSecond"] = t.MegabytesPerSecond,
                    ["etaSeconds"] = t.EtaSeconds,
                    ["critical"] = t.Critical,
                });
            }

            var unaccepted = new JsonArray();
            foreach (var u in b.Unaccepted)
            {
                unaccepted.Add((JsonNode)new JsonObject { ["name"] = u.Name, ["reason"] = u.Reason, ["size"] = u.Size });
            }

            bays.Add((JsonNode)new JsonObject
            {
                ["bay"] = b.Bay,
                ["docked"] = b.Docked,
                ["cameraSerial"] = b.CameraSerial,
                ["batteryPercent"] = b.BatteryPercent,
                ["bytesDone"] = done,
                ["bytesTotal"] = total,
                ["megabytesPerSecond"] = Math.Round(rate, 2),
                ["etaSeconds"] = rate > 0 ? (long)((total - done) / (rate * 1024 * 1024)) : 0,
                ["transfers"] = transfers,
                ["unaccepted"] = unaccepted,
            });
        }

        // A JsonObject, not an anonymous type: it serializes without reflection (NativeAOT, Hosting/GatewayJson.cs).
        var document = new JsonObject
        {
            ["deviceId"] = gateway.Value.DeviceId,
            ["at"] = now,
            ["alarms"] = counters.StagingFull ? new JsonArray("staging-full") : new JsonArray(),
            ["bytesCopied"] = counters.BytesCopied,
            ["bytesUploaded"] = counters.BytesUploaded,
            ["itemsVerified"] = counters.ItemsVerified,
            ["bays"] = bays,
        };
        Directory.CreateDirectory(gateway.Value.DataDirectory);
        var path = Path.Combine(gateway.Value.DataDirectory, FileName);
        var temp = path + ".tmp";
        File.WriteAllText(temp, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
    }
}
